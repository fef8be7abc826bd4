import { acquisitionSpec, modelCandidates } from './acquisition.js';
import type { Direction, GpOptions } from './config.js';
import { ModelFittingError } from './errors.js';
import { believePending, fitModel, type Observations } from './model.js';
import type { ModelCache } from './model-cache.js';
import { AcquisitionObjective, optimizeAcquisition } from './optimize-acquisition.js';
import { GpPosterior } from './posterior.js';
import type { Rng } from './rng.js';
import type { TransferInfo } from './samplers.js';
import type { ParsedSearchSpace } from './search-space.js';
import {
  augmentWithSources,
  fitTransferModel,
  MAX_TARGET_OBSERVATIONS,
  type SourceStudy,
  sign,
  TransferAcquisition,
  type TransferModel,
  transferPredictObjective,
} from './transfer.js';
import { CoregionalAcquisition, fitCoregionalModel, mappedSourceOptima } from './transfer-coregional.js';
import { BoxAcquisition, refineBox } from './transfer-refine.js';

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
    transfer: TransferInfo;
  };
}

/** What a suggestion says of the transfer model that made it (scales, shifts, guard gain, correlations). */
function transferInfo(
  fit: { scales: Float64Array; shifts: readonly Float64Array[]; correlations?: Float64Array },
  gain: number,
): TransferInfo {
  return {
    used: true,
    scales: Array.from(fit.scales),
    shifts: fit.shifts.map((v) => Array.from(v)),
    gain,
    ...(fit.correlations ? { correlations: Array.from(fit.correlations) } : {}),
  };
}

/** The transfer models' acquisition search: fewer candidates and local steps than the cold GP's, since each evaluation costs more. */
const transferSearch = (options: GpOptions) => ({
  candidates: Math.min(options.candidates, 1024),
  localStarts: 8,
  maxIterations: 40,
  screening: false,
});

/**
 * The study's own (warped) GP, hyperparameters fitted on its trials alone, conditioned on its trials
 * and the sources' trials mapped by the accepted transfer model (augmentWithSources). Measured on the
 * warmstart bench: the transfer model's own acquisition finds the basin early but, unwarped, cannot
 * resolve the optimum (its noise absorbs the source's misfit elsewhere), and a plain GP handed the
 * study later re-explores the corners the source had already ruled out; this keeps both the
 * source's map and the warped GP's resolution near the optimum (branin; hartmann6 did worse,
 * hence opt-in: docs/DESIGN.md 6e).
 */
function suggestAugmented(model: TransferModel, ctx: WarmContext): WarmSuggestion | null {
  const { space, obs, options } = ctx;
  let plain: ReturnType<typeof fitModel>;
  try {
    plain = fitModel(space, ctx.direction, obs, [], { ...options, incumbent: 'observed' }, ctx.cache);
  } catch (error) {
    if (error instanceof ModelFittingError) return null;
    throw error;
  }
  const aug = augmentWithSources(model, plain);
  if (!aug) return null;
  const hyper = plain.posterior.hyper;
  const posterior = new GpPosterior(aug.data, options.kernel, hyper);
  let best = plain.best;
  let withPending = posterior;
  if (ctx.pending.length > 0) {
    const believed = believePending(posterior, aug.data, ctx.pending);
    for (const b of believed.values) best = Math.max(best, b);
    withPending = new GpPosterior(believed.data, options.kernel, hyper);
  }
  const spec = { name: options.acquisition, best, xi: options.xi, beta: options.beta };
  const result = optimizeAcquisition(
    space,
    new AcquisitionObjective(withPending, spec),
    ctx.rng,
    ctx.taken,
    ctx.incumbents,
    {
      candidates: Math.min(options.candidates, 1024),
      localStarts: 8,
      maxIterations: 40,
    },
  );
  if (!result) return null;
  const p = posterior.predict(result.x);
  const g = plain.target.toTarget(p.mean, Math.sqrt(p.variance));
  return {
    x: result.x,
    info: {
      mean: plain.sign * g.mean,
      std: g.std,
      acquisition: result.value,
      acquisitionName: options.acquisition,
      transfer: transferInfo(model, model.fit.gain),
    },
  };
}

/**
 * `warmStartRefine`: the study's own GP (fitted as the cold start fits it), its acquisition searched
 * only in the box around the best trial that refineBox gives once the target's trials confirm the
 * source's map; null when the transfer is not confirmed (transfer-refine.ts).
 */
