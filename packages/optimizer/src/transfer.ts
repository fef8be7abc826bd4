import { type AcquisitionSpec, acquisitionValue, evaluateAcquisition } from './acquisition.js';
import type { Direction, GpOptions } from './config.js';
import { hashFloats } from './content-hash.js';
import { ModelFittingError } from './errors.js';
import { type GpData, GpPosterior, thetaBounds, thetaToHyper } from './gp.js';
import { minimizeLbfgsb } from './lbfgsb.js';
import { believePending, fitData, fitPrefixLength, type Observations } from './model.js';
import { type ModelCache, processModelCache } from './model-cache.js';
import type { AcquisitionFunction } from './optimize-acquisition.js';
import { type TargetTransform, transformTargets } from './output-transform.js';
import type { ParamSpec, Params, ParsedSearchSpace, SearchSpace } from './search-space.js';
import { type SourceMeanAt, TransferNegLogPosterior } from './transfer-likelihood.js';

/**
 * Warm start from earlier studies (docs/DESIGN.md section 6e).
 *
 * Each source study gets its own GP, fitted on its completed trials projected onto the parameters
 * it shares with the target (same name and type). The target GP then models
 *   y(x) = a + sum_k b_k mu_k(P_k x - delta_k) + f(x),   f ~ GP(0, k_theta),
 * where mu_k is source k's posterior mean: the source's landscape, scaled by b_k and shifted by
 * delta_k, is the prior mean, fitted jointly with the offset a and the kernel hyperparameters by MAP
 * (transfer-likelihood.ts). A shifted and rescaled copy of the source is then explained by b_k,
 * delta_k and a small residual, and the acquisition trusts the source where the target has no data.
 *
 * Negative transfer is guarded: b_k and delta_k have priors centred on "no transfer", and the
 * transfer model is used only when its log posterior beats the plain GP's (refitted on the same
 * data) by GUARD_NATS, plus SHIFT_NATS per shift coordinate for the shifted variant. Otherwise the
 * suggestion is exactly the cold start's. From MAX_TARGET_OBSERVATIONS on the study's own GP takes
 * over. With `warmStartRows` the sampler instead conditions the study's own (warped) GP on the
 * source's trials mapped through this model while the guard accepts it, with no handover
 * (augmentWithSources, transfer-sampler.ts). With `warmStartRefine`, once the study's trials confirm
 * the source's map, the study's own GP refines in a box around its best trial (transfer-refine.ts).
 */
export interface SourceStudy {
  space: SearchSpace;
  direction: Direction;
  completed: ReadonlyArray<{ params: Params; value: number }>;
}

/**
 * A log-posterior gain below this (nats) keeps the plain GP: a likelihood-ratio test near p = 0.01
 * for one scale. A shifted source pays SHIFT_NATS more per shift coordinate.
 */
export const GUARD_NATS = 3;
/** What a shifted source pays per shift coordinate, on top of GUARD_NATS. */
export const SHIFT_NATS = 2;
/** Target observations needed before the transfer model is tried. */
export const MIN_TARGET_OBSERVATIONS = 3;
/**
 * fitTransferModel's default cutoff (the surrogate's, and the sampler's for sources that share only
 * some parameters): measured on the warmstart bench, the unwarped transfer model finds the basin much
 * sooner but then refines the optimum more slowly than the plain GP does from the points it found.
 */
export const MAX_TARGET_OBSERVATIONS = 20;
/** The transfer fit (scales, shifts, guard) uses at most this prefix of the target's history. */
export const TRANSFER_FIT_MAX = 64;
/** Source observations needed for a source model. */
const MIN_SOURCE_OBSERVATIONS = 3;
/** Latest source trials used (the source fit is O(n^3)). */
const MAX_SOURCE_OBSERVATIONS = 256;
const SCALE_BOUND = 5;
/** Largest learned shift of a source, per coordinate (model coordinates: about its range). */
const SHIFT_BOUND = 0.5;

