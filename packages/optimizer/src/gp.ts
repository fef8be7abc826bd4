import { ModelFittingError } from './errors.js';
import { EXP_NEG_LIMIT, expNeg } from './fast-exp.js';
import { type KernelKind, pairwiseDelta2 } from './kernel.js';
import { minimizeLbfgsb } from './lbfgsb.js';
import { cholesky, choleskyWithJitter, cholInverse, dot, forwardSubstitute, logDetHalf } from './linalg.js';
import { DEFAULT_PRIOR, type HyperPrior, logPrior } from './prior.js';

/**
 * Gaussian-process regression.
 *
 * Notation (n observations, D parameters):
 *   X      n x D row-major, model coordinates (search-space.ts), categorical columns hold indices
 *   y      n, standardized targets, larger is better
 *   theta  D + 3: [log lambda_1..D, log s2, log noise, m] with lambda_d = 1 / lengthscale_d^2
 *   K      n x n, s2 * kappa(R2) + noise * I  (kernel.ts)
 *   L      n x n lower, K = L L^T
 *   alpha  n, K^-1 (y - m)
 *
 * Log marginal likelihood: LML = -1/2 (y - m)^T alpha - sum_i log L_ii - n/2 log 2 pi, and for any
 * kernel hyperparameter t: dLML/dt = 1/2 tr((alpha alpha^T - K^-1) dK/dt); dLML/dm = sum_i alpha_i.
 */
export interface GpHyperparameters {
  /** Inverse squared lengthscales, shape: D. */
  invSqLengthscales: Float64Array;
  signalVar: number;
  noiseVar: number;
  mean: number;
}

export interface GpData {
  /** Shape: n x D row-major. */
  x: Float64Array;
  /** Shape: n. */
  y: Float64Array;
  n: number;
  dim: number;
  /** 1 where the coordinate is categorical, shape: D. */
  categorical: Uint8Array;
  /**
   * Relative noise variance per observation (shape: n; all 1 when absent): observation i has noise
   * variance noiseVar * noiseScale[i]. Output warping sets it so the noise is constant in objective
   * units rather than in warped ones (output-transform.ts).
   */
  noiseScale?: Float64Array;
}

export interface FitOptions {
  kernel: KernelKind;
  prior?: HyperPrior;
  /** Lower bound of the noise variance (standardized units). */
  noiseFloor: number;
  /** Fix the noise at the floor (noise-free objectives). */
  fixedNoise?: boolean;
  /** Additional starting points (theta vectors), tried after the defaults. */
  starts?: Float64Array[];
  /** Whether the default starting point is tried too (default true). */
  includeDefault?: boolean;
  maxIterations?: number;
}

const LOG_LAMBDA_MIN = Math.log(1e-3);
const LOG_LAMBDA_MAX = Math.log(1e4);
const LOG_SIGNAL_MIN = Math.log(1e-2);
const LOG_SIGNAL_MAX = Math.log(1e2);
const LOG_NOISE_MAX = Math.log(2);
const MEAN_BOUND = 10;
const LOG_2PI = Math.log(2 * Math.PI);

export function thetaToHyper(theta: Float64Array, dim: number): GpHyperparameters {
  const inv = new Float64Array(dim);
  for (let d = 0; d < dim; d++) inv[d] = Math.exp(theta[d] ?? 0);
  return {
    invSqLengthscales: inv,
    signalVar: Math.exp(theta[dim] ?? 0),
    noiseVar: Math.exp(theta[dim + 1] ?? 0),
    mean: theta[dim + 2] ?? 0,
  };
}

export function hyperToTheta(h: GpHyperparameters): Float64Array {
  const dim = h.invSqLengthscales.length;
  const theta = new Float64Array(dim + 3);
  for (let d = 0; d < dim; d++) theta[d] = Math.log(h.invSqLengthscales[d] ?? 1);
  theta[dim] = Math.log(h.signalVar);
  theta[dim + 1] = Math.log(h.noiseVar);
  theta[dim + 2] = h.mean;
  return theta;
}

/** Default starting point: unit lengthscales and signal, small noise, zero mean. */
export function defaultTheta(dim: number, noiseFloor: number): Float64Array {
  const theta = new Float64Array(dim + 3);
  theta[dim + 1] = Math.log(Math.max(noiseFloor, 1e-2));
  return theta;
}

