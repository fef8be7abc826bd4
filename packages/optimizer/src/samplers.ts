import { acquisitionSpec, modelCandidates } from './acquisition.js';
import { type ConditionalEncoding, EmbeddedAcquisition } from './conditional-encoding.js';
import { fitSpaceModel } from './conditional-fit.js';
import { type Direction, type GpOptions, gpOptions, type SamplerConfig } from './config.js';
import { ModelFittingError, SpaceExhaustedError } from './errors.js';
import { collectObservations, type FittedModel, type Observations, predictObjective } from './model.js';
import { type ModelCache, processModelCache } from './model-cache.js';
import { parzenStep, untrusted } from './model-trust.js';
import {
  type CompletedTrial,
  type ConstraintSpec,
  isExtendedRequest,
  type ObjectiveSpec,
  type ReferencePointInfo,
  suggestExtended,
} from './multiobjective/suggest.js';
import { normCdf, normPdf } from './normal.js';
import { AcquisitionObjective, optimizeAcquisition } from './optimize-acquisition.js';
import { SobolSequence } from './qmc.js';
import { createRng, mixSeed, type Rng } from './rng.js';
import { type Params, type ParsedSearchSpace, parseSearchSpace, type SearchSpace } from './search-space.js';
import { PosteriorSample } from './thompson.js';
import { type SourceStudy, suggestWithSources } from './transfer-sampler.js';

export interface SuggestRequest {
  space: SearchSpace;
  direction: Direction;
  /**
   * Finished trials; values may be NaN (failed), infinite, or repeated. Multi-objective studies
   * give `values` (one per objective) and constrained studies `constraints` (one per constraint).
   */
  completed: ReadonlyArray<CompletedTrial>;
  /** Params of RUNNING and WAITING trials. */
  pending: ReadonlyArray<Params>;
  /** Per-suggestion seed, `trialSeed(study seed, trial number)`: same seed and history, same suggestion. */
  seed: number;
  /**
   * Two or more objectives make a multi-objective study (then `direction` is unused); omitted or
   * one objective: the single objective `value` in `direction`.
   */
  objectives?: ReadonlyArray<ObjectiveSpec>;
  /** Outcome constraints: a trial is feasible when every constraint value is <= 0. */
  constraints?: ReadonlyArray<ConstraintSpec>;
  /** Hypervolume reference point in the objectives' units; inferred from the trials when omitted. */
  referencePoint?: readonly number[];
  /**
   * Warm start: completed trials of earlier studies, mapped onto this space where parameter names
   * and types overlap (transfer.ts). Single-objective studies only.
   */
  sources?: ReadonlyArray<SourceStudy>;
}

/** What a warm-started suggestion says of the transfer model that made it (docs/DESIGN.md 6e). */
export interface TransferInfo {
  used: boolean;
  scales: number[];
  shifts: number[][];
  gain: number;
  correlations?: number[];
  /** warmStartRefine: the suggestion came from the study's own GP in the box around its best trial. */
  refined?: boolean;
}

export interface SuggestionInfo {
  sampler: string;
  phase: 'initial' | 'model' | 'fallback';
  /** Posterior mean and standard deviation at the suggestion, in objective units. */
  mean: number | null;
  std: number | null;
  acquisition: number | null;
  acquisitionName: string | null;
  /** Multi-objective or constrained studies: posterior mean and std of each objective. */
  means?: number[];
  stds?: number[];
  /** Constrained studies: probability that every constraint is satisfied at the suggestion. */
  feasibility?: number;
  /** Multi-objective studies: the hypervolume reference point used, and whether it was inferred. */
  referencePoint?: ReferencePointInfo;
  /**
   * Warm-started studies: the transfer model was used, with these per-source scales and shifts
   * (model coordinates of the shared parameters), gaining `gain` nats over the plain GP.
   */
  transfer?: TransferInfo;
  /** Data problems the sampler worked around (clipped infinities, params outside the space). */
  warnings?: string[];
}

export interface Suggestion {
  params: Params;
  info: SuggestionInfo;
}

/** One interface for every sampler: a pure function of the configuration and the request. */
export interface Sampler {
  readonly name: string;
  suggest(request: SuggestRequest): Suggestion;
}

interface Context {
  space: ParsedSearchSpace;
  rng: Rng;
  taken: Set<string>;
  obs: Observations;
  pending: Float64Array[];
}

function context(config: SamplerConfig, request: SuggestRequest): Context {
  const space = parseSearchSpace(request.space);
  const obs = collectObservations(space, request.direction, request.completed);
  const taken = new Set(obs.taken);
  const pending: Float64Array[] = [];
  for (const p of request.pending) {
    try {
      const x = space.snap(space.encode(p));
      pending.push(x);
      taken.add(space.key(x));
    } catch {
      obs.warnings.push('ignored a pending trial whose params do not fit the search space');
    }
  }
  const rng = createRng(mixSeed(config.seed ?? 0, request.seed));
  return { space, rng, taken, obs, pending };
}

