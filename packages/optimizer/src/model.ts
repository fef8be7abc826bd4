import type { ModelCoordinates } from './conditional-encoding.js';
import type { Direction, GpOptions } from './config.js';
import { hashFloats } from './content-hash.js';
import type { GpData } from './gp.js';
import { type FitResult, fitHyperparameters, looLogPredictive, thetaToHyper } from './hyperparameters.js';
import type { ModelCache } from './model-cache.js';
import { type TargetTransform, transformTargets } from './output-transform.js';
import { GpPosterior } from './posterior.js';
import { mixSeed } from './rng.js';
import type { Params, ParsedSearchSpace } from './search-space.js';

/**
 * From trials to a fitted GP: encodes params, turns values into standardized targets to maximize,
 * fits hyperparameters (cached by content in the caller's ModelCache), and conditions on pending
 * trials.
 */
export interface Observations {
  /** Finite observations, shape: n x D row-major. */
  x: Float64Array;
  /** Their values to maximize (sign-corrected, infinities clipped), shape: n. */
  g: Float64Array;
  n: number;
  /** For each row, the index of its trial in `completed`, shape: n. */
  source: number[];
  /** Keys of every evaluated point, finite or not, for duplicate avoidance. */
  taken: Set<string>;
  warnings: string[];
}

/**
 * A pruned trial's value is the last loss it reported before it was stopped, an early-epoch value
 * far above what it would have reached and above every completed trial's. Taken at face value it
 * stretches the targets' scale, so the completed trials the model must rank crowd together after
 * standardization. It is evidence that the region is poor, not a measurement: it enters at most as
 * bad as the worst completed trial (values are upper bounds of what a pruned trial would have
 * reached; the median pruner stopped it for being worse than the others). With no completed trial
 * yet, its value stands.
 */
function capPrunedValues(values: number[], pruned: boolean[]): void {
  let worstCompleted = Number.POSITIVE_INFINITY;
  values.forEach((v, i) => {
    if (!pruned[i] && Number.isFinite(v)) worstCompleted = Math.min(worstCompleted, v);
  });
  if (!Number.isFinite(worstCompleted)) return;
  values.forEach((v, i) => {
    if (pruned[i] && !Number.isNaN(v)) values[i] = Math.max(v, worstCompleted);
  });
}

export function collectObservations(
  space: ParsedSearchSpace,
  direction: Direction,
  completed: ReadonlyArray<{ params: Params; value: number; pruned?: boolean }>,
): Observations {
  const dim = space.dimension;
  const sign = direction === 'MAXIMIZE' ? 1 : -1;
  const rows: Float64Array[] = [];
  const values: number[] = [];
  const sources: number[] = [];
  const prunedRows: boolean[] = [];
  const taken = new Set<string>();
  const warnings: string[] = [];
  for (const [index, trial] of completed.entries()) {
    let x: Float64Array;
    try {
      x = space.snap(space.encode(trial.params));
    } catch {
      warnings.push('ignored a trial whose params do not fit the search space');
      continue;
    }
    taken.add(space.key(x));
    if (Number.isNaN(trial.value) || typeof trial.value !== 'number') continue;
    rows.push(x);
    values.push(sign * trial.value);
    sources.push(index);
    prunedRows.push(trial.pruned === true);
  }
  // Values are to maximize here: the worst completed one is the smallest.
  capPrunedValues(values, prunedRows);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const keep: number[] = [];
  let clipped = 0;
  values.forEach((v, i) => {
    if (Number.isFinite(v)) keep.push(i);
    else if (Number.isFinite(lo)) {
      // Infinite values carry no scale: treat them as the worst (or best) finite value seen.
      values[i] = v > 0 ? hi : lo;
      clipped++;
      keep.push(i);
    }
  });
  if (clipped > 0) warnings.push(`clipped ${clipped} infinite objective value(s) to the finite range`);
  const n = keep.length;
  const x = new Float64Array(n * dim);
  const g = new Float64Array(n);
  const source: number[] = [];
  keep.forEach((idx, r) => {
    x.set(rows[idx] ?? new Float64Array(dim), r * dim);
    g[r] = values[idx] ?? 0;
    source.push(sources[idx] ?? -1);
  });
  return { x, g, n, source, taken, warnings };
}

