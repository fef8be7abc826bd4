import type { GpOptions } from './config.js';
import { looMoments } from './hyperparameters.js';
import type { FittedModel, Observations } from './model.js';
import { normCdf } from './normal.js';
import type { Rng } from './rng.js';
import type { ParsedSearchSpace } from './search-space.js';

/**
 * Model trust (`modelTrust`, docs/DESIGN.md section 6): on a function too rugged for the GP at
 * this many points (rings finer than the spacing of the observations, a ridge of local optima),
 * the GP's posterior is no better a guide than the observed values themselves, and LogEI then
 * ranks the box by prior variance. Whether that is so is a question the model answers itself:
 * its leave-one-out predictions either order the observations or they do not. Where they do
 * not, a step goes to a density-ratio proposal around the best observations (as TPE's), which
 * needs no model of the surface between them.
 */

/** Spaces the gate applies to: 2 to this many continuous or grid parameters, no categorical, no tree. */
export const TRUST_MAX_DIM = 4;
/** ... from this many observations (fewer make the LOO ranking itself noise), */
const TRUST_MIN_N = 20;
/** ... and below this many (a rugged function is then resolved, or it is not low-dimensional). */
const TRUST_MAX_N = 128;

/** Kernel width, in unit-box units, of one component (times count^(-1/(D+4))). */
const BANDWIDTH = 0.1;
/** Draws from the good observations' density per step (Optuna's n_ei_candidates). */
const PARZEN_DRAWS = 24;
/** Standardized noise variance above which a fit is taken to call unresolved structure noise. */
const TRUST_NOISE = 0.01;

/** The shapes of space the trust test applies to, whatever `modelTrust` says (see `modelUntrusted`). */
function trustShape(space: ParsedSearchSpace): boolean {
  if (space.dimension < 2 || space.dimension > TRUST_MAX_DIM || space.conditional) return false;
  return !space.dims.some((d) => d.kind === 'categorical');
}

function ranks(v: ArrayLike<number>, n: number): Float64Array {
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (v[a] as number) - (v[b] as number));
  const out = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && v[order[j + 1] as number] === v[order[i] as number]) j++;
    const r = (i + j) / 2;
    for (let k = i; k <= j; k++) out[order[k] as number] = r;
    i = j + 1;
  }
  return out;
}