function suggestRefined(model: TransferModel, ctx: WarmContext): WarmSuggestion | null {
  const { space, obs, options } = ctx;
  const box = refineBox(model, space, obs);
  if (!box) return null;
  let plain: ReturnType<typeof fitModel>;
  try {
    const incumbent = options.incumbent === 'auto' ? 'capped' : options.incumbent;
    plain = fitModel(space, ctx.direction, obs, ctx.pending, { ...options, incumbent }, ctx.cache);
  } catch (error) {
    if (error instanceof ModelFittingError) return null;
    throw error;
  }
  const spec = acquisitionSpec(options, plain.best, plain.withPending.hyper.noiseVar);
  const boxed = new BoxAcquisition(new AcquisitionObjective(plain.withPending, spec), box.lo, box.hi);
  // The search runs in the box's unit coordinates: so do the keys of the points already taken.
  const dim = space.dimension;
  const taken = new Set<string>();
  for (let i = 0; i < obs.n; i++) taken.add(space.key(boxed.fromBox(obs.x.subarray(i * dim, (i + 1) * dim))));
  for (const p of ctx.pending) taken.add(space.key(boxed.fromBox(p)));
  const n = obs.n + ctx.pending.length;
  const result = optimizeAcquisition(
    space,
    boxed,
    ctx.rng,
    taken,
    ctx.incumbents.map((x) => boxed.fromBox(x)),
    {
      candidates: modelCandidates(options.candidates, n),
      localStarts: 8,
      maxIterations: 40,
    },
  );
  if (!result) return null;
  const x = space.snap(boxed.toBox(result.x));
  if (ctx.taken.has(space.key(x))) return null;
  const p = plain.posterior.predict(x);
  const g = plain.target.toTarget(p.mean, Math.sqrt(p.variance));
  return {
    x,
    info: {
      mean: plain.sign * g.mean,
      std: g.std,
      acquisition: result.value,
      acquisitionName: options.acquisition,
      transfer: { ...transferInfo(model, model.fit.gain), refined: true },
    },
  };
}

/**
 * The GP sampler's suggestion for a warm-started study when the transfer model passes its guard
 * (transfer.ts), from the third target observation on; null otherwise, and the sampler then does
 * exactly what a cold start does (its initial design, then the plain GP). With `warmStartRows` it is
 * the study's GP with the mapped source rows (suggestAugmented) while the guard accepts a source.
 */
export function suggestWithSources(
  sources: ReadonlyArray<SourceStudy>,
  ctx: WarmContext,
): WarmSuggestion | null {
  if (ctx.options.warmStartModel === 'coregional') return suggestCoregional(sources, ctx);
  const { space, obs, options } = ctx;
  let model: ReturnType<typeof fitTransferModel>;
  const rows = options.warmStartRows && !space.conditional;
  const refine = options.warmStartRefine && !space.conditional;
  try {
    // With mapped rows no handover at a fixed count: the guard decides at every refit.
    model = fitTransferModel(
      space,
      obs,
      ctx.pending,
      sources,
      options,
      true,
      ctx.cache,
      rows || refine ? Number.POSITIVE_INFINITY : MAX_TARGET_OBSERVATIONS,
    );
  } catch (error) {
    if (error instanceof ModelFittingError) return null;
    throw error;
  }
  if (!model) return null;
  if (refine) {
    const refined = suggestRefined(model, ctx);
    if (refined) return refined;
  }
  if (rows) {
    const augmented = suggestAugmented(model, ctx);
    if (augmented) return augmented;
  }
  // No mapped rows: the transfer model's own acquisition, within its window.
  if (obs.n >= MAX_TARGET_OBSERVATIONS) return null;
  const spec = { name: options.acquisition, best: model.best, xi: options.xi, beta: options.beta };
  const objective = new TransferAcquisition(model, spec);
  const result = optimizeAcquisition(
    space,
    objective,
    ctx.rng,
    ctx.taken,
    ctx.incumbents,
    transferSearch(options),
  );
  if (!result) return null;
  const pred = transferPredictObjective(model, ctx.direction, result.x);
  return {
    x: result.x,
    info: {
      mean: pred.mean,
      std: pred.std,
      acquisition: result.value,
      acquisitionName: options.acquisition,
      transfer: transferInfo(model, model.fit.gain),
    },
  };
}

/**
 * The coregional model's suggestion (transfer-coregional.ts), from the third target observation on
 * and for the whole study: an unrelated source's learned correlation goes to zero and the model
 * becomes the target's own GP. Null (the cold start's path) before that or without a usable source.
 */
function suggestCoregional(sources: ReadonlyArray<SourceStudy>, ctx: WarmContext): WarmSuggestion | null {
  const { space, obs, options } = ctx;
  let model: ReturnType<typeof fitCoregionalModel>;
  try {
    model = fitCoregionalModel(space, obs, ctx.pending, sources, options, ctx.cache);
  } catch (error) {
    if (error instanceof ModelFittingError) return null;
    throw error;
  }
  if (!model) return null;
  const spec = { name: options.acquisition, best: model.best, xi: options.xi, beta: options.beta };
  const fill = ctx.incumbents[0] ?? obs.x.slice(0, space.dimension);
  const mapped = mappedSourceOptima(model, fill, 3).map((x) => space.snap(x));
  const result = optimizeAcquisition(
    space,
    new CoregionalAcquisition(model.withPending, spec),
    ctx.rng,
    ctx.taken,
    [...ctx.incumbents, ...mapped],
    transferSearch(options),
  );
  if (!result) return null;
  const p = model.posterior.predict(result.x);
  const g = model.target.toTarget(p.mean, Math.sqrt(p.variance));
  return {
    x: result.x,
    info: {
      mean: sign(ctx.direction) * g.mean,
      std: g.std,
      acquisition: result.value,
      acquisitionName: options.acquisition,
      transfer: transferInfo(model.fit, 0),
    },
  };
}