/** Which target dims a source shares, with their names. */
function sharedDims(target: ParsedSearchSpace, source: SearchSpace): number[] {
  const out: number[] = [];
  target.dims.forEach((d, i) => {
    const s = source.params.find((p: ParamSpec) => p.name === d.name);
    if (s && s.type === d.spec.type) out.push(i);
  });
  return out;
}

/** Target model coordinates of a source trial's shared params; null when one cannot be placed. */
function projectParams(target: ParsedSearchSpace, dims: number[], params: Params): Float64Array | null {
  const x = new Float64Array(dims.length);
  for (let j = 0; j < dims.length; j++) {
    const dim = target.dims[dims[j] ?? 0];
    if (!dim) return null;
    const v = params[dim.name];
    if (v === undefined) return null;
    const spec = dim.spec;
    if (spec.type === 'categorical') {
      if (!spec.choices.includes(v)) return null;
    } else if (typeof v !== 'number' || !Number.isFinite(v) || (spec.log === true && v <= 0)) return null;
    // Numbers outside the target's range keep their (extrapolated) coordinate: still informative.
    const c = dim.encode(v);
    if (!Number.isFinite(c)) return null;
    x[j] = c;
  }
  return x;
}

export interface SourceModel {
  /** Target dims the source shares (indices into the target space). */
  dims: number[];
  posterior: GpPosterior;
  n: number;
}

/** +1 when the study maximizes, -1 when it minimizes: the factor from objective to maximized units. */
export function sign(direction: Direction): number {
  return direction === 'MAXIMIZE' ? 1 : -1;
}

/** A GP per usable source (at least 3 finite trials on at least one shared parameter). */
export function fitSourceModels(
  target: ParsedSearchSpace,
  sources: ReadonlyArray<SourceStudy>,
  options: GpOptions,
  cache: ModelCache = processModelCache,
): SourceModel[] {
  const models: SourceModel[] = [];
  for (const source of sources) {
    const dims = sharedDims(target, source.space);
    if (dims.length === 0) continue;
    const rows: Float64Array[] = [];
    const values: number[] = [];
    const s = sign(source.direction);
    for (const trial of source.completed.slice(-MAX_SOURCE_OBSERVATIONS)) {
      if (typeof trial.value !== 'number' || !Number.isFinite(trial.value)) continue;
      const x = projectParams(target, dims, trial.params);
      if (!x) continue;
      rows.push(x);
      values.push(s * trial.value);
    }
    const n = rows.length;
    if (n < MIN_SOURCE_OBSERVATIONS) continue;
    const dim = dims.length;
    const x = new Float64Array(n * dim);
    rows.forEach((r, i) => {
      x.set(r, i * dim);
    });
    const t = transformTargets(values, n, options.outputWarping === 'yeo-johnson');
    const categorical = new Uint8Array(dims.map((d) => (target.dims[d]?.kind === 'categorical' ? 1 : 0)));
    const data: GpData = { x, y: t.y, n, dim, categorical };
    try {
      const fit = fitData(data, options, cache);
      models.push({ dims, posterior: new GpPosterior(data, options.kernel, fit.hyper), n });
    } catch (error) {
      if (!(error instanceof ModelFittingError)) throw error;
    }
  }
  return models;
}

/**
 * Source means at count points xs (count x D, target coordinates), each source shifted by its
 * shift (model coordinates; none when absent), into out (count x K row-major).
 */
export function sourceMeans(
  models: readonly SourceModel[],
  xs: Float64Array,
  count: number,
  dim: number,
  shifts?: readonly Float64Array[],
): Float64Array {
  const k = models.length;
  const out = new Float64Array(count * k);
  const mean = new Float64Array(count);
  const variance = new Float64Array(count);
  models.forEach((m, s) => {
    const sd = m.dims.length;
    const proj = new Float64Array(count * sd);
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < sd; j++) {
        proj[i * sd + j] = (xs[i * dim + (m.dims[j] ?? 0)] ?? 0) - (shifts?.[s]?.[j] ?? 0);
      }
    }
    m.posterior.predictBatch(proj, count, mean, variance);
    for (let i = 0; i < count; i++) out[i * k + s] = mean[i] ?? 0;
  });
  return out;
}