/**
 * Hyperparameters are refitted at every trial below 32 observations, then at checkpoints every
 * n/8 below 128 (rounded down to a power of two: every 4 trials from 32, 8 from 64) and every n/4
 * from 128 (32 from 128, 64 from 256), and reused in between. The fit for a checkpoint depends only
 * on that prefix of the history, so results stay reproducible across processes, while the
 * O(n^3)-per-step likelihood optimization runs rarely once it has enough data that one more point
 * hardly moves it. From 128 observations a refit costs 100-250 ms in 6 dimensions (about 40
 * likelihood evaluations of 4 ms at n = 208); every 16 trials that was about 15 ms on the mean
 * suggestion time at 200 trials, every 32 it is half that.
 */
export function fitPrefixLength(n: number): number {
  if (n < 32) return n;
  const step = 2 ** (Math.floor(Math.log2(n)) - (n < 128 ? 3 : 2));
  return n - (n % step);
}

/** Fits on fewer observations than this also start from short lengthscales (fitAndRemember). */
const SECOND_START_MAX_N = 128;
const FIT_MAX = 256;

function fitKey(data: GpData, options: GpOptions): string {
  const h1 = mixSeed(
    data.n,
    data.dim,
    options.kernel === 'rbf' ? 1 : 0,
    options.noiseFloor,
    options.deterministic ? 1 : 0,
    options.outputWarping === 'yeo-johnson' ? 1 : 0,
    options.warmStart ? 1 : 0,
    options.noiseUnits === 'objective' ? 1 : 0,
    options.noiseCap,
    options.noiseCapTest === 'loo' ? 1 : 0,
    options.additiveKernel === 'loo' ? 1 : 0,
    ...data.categorical,
  );
  // Two independent 32-bit hashes of the content make accidental collisions negligible.
  const h2 = hashFloats(data.x, 0x9747b28c);
  const h3 = hashFloats(data.y, 0x1b873593);
  return `${h1}:${h2}:${h3}:${data.n}`;
}

/**
 * Opt-in warm starts (`warmStart: true`): the latest fitted theta per model signature seeds the
 * next fit with the same ModelCache, as an extra start beside the defaults. Off by default: the optimum
 * found can then depend on what was fitted before with that cache, which would break "same seed and
 * history, same suggestion" across processes. (A warm start chained through earlier checkpoints
 * is reproducible but makes a fresh process refit every checkpoint of a long study, which costs
 * too much (docs/PERFORMANCE.md), so it is not used.)
 */
function warmKey(data: GpData, options: GpOptions, additive: boolean): string {
  return [
    additive,
    data.dim,
    ...data.categorical,
    options.kernel,
    options.noiseFloor,
    options.deterministic,
    options.noiseCap,
    options.noiseCapTest,
  ].join(',');
}

/**
 * `noiseCap`: without replicated points the data cannot tell noise from structure on a scale
 * shorter than the spacing of the observations, and a rugged noise-free objective then gets fitted as
 * a smooth trend plus large noise. The cap bounds the noise variance at a fraction of the observed
 * (standardized) variance in that case; replicates let the likelihood measure the noise itself.
 * Whether the capped fit is used is `noiseCapTest`'s (fitUnderCap).
 */
export function noiseCeiling(data: GpData, options: GpOptions): { noiseCeiling?: number } {
  if (!(options.noiseCap > 0) || hasReplicates(data)) return {};
  return { noiseCeiling: Math.max(options.noiseCap, options.noiseFloor) };
}

