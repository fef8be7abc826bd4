import type { GpData } from './gp.js';
import { type KernelKind, kappa, kappaPrime, pairwiseDelta2 } from './kernel.js';
import { choleskyWithJitter, cholInverse, logDetHalf } from './linalg.js';
import { DEFAULT_PRIOR, type HyperPrior, logPrior } from './prior.js';

/**
 * Log posterior of the warm-start model (transfer.ts): the target GP's prior mean is
 * m(x) = a + sum_k b_k mu_k(P_k x - delta_k), where mu_k is the posterior mean of source study k's
 * GP, P_k projects onto the d_k parameters it shares with the target, and delta_k (shape: d_k) is a
 * learned shift of the source landscape in model coordinates.
 *
 * Notation as in gp.ts, plus K sources:
 *   M      n x K, M[i, k] = mu_k(P_k x_i - delta_k) (standardized source units)
 *   G_k    n x d_k, G_k[i, j] = dmu_k/dz_j at P_k x_i - delta_k
 *   theta  D + 3 + K (+ sum_k d_k): [log lambda_1..D, log s2, log noise, a, b_1..K, delta_1..K]
 *   alpha  n, K^-1 (y - m)
 *
 * LML = -1/2 (y - m)^T alpha - sum_i log L_ii - n/2 log 2 pi, and besides gp.ts's gradients
 * dLML/db_k = sum_i alpha_i M[i, k] and dLML/ddelta_kj = -b_k sum_i alpha_i G_k[i, j].
 * Each b_k has a Normal(0, 1) prior and each shift coordinate a Normal(0, 0.2^2) prior: with no
 * evidence the scale shrinks to zero, which is the cold start, and the shift to none.
 */
export const SCALE_PRIOR_STD = 1;
export const SHIFT_PRIOR_STD = 0.2;

/**
 * Source k's mean and its gradient at the target observations shifted by `shift` (shape: d_k):
 * mean into `mean` (shape: n), gradient into `grad` (n x d_k row-major).
 */
export type SourceMeanAt = (k: number, shift: Float64Array, mean: Float64Array, grad: Float64Array) => void;
const LOG_2PI = Math.log(2 * Math.PI);

export class TransferNegLogPosterior {
  private readonly d2: Float64Array;
  private readonly k: Float64Array;
  private readonly l: Float64Array;
  private readonly kinv: Float64Array;
  private readonly alpha: Float64Array;
  private readonly pairs: number;

  constructor(
    private readonly data: GpData,
    private readonly meanAt: SourceMeanAt,
    /** Shared dimensions per source (d_k); no shift parameters when learnShift is false. */
    private readonly sourceDims: readonly number[],
    private readonly learnShift: boolean,
    private readonly kernel: KernelKind,
    private readonly prior: HyperPrior = DEFAULT_PRIOR,
  ) {
    const { n, dim } = data;
    this.pairs = (n * (n - 1)) / 2;
    this.d2 = pairwiseDelta2(data.x, n, dim, data.categorical);
    this.k = new Float64Array(n * n);
    this.l = new Float64Array(n * n);
    this.kinv = new Float64Array(n * n);
    this.alpha = new Float64Array(n);
  }

  /** Length of theta: D + 3 + K (+ sum_k d_k with learned shifts). */
  get size(): number {
    return (
      this.data.dim +
      3 +
      this.sourceDims.length +
      (this.learnShift ? this.sourceDims.reduce((a, b) => a + b, 0) : 0)
    );
  }

