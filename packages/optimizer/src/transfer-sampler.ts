import type { Direction, GpOptions } from './config.js';
import { ModelFittingError } from './errors.js';
import type { Observations } from './model.js';
import type { ModelCache } from './model-cache.js';
import { optimizeAcquisition } from './optimize-acquisition.js';
import type { Rng } from './rng.js';
import type { ParsedSearchSpace } from './search-space.js';
import {
  fitTransferModel,
  type SourceStudy,
  TransferAcquisition,
  transferPredictObjective,
} from './transfer.js';

export type { SourceStudy } from './transfer.js';

export interface WarmContext {
  space: ParsedSearchSpace;
  direction: Direction;
  obs: Observations;
  pending: Float64Array[];
  rng: Rng;
  taken: ReadonlySet<string>;
  options: GpOptions;
  incumbents: Float64Array[];
  cache: ModelCache;
}

export interface WarmSuggestion {
  x: Float64Array;
  info: {
    mean: number;
    std: number;
    acquisition: number;
    acquisitionName: string;
    transfer: { used: boolean; scales: number[]; shifts: number[][]; gain: number };
  };
}

/**
 * The GP sampler's suggestion for a warm-started study when the transfer model passes its guard
 * (transfer.ts), from the second target observation on; null otherwise, and the sampler then does
 * exactly what a cold start does (its initial design, then the plain GP).
 */
export function suggestWithSources(
  sources: ReadonlyArray<SourceStudy>,
  ctx: WarmContext,
): WarmSuggestion | null {
  const { space, obs, options } = ctx;
  let model: ReturnType<typeof fitTransferModel>;
  try {
    model = fitTransferModel(space, obs, ctx.pending, sources, options, true, ctx.cache);
  } catch (error) {
    if (error instanceof ModelFittingError) return null;
    throw error;
  }
  if (!model) return null;
  const spec = { name: options.acquisition, best: model.best, xi: options.xi, beta: options.beta };
  const objective = new TransferAcquisition(model, spec);
  const result = optimizeAcquisition(space, objective, ctx.rng, ctx.taken, ctx.incumbents, {
    candidates: Math.min(options.candidates, 1024),
    localStarts: 8,
    maxIterations: 40,
    screening: false,
  });
  if (!result) return null;
  const pred = transferPredictObjective(model, ctx.direction, result.x);
  return {
    x: result.x,
    info: {
      mean: pred.mean,
      std: pred.std,
      acquisition: result.value,
      acquisitionName: options.acquisition,
      transfer: {
        used: true,
        scales: Array.from(model.scales),
        shifts: model.shifts.map((v) => Array.from(v)),
        gain: model.fit.gain,
      },
    },
  };
}