export interface TransferFit {
  /** D + 3 + K: the GP's theta, then one scale per source. */
  theta: Float64Array;
  /** Negative log posteriors of the plain GP (scales pinned at 0) and of the transfer model. */
  plainObjective: number;
  transferObjective: number;
  /** plainObjective - transferObjective, in nats. */
  gain: number;
  accepted: boolean;
  /** Whether the accepted model shifts the sources (it then paid SHIFT_NATS per shift coordinate). */
  shifted: boolean;
  /** Gains of the candidates before their penalties: scaled sources, and scaled and shifted ones. */
  candidateGains: [number, number];
}

/**
 * MAP fit of the plain GP (scales pinned at zero) and of the transfer model on the same data; the
 * transfer model is accepted when it gains at least GUARD_NATS of log posterior. `meanAt` gives each
 * source's mean (and gradient) at the observations for a shift; `sourceDims` the shared dimensions
 * per source.
 */
export function fitTransfer(
  data: GpData,
  meanAt: SourceMeanAt,
  sourceDims: readonly number[],
  options: GpOptions,
  learnShift = true,
  cache: ModelCache = processModelCache,
): TransferFit {
  const { dim, n } = data;
  const sources = sourceDims.length;
  const means0 = new Float64Array(n * sources);
  sourceDims.forEach((dk, k) => {
    const m = new Float64Array(n);
    meanAt(k, new Float64Array(dk), m, new Float64Array(n * dk));
    for (let i = 0; i < n; i++) means0[i * sources + k] = m[i] ?? 0;
  });
  const key = [
    options.kernel,
    options.noiseFloor,
    options.deterministic,
    learnShift,
    n,
    dim,
    ...sourceDims,
    hashFloats(data.x.subarray(0, n * dim), 0x9747b28c),
    hashFloats(data.y.subarray(0, n), 0x1b873593),
    hashFloats(means0, 0x85ebca6b),
    hashFloats(data.noiseScale ?? [], 0xc2b2ae35),
  ].join(':');
  const hit = cache.recallTransferFit(key);
  if (hit) return hit;
  const nlp = new TransferNegLogPosterior(data, meanAt, sourceDims, true, options.kernel);
  const [lo3, hi3] = thetaBounds(dim, options.noiseFloor, options.deterministic);
  const size = nlp.size;
  const lo = new Float64Array(size);
  const hi = new Float64Array(size);
  lo.set(lo3);
  hi.set(hi3);
  const base = new Float64Array(size);
  base[dim + 1] = Math.log(Math.max(options.noiseFloor, 1e-2));
  const run = (
    x0: Float64Array,
    freeScales: boolean,
    freeShifts: boolean,
  ): { x: Float64Array; f: number } => {
    for (let i = dim + 3; i < size; i++) {
      const scale = i < dim + 3 + sources;
      const bound = scale ? (freeScales ? SCALE_BOUND : 0) : freeShifts ? SHIFT_BOUND : 0;
      lo[i] = -bound;
      hi[i] = bound;
    }
    const r = minimizeLbfgsb(nlp.evaluate, x0, {
      lower: lo,
      upper: hi,
      maxIterations: 100,
      pgtol: 1e-4,
      ftol: 1e-7,
    });
    return { x: r.x, f: Number.isFinite(r.f) ? r.f : Number.POSITIVE_INFINITY };
  };
  const plain = run(base, false, false);
  // Scaled starts: the plain optimum with each scale at its least-squares value, and the same with a
  // small signal variance (the residual of a good source is small); the shifted fit starts from the
  // better of them.
  const ls = leastSquaresScales(data, means0, sources);
  const s1 = Float64Array.from(plain.x);
  s1.set(ls, dim + 3);
  let scaled = run(s1, true, false);
  const s2 = Float64Array.from(s1);
  s2[dim] = Math.log(0.1);
  const second = run(s2, true, false);
  if (second.f < scaled.f) scaled = second;
  // Each model pays GUARD_NATS plus one nat per shift coordinate; the best net gain wins.
  const shiftCount = sourceDims.reduce((x, y) => x + y, 0);
  let best = { x: plain.x, f: plain.f, net: 0, shifted: false };
  const consider = (c: { x: Float64Array; f: number }, penalty: number, shifted: boolean): void => {
    const net = plain.f - c.f - penalty;
    if (Number.isFinite(net) && net >= 0 && net > best.net) best = { x: c.x, f: c.f, net, shifted };
  };
  consider(scaled, GUARD_NATS, false);
  const shifted =
    learnShift && shiftCount > 0
      ? run(Float64Array.from(scaled.x), true, true)
      : { x: scaled.x, f: scaled.f };
  consider(shifted, GUARD_NATS + SHIFT_NATS * shiftCount, true);
  const gain = plain.f - best.f;
  const result: TransferFit = {
    theta: best.x,
    plainObjective: plain.f,
    transferObjective: best.f,
    gain,
    accepted: best.x !== plain.x,
    shifted: best.shifted,
    candidateGains: [plain.f - scaled.f, plain.f - shifted.f],
  };
  cache.rememberTransferFit(key, result);
  return result;
}