/** Negative log posterior (-(LML + log prior)) of theta and its gradient, with reused buffers. */
export class NegLogPosterior {
  private readonly pairs: number;
  private readonly d2: Float64Array;
  private readonly r2: Float64Array;
  private readonly k: Float64Array;
  private readonly l: Float64Array;
  private readonly kinv: Float64Array;
  private readonly work: Float64Array;
  private readonly alpha: Float64Array;
  private readonly kPair: Float64Array;
  private readonly gPair: Float64Array;

  constructor(
    private readonly data: GpData,
    private readonly kernel: KernelKind,
    private readonly prior: HyperPrior,
  ) {
    const { n, dim } = data;
    this.pairs = (n * (n - 1)) / 2;
    this.d2 = pairwiseDelta2(data.x, n, dim, data.categorical);
    this.r2 = new Float64Array(this.pairs);
    this.kPair = new Float64Array(this.pairs);
    this.gPair = new Float64Array(this.pairs);
    this.k = new Float64Array(n * n);
    this.l = new Float64Array(n * n);
    this.kinv = new Float64Array(n * n);
    this.work = new Float64Array(n * n);
    this.alpha = new Float64Array(n);
  }

  /** Returns -(LML + log prior) at theta and writes its gradient into grad (both shape: D + 3). */
  evaluate = (theta: Float64Array, grad: Float64Array): number => {
    const { n, dim, y } = this.data;
    const P = this.pairs;
    const { d2, r2, k, l, kinv, alpha, kPair, gPair } = this;
    const scale = this.data.noiseScale;
    const s2 = Math.exp(theta[dim] ?? 0);
    const noise = Math.exp(theta[dim + 1] ?? 0);
    const mean = theta[dim + 2] ?? 0;
    r2.fill(0);
    for (let d = 0; d < dim; d++) {
      const lambda = Math.exp(theta[d] as number);
      const base = d * P;
      for (let p = 0; p < P; p++) r2[p] = (r2[p] as number) + lambda * (d2[base + p] as number);
    }
    // Pairs run over the lower triangle row by row (kernel.ts), so K fills contiguously.
    const rbf = this.kernel === 'rbf';
    let p = 0;
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      for (let j = 0; j < i; j++, p++) {
        const rr = r2[p] as number;
        let kv: number;
        let gv: number;
        if (rbf) {
          kv = s2 * Math.exp(-0.5 * rr);
          gv = -0.5 * kv;
        } else {
          const r = Math.sqrt(5 * rr);
          const e = s2 * Math.exp(-r);
          kv = (1 + r + (5 / 3) * rr) * e;
          gv = (-5 / 6) * (1 + r) * e;
        }
        kPair[p] = kv;
        gPair[p] = gv;
        k[ri + j] = kv;
      }
      k[ri + i] = s2 + noise * (scale ? (scale[i] as number) : 1);
    }
    if (choleskyWithJitter(k, n, l, 0, 4) < 0) {
      grad.fill(0);
      return Number.POSITIVE_INFINITY;
    }
    for (let i = 0; i < n; i++) alpha[i] = (y[i] as number) - mean;
    let quad = 0;
    // alpha <- K^-1 (y - m) by two triangular solves; quad = (y - m)^T K^-1 (y - m).
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      let s = alpha[i] as number;
      for (let c = 0; c < i; c++) s -= (l[ri + c] as number) * (alpha[c] as number);
      const v = s / (l[ri + i] as number);
      alpha[i] = v;
      quad += v * v;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = alpha[i] as number;
      for (let c = i + 1; c < n; c++) s -= (l[c * n + i] as number) * (alpha[c] as number);
      alpha[i] = s / (l[i * n + i] as number);
    }
    const lml = -0.5 * quad - logDetHalf(l, n) - 0.5 * n * LOG_2PI;
    cholInverse(l, n, kinv, this.work);

    grad.fill(0);
    // W = alpha alpha^T - K^-1; off-diagonal pairs count twice, which cancels the 1/2.
    let gSignal = 0;
    let traceW = 0;
    // sum_i W_ii noiseScale_i: d K / d log noise is diag(noise * noiseScale).
    let traceWNoise = 0;
    for (let i = 0; i < n; i++) {
      const ai = alpha[i] as number;
      const w = ai * ai - (kinv[i * n + i] as number);
      traceW += w;
      traceWNoise += scale ? w * (scale[i] as number) : w;
    }
    p = 0;
    const wPair = this.work; // K^-1 is already computed; reuse work as scratch for W on pairs.
    for (let i = 0; i < n; i++) {
      const ai = alpha[i] as number;
      const ri = i * n;
      for (let j = 0; j < i; j++, p++) {
        const w = ai * (alpha[j] as number) - (kinv[ri + j] as number);
        wPair[p] = w * (gPair[p] as number);
        gSignal += w * (kPair[p] as number);
      }
    }
    for (let d = 0; d < dim; d++) {
      const lambda = Math.exp(theta[d] as number);
      const base = d * P;
      let s = 0;
      for (let q = 0; q < P; q++) s += (wPair[q] as number) * (d2[base + q] as number);
      grad[d] = lambda * s;
    }
    grad[dim] = gSignal + 0.5 * traceW * s2;
    grad[dim + 1] = 0.5 * traceWNoise * noise;
    let sumAlpha = 0;
    for (let i = 0; i < n; i++) sumAlpha += alpha[i] as number;
    grad[dim + 2] = sumAlpha;

    const lp = logPrior(this.prior, theta, dim, grad);
    for (let i = 0; i < grad.length; i++) grad[i] = -(grad[i] ?? 0);
    return -(lml + lp);
  };
}