/** Spearman rank correlation of two samples of length n (0 when either is constant). */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>, n: number): number {
  const ra = ranks(a, n);
  const rb = ranks(b, n);
  const m = (n - 1) / 2;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = (ra[i] as number) - m;
    const db = (rb[i] as number) - m;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/**
 * How well the fitted GP orders what it has seen: the rank correlation of its leave-one-out
 * predictive means with the targets (1: perfect, 0: no better than a constant). Null when the
 * covariance does not factor.
 */
export function looTrust(model: FittedModel, options: GpOptions): number | null {
  const data = model.posterior.data;
  const moments = looMoments(data, options.kernel, model.fit.theta);
  if (!moments) return null;
  return spearman(moments.mean, data.y, data.n);
}

/**
 * Whether the fitted GP fails its own trust test: a space of the gate's shape, 20-127 points, a
 * fit that calls more than 1% of the variance noise, and LOO means that rank the observations below
 * `modelTrustMin`. A property of the model, not of the acquisition: `recommend` asks it whatever
 * `modelTrust` is, since a posterior mean that cannot order the observations is no better a
 * judge of which one to keep than their values.
 */
export function modelUntrusted(
  space: ParsedSearchSpace,
  options: GpOptions,
  model: FittedModel,
  n: number,
): boolean {
  if (!trustShape(space) || n < TRUST_MIN_N || n >= TRUST_MAX_N) return false;
  // A fit that resolves the structure it sees (noise at or under 1% of the variance: holder_table's
  // ridges, eggholder's basins once sampled) keeps its steps even where it ranks far points poorly:
  // there a Parzen step only spends the budget elsewhere (eggholder @50, 20 seeds: 102 -> 140 with
  // the test on rank alone). It is the fit that calls what lies between the points noise, without replicates
  // to show it, that the rank test asks about.
  if (!(model.fit.hyper.noiseVar > TRUST_NOISE)) return false;
  const rho = looTrust(model, options);
  return rho !== null && rho < options.modelTrustMin;
}

/** Whether this suggestion should be a Parzen step: `modelTrust` on and the model untrusted. */
export function untrusted(
  space: ParsedSearchSpace,
  options: GpOptions,
  model: FittedModel,
  n: number,
): boolean {
  return options.modelTrust !== 'off' && modelUntrusted(space, options, model, n);
}

/** Gaussian mixture on [0, 1]^D, each component truncated to the box (log density). */
class TruncatedMixture {
  private readonly logNorm: Float64Array;
  constructor(
    readonly centers: Float64Array,
    readonly sigma: Float64Array,
    readonly count: number,
    readonly dim: number,
  ) {
    // The mass each component keeps inside the box, per component (product over dims).
    this.logNorm = new Float64Array(count);
    for (let c = 0; c < count; c++) {
      let lz = 0;
      for (let d = 0; d < dim; d++) {
        const mu = centers[c * dim + d] as number;
        const s = sigma[d] as number;
        lz += Math.log(Math.max(1e-300, normCdf((1 - mu) / s) - normCdf(-mu / s)));
      }
      this.logNorm[c] = lz;
    }
  }

  logDensity(x: ArrayLike<number>): number {
    const { dim, count, centers, sigma } = this;
    let max = Number.NEGATIVE_INFINITY;
    const terms = new Float64Array(count);
    for (let c = 0; c < count; c++) {
      let t = -(this.logNorm[c] as number);
      for (let d = 0; d < dim; d++) {
        const s = sigma[d] as number;
        const z = ((x[d] as number) - (centers[c * dim + d] as number)) / s;
        t -= 0.5 * z * z + Math.log(s);
      }
      terms[c] = t;
      if (t > max) max = t;
    }
    let sum = 0;
    for (let c = 0; c < count; c++) sum += Math.exp((terms[c] as number) - max);
    return max + Math.log(sum / count);
  }

  sample(rng: Rng, out: Float64Array): Float64Array {
    const c = rng.int(this.count);
    for (let d = 0; d < this.dim; d++) {
      const mu = this.centers[c * this.dim + d] as number;
      const s = this.sigma[d] as number;
      let v = Number.NaN;
      // Rejection from the component's normal; its mass in the box is at least that of a centre
      // on the edge (one half), so this ends after a few draws.
      for (let k = 0; k < 64 && !(v >= 0 && v <= 1); k++) v = mu + s * rng.normal();
      out[d] = v >= 0 && v <= 1 ? v : Math.min(1, Math.max(0, mu));
    }
    return out;
  }
}

/** Observations split as TPE does: the best ceil(gamma n) (at most 25) and the rest, plus a broad prior. */
function mixtures(obs: Observations, dim: number): { good: TruncatedMixture; bad: TruncatedMixture } {
  const n = obs.n;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (obs.g[b] as number) - (obs.g[a] as number),
  );
  const nGood = Math.max(1, Math.min(25, Math.ceil(0.1 * n)));
  const build = (rows: number[]): TruncatedMixture => {
    // One extra component at the centre of the box with unit width: the prior TPE keeps, so the
    // proposal never collapses onto a few points.
    const count = rows.length + 1;
    const centers = new Float64Array(count * dim);
    rows.forEach((r, k) => {
      centers.set(obs.x.subarray(r * dim, (r + 1) * dim), k * dim);
    });
    centers.fill(0.5, rows.length * dim);
    // Scott-like bandwidth shrinking with the number of points, half Optuna's multivariate TPE's
    // (0.2): the step refines around the best points rather than re-explores between them (20
    // seeds, drop_wave @50 0.203 with 0.2, 0.139 with 0.1; shubert2 108 and 88; docs/DESIGN.md).
    const h = BANDWIDTH * count ** (-1 / (dim + 4));
    return new TruncatedMixture(centers, new Float64Array(dim).fill(h), count, dim);
  };
  return { good: build(order.slice(0, nGood)), bad: build(order.slice(nGood)) };
}

/**
 * A density-ratio step (TPE's, Bergstra et al. 2011, with Optuna's defaults: the best 10% of the
 * observations, at most 25, against the rest, 24 draws from the former): the draw with the largest
 * log l(x) - log g(x) that is not in `taken`, or null.
 */
export function parzenStep(
  space: ParsedSearchSpace,
  obs: Observations,
  rng: Rng,
  taken: ReadonlySet<string>,
): { x: Float64Array; value: number } | null {
  const dim = space.dimension;
  const { good, bad } = mixtures(obs, dim);
  let best: Float64Array | null = null;
  let bestScore = Number.NEGATIVE_INFINITY;
  const u = new Float64Array(dim);
  for (let i = 0; i < PARZEN_DRAWS; i++) {
    const x = space.snap(good.sample(rng, u));
    if (taken.has(space.key(x))) continue;
    const score = good.logDensity(x) - bad.logDensity(x);
    if (best === null || score > bestScore) {
      bestScore = score;
      best = Float64Array.from(x);
    }
  }
  return best ? { x: best, value: bestScore } : null;
}