/** meanAt for source models at the target observations xs (n x D). */
export function sourceMeanAt(
  models: readonly SourceModel[],
  xs: Float64Array,
  n: number,
  dim: number,
): SourceMeanAt {
  return (k, shift, mean, grad) => {
    const m = models[k];
    if (!m) return;
    const dk = m.dims.length;
    const z = new Float64Array(dk);
    const gm = new Float64Array(dk);
    const gv = new Float64Array(dk);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < dk; j++) z[j] = (xs[i * dim + (m.dims[j] ?? 0)] ?? 0) - (shift[j] ?? 0);
      mean[i] = m.posterior.predict(z, gm, gv).mean;
      grad.set(gm, i * dk);
    }
  };
}

/** Per-source least-squares slope of y on mu_k (centered), clamped to the scale bounds. */
function leastSquaresScales(data: GpData, means: Float64Array, sources: number): Float64Array {
  const out = new Float64Array(sources);
  const n = data.n;
  let ym = 0;
  for (let i = 0; i < n; i++) ym += data.y[i] ?? 0;
  ym /= Math.max(1, n);
  for (let s = 0; s < sources; s++) {
    let mm = 0;
    for (let i = 0; i < n; i++) mm += means[i * sources + s] ?? 0;
    mm /= Math.max(1, n);
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < n; i++) {
      const dm = (means[i * sources + s] ?? 0) - mm;
      sxy += dm * ((data.y[i] ?? 0) - ym);
      sxx += dm * dm;
    }
    out[s] = sxx > 1e-12 ? Math.min(SCALE_BOUND, Math.max(-SCALE_BOUND, sxy / sxx)) : 0;
  }
  return out;
}

/** The fitted warm-start model: residual GP plus scaled source means. */
export interface TransferModel {
  sources: SourceModel[];
  scales: Float64Array;
  /** Learned shift per source (model coordinates over its shared dims). */
  shifts: Float64Array[];
  /** Residual posterior given the completed observations, and also given pending ones (believed). */
  posterior: GpPosterior;
  withPending: GpPosterior;
  target: TargetTransform;
  best: number;
  fit: TransferFit;
}

/**
 * Fits the transfer model on the target observations; null when no source is usable or the guard
 * keeps the plain GP.
 */