export interface FitResult {
  theta: Float64Array;
  hyper: GpHyperparameters;
  /** Negative log posterior at theta. */
  objective: number;
  /** Whether the optimizer ran; false when defaults were used after failures. */
  fitted: boolean;
  /** Whether the fit used the targets' `noiseScale` (noise constant in objective units). */
  noiseScaled?: boolean;
}

export function thetaBounds(
  dim: number,
  noiseFloor: number,
  fixedNoise: boolean,
): [Float64Array, Float64Array] {
  const lo = new Float64Array(dim + 3);
  const hi = new Float64Array(dim + 3);
  for (let d = 0; d < dim; d++) {
    lo[d] = LOG_LAMBDA_MIN;
    hi[d] = LOG_LAMBDA_MAX;
  }
  lo[dim] = LOG_SIGNAL_MIN;
  hi[dim] = LOG_SIGNAL_MAX;
  const logFloor = Math.log(noiseFloor);
  lo[dim + 1] = logFloor;
  hi[dim + 1] = fixedNoise ? logFloor : Math.max(logFloor, LOG_NOISE_MAX);
  lo[dim + 2] = -MEAN_BOUND;
  hi[dim + 2] = MEAN_BOUND;
  return [lo, hi];
}

/**
 * MAP hyperparameters by bounded quasi-Newton from the default start and any extra starts; the best
 * finite optimum wins. When every start fails the defaults are returned unfitted; when even the
 * defaults give no positive-definite K a ModelFittingError is thrown.
 */
export function fitHyperparameters(data: GpData, options: FitOptions): FitResult {
  const { dim } = data;
  const nlp = new NegLogPosterior(data, options.kernel, options.prior ?? DEFAULT_PRIOR);
  const [lo, hi] = thetaBounds(dim, options.noiseFloor, options.fixedNoise === true);
  const clampTheta = (t: Float64Array): Float64Array =>
    t.map((v, i) => Math.min(hi[i] ?? v, Math.max(lo[i] ?? v, v)));
  const starts = [
    ...(options.includeDefault === false ? [] : [defaultTheta(dim, options.noiseFloor)]),
    ...(options.starts ?? []),
  ].map(clampTheta);
  let best: FitResult | null = null;
  for (const start of starts) {
    const result = minimizeLbfgsb(nlp.evaluate, start, {
      lower: lo,
      upper: hi,
      maxIterations: options.maxIterations ?? 100,
      pgtol: 1e-4,
      // Relative decrease per step below 1e-7 of a log posterior of 10-1000 nats moves the
      // hyperparameters far less than their posterior uncertainty.
      ftol: 1e-7,
    });
    if (
      Number.isFinite(result.f) &&
      result.x.every(Number.isFinite) &&
      (!best || result.f < best.objective)
    ) {
      best = { theta: result.x, hyper: thetaToHyper(result.x, dim), objective: result.f, fitted: true };
    }
  }
  if (best) return best;
  const fallback = starts[0] ?? defaultTheta(dim, options.noiseFloor);
  const grad = new Float64Array(dim + 3);
  const f = nlp.evaluate(fallback, grad);
  if (!Number.isFinite(f)) throw new ModelFittingError('covariance matrix is not positive definite');
  return { theta: fallback, hyper: thetaToHyper(fallback, dim), objective: f, fitted: false };
}