/** A uniformly random point not yet taken; throws SpaceExhaustedError when none is left. */
function randomUntaken(ctx: Context): Float64Array {
  const { space, rng, taken } = ctx;
  const dim = space.dimension;
  const u = new Float64Array(dim);
  for (let attempt = 0; attempt < 200; attempt++) {
    for (let d = 0; d < dim; d++) u[d] = rng.next();
    const x = space.fromUnit(u);
    if (!taken.has(space.key(x))) return x;
  }
  if (space.cardinality <= 1e6) {
    const free = enumerateUntaken(space, taken, rng);
    if (free) return free;
    throw new SpaceExhaustedError(`all ${space.cardinality} points of the search space have been tried`);
  }
  // A huge discrete space that rejects 200 random draws is practically exhausted around its mass.
  throw new SpaceExhaustedError('no untried point found in the search space');
}

function enumerateUntaken(
  space: ParsedSearchSpace,
  taken: ReadonlySet<string>,
  rng: Rng,
): Float64Array | null {
  const dims = space.dims;
  const total = space.cardinality;
  const free: number[] = [];
  const x = new Float64Array(dims.length);
  const decodeIndex = (flat: number): void => {
    let rest = flat;
    dims.forEach((d, i) => {
      x[i] = d.at(rest % d.size);
      rest = Math.floor(rest / d.size);
    });
  };
  for (let flat = 0; flat < total; flat++) {
    decodeIndex(flat);
    if (!taken.has(space.key(x))) free.push(flat);
  }
  if (free.length === 0) return null;
  decodeIndex(free[rng.int(free.length)] ?? 0);
  return Float64Array.from(x);
}

function qmcPoint(config: SamplerConfig, ctx: Context, start: number): Float64Array {
  const { space, taken } = ctx;
  // The design is fixed per study (scrambled by the study seed); trial k takes point k.
  const sobol = new SobolSequence(space.dimension, createRng(mixSeed(config.seed ?? 0, 0x51ed)));
  const u = new Float64Array(space.dimension);
  for (let i = start; i < start + 256; i++) {
    const x = space.fromUnit(sobol.point(i, u));
    if (!taken.has(space.key(x))) return x;
  }
  return randomUntaken(ctx);
}

function info(
  sampler: string,
  phase: SuggestionInfo['phase'],
  warnings: string[],
  extra?: Partial<SuggestionInfo>,
): SuggestionInfo {
  const out: SuggestionInfo = {
    sampler,
    phase,
    mean: null,
    std: null,
    acquisition: null,
    acquisitionName: null,
  };
  if (extra) Object.assign(out, extra);
  if (warnings.length > 0) out.warnings = warnings;
  return out;
}

export function randomSampler(config: SamplerConfig): Sampler {
  return {
    name: 'random',
    suggest(request) {
      const ctx = context(config, request);
      const x = randomUntaken(ctx);
      return { params: ctx.space.decode(x), info: info('random', 'initial', ctx.obs.warnings) };
    },
  };
}

export function qmcSampler(config: SamplerConfig): Sampler {
  return {
    name: 'qmc',
    suggest(request) {
      const ctx = context(config, request);
      const x = qmcPoint(config, ctx, request.completed.length + request.pending.length);
      return { params: ctx.space.decode(x), info: info('qmc', 'initial', ctx.obs.warnings) };
    },
  };
}

/** Indices of the best observations (largest targets first), at most k. */
function incumbents(obs: Observations, k: number): Float64Array[] {
  const dim = obs.x.length / Math.max(obs.n, 1);
  const order = Array.from({ length: obs.n }, (_, i) => i).sort((a, b) => (obs.g[b] ?? 0) - (obs.g[a] ?? 0));
  return order.slice(0, k).map((i) => obs.x.slice(i * dim, (i + 1) * dim));
}

/**
 * Whether model suggestions in this space alternate between exploring and exploiting explicitly:
 * `thompsonEvery` > 0, at most `thompsonMaxDim` parameters, none categorical, no conditional tree.
 * Then every `thompsonEvery`-th one maximizes a posterior draw (Thompson sampling, thompson.ts), which
 * proposes a basin as often as it may hold the optimum, and the others maximize the acquisition over
 * the plug-in incumbent (`incumbent: 'auto'`), so they refine what the model believes rather than
 * chase a lucky value or a wiggle it cannot fit. In more dimensions a draw's maximum lies in the
 * unexplored volume almost surely, so there the acquisition keeps its own balance.
 */