export function fitTransferModel(
  space: ParsedSearchSpace,
  obs: Observations,
  pending: readonly Float64Array[],
  sources: ReadonlyArray<SourceStudy>,
  options: GpOptions,
  learnShift = true,
  cache: ModelCache = processModelCache,
  maxTargetObservations = MAX_TARGET_OBSERVATIONS,
): TransferModel | null {
  if (obs.n < MIN_TARGET_OBSERVATIONS || obs.n >= maxTargetObservations || sources.length === 0) return null;
  // No output warping on either side: the source-target relation is modelled as affine, which a
  // Yeo-Johnson warp fitted to each study separately would bend (and the warp's inverse turns the
  // source's extrapolated means into nonsense in objective units).
  options = { ...options, outputWarping: 'none' };
  const models = fitSourceModels(space, sources, options, cache);
  if (models.length === 0) return null;
  const dim = space.dimension;
  const k = models.length;
  const categorical = new Uint8Array(space.dims.map((d) => (d.kind === 'categorical' ? 1 : 0)));
  const target = transformTargets(obs.g, obs.n, options.outputWarping === 'yeo-johnson');
  // Refit at the same checkpoints as the plain GP (model.ts), on that prefix of the history (at most
  // TRANSFER_FIT_MAX observations: the fit is O(n^3) per step and the source's map is settled by then).
  const m = Math.min(fitPrefixLength(obs.n), TRANSFER_FIT_MAX);
  const prefix =
    m === obs.n ? target : transformTargets(obs.g.subarray(0, m), m, options.outputWarping === 'yeo-johnson');
  const sourceDims = models.map((s) => s.dims.length);
  const fit = fitTransfer(
    { x: obs.x.subarray(0, m * dim), y: prefix.y, n: m, dim, categorical },
    sourceMeanAt(models, obs.x, m, dim),
    sourceDims,
    options,
    learnShift,
    cache,
  );
  if (!fit.accepted) return null;
  const scales = fit.theta.slice(dim + 3, dim + 3 + k);
  const shifts: Float64Array[] = [];
  let offset = dim + 3 + k;
  for (const dk of sourceDims) {
    shifts.push(fit.theta.slice(offset, offset + dk));
    offset += dk;
  }
  const means = sourceMeans(models, obs.x, obs.n, dim, shifts);
  // only the GP's entries: the scales and shifts after them would read as additive weights
  const hyper = thetaToHyper(fit.theta.subarray(0, dim + 3), dim);
  const resid = new Float64Array(obs.n);
  for (let i = 0; i < obs.n; i++) {
    let mu = 0;
    for (let s = 0; s < k; s++) mu += (scales[s] ?? 0) * (means[i * k + s] ?? 0);
    resid[i] = (target.y[i] ?? 0) - mu;
  }
  const residData: GpData = { x: obs.x, y: resid, n: obs.n, dim, categorical };
  const posterior = new GpPosterior(residData, options.kernel, hyper);
  let best = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < obs.n; i++) best = Math.max(best, target.y[i] ?? Number.NEGATIVE_INFINITY);
  let withPending = posterior;
  if (pending.length > 0) {
    const q = pending.length;
    const pendingMeans = sourceMeans(
      models,
      Float64Array.from(pending.flatMap((p) => Array.from(p))),
      q,
      dim,
      shifts,
    );
    const believed = believePending(posterior, residData, pending);
    believed.values.forEach((residual, j) => {
      let mu = 0;
      for (let s = 0; s < k; s++) mu += (scales[s] ?? 0) * (pendingMeans[j * k + s] ?? 0);
      best = Math.max(best, residual + mu);
    });
    withPending = new GpPosterior(believed.data, options.kernel, hyper);
  }
  return { sources: models, scales, shifts, posterior, withPending, target, best, fit };
}

/** Mean and variance of the transfer model (standardized target units) at one point, with gradients. */
export function transferPredict(
  model: TransferModel,
  residual: GpPosterior,
  x: ArrayLike<number>,
  dMean?: Float64Array,
  dVar?: Float64Array,
): { mean: number; variance: number } {
  const p = residual.predict(x, dMean, dVar);
  let mean = p.mean;
  model.sources.forEach((m, s) => {
    const b = model.scales[s] ?? 0;
    if (b === 0) return;
    const sd = m.dims.length;
    const proj = new Float64Array(sd);
    const shift = model.shifts[s];
    for (let j = 0; j < sd; j++) proj[j] = (x[m.dims[j] ?? 0] ?? 0) - (shift?.[j] ?? 0);
    const gm = dMean ? new Float64Array(sd) : undefined;
    const gv = dMean ? new Float64Array(sd) : undefined;
    mean += b * m.posterior.predict(proj, gm, gv).mean;
    if (dMean && gm)
      for (let j = 0; j < sd; j++) dMean[m.dims[j] ?? 0] = (dMean[m.dims[j] ?? 0] ?? 0) + b * (gm[j] ?? 0);
  });
  return { mean, variance: p.variance };
}

