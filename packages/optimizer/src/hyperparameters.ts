import { ModelFittingError } from './errors.js';
import type { GpData, GpHyperparameters } from './gp.js';
import { covariances, type KernelKind, logLambdaGradient, pairwiseDelta2, pairwiseR2 } from './kernel.js';
import { minimizeLbfgsb } from './lbfgsb.js';
import { choleskyWithJitter, cholInverse, dot, logDetHalf, solveLower, solveUpperT } from './linalg.js';
import { DEFAULT_PRIOR, type HyperPrior, logPrior } from './prior.js';

/**
 * Hyperparameters theta (gp.ts's notation) and their MAP fit: the negative log posterior and its
 * gradient, bounds, starting points, and bounded quasi-Newton from several starts.
 */
export interface FitOptions {
  kernel: KernelKind;
  prior?: HyperPrior;
  /** Lower bound of the noise variance (standardized units). */
  noiseFloor: number;
  /** Fix the noise at the floor (noise-free objectives). */
  fixedNoise?: boolean;
  /** Upper bound of the noise variance (standardized units) when below the default one. */
  noiseCeiling?: number;
  /** Additional starting points (theta vectors), tried after the defaults. */
  starts?: Float64Array[];
  /** Whether the default starting point is tried too (default true). */
  includeDefault?: boolean;
  maxIterations?: number;
  /** The additive kernel (gp.ts): theta has 2 D + 3 entries. */
  additive?: boolean;
}

const LOG_LAMBDA_MIN = Math.log(1e-3);
const LOG_LAMBDA_MAX = Math.log(1e4);
const LOG_SIGNAL_MIN = Math.log(1e-2);
const LOG_SIGNAL_MAX = Math.log(1e2);
const LOG_NOISE_MAX = Math.log(2);
const MEAN_BOUND = 10;
const LOG_2PI = Math.log(2 * Math.PI);
/** Bounds and Normal(0, U_PRIOR_STD) prior of the additive kernel's softmax logits u (which fixes their free shift). */
const U_BOUND = 5;
const U_PRIOR_STD = 2;

/**
 * A GP theta is [log lambda_1..D, log s2, log noise, mean] and, for the additive kernel, D softmax
 * logits more: its length says which. So a model that appends its own entries (the transfer
 * models' scales and shifts, the conditional fit's pads) must hand on only the GP's part.
 */
export function isAdditiveTheta(theta: Float64Array, dim: number): boolean {
  return theta.length === 2 * dim + 3;
}

function softmax(theta: Float64Array, from: number, dim: number, out: Float64Array): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let d = 0; d < dim; d++) max = Math.max(max, theta[from + d] as number);
  let total = 0;
  for (let d = 0; d < dim; d++) {
    const e = Math.exp((theta[from + d] as number) - max);
    out[d] = e;
    total += e;
  }
  for (let d = 0; d < dim; d++) out[d] = (out[d] as number) / total;
}

export function thetaToHyper(theta: Float64Array, dim: number): GpHyperparameters {
  const inv = new Float64Array(dim);
  for (let d = 0; d < dim; d++) inv[d] = Math.exp(theta[d] ?? 0);
  return {
    invSqLengthscales: inv,
    signalVar: Math.exp(theta[dim] ?? 0),
    noiseVar: Math.exp(theta[dim + 1] ?? 0),
    mean: theta[dim + 2] ?? 0,
    ...(isAdditiveTheta(theta, dim) ? { additive: additiveWeights(theta, dim) } : {}),
  };
}

function additiveWeights(theta: Float64Array, dim: number): Float64Array {
  const w = new Float64Array(dim);
  softmax(theta, dim + 3, dim, w);
  return w;
}

export function hyperToTheta(h: GpHyperparameters): Float64Array {
  const dim = h.invSqLengthscales.length;
  const theta = new Float64Array(h.additive ? 2 * dim + 3 : dim + 3);
  for (let d = 0; d < dim; d++) theta[d] = Math.log(h.invSqLengthscales[d] ?? 1);
  theta[dim] = Math.log(h.signalVar);
  theta[dim + 1] = Math.log(h.noiseVar);
  theta[dim + 2] = h.mean;
  if (h.additive) for (let d = 0; d < dim; d++) theta[dim + 3 + d] = Math.log(h.additive[d] as number);
  return theta;
}

/** Default starting point: unit lengthscales and signal, small noise, zero mean. */
export function defaultTheta(dim: number, noiseFloor: number, additive = false): Float64Array {
  const theta = new Float64Array(additive ? 2 * dim + 3 : dim + 3);
  theta[dim + 1] = Math.log(Math.max(noiseFloor, 1e-2));
  return theta;
}