function thompsonSpace(space: ParsedSearchSpace, options: GpOptions): boolean {
  if ((options.thompsonEvery <= 0 && options.thompsonStall <= 0) || space.dimension > options.thompsonMaxDim)
    return false;
  return !space.conditional && !space.dims.some((d) => d.kind === 'categorical');
}

/** Completed observations since the best value last improved (0 when the latest one did). */
export function trialsSinceImprovement(obs: Observations): number {
  let best = Number.NEGATIVE_INFINITY;
  let last = -1;
  for (let i = 0; i < obs.n; i++) {
    const g = obs.g[i] as number;
    if (g > best) {
      best = g;
      last = i;
    }
  }
  return obs.n - 1 - last;
}

/**
 * Re-evaluation (`replicateIncumbent`): the incumbent's point when the model says noise dominates
 * the remaining improvement, else null. The incumbent is the observation with the best value, the one
 * a user keeps; when it has been evaluated once (and is not running), its value is above the
 * posterior mean there by at least the fitted noise std, and that std exceeds the expected
 * improvement at the acquisition's optimum (all in model units), one more
 * evaluation tells more about what the user keeps than any new point is expected to gain: a lucky
 * draw is averaged down (the GP sees both rows at one point) and the next best takes its place.
 */
function replicateOf(
  model: FittedModel,
  obs: Observations,
  space: ParsedSearchSpace,
  pending: readonly Float64Array[],
  xBest: Float64Array,
): Float64Array | null {
  if (obs.n === 0) return null;
  const dim = space.dimension;
  let row = 0;
  for (let i = 1; i < obs.n; i++) if ((obs.g[i] as number) > (obs.g[row] as number)) row = i;
  const x = obs.x.slice(row * dim, (row + 1) * dim);
  const key = space.key(x);
  let count = 0;
  for (let i = 0; i < obs.n; i++) if (space.key(obs.x.subarray(i * dim, (i + 1) * dim)) === key) count++;
  if (count > 1 || pending.some((p) => space.key(p) === key)) return null;
  const posterior = model.withPending;
  const scale = model.fit.noiseScaled ? (model.posterior.data.noiseScale?.[row] ?? 1) : 1;
  const noiseStd = Math.sqrt(posterior.hyper.noiseVar * scale);
  // Only a value the model takes for a lucky draw: above its posterior mean there by a noise std or
  // more (without this test, replicates of values the model believed cost more than they told:
  // noisy hartmann6, docs/DESIGN.md).
  const luck = (model.posterior.data.y[row] as number) - model.posterior.predict(x).mean;
  if (luck < noiseStd) return null;
  const p = posterior.predict(xBest);
  const sd = Math.sqrt(p.variance);
  const z = sd > 0 ? (p.mean - model.best) / sd : Number.NEGATIVE_INFINITY;
  const ei = sd > 0 ? sd * (z * normCdf(z) + normPdf(z)) : Math.max(0, p.mean - model.best);
  return noiseStd > ei ? x : null;
}

