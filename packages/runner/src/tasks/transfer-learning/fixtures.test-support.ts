/** Test helpers for the transfer-learning task (compiled with the tests; not exported by the package). */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CheckpointFile, type Params, type TrialHandle, TrialPruned } from '../../trial-handle.js';
import type { TransferLearningOptions } from './index.js';

/** A small slice and a one-epoch base: the whole pipeline in a few seconds. */
export const SMALL: Omit<TransferLearningOptions, 'cacheDir'> = {
  dataSlice: { perClass: 60 },
  base: { epochs: 1 },
  maxEpochs: 4,
  patience: 3,
  log: () => {},
};

export function tempCacheDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'posterior-tl-'));
}

export interface RecordedTrial extends TrialHandle {
  readonly reports: { step: number; metrics: Readonly<Record<string, number>> }[];
  readonly checkpoints: CheckpointFile[];
  readonly controller: AbortController;
}

/**
 * A TrialHandle that records what the task does. `onReport` decides the pruner's verdict and may
 * abort the trial.
 */
export function fakeTrial(
  params: Params,
  onReport: (step: number, trial: RecordedTrial) => boolean = () => false,
  number = 1,
  shape: Pick<TrialHandle, 'objectives' | 'constraints'> = { objectives: ['val_loss'], constraints: [] },
): RecordedTrial {
  const controller = new AbortController();
  const trial: RecordedTrial = {
    id: `trial-${number}`,
    number,
    params,
    ...shape,
    signal: controller.signal,
    controller,
    reports: [],
    checkpoints: [],
    async report(step, metrics) {
      trial.reports.push({ step, metrics });
      return { shouldPrune: onReport(step, trial) };
    },
    prune(): never {
      throw new TrialPruned(trial.reports.length);
    },
    async saveCheckpoint(file) {
      trial.checkpoints.push(file);
    },
    async setAttributes() {},
  };
  return trial;
}