/**
 * Cholesky factors of recent posteriors, by kernel and exact hyperparameters. Between refit
 * checkpoints a study's next posterior has the same hyperparameters and one more row of data, and a
 * posterior with pending trials extends the completed one: both reuse the factor and compute only
 * the new rows (O(n^2) instead of O(n^3)), with results identical to a fresh factorization.
 */
interface FactorEntry {
  key: string;
  x: Float64Array;
  noiseScale: Float64Array | undefined;
  n: number;
  l: Float64Array;
}
const FACTOR_CACHE_LIMIT = 4;
const factorCache: FactorEntry[] = [];

function factorKey(data: GpData, kernel: KernelKind, hyper: GpHyperparameters): string {
  return [
    kernel,
    data.dim,
    ...data.categorical,
    ...hyper.invSqLengthscales,
    hyper.signalVar,
    hyper.noiseVar,
  ].join(',');
}

function findFactor(data: GpData, kernel: KernelKind, hyper: GpHyperparameters): FactorEntry | null {
  const key = factorKey(data, kernel, hyper);
  let best: FactorEntry | null = null;
  for (const e of factorCache) {
    if (e.key !== key || e.n > data.n || (best && best.n >= e.n)) continue;
    let same = true;
    for (let i = 0; i < e.n * data.dim; i++) {
      if (e.x[i] !== data.x[i]) {
        same = false;
        break;
      }
    }
    for (let i = 0; same && i < e.n; i++) {
      if ((e.noiseScale?.[i] ?? 1) !== (data.noiseScale?.[i] ?? 1)) same = false;
    }
    if (same) best = e;
  }
  return best;
}

function rememberFactor(data: GpData, kernel: KernelKind, hyper: GpHyperparameters, l: Float64Array): void {
  factorCache.push({
    key: factorKey(data, kernel, hyper),
    x: data.x.slice(0, data.n * data.dim),
    noiseScale: data.noiseScale?.slice(0, data.n),
    n: data.n,
    l: l.slice(0, data.n * data.n),
  });
  if (factorCache.length > FACTOR_CACHE_LIMIT) factorCache.shift();
}

/** Posterior of the latent function given data and fixed hyperparameters. */
export class GpPosterior {
  readonly n: number;
  readonly dim: number;
  private readonly l: Float64Array;
  private readonly alpha: Float64Array;
  private readonly kstar: Float64Array;
  private readonly v: Float64Array;
  /** s2 * dkappa/d(r2) at the last predict() point, per observation. */
  private readonly dk: Float64Array;
  /** X dimension-major (x[d * n + i]), for kernelVector. */
  private readonly xt: Float64Array;
  /** Largest diagonal entry of the factored matrix: s2 + noise (+ jitter when it was needed). */
  private readonly diag: number;
  private batch = new Float64Array(0);