/**
 * Negative log posterior (-(LML + log prior)) of theta and its gradient, with reused buffers.
 *
 * LML = -1/2 (y - m)^T alpha - sum_i log L_ii - n/2 log 2 pi, and for any kernel hyperparameter t:
 * dLML/dt = 1/2 tr((alpha alpha^T - K^-1) dK/dt); dLML/dm = sum_i alpha_i. dK/dt is kernel.ts's:
 * K itself for log s2, s2 kappa' lambda_d delta_d^2 for log lambda_d, and diag(noise * noiseScale)
 * for log noise.
 */
export class NegLogPosterior {
  private readonly pairs: number;
  private readonly d2: Float64Array;
  private readonly r2: Float64Array;
  private readonly lambda: Float64Array;
  private readonly k: Float64Array;
  private readonly l: Float64Array;
  private readonly kinv: Float64Array;
  private readonly work: Float64Array;
  private readonly alpha: Float64Array;
  private readonly kPair: Float64Array;
  private readonly gPair: Float64Array;
  /** Additive kernel: kappa and kappa' per dimension and pair (D x P), and the weights w. */
  private readonly kDim: Float64Array | null;
  private readonly gDim: Float64Array | null;
  private readonly w: Float64Array;
  /** The latest value() call's theta, s2, noise and whether K factored there, for gradient(). */
  private readonly theta: Float64Array;
  private s2 = 0;
  private noise = 0;
  private factored = false;

  constructor(
    private readonly data: GpData,
    private readonly kernel: KernelKind,
    private readonly prior: HyperPrior,
    private readonly additive = false,
  ) {
    const { n, dim } = data;
    this.pairs = (n * (n - 1)) / 2;
    this.d2 = pairwiseDelta2(data.x, n, dim, data.categorical);
    this.r2 = new Float64Array(this.pairs);
    this.lambda = new Float64Array(dim);
    this.kPair = new Float64Array(this.pairs);
    this.gPair = new Float64Array(this.pairs);
    this.k = new Float64Array(n * n);
    this.l = new Float64Array(n * n);
    this.kinv = new Float64Array(n * n);
    this.work = new Float64Array(n * n);
    this.alpha = new Float64Array(n);
    this.theta = new Float64Array(additive ? 2 * dim + 3 : dim + 3);
    this.kDim = additive ? new Float64Array(this.pairs * dim) : null;
    this.gDim = additive ? new Float64Array(this.pairs * dim) : null;
    this.w = new Float64Array(dim);
  }

  /** Returns -(LML + log prior) at theta and writes its gradient into grad (both shape: D + 3). */
  evaluate = (theta: Float64Array, grad: Float64Array): number => {
    const f = this.value(theta);
    if (this.factored) this.gradient(grad);
    else grad.fill(0);
    return f;
  };