function hasReplicates(data: GpData): boolean {
  const seen = new Set<string>();
  for (let i = 0; i < data.n; i++) {
    const key = Array.from(data.x.subarray(i * data.dim, (i + 1) * data.dim)).join(',');
    if (seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}

function fitAndRemember(
  key: string,
  data: GpData,
  options: GpOptions,
  cache: ModelCache,
  chained?: Float64Array,
): FitResult {
  const result = fitAdditive(data, options, cache, chained);
  cache.rememberFit(key, result);
  return result;
}

/** The additive kernel is tried in 2 to this many dimensions (one lengthscale and share per dimension). */
const ADDITIVE_MAX_DIM = 4;
/**
 * ... and on fewer observations than this: its fit, a second one beside the product kernel's, with
 * 2 D + 3 hyperparameters and per-dimension kernel values, made the first suggestion of a fresh
 * process at 200 trials in 2 dimensions 4.6x as slow (1680 vs 366 ms, bench --latency).
 */
const ADDITIVE_MAX_N = SECOND_START_MAX_N;

/**
 * `additiveKernel: 'loo'`: in low dimension, also fits the additive kernel (gp.ts), and keeps it when
 * its leave-one-out log predictive density is higher than the product kernel's. A sum of
 * one-dimensional functions (schwefel, rastrigin, michalewicz) is then modelled as one: what is
 * learned about x_1 holds at every x_2, while the product kernel has to see each combination. As
 * with the noise cap (fitUnderCap), the marginal likelihoods of the two are not comparable
 * evidence of which predicts unseen points better; LOO is.
 */
function fitAdditive(data: GpData, options: GpOptions, cache: ModelCache, chained?: Float64Array): FitResult {
  const product = fitUnderCap(data, options, cache, false, chained);
  if (
    options.additiveKernel !== 'loo' ||
    data.dim < 2 ||
    data.dim > ADDITIVE_MAX_DIM ||
    data.n >= ADDITIVE_MAX_N
  )
    return product;
  const additive = fitUnderCap(data, options, cache, true, chained);
  const looProduct = looLogPredictive(data, options.kernel, product.theta);
  const looAdditive = looLogPredictive(data, options.kernel, additive.theta);
  if (!looProduct || !looAdditive) return looProduct ? product : additive;
  return sum(looAdditive) > sum(looProduct) ? additive : product;
}

/**
 * With a noise cap in force (noiseCeiling), `noiseCapTest: 'loo'` (default) fits the free-noise
 * model and, when its noise exceeds the cap, the capped one too, and keeps the one whose
 * leave-one-out log predictive density is higher. The marginal likelihood cannot choose: the free
 * model contains the capped one, so it never loses. LOO asks which predicts an unseen point better:
 * rugged structure the points resolve (holder_table's ridges) is predicted better by the capped fit
 * with short lengthscales; real noise, or structure finer than the spacing, by the free fit, which
 * then keeps its noise for recommend, the capped incumbent and replicateIncumbent. The cost is a
 * second fit, only where the free fit's noise exceeds the cap.
 */
function fitUnderCap(
  data: GpData,
  options: GpOptions,
  cache: ModelCache,
  additive: boolean,
  chained?: Float64Array,
): FitResult {
  const ceiling = noiseCeiling(data, options);
  if (ceiling.noiseCeiling === undefined || options.noiseCapTest === 'none')
    return fitOnce(data, options, cache, ceiling, additive, chained);
  const free = fitOnce(data, options, cache, {}, additive, chained);
  if (free.hyper.noiseVar <= (ceiling.noiseCeiling as number)) return free;
  const capped = fitOnce(data, options, cache, ceiling, additive, chained);
  const looFree = looLogPredictive(data, options.kernel, free.theta);
  const looCapped = looLogPredictive(data, options.kernel, capped.theta);
  if (!looFree || !looCapped) return looCapped ? capped : free;
  return sum(looCapped) > sum(looFree) ? capped : free;
}

function sum(values: Float64Array): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

function fitOnce(
  data: GpData,
  options: GpOptions,
  cache: ModelCache,
  ceiling: { noiseCeiling?: number },
  additive: boolean,
  chained?: Float64Array,
): FitResult {
  const dim = data.dim;
  if (chained) {
    // A checkpoint chained to the previous one (chainedFrom): its optimum as the only start.
    return fitHyperparameters(data, {
      kernel: options.kernel,
      additive,
      noiseFloor: options.noiseFloor,
      fixedNoise: options.deterministic,
      ...ceiling,
      includeDefault: false,
      starts: [chained],
    });
  }
  // The posterior over hyperparameters is often bimodal: long lengthscales that explain the
  // observations' wiggles as noise, or short ones that fit them with little noise. From the default
  // start alone the fit settles in the first mode even where the second has the higher posterior, and
  // the model then takes a multimodal function for a smooth, noisy one and keeps sampling around its
  // incumbent (michalewicz2 at 50 trials: median regret 0.0085 with one start, 4.3e-5 with both).
  // A second start with short lengthscales and little noise finds the other mode; its cost is one
  // more O(n^3)-per-step fit, paid only while n is small enough for that to stay cheap.
  const starts: Float64Array[] = [];
  if (data.n < SECOND_START_MAX_N) {
    const short = new Float64Array(dim + 3);
    for (let d = 0; d < dim; d++) short[d] = Math.log(10);
    short[dim + 1] = Math.log(Math.max(options.noiseFloor, 1e-4));
    starts.push(short);
  }
  const signature = warmKey(data, options, additive);
  const previous = options.warmStart ? cache.warmStart(signature) : undefined;
  if (previous) starts.unshift(previous);
  const result = fitHyperparameters(data, {
    kernel: options.kernel,
    additive,
    noiseFloor: options.noiseFloor,
    fixedNoise: options.deterministic,
    ...ceiling,
    starts,
  });
  if (options.warmStart) cache.rememberWarmStart(signature, result.theta);
  return result;
}

/** MAP hyperparameters of `data` as it stands (no transform), recalled from `cache` when fitted before. */
export function fitData(data: GpData, options: GpOptions, cache: ModelCache): FitResult {
  const key = fitKey(data, options);
  return cache.recallFit(key) ?? fitAndRemember(key, data, options, cache);
}

/** Checkpoints from here on start from the previous checkpoint's fit (chainedFrom). */
const CHAIN_MIN = 128;

/**
 * The checkpoint whose fit starts the fit at checkpoint m, or null for a fit from the default starts.
 * From CHAIN_MIN observations one checkpoint adds n/4 points to the previous one's n, and the
 * hyperparameters move little: started at the previous optimum, bounded quasi-Newton reaches the
 * same optimum (to 1e-3 nats in bench/latency checks at 160-256 points in 6 dimensions) in about half
 * the likelihood evaluations of the default start, and a refit is most of the mean suggestion time at
 * 200 trials. The chain is a function of the history alone, so results stay reproducible across
 * processes; it restarts from the defaults at every power of two (128, 256, 512, ...), so a fresh
 * process pays at most one fit from the defaults and three chained ones to catch up on a study.
 */
export function chainedFrom(m: number): number | null {
  if (m <= CHAIN_MIN || (m & (m - 1)) === 0 || fitPrefixLength(m) !== m) return null;
  let previous = m - 1;
  while (fitPrefixLength(previous) !== previous) previous--;
  return previous;
}

/** Hyperparameters for the prefix of m observations, fitted on its latest FIT_MAX points. */
export function fitCheckpoint(
  obs: Observations,
  m: number,
  dim: number,
  categorical: Uint8Array,
  options: GpOptions,
  cache: ModelCache,
): FitResult {
  const from = Math.max(0, m - FIT_MAX);
  const x = obs.x.subarray(from * dim, m * dim);
  const g = obs.g.subarray(from, m);
  const previous = chainedFrom(m);
  // Keyed by the raw values (the transform is a function of them), so a hit skips the transform.
  const key = `${previous === null ? 'g' : 'c'}${fitKey({ x, y: g, n: m - from, dim, categorical }, options)}`;
  const hit = cache.recallFit(key);
  if (hit) return hit;
  // The previous checkpoint's fit first (recalled in a long-lived process, recomputed in a fresh one).
  const start =
    previous === null ? undefined : fitCheckpoint(obs, previous, dim, categorical, options, cache).theta;
  const t = transformTargets(g, m - from, options.outputWarping === 'yeo-johnson');
  const data: GpData = { x, y: t.y, n: m - from, dim, categorical };
  // Noise constant in objective units (`noiseUnits: 'objective'`): observation noise of one size
  // before the warp, so variance noiseVar * (dy/dg)^2 per point after it.
  if (t.noiseScale && options.noiseUnits === 'objective') data.noiseScale = t.noiseScale;
  const result = fitAndRemember(key, data, options, cache, start);
  return data.noiseScale ? { ...result, noiseScaled: true } : result;
}

export interface FittedModel {
  /** Posterior given the completed observations. */
  posterior: GpPosterior;
  /** Posterior also conditioned on pending points at their predicted mean (kriging believer). */
  withPending: GpPosterior;
  target: TargetTransform;
  /** Best standardized target observed or believed at a pending point. */
  best: number;
  sign: 1 | -1;
  fit: FitResult;
}

export function fitModel(
  /** The search space, or the model coordinates of a conditional one (conditional-encoding.ts). */
  space: ModelCoordinates,
  direction: Direction,
  obs: Observations,
  pending: readonly Float64Array[],
  options: GpOptions,
  cache: ModelCache,
  /** Hyperparameters fitted with the coordinates themselves (conditional-fit.ts), on the same prefix. */
  fitted?: FitResult,
): FittedModel {
  const dim = space.dimension;
  const categorical = new Uint8Array(space.dims.map((d) => (d.kind === 'categorical' ? 1 : 0)));
  const warp = options.outputWarping === 'yeo-johnson';
  const target = transformTargets(obs.g, obs.n, warp);
  const y = target.y;
  const fit = fitted ?? fitCheckpoint(obs, fitPrefixLength(obs.n), dim, categorical, options, cache);
  const hyper = thetaToHyper(fit.theta, dim);
  const data: GpData = { x: obs.x, y, n: obs.n, dim, categorical };
  if (target.noiseScale && fit.noiseScaled) data.noiseScale = target.noiseScale;
  const posterior = new GpPosterior(data, options.kernel, hyper, cache.factors);
  let best = Number.NEGATIVE_INFINITY;
  if (options.incumbent === 'capped') {
    // A value more than one fitted noise std above the posterior mean at its point is taken for a
    // lucky draw (as replicateIncumbent's test does) and counts only up to that: improvement is then
    // measured from what the model believes is reachable there, not from the luckiest draw, which
    // otherwise makes LogEI look away from the optimum's basin. With noise at the floor (noise-free
    // objectives) the cap is the observed value itself.
    for (let i = 0; i < obs.n; i++) {
      const mean = posterior.mean(obs.x.subarray(i * dim, (i + 1) * dim));
      const noiseStd = Math.sqrt(hyper.noiseVar * (data.noiseScale?.[i] ?? 1));
      best = Math.max(best, Math.min(y[i] as number, mean + noiseStd));
    }
  } else if (options.incumbent === 'mean') {
    for (let i = 0; i < obs.n; i++)
      best = Math.max(best, posterior.mean(obs.x.subarray(i * dim, (i + 1) * dim)));
  } else {
    for (let i = 0; i < obs.n; i++) best = Math.max(best, y[i] ?? Number.NEGATIVE_INFINITY);
  }
  let withPending = posterior;
  if (pending.length > 0) {
    const believed = believePending(posterior, data, pending);
    // Believed values count as observations, incumbent included: otherwise a pending point whose
    // predicted value beats the best keeps a positive improvement and attracts the next ask.
    for (const b of believed.values) best = Math.max(best, b);
    withPending = new GpPosterior(believed.data, options.kernel, hyper, cache.factors);
  }
  return { posterior, withPending, target, best, sign: direction === 'MAXIMIZE' ? 1 : -1, fit };
}

/**
 * The kriging believer: `data` with each pending point added at the posterior's mean there, so the
 * acquisition counts it as taken without knowing its value. Believed values sit at the model's
 * mean, so under per-point noise scales they get the median point's (scale 1).
 */
export function believePending(
  posterior: GpPosterior,
  data: GpData,
  pending: readonly Float64Array[],
): { data: GpData; values: Float64Array } {
  const { n, dim } = data;
  const q = pending.length;
  const x = new Float64Array((n + q) * dim);
  const y = new Float64Array(n + q);
  x.set(data.x.subarray(0, n * dim));
  y.set(data.y.subarray(0, n));
  const values = new Float64Array(q);
  pending.forEach((p, j) => {
    x.set(p, (n + j) * dim);
    const believed = posterior.predict(p).mean;
    y[n + j] = believed;
    values[j] = believed;
  });
  const out: GpData = { x, y, n: n + q, dim, categorical: data.categorical };
  if (data.noiseScale) {
    const scale = new Float64Array(n + q).fill(1);
    scale.set(data.noiseScale);
    out.noiseScale = scale;
  }
  return { data: out, values };
}

/** Posterior mean and std at a model point, in objective units. */
export function predictObjective(model: FittedModel, x: ArrayLike<number>): { mean: number; std: number } {
  const p = model.posterior.predict(x);
  const g = model.target.toTarget(p.mean, Math.sqrt(p.variance));
  return { mean: model.sign * g.mean, std: g.std };
}