  constructor(
    readonly data: GpData,
    readonly kernel: KernelKind,
    readonly hyper: GpHyperparameters,
  ) {
    const { n, dim, x, y, categorical, noiseScale } = data;
    this.n = n;
    this.dim = dim;
    this.l = new Float64Array(n * n);
    const reuse = findFactor(data, kernel, hyper);
    const k = new Float64Array(n * n);
    const lambda = hyper.invSqLengthscales;
    const s2 = hyper.signalVar;
    const rbf = kernel === 'rbf';
    // Rows from..to-1 of the lower triangle of K (the only part the factorization reads).
    const fillRows = (from: number, to: number): void => {
      for (let i = from; i < to; i++) {
        const ri = i * n;
        for (let j = 0; j < i; j++) {
          let rr = 0;
          for (let d = 0; d < dim; d++) {
            const diff = (x[i * dim + d] as number) - (x[j * dim + d] as number);
            rr += (lambda[d] as number) * (categorical[d] === 1 ? (diff === 0 ? 0 : 1) : diff * diff);
          }
          let kv: number;
          if (rbf) kv = s2 * Math.exp(-0.5 * rr);
          else {
            const r = Math.sqrt(5 * rr);
            kv = (1 + r + (5 / 3) * rr) * (s2 * Math.exp(-r));
          }
          k[ri + j] = kv;
        }
        k[ri + i] = s2 + hyper.noiseVar * (noiseScale ? (noiseScale[i] as number) : 1);
      }
    };
    let factored = false;
    if (reuse) {
      const m = reuse.n;
      fillRows(m, n);
      for (let i = 0; i < m; i++) this.l.set(reuse.l.subarray(i * m, i * m + i + 1), i * n);
      factored = cholesky(k, n, this.l, m);
      if (!factored) fillRows(0, m);
    } else {
      fillRows(0, n);
    }
    let jitter = 0;
    if (!factored) {
      jitter = choleskyWithJitter(k, n, this.l, 0, 8);
      if (jitter < 0) throw new ModelFittingError('covariance matrix is not positive definite');
      factored = jitter === 0;
    }
    let maxScale = 1;
    if (noiseScale) {
      maxScale = 0;
      for (let i = 0; i < n; i++) maxScale = Math.max(maxScale, noiseScale[i] as number);
    }
    // The largest diagonal entry keeps screen()'s variance bound an upper bound.
    this.diag = s2 + hyper.noiseVar * maxScale + jitter;
    // A jittered factor is not the factor of K, so it must not seed later extensions.
    if (factored) rememberFactor(data, kernel, hyper, this.l);
    this.alpha = new Float64Array(n);
    for (let i = 0; i < n; i++) this.alpha[i] = (y[i] ?? 0) - hyper.mean;
    this.solveLower(this.alpha);
    this.solveUpper(this.alpha);
    this.kstar = new Float64Array(n);
    this.v = new Float64Array(n);
    this.dk = new Float64Array(n);
    this.xt = new Float64Array(n * dim);
    for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) this.xt[d * n + i] = x[i * dim + d] as number;
  }

  /**
   * Squared scaled distances r2(xq, X_i) for every observation i into k (shape: n), with
   * xq = xs[offset .. offset + D). They accumulate over the dimension-major copy of X in long
   * independent inner loops (instead of a short loop per pair), up to four continuous dimensions per
   * pass so k is loaded and stored once per four terms; the terms are still added one at a time in
   * dimension order, so every sum has the bits of one pass per dimension.
   */
  private squaredDistances(xs: ArrayLike<number>, offset: number, k: Float64Array): void {
    const { n, dim, xt } = this;
    const { categorical } = this.data;
    const lambda = this.hyper.invSqLengthscales;
    k.fill(0, 0, n);
    let d = 0;
    while (d < dim) {
      const lam = lambda[d] as number;
      const qv = xs[offset + d] as number;
      const b = d * n;
      if (categorical[d] === 1) {
        for (let i = 0; i < n; i++) if ((xt[b + i] as number) !== qv) k[i] = (k[i] as number) + lam;
        d++;
      } else if (
        d + 3 < dim &&
        categorical[d + 1] !== 1 &&
        categorical[d + 2] !== 1 &&
        categorical[d + 3] !== 1
      ) {
        const l1 = lambda[d + 1] as number;
        const l2 = lambda[d + 2] as number;
        const l3 = lambda[d + 3] as number;
        const q1 = xs[offset + d + 1] as number;
        const q2 = xs[offset + d + 2] as number;
        const q3 = xs[offset + d + 3] as number;
        const b1 = b + n;
        const b2 = b1 + n;
        const b3 = b2 + n;
        for (let i = 0; i < n; i++) {
          const e0 = qv - (xt[b + i] as number);
          const e1 = q1 - (xt[b1 + i] as number);
          const e2 = q2 - (xt[b2 + i] as number);
          const e3 = q3 - (xt[b3 + i] as number);
          k[i] = (k[i] as number) + lam * (e0 * e0) + l1 * (e1 * e1) + l2 * (e2 * e2) + l3 * (e3 * e3);
        }
        d += 4;
      } else if (d + 1 < dim && categorical[d + 1] !== 1) {
        const l1 = lambda[d + 1] as number;
        const q1 = xs[offset + d + 1] as number;
        const b1 = b + n;
        for (let i = 0; i < n; i++) {
          const e0 = qv - (xt[b + i] as number);
          const e1 = q1 - (xt[b1 + i] as number);
          k[i] = (k[i] as number) + lam * (e0 * e0) + l1 * (e1 * e1);
        }
        d += 2;
      } else {
        for (let i = 0; i < n; i++) {
          const diff = qv - (xt[b + i] as number);
          k[i] = (k[i] as number) + lam * (diff * diff);
        }
        d++;
      }
    }
  }

  /**
   * k(xq, X_i) for every observation i into k (shape: n), with xq = xs[offset .. offset + D), and
   * s2 * dkappa/d(r2) into dk when given; returns the posterior mean at xq.
   */
  private kernelVector(
    xs: ArrayLike<number>,
    offset: number,
    k: Float64Array,
    dk: Float64Array | null,
  ): number {
    const { n, alpha } = this;
    const s2 = this.hyper.signalVar;
    this.squaredDistances(xs, offset, k);
    let mean = this.hyper.mean;
    if (this.kernel === 'rbf') {
      for (let i = 0; i < n; i++) {
        const kv = s2 * Math.exp(-0.5 * (k[i] as number));
        if (dk) dk[i] = -0.5 * kv;
        k[i] = kv;
        mean += kv * (alpha[i] as number);
      }
    } else {
      for (let i = 0; i < n; i++) {
        const rr = k[i] as number;
        const r = Math.sqrt(5 * rr);
        const e = s2 * Math.exp(-r);
        const kv = (1 + r + (5 / 3) * rr) * e;
        if (dk) dk[i] = (-5 / 6) * (1 + r) * e;
        k[i] = kv;
        mean += kv * (alpha[i] as number);
      }
    }
    return mean;
  }

  /** Solves L x = b in place (see forwardSubstitute: the bits of one dot() per row). */
  private solveLower(b: Float64Array): void {
    forwardSubstitute(this.l, this.n, b, 0, 0);
  }

  /**
   * Solves L^T x = b in place column by column: x_i is final once the rows below have been
   * subtracted, then x_i times row i of L (contiguous) is subtracted from the entries above, so no
   * transposed copy of L (n^2 more memory per posterior) is needed. Four rows at a time: each entry
   * above is loaded and stored once per four rows instead of once per row, with the same
   * subtractions in the same order (so the same bits).
   */
  private solveUpper(b: Float64Array): void {
    const { n, l } = this;
    let i = n - 1;
    for (; i >= 3; i -= 4) {
      const r0 = i * n;
      const r1 = r0 - n;
      const r2 = r1 - n;
      const r3 = r2 - n;
      const x0 = (b[i] as number) / (l[r0 + i] as number);
      b[i] = x0;
      const x1 = ((b[i - 1] as number) - (l[r0 + i - 1] as number) * x0) / (l[r1 + i - 1] as number);
      b[i - 1] = x1;
      const x2 =
        ((b[i - 2] as number) - (l[r0 + i - 2] as number) * x0 - (l[r1 + i - 2] as number) * x1) /
        (l[r2 + i - 2] as number);
      b[i - 2] = x2;
      const x3 =
        ((b[i - 3] as number) -
          (l[r0 + i - 3] as number) * x0 -
          (l[r1 + i - 3] as number) * x1 -
          (l[r2 + i - 3] as number) * x2) /
        (l[r3 + i - 3] as number);
      b[i - 3] = x3;
      for (let k = 0; k < i - 3; k++) {
        b[k] =
          (b[k] as number) -
          (l[r0 + k] as number) * x0 -
          (l[r1 + k] as number) * x1 -
          (l[r2 + k] as number) * x2 -
          (l[r3 + k] as number) * x3;
      }
    }
    for (; i >= 0; i--) {
      const ri = i * n;
      const xi = (b[i] as number) / (l[ri + i] as number);
      b[i] = xi;
      for (let k = 0; k < i; k++) b[k] = (b[k] as number) - (l[ri + k] as number) * xi;
    }
  }

  /**
   * Upper bounds of the posterior mean and variance at `count` points xs (count x D row-major) into
   * outMeanUpper and outVarUpper, in O(n D) per point instead of the O(n^2) of the exact variance.
   * Mean: the kernel values come from expNeg (relative error 2e-12 instead of Math.exp's cost, which
   * dominates here); a relative margin of 1e-9 on every term, the kernel's value at the end of
   * expNeg's range for the observations beyond it, and 1e-12 |m| for the rounding of the exact
   * mean's running sum keep the bound above the mean predict() computes. Variance: conditioning on
   * fewer observations never lowers it, so the variance given only the most correlated observation,
   * s2 - k_max^2 / K_ii, bounds it; k_max is the exact kernel at the smallest distance, and the tiny
   * relative margin covers rounding of the exact computation.
   */
  screen(xs: Float64Array, count: number, outMeanUpper: Float64Array, outVarUpper: Float64Array): void {
    const { n, dim, kstar, diag, alpha } = this;
    const s2 = this.hyper.signalVar;
    const m = this.hyper.mean;
    const rbf = this.kernel === 'rbf';
    // kappa at expNeg's limit: it bounds kappa beyond it (kappa decreases with distance).
    const L = EXP_NEG_LIMIT;
    const tailKappa = (rbf ? Math.exp(-L) : (1 + L + (L * L) / 3) * Math.exp(-L)) * (1 + 1e-9);
    const meanSlack = 1e-12 * Math.abs(m);
    for (let q = 0; q < count; q++) {
      this.squaredDistances(xs, q * dim, kstar);
      let sum = 0;
      let abs = 0;
      let tail = 0;
      let r2min = Number.POSITIVE_INFINITY;
      if (rbf) {
        for (let i = 0; i < n; i++) {
          const rr = kstar[i] as number;
          if (rr < r2min) r2min = rr;
          const a = alpha[i] as number;
          const r = 0.5 * rr;
          if (r < L) {
            const kv = expNeg(r);
            sum += a * kv;
            abs += Math.abs(a) * kv;
          } else tail += Math.abs(a);
        }
      } else {
        for (let i = 0; i < n; i++) {
          const rr = kstar[i] as number;
          if (rr < r2min) r2min = rr;
          const a = alpha[i] as number;
          const r = Math.sqrt(5 * rr);
          if (r < L) {
            const kv = (1 + r + (5 / 3) * rr) * expNeg(r);
            sum += a * kv;
            abs += Math.abs(a) * kv;
          } else tail += Math.abs(a);
        }
      }
      outMeanUpper[q] = m + s2 * (sum + 1e-9 * abs + tailKappa * tail) + meanSlack;
      // The same expression as kernelVector's, at the smallest distance.
      let kmax: number;
      if (rbf) kmax = s2 * Math.exp(-0.5 * r2min);
      else {
        const r = Math.sqrt(5 * r2min);
        kmax = (1 + r + (5 / 3) * r2min) * (s2 * Math.exp(-r));
      }
      if (!(kmax > 0)) kmax = 0;
      outVarUpper[q] = Math.max(0, s2 - ((kmax * kmax) / diag) * (1 - 1e-9)) + 1e-12 * s2;
    }
  }

  /**
   * Posterior mean and variance at `count` points xs (count x D row-major) into outMean and
   * outVar (shape: count). Same numbers as predict(); four right-hand sides share each pass over
   * a row of L in the triangular solve, which roughly halves the cost of scoring QMC candidates.
   */
  predictBatch(xs: Float64Array, count: number, outMean: Float64Array, outVar: Float64Array): void {
    const { n, dim, l, kstar } = this;
    const s2 = this.hyper.signalVar;
    const B = 4;
    if (this.batch.length < n * B) this.batch = new Float64Array(n * B);
    const v = this.batch; // layout: v[i * B + b]
    for (let start = 0; start < count; start += B) {
      const m = Math.min(B, count - start);
      for (let b = 0; b < B; b++) {
        const mean = this.kernelVector(xs, (start + Math.min(b, m - 1)) * dim, kstar, null);
        for (let i = 0; i < n; i++) v[i * B + b] = kstar[i] as number;
        if (b < m) outMean[start + b] = mean;
      }
      let e0 = 0;
      let e1 = 0;
      let e2 = 0;
      let e3 = 0;
      for (let i = 0; i < n; i++) {
        const ri = i * n;
        let s0 = v[i * B] as number;
        let s1 = v[i * B + 1] as number;
        let t2 = v[i * B + 2] as number;
        let t3 = v[i * B + 3] as number;
        for (let c = 0; c < i; c++) {
          const lic = l[ri + c] as number;
          const cb = c * B;
          s0 -= lic * (v[cb] as number);
          s1 -= lic * (v[cb + 1] as number);
          t2 -= lic * (v[cb + 2] as number);
          t3 -= lic * (v[cb + 3] as number);
        }
        const inv = 1 / (l[ri + i] as number);
        s0 *= inv;
        s1 *= inv;
        t2 *= inv;
        t3 *= inv;
        v[i * B] = s0;
        v[i * B + 1] = s1;
        v[i * B + 2] = t2;
        v[i * B + 3] = t3;
        e0 += s0 * s0;
        e1 += s1 * s1;
        e2 += t2 * t2;
        e3 += t3 * t3;
      }
      outVar[start] = Math.max(0, s2 - e0);
      if (m > 1) outVar[start + 1] = Math.max(0, s2 - e1);
      if (m > 2) outVar[start + 2] = Math.max(0, s2 - e2);
      if (m > 3) outVar[start + 3] = Math.max(0, s2 - e3);
    }
  }

  /**
   * Posterior mean and variance of the latent function at xq (shape: D). When dMean and dVar
   * (shape: D) are given, also their gradients with respect to the non-categorical coordinates:
   *   dmu/dx_d = sum_i alpha_i dk_i/dx_d,  dvar/dx_d = -2 sum_i (K^-1 k*)_i dk_i/dx_d,
   * with dk_i/dx_d = s2 kappa'(r2_i) 2 lambda_d (x_d - X_id) and K^-1 k* = L^-T (L^-1 k*).
   */
  predict(
    xq: ArrayLike<number>,
    dMean?: Float64Array,
    dVar?: Float64Array,
  ): { mean: number; variance: number } {
    const { n, dim, kstar, v, dk, alpha, xt } = this;
    const { categorical } = this.data;
    const lambda = this.hyper.invSqLengthscales;
    const s2 = this.hyper.signalVar;
    const mean = this.kernelVector(xq, 0, kstar, dMean && dVar ? dk : null);
    v.set(kstar);
    this.solveLower(v);
    const explained = dot(v, 0, v, 0, n);
    const variance = Math.max(0, s2 - explained);
    if (dMean && dVar) {
      this.solveUpper(v); // v <- K^-1 k*
      // dk_i/dx_d = 2 dk_i lambda_d (x_d - X_id); kstar is free again and holds 2 dk_i alpha_i.
      for (let i = 0; i < n; i++) {
        const g = 2 * (dk[i] as number);
        kstar[i] = g * (alpha[i] as number);
        v[i] = -2 * g * (v[i] as number);
      }
      let d = 0;
      while (d < dim) {
        if (categorical[d] === 1) {
          dMean[d] = 0;
          dVar[d] = 0;
          d++;
          continue;
        }
        const qv = xq[d] as number;
        const b = d * n;
        let sm = 0;
        let sv = 0;
        const pair = d + 1 < dim && categorical[d + 1] !== 1;
        if (pair) {
          // Two coordinates per pass: four independent sums, each in the order of one at a time.
          const qw = xq[d + 1] as number;
          const c = b + n;
          let tm = 0;
          let tv = 0;
          for (let i = 0; i < n; i++) {
            const ki = kstar[i] as number;
            const vi = v[i] as number;
            const diff = qv - (xt[b + i] as number);
            const diff2 = qw - (xt[c + i] as number);
            sm += ki * diff;
            sv += vi * diff;
            tm += ki * diff2;
            tv += vi * diff2;
          }
          const lam2 = lambda[d + 1] as number;
          dMean[d + 1] = lam2 * tm;
          dVar[d + 1] = lam2 * tv;
        } else {
          for (let i = 0; i < n; i++) {
            const diff = qv - (xt[b + i] as number);
            sm += (kstar[i] as number) * diff;
            sv += (v[i] as number) * diff;
          }
        }
        const lam = lambda[d] as number;
        dMean[d] = lam * sm;
        dVar[d] = lam * sv;
        d += pair ? 2 : 1;
      }
    }
    return { mean, variance };
  }
}