  /** Returns -(LML + log prior) at theta and writes its gradient into grad (both shape: size). */
  evaluate = (theta: Float64Array, grad: Float64Array): number => {
    const { n, dim, y } = this.data;
    const { d2, k, l, kinv, alpha, pairs } = this;
    const sources = this.sourceDims.length;
    const means = new Float64Array(n * sources);
    const grads: Float64Array[] = [];
    let offset = dim + 3 + sources;
    for (let s = 0; s < sources; s++) {
      const dk = this.sourceDims[s] ?? 0;
      const shift = this.learnShift ? theta.slice(offset, offset + dk) : new Float64Array(dk);
      if (this.learnShift) offset += dk;
      const mean = new Float64Array(n);
      const g = new Float64Array(n * dk);
      this.meanAt(s, shift, mean, g);
      for (let i = 0; i < n; i++) means[i * sources + s] = mean[i] ?? 0;
      grads.push(g);
    }
    const scale = this.data.noiseScale;
    const s2 = Math.exp(theta[dim] ?? 0);
    const noise = Math.exp(theta[dim + 1] ?? 0);
    const a = theta[dim + 2] ?? 0;
    const r2 = new Float64Array(pairs);
    for (let d = 0; d < dim; d++) {
      const lambda = Math.exp(theta[d] ?? 0);
      for (let p = 0; p < pairs; p++) r2[p] = (r2[p] ?? 0) + lambda * (d2[d * pairs + p] ?? 0);
    }
    const dKdr2 = new Float64Array(pairs);
    const kPair = new Float64Array(pairs);
    let p = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++, p++) {
        const rr = r2[p] ?? 0;
        const kv = s2 * kappa(this.kernel, rr);
        kPair[p] = kv;
        dKdr2[p] = s2 * kappaPrime(this.kernel, rr);
        k[i * n + j] = kv;
        k[j * n + i] = kv;
      }
      k[i * n + i] = s2 + noise * (scale ? (scale[i] ?? 1) : 1);
    }
    if (choleskyWithJitter(k, n, l, 0, 4) < 0) {
      grad.fill(0);
      return Number.POSITIVE_INFINITY;
    }
    cholInverse(l, n, kinv);
    const resid = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let m = a;
      for (let s = 0; s < sources; s++) m += (theta[dim + 3 + s] ?? 0) * (means[i * sources + s] ?? 0);
      resid[i] = (y[i] ?? 0) - m;
    }
    let quad = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += (kinv[i * n + j] ?? 0) * (resid[j] ?? 0);
      alpha[i] = s;
      quad += (resid[i] ?? 0) * s;
    }
    const lml = -0.5 * quad - logDetHalf(l, n) - 0.5 * n * LOG_2PI;

    grad.fill(0);
    // W = alpha alpha^T - K^-1: dLML/dt = 1/2 tr(W dK/dt); off-diagonal pairs count twice.
    let traceW = 0;
    let traceWNoise = 0;
    for (let i = 0; i < n; i++) {
      const w = (alpha[i] ?? 0) ** 2 - (kinv[i * n + i] ?? 0);
      traceW += w;
      traceWNoise += scale ? w * (scale[i] ?? 1) : w;
    }
    let gSignal = 0;
    const wPair = new Float64Array(pairs);
    p = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++, p++) {
        const w = (alpha[i] ?? 0) * (alpha[j] ?? 0) - (kinv[i * n + j] ?? 0);
        wPair[p] = w * (dKdr2[p] ?? 0);
        gSignal += w * (kPair[p] ?? 0);
      }
    }
    for (let d = 0; d < dim; d++) {
      const lambda = Math.exp(theta[d] ?? 0);
      let s = 0;
      for (let q = 0; q < pairs; q++) s += (wPair[q] ?? 0) * (d2[d * pairs + q] ?? 0);
      grad[d] = lambda * s;
    }
    grad[dim] = gSignal + 0.5 * traceW * s2;
    grad[dim + 1] = 0.5 * traceWNoise * noise;
    let sumAlpha = 0;
    for (let i = 0; i < n; i++) sumAlpha += alpha[i] ?? 0;
    grad[dim + 2] = sumAlpha;
    let lp = logPrior(this.prior, theta, dim, grad);
    const v = SCALE_PRIOR_STD * SCALE_PRIOR_STD;
    const vs = SHIFT_PRIOR_STD * SHIFT_PRIOR_STD;
    offset = dim + 3 + sources;
    for (let s = 0; s < sources; s++) {
      const b = theta[dim + 3 + s] ?? 0;
      let g = 0;
      for (let i = 0; i < n; i++) g += (alpha[i] ?? 0) * (means[i * sources + s] ?? 0);
      grad[dim + 3 + s] = g - b / v;
      lp -= (0.5 * b * b) / v;
      if (!this.learnShift) continue;
      const dk = this.sourceDims[s] ?? 0;
      const gs = grads[s] ?? new Float64Array(0);
      for (let j = 0; j < dk; j++) {
        const delta = theta[offset + j] ?? 0;
        let t = 0;
        for (let i = 0; i < n; i++) t += (alpha[i] ?? 0) * (gs[i * dk + j] ?? 0);
        grad[offset + j] = -b * t - delta / vs;
        lp -= (0.5 * delta * delta) / vs;
      }
      offset += dk;
    }
    for (let i = 0; i < grad.length; i++) grad[i] = -(grad[i] ?? 0);
    return -(lml + lp);
  };
}