/** The GP sampler; its fits and factors live in `cache`, shared with whoever else is given it. */
export function gpSampler(config: SamplerConfig, cache: ModelCache = processModelCache): Sampler {
  const options = gpOptions(config);
  return {
    name: 'gp',
    suggest(request) {
      const ctx = context(config, request);
      const { space, obs } = ctx;
      if (isExtendedRequest(request)) {
        const out = suggestExtended(request, {
          space,
          options,
          rng: ctx.rng,
          taken: ctx.taken,
          pending: ctx.pending,
          warnings: obs.warnings,
          cache,
        });
        const x = out.x ?? qmcPoint(config, ctx, request.completed.length + request.pending.length);
        const { phase, warnings, ...rest } = out.info;
        return { params: space.decode(x), info: info('gp', phase, warnings, rest) };
      }
      if (request.sources && request.sources.length > 0) {
        const warm = suggestWithSources(request.sources, {
          space,
          direction: request.direction,
          obs,
          pending: ctx.pending,
          rng: ctx.rng,
          taken: ctx.taken,
          options,
          incumbents: incumbents(obs, 3),
          cache,
        });
        if (warm) return { params: space.decode(warm.x), info: info('gp', 'model', obs.warnings, warm.info) };
      }
      if (obs.n < Math.max(options.nStartupTrials, 2)) {
        const x = qmcPoint(config, ctx, request.completed.length + request.pending.length);
        return { params: space.decode(x), info: info('gp', 'initial', obs.warnings) };
      }
      // Conditional spaces: the GP sees an embedding of the tree, the search its coordinates.
      const explicit = thompsonSpace(space, options);
      const incumbent = options.incumbent === 'auto' ? (explicit ? 'mean' : 'capped') : options.incumbent;
      let model: FittedModel;
      let encoding: ConditionalEncoding | null;
      try {
        // Conditional spaces: the GP sees an embedding of the tree, the search its coordinates.
        ({ model, encoding } = fitSpaceModel(
          space,
          request.direction,
          obs,
          ctx.pending,
          // Posterior draws use the product kernel's random features (thompson.ts).
          { ...options, incumbent, ...(explicit ? { additiveKernel: 'off' as const } : {}) },
          cache,
        ));
      } catch (error) {
        if (!(error instanceof ModelFittingError)) throw error;
        const x = qmcPoint(config, ctx, request.completed.length + request.pending.length);
        return { params: space.decode(x), info: info('gp', 'fallback', [...obs.warnings, error.message]) };
      }
      const n = obs.n + ctx.pending.length;
      const stalled = trialsSinceImprovement(obs);
      const thompson =
        explicit &&
        ((options.thompsonEvery > 0 && n % options.thompsonEvery === 0) ||
          (options.thompsonStall > 0 && stalled > 0 && stalled % options.thompsonStall === 0));
      const spec = acquisitionSpec(options, model.best, model.withPending.hyper.noiseVar);
      const onModel = thompson
        ? new PosteriorSample(model.withPending, ctx.rng)
        : new AcquisitionObjective(model.withPending, spec);
      const objective = encoding ? new EmbeddedAcquisition(onModel, encoding) : onModel;
      // Model trust (model-trust.ts): a fit that calls unresolved structure noise and whose LOO
      // predictions do not rank the observations is no guide between them.
      // An explicit replicateIncumbent still re-evaluates a lucky incumbent first: where the fit's
      // noise is real, a pure-noise objective fails the rank test as a rugged one does.
      const replicateAt = (xNext: Float64Array) => {
        const replicate =
          options.replicateIncumbent && !encoding ? replicateOf(model, obs, space, ctx.pending, xNext) : null;
        if (!replicate) return null;
        const pred = predictObjective(model, replicate);
        return {
          params: space.decode(replicate),
          info: info('gp', 'model', obs.warnings, {
            mean: pred.mean,
            std: pred.std,
            acquisition: null,
            acquisitionName: 'replicate',
          }),
        };
      };
      if (!thompson && !encoding && untrusted(space, options, model, obs.n)) {
        const step = parzenStep(space, obs, ctx.rng, ctx.taken);
        if (step) {
          const replicated = replicateAt(step.x);
          if (replicated) return replicated;
          const pred = predictObjective(model, step.x);
          return {
            params: space.decode(step.x),
            info: info('gp', 'model', obs.warnings, {
              mean: pred.mean,
              std: pred.std,
              acquisition: step.value,
              acquisitionName: options.modelTrust,
            }),
          };
        }
      }
      const result = optimizeAcquisition(space, objective, ctx.rng, ctx.taken, incumbents(obs, 3), {
        // Scoring a candidate costs O(n^2): keep the candidate budget roughly constant in time.
        // A draw costs O(L D) per point whatever n: half the candidates cover a low-dimensional box.
        candidates: thompson
          ? Math.max(256, options.candidates >> 1)
          : modelCandidates(options.candidates, n),
        localStarts: n > 100 ? 4 : 8,
        maxIterations: n > 100 ? 25 : 40,
        ...(thompson ? { screening: false } : {}),
      });
      if (!result) {
        const x = randomUntaken(ctx);
        return { params: space.decode(x), info: info('gp', 'fallback', obs.warnings) };
      }
      const x = space.snap(result.x);
      const replicated = replicateAt(x);
      if (replicated) return replicated;
      const params = space.decode(x);
      const pred = predictObjective(model, encoding ? encoding.embed(x) : x);
      return {
        params,
        info: info('gp', 'model', obs.warnings, {
          mean: pred.mean,
          std: pred.std,
          acquisition: result.value,
          acquisitionName: thompson ? 'thompson' : options.acquisition,
        }),
      };
    },
  };
}

export function createSampler(config: SamplerConfig, cache: ModelCache = processModelCache): Sampler {
  if (config.type === 'random') return randomSampler(config);
  if (config.type === 'qmc') return qmcSampler(config);
  return gpSampler(config, cache);
}

/**
 * Synchronous and deterministic: the same config, seed and history give the same suggestion. The
 * cache (fits and factors from earlier suggestions) changes only how fast, except with the opt-in
 * `warmStart`.
 */
export function suggest(
  config: SamplerConfig,
  request: SuggestRequest,
  cache: ModelCache = processModelCache,
): Suggestion {
  return createSampler(config, cache).suggest(request);
}