/** The acquisition over the transfer model (conditioned on pending trials). */
export class TransferAcquisition implements AcquisitionFunction {
  private readonly dMean: Float64Array;
  private readonly dVar: Float64Array;
  constructor(
    readonly model: TransferModel,
    readonly spec: AcquisitionSpec,
  ) {
    this.dMean = new Float64Array(model.withPending.dim);
    this.dVar = new Float64Array(model.withPending.dim);
  }

  values(xs: Float64Array, count: number, out: Float64Array): void {
    const variance = new Float64Array(count);
    this.model.withPending.predictBatch(xs, count, out, variance);
    const k = this.model.sources.length;
    const means = sourceMeans(this.model.sources, xs, count, this.model.withPending.dim, this.model.shifts);
    for (let i = 0; i < count; i++) {
      let mean = out[i] ?? 0;
      for (let s = 0; s < k; s++) mean += (this.model.scales[s] ?? 0) * (means[i * k + s] ?? 0);
      out[i] = acquisitionValue(this.spec, mean, variance[i] ?? 0);
    }
  }

  /** Exact values (a valid bound): warm-started studies are small, screening would save little. */
  upperBounds(xs: Float64Array, count: number, out: Float64Array): void {
    this.values(xs, count, out);
  }

  value(x: ArrayLike<number>): number {
    const p = transferPredict(this.model, this.model.withPending, x);
    return acquisitionValue(this.spec, p.mean, p.variance);
  }

  valueAndGradient(x: ArrayLike<number>, grad: Float64Array): number {
    const p = transferPredict(this.model, this.model.withPending, x, this.dMean, this.dVar);
    const a = evaluateAcquisition(this.spec, p.mean, p.variance);
    for (let d = 0; d < grad.length; d++) {
      grad[d] = a.dMean * (this.dMean[d] ?? 0) + a.dVariance * (this.dVar[d] ?? 0);
    }
    return a.value;
  }
}

/** The transfer model's prior mean a + sum_k b_k mu_k(P_k x - delta_k) at count points (standardized). */
export function transferPriorMean(model: TransferModel, xs: Float64Array, count: number): Float64Array {
  const dim = model.posterior.dim;
  const k = model.sources.length;
  const means = sourceMeans(model.sources, xs, count, dim, model.shifts);
  const a = model.fit.theta[dim + 2] ?? 0;
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let m = a;
    for (let s = 0; s < k; s++) m += (model.scales[s] ?? 0) * (means[i * k + s] ?? 0);
    out[i] = m;
  }
  return out;
}

/** Least noise variance of a mapped source row (standardized units of the study's GP). */
const PSEUDO_VARIANCE_FLOOR = 1e-4;

/** The study's own (warped) GP, as fitModel gives it: what augmentWithSources adds rows to. */
export interface PlainModel {
  posterior: GpPosterior;
  target: TargetTransform;
}

/**
 * The study's own GP data plus each source's trials mapped through the transfer model: inputs
 * shifted by the learned shift, values through the learned scale and offset (the prior mean there),
 * then into the study GP's (warped) units. Pseudo rows have their own noise variance: the mean square
 * misfit of the prior mean at the study's observations in those units (at least 1e-4), so a source
 * that explains the target only roughly informs where the target has no data and yields to the
 * target's own (noise-free) rows wherever it has some; times (n / MAX_TARGET_OBSERVATIONS)^2 past
 * that count, so the rows fade as the study's own data take over the refinement (measured: without
 * the fade the rows kept biasing rosenbrock4's and hartmann6's last trials). Only sources that share every target
 * parameter give rows (a partial source places no point). Null when no row was added.
 */
