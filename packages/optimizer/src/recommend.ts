import { fitSpaceModel, type SpaceModel } from './conditional-fit.js';
import { type Direction, gpOptions, type SamplerConfig } from './config.js';
import { ModelFittingError } from './errors.js';
import { collectObservations } from './model.js';
import { type ModelCache, processModelCache } from './model-cache.js';
import { modelUntrusted } from './model-trust.js';
import { type Params, parseSearchSpace, type SearchSpace } from './search-space.js';

export interface RecommendRequest {
  space: SearchSpace;
  direction: Direction;
  /** Finished trials, as for a suggestion; NaN (failed) values are never recommended. */
  completed: ReadonlyArray<{ params: Params; value: number }>;
  /**
   * Which of `completed` may be recommended (all when absent). The model learns from every entry;
   * a pruned trial's value, an early-epoch loss, informs it but is not a result to keep.
   */
  eligible?: ReadonlyArray<boolean>;
}

export interface Recommendation {
  /** Index into `completed` of the recommended trial. */
  index: number;
  /** Posterior mean and standard deviation of the objective there, in objective units. */
  mean: number | null;
  std: number | null;
  /** The fitted observation noise's standard deviation there, in objective units. */
  noiseStd: number | null;
  /**
   * `model`: lowest posterior mean; `observed`: best observed value (no model to ask, or one that
   * fails its own leave-one-out ranking test, model-trust.ts `modelUntrusted`).
   */
  source: 'model' | 'observed';
}

/**
 * The evaluated configuration a user should keep: the one with the best posterior mean of the GP
 * fitted to the history (the sampler's own model, same options). With noisy objectives the best
 * OBSERVED value is biased towards lucky draws; the posterior mean shrinks each value towards its
 * neighbours by the fitted noise, so it ranks by what the model believes the true value is. With a
 * noise-free objective the fitted noise is tiny and the two agree. Falls back to the best observed
 * value when there are too few finite observations to fit a model, the fit fails, or the fit fails
 * the sampler's model-trust test (its LOO means do not rank the observations). Null when no
 * trial has a finite value. Pure: the same config and history give the same recommendation.
 */
export function recommend(
  config: SamplerConfig,
  request: RecommendRequest,
  cache: ModelCache = processModelCache,
): Recommendation | null {
  const space = parseSearchSpace(request.space);
  const sign = request.direction === 'MAXIMIZE' ? 1 : -1;
  let bestObserved = -1;
  const eligible = (i: number): boolean => request.eligible?.[i] ?? true;
  request.completed.forEach((trial, i) => {
    if (!Number.isFinite(trial.value) || !eligible(i)) return;
    const best = request.completed[bestObserved]?.value;
    if (best === undefined || sign * trial.value > sign * best) bestObserved = i;
  });
  if (bestObserved < 0) return null;
  const observed: Recommendation = {
    index: bestObserved,
    mean: null,
    std: null,
    noiseStd: null,
    source: 'observed',
  };
  const obs = collectObservations(space, request.direction, request.completed);
  if (obs.n < 3) return observed;
  const options = gpOptions(config);
  let fitted: SpaceModel;
  try {
    fitted = fitSpaceModel(space, request.direction, obs, [], options, cache);
  } catch (error) {
    if (error instanceof ModelFittingError) return observed;
    throw error;
  }
  const { model, toModel } = fitted;
  // The sampler's trust test (model-trust.ts), whatever `modelTrust` says: a fit whose LOO means
  // cannot rank the observations is no judge of which of them is truly best either, and its
  // lowest mean was the worse pick (eggholder recommended @30, 20 seeds: 144 -> 327 with the gate's
  // steps; docs/DESIGN.md section 6, "Model trust").
  if (!fitted.encoding && modelUntrusted(space, options, model, obs.n)) return observed;
  // Among the rows with a finite value (clipped infinities are rows too, but never kept).
  let best: { row: number; mean: number; variance: number } | null = null;
  const dim = space.dimension;
  for (let row = 0; row < obs.n; row++) {
    const index = obs.source[row] ?? -1;
    const trial = request.completed[index];
    if (!trial || !Number.isFinite(trial.value) || !eligible(index)) continue;
    const p = model.posterior.predict(toModel(obs.x.subarray(row * dim, (row + 1) * dim)));
    if (best === null || p.mean > best.mean) best = { row, mean: p.mean, variance: p.variance };
  }
  if (best === null) return observed;
  const chosen: { row: number; mean: number; variance: number } = best;
  const g = model.target.toTarget(chosen.mean, Math.sqrt(chosen.variance));
  const scale = model.fit.noiseScaled ? (model.target.noiseScale?.[chosen.row] ?? 1) : 1;
  const noise = model.target.toTarget(chosen.mean, Math.sqrt(model.posterior.hyper.noiseVar * scale));
  return {
    index: obs.source[chosen.row] ?? observed.index,
    mean: sign * g.mean,
    std: g.std,
    noiseStd: noise.std,
    source: 'model',
  };
}