  /**
   * -(LML + log prior) at theta, keeping what gradient() needs (SplitObjective for minimizeLbfgsb:
   * points its line search rejects skip K^-1, most of the cost of a gradient).
   */
  value(theta: Float64Array): number {
    const { n, dim, y } = this.data;
    const P = this.pairs;
    const { d2, r2, lambda, k, l, alpha, kPair, gPair } = this;
    const scale = this.data.noiseScale;
    const s2 = Math.exp(theta[dim] ?? 0);
    const noise = Math.exp(theta[dim + 1] ?? 0);
    const mean = theta[dim + 2] ?? 0;
    for (let d = 0; d < dim; d++) lambda[d] = Math.exp(theta[d] as number);
    if (this.kDim && this.gDim) this.additivePairs(theta, s2);
    else {
      pairwiseR2(d2, P, dim, lambda, r2);
      covariances(this.kernel, s2, r2, kPair, gPair, 0, P);
    }
    // Pairs run over the lower triangle row by row (kernel.ts), so K fills contiguously.
    let p = 0;
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      for (let j = 0; j < i; j++, p++) k[ri + j] = kPair[p] as number;
      k[ri + i] = s2 + noise * (scale ? (scale[i] as number) : 1);
    }
    this.factored = choleskyWithJitter(k, n, l, 0, 4) >= 0;
    if (!this.factored) return Number.POSITIVE_INFINITY;
    this.theta.set(theta);
    this.s2 = s2;
    this.noise = noise;
    for (let i = 0; i < n; i++) alpha[i] = (y[i] as number) - mean;
    // quad = (y - m)^T K^-1 (y - m) = |L^-1 (y - m)|^2, then alpha = L^-T L^-1 (y - m).
    solveLower(l, n, alpha);
    const quad = dot(alpha, 0, alpha, 0, n);
    solveUpperT(l, n, alpha);
    const lml = -0.5 * quad - logDetHalf(l, n) - 0.5 * n * LOG_2PI;
    return -(lml + logPrior(this.prior, theta, dim) + this.logPriorU(theta));
  }

  /** kPair = s2 sum_d w_d kappa_d per pair, with kDim = kappa_d and gDim = kappa'_d. */
  private additivePairs(theta: Float64Array, s2: number): void {
    const { dim } = this.data;
    const P = this.pairs;
    const { d2, lambda, kPair, w } = this;
    const kDim = this.kDim as Float64Array;
    const gDim = this.gDim as Float64Array;
    softmax(theta, dim + 3, dim, w);
    kPair.fill(0, 0, P);
    for (let d = 0; d < dim; d++) {
      const base = d * P;
      const lam = lambda[d] as number;
      for (let p = 0; p < P; p++) this.r2[p] = lam * (d2[base + p] as number);
      covariances(
        this.kernel,
        1,
        this.r2,
        kDim.subarray(base, base + P),
        gDim.subarray(base, base + P),
        0,
        P,
      );
      const sw = s2 * (w[d] as number);
      for (let p = 0; p < P; p++) kPair[p] = (kPair[p] as number) + sw * (kDim[base + p] as number);
    }
  }

  /** Normal prior on the additive kernel's logits; adds its gradient into grad when given. */
  private logPriorU(theta: Float64Array, grad?: Float64Array): number {
    if (!this.additive) return 0;
    const { dim } = this.data;
    const v = U_PRIOR_STD * U_PRIOR_STD;
    let lp = 0;
    for (let d = 0; d < dim; d++) {
      const u = theta[dim + 3 + d] as number;
      lp -= (0.5 * u * u) / v;
      if (grad) grad[dim + 3 + d] = (grad[dim + 3 + d] as number) - u / v;
    }
    return lp;
  }

  /** log p(y_i | y_-i, theta) for each i (looLogPredictive); null when K does not factor. */
  looLogPredictive(theta: Float64Array): Float64Array | null {
    const { n } = this.data;
    if (!Number.isFinite(this.value(theta))) return null;
    cholInverse(this.l, n, this.kinv, this.work);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const kii = this.kinv[i * n + i] as number;
      const a = this.alpha[i] as number;
      out[i] = 0.5 * Math.log(kii) - (a * a) / (2 * kii) - 0.5 * LOG_2PI;
    }
    return out;
  }

  /** LOO predictive means and variances (looMoments); null when K does not factor. */
  looMoments(theta: Float64Array): { mean: Float64Array; variance: Float64Array } | null {
    const { n, y } = this.data;
    if (!Number.isFinite(this.value(theta))) return null;
    cholInverse(this.l, n, this.kinv, this.work);
    const mean = new Float64Array(n);
    const variance = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const kii = this.kinv[i * n + i] as number;
      mean[i] = (y[i] as number) - (this.alpha[i] as number) / kii;
      variance[i] = 1 / kii;
    }
    return { mean, variance };
  }

  /** The gradient (shape: D + 3) at the theta of the latest value() call, which must have factored K. */
  gradient(grad: Float64Array): void {
    const { n, dim } = this.data;
    const P = this.pairs;
    const { d2, lambda, l, kinv, alpha, kPair, gPair, s2, noise } = this;
    const scale = this.data.noiseScale;
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
    let p = 0;
    const wPair = this.work; // K^-1 is already computed; reuse work as scratch for W on pairs.
    for (let i = 0; i < n; i++) {
      const ai = alpha[i] as number;
      const ri = i * n;
      for (let j = 0; j < i; j++, p++) {
        const w = ai * (alpha[j] as number) - (kinv[ri + j] as number);
        wPair[p] = this.kDim ? w : w * (gPair[p] as number);
        gSignal += w * (kPair[p] as number);
      }
    }
    if (this.kDim && this.gDim) this.additiveGradient(wPair, gSignal, grad);
    else logLambdaGradient(d2, P, dim, lambda, wPair, grad);
    grad[dim] = gSignal + 0.5 * traceW * s2;
    grad[dim + 1] = 0.5 * traceWNoise * noise;
    let sumAlpha = 0;
    for (let i = 0; i < n; i++) sumAlpha += alpha[i] as number;
    grad[dim + 2] = sumAlpha;

    logPrior(this.prior, this.theta, dim, grad);
    this.logPriorU(this.theta, grad);
    for (let i = 0; i < grad.length; i++) grad[i] = -(grad[i] ?? 0);
  }

  /**
   * Additive kernel, given wPair[p] = W_p (gradient()'s W on pairs) and gSignal = sum_p W_p k_p:
   * d k_p / d log lambda_d = s2 w_d kappa'_d lambda_d delta_d^2, and with w = softmax(u),
   * d k_p / d u_j = s2 w_j kappa_j - w_j k_p (zero on the diagonal, where every kappa_j is 1).
   */
  private additiveGradient(wPair: Float64Array, gSignal: number, grad: Float64Array): void {
    const { dim } = this.data;
    const P = this.pairs;
    const { d2, lambda, w, s2 } = this;
    const kDim = this.kDim as Float64Array;
    const gDim = this.gDim as Float64Array;
    for (let d = 0; d < dim; d++) {
      const base = d * P;
      let sl = 0;
      let su = 0;
      for (let p = 0; p < P; p++) {
        const wp = wPair[p] as number;
        sl += wp * (gDim[base + p] as number) * (d2[base + p] as number);
        su += wp * (kDim[base + p] as number);
      }
      const wd = w[d] as number;
      grad[d] = s2 * wd * (lambda[d] as number) * sl;
      grad[dim + 3 + d] = wd * (s2 * su - gSignal);
    }
  }
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
  noiseCeiling?: number,
  additive = false,
): [Float64Array, Float64Array] {
  const lo = new Float64Array(additive ? 2 * dim + 3 : dim + 3);
  const hi = new Float64Array(additive ? 2 * dim + 3 : dim + 3);
  if (additive) {
    lo.fill(-U_BOUND, dim + 3);
    hi.fill(U_BOUND, dim + 3);
  }
  for (let d = 0; d < dim; d++) {
    lo[d] = LOG_LAMBDA_MIN;
    hi[d] = LOG_LAMBDA_MAX;
  }
  lo[dim] = LOG_SIGNAL_MIN;
  hi[dim] = LOG_SIGNAL_MAX;
  const logFloor = Math.log(noiseFloor);
  lo[dim + 1] = logFloor;
  const logMax =
    noiseCeiling && noiseCeiling > 0 ? Math.min(LOG_NOISE_MAX, Math.log(noiseCeiling)) : LOG_NOISE_MAX;
  hi[dim + 1] = fixedNoise ? logFloor : Math.max(logFloor, logMax);
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
  const additive = options.additive === true;
  const nlp = new NegLogPosterior(data, options.kernel, options.prior ?? DEFAULT_PRIOR, additive);
  const [lo, hi] = thetaBounds(
    dim,
    options.noiseFloor,
    options.fixedNoise === true,
    options.noiseCeiling,
    additive,
  );
  const size = additive ? 2 * dim + 3 : dim + 3;
  // Starts of the other kernel's shape keep their shared entries (logits 0: equal shares).
  const reshape = (t: Float64Array): Float64Array => {
    const out = new Float64Array(size);
    out.set(t.subarray(0, Math.min(size, t.length)));
    return out;
  };
  const clampTheta = (t: Float64Array): Float64Array =>
    t.map((v, i) => Math.min(hi[i] ?? v, Math.max(lo[i] ?? v, v)));
  const starts = [
    ...(options.includeDefault === false ? [] : [defaultTheta(dim, options.noiseFloor, additive)]),
    ...(options.starts ?? []),
  ]
    .map(reshape)
    .map(clampTheta);
  let best: FitResult | null = null;
  for (const start of starts) {
    const result = minimizeLbfgsb(nlp, start, {
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
  const fallback = starts[0] ?? defaultTheta(dim, options.noiseFloor, additive);
  const grad = new Float64Array(size);
  const f = nlp.evaluate(fallback, grad);
  if (!Number.isFinite(f)) throw new ModelFittingError('covariance matrix is not positive definite');
  return { theta: fallback, hyper: thetaToHyper(fallback, dim), objective: f, fitted: false };
}

/**
 * Leave-one-out log predictive density of the targets under theta, in closed form (Rasmussen &
 * Williams 5.4.2): with K the covariance including noise and alpha = K^-1 (y - m), the prediction
 * of y_i from the others has mean y_i - alpha_i / [K^-1]_ii and variance 1 / [K^-1]_ii. Unlike the
 * marginal likelihood, it does not favour the larger of two nested models by construction: a noise
 * term that soaks up structure predicts held-out points no better than a fit that models it.
 * Per point (shape: n), so two models can be compared point by point; null when K does not factor.
 */
export function looLogPredictive(data: GpData, kernel: KernelKind, theta: Float64Array): Float64Array | null {
  const additive = isAdditiveTheta(theta, data.dim);
  return new NegLogPosterior(data, kernel, DEFAULT_PRIOR, additive).looLogPredictive(theta);
}

/** Closed-form leave-one-out predictive means and variances of the targets under theta (as above). */
export function looMoments(
  data: GpData,
  kernel: KernelKind,
  theta: Float64Array,
): { mean: Float64Array; variance: Float64Array } | null {
  const additive = isAdditiveTheta(theta, data.dim);
  return new NegLogPosterior(data, kernel, DEFAULT_PRIOR, additive).looMoments(theta);
}