export function augmentWithSources(
  model: TransferModel,
  plain: PlainModel,
): { data: GpData; pseudo: number; pseudoVariance: number } | null {
  const data = plain.posterior.data;
  const { n, dim } = data;
  const rows: number[] = [];
  let count = 0;
  model.sources.forEach((m, s) => {
    if (m.dims.length !== dim) return;
    const src = m.posterior.data;
    const shift = model.shifts[s];
    for (let i = 0; i < src.n; i++) {
      const x = new Float64Array(dim);
      let inside = true;
      for (let j = 0; j < dim; j++) {
        const c = (src.x[i * dim + j] ?? 0) + (shift?.[j] ?? 0);
        if (c < -0.05 || c > 1.05) inside = false;
        x[m.dims[j] ?? 0] = c;
      }
      if (!inside) continue;
      for (const c of x) rows.push(c);
      count++;
    }
  });
  if (count === 0) return null;
  const xs = Float64Array.from(rows);
  const toPlain = (m: number): number => plain.target.fromTarget(model.target.toTarget(m, 0).mean);
  const atPseudo = transferPriorMean(model, xs, count);
  const pseudoY = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const v = toPlain(atPseudo[i] ?? 0);
    if (!Number.isFinite(v)) return null;
    pseudoY[i] = v;
  }
  const atObs = transferPriorMean(model, data.x, n);
  let sse = 0;
  for (let i = 0; i < n; i++) sse += ((data.y[i] ?? 0) - toPlain(atObs[i] ?? 0)) ** 2;
  const fade = Math.max(1, n / MAX_TARGET_OBSERVATIONS) ** 2;
  const pseudoVariance = Math.max(PSEUDO_VARIANCE_FLOOR, sse / Math.max(1, n)) * fade;
  const x = new Float64Array((n + count) * dim);
  x.set(data.x.subarray(0, n * dim));
  x.set(xs, n * dim);
  const y = new Float64Array(n + count);
  y.set(data.y.subarray(0, n));
  const noiseScale = new Float64Array(n + count).fill(1);
  if (data.noiseScale) noiseScale.set(data.noiseScale.subarray(0, n));
  const ratio = pseudoVariance / plain.posterior.hyper.noiseVar;
  y.set(pseudoY, n);
  noiseScale.fill(ratio, n);
  return {
    data: { x, y, n: n + count, dim, categorical: data.categorical, noiseScale },
    pseudo: count,
    pseudoVariance,
  };
}

/** Posterior mean and std of the transfer model at a model point, in objective units. */
export function transferPredictObjective(
  model: TransferModel,
  direction: Direction,
  x: ArrayLike<number>,
): { mean: number; std: number } {
  const p = transferPredict(model, model.posterior, x);
  const g = model.target.toTarget(p.mean, Math.sqrt(p.variance));
  return { mean: sign(direction) * g.mean, std: g.std };
}

/**
 * The best `count` configurations of the sources (by each source's own direction, best first,
 * round-robin over sources), mapped onto the target space: shared parameters keep the source's
 * value (clamped into the target's range), others take the middle of their range. Duplicates and
 * configurations that do not fit are skipped. For enqueueing ahead of a warm-started study.
 */
export function sourceBestParams(
  target: ParsedSearchSpace,
  sources: ReadonlyArray<SourceStudy>,
  count: number,
): Params[] {
  const ranked = sources.map((source) => {
    const s = sign(source.direction);
    return source.completed
      .filter((t) => typeof t.value === 'number' && Number.isFinite(t.value))
      .slice()
      .sort((a, b) => s * b.value - s * a.value);
  });
  const out: Params[] = [];
  const seen = new Set<string>();
  const middle = target.decode(target.fromUnit(new Float64Array(target.dimension).fill(0.5)));
  for (let r = 0; out.length < count && ranked.some((list) => r < list.length); r++) {
    for (const list of ranked) {
      const trial = list[r];
      if (!trial || out.length >= count) continue;
      const x = target.encode(middle);
      target.dims.forEach((d, i) => {
        const v = trial.params[d.name];
        if (v === undefined) return;
        if (d.spec.type === 'categorical') {
          if (d.spec.choices.includes(v)) x[i] = d.encode(v);
        } else if (typeof v === 'number' && Number.isFinite(v)) {
          const clamped = Math.min(d.spec.high, Math.max(d.spec.low, v));
          x[i] = d.encode(clamped);
        }
      });
      target.snap(x);
      const key = target.key(x);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(target.decode(x));
    }
  }
  return out;
}
