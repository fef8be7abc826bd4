import { conditionalTransferLearningSearchSpace, transferLearningSearchSpace } from './params.js';

export interface DemoStudyOptions {
  teamId: string;
  name?: string;
  sampler?: 'gp' | 'random' | 'qmc';
  seed?: number;
  /** A pruner in the API's format (docs/DESIGN.md section 4), e.g. `{ type: 'none' }`. */
  pruner?: { readonly type: string; readonly [option: string]: unknown };
  maxTrials?: number;
  parallelism?: number;
  /** The conditional space (1-3 dense layers, units only for the layers that exist; issue 18). */
  conditional?: boolean;
}

/**
 * The motivating case of docs/DESIGN.md section 7 as a `createStudy` input: `npm start` creates it and
 * `npm run bench -- demo` varies only the sampler, seed, pruner and budget. Defaults: GP, 30 trials,
 * two workers, and a median pruner (the sampler learns from pruned trials, so stopping poor heads
 * early costs nothing in what the model knows).
 */
export function demoStudyInput(options: DemoStudyOptions) {
  return {
    teamId: options.teamId,
    name: options.name ?? 'demo-transfer-learning',
    direction: 'MINIMIZE' as const,
    objective: 'val_loss',
    searchSpace: options.conditional ? conditionalTransferLearningSearchSpace : transferLearningSearchSpace,
    sampler: { type: options.sampler ?? 'gp', seed: options.seed ?? 0 },
    pruner: options.pruner ?? { type: 'median', warmupSteps: 3, minTrials: 5 },
    maxTrials: options.maxTrials ?? 30,
    parallelism: options.parallelism ?? 2,
    heartbeatTimeoutS: 60,
    retryFailed: 1,
  };
}
