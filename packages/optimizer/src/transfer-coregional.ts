import { type AcquisitionSpec, acquisitionValue, evaluateAcquisition } from './acquisition.js';
import type { GpOptions } from './config.js';
import { hashFloats } from './content-hash.js';
import { type GpData, thetaBounds, thetaToHyper } from './gp.js';
import { type KernelKind, kappa, kappaPrime, pairwiseDelta2 } from './kernel.js';
import { minimizeLbfgsb } from './lbfgsb.js';
import { choleskyWithJitter, cholInverse, logDetHalf, solveLower, solveUpperT } from './linalg.js';
import { fitPrefixLength, type Observations } from './model.js';
import { type ModelCache, processModelCache } from './model-cache.js';
import type { AcquisitionFunction } from './optimize-acquisition.js';
import { type TargetTransform, transformTargets } from './output-transform.js';
import { DEFAULT_PRIOR, type HyperPrior, logPrior } from './prior.js';
import type { ParsedSearchSpace } from './search-space.js';
import {
  fitSourceModels,
  MIN_TARGET_OBSERVATIONS,
  type SourceModel,
  type SourceStudy,
  TRANSFER_FIT_MAX,
} from './transfer.js';
import { SCALE_PRIOR_STD, SHIFT_PRIOR_STD } from './transfer-likelihood.js';

/**
 * Coregionalised warm start (docs/DESIGN.md 6e): a multi-task GP over the sources and the target,
 *   f_t(x) = c + sum_k b_k f_k(P_k x - delta_k) + g(x),
 * with f_k source k's GP (its own hyperparameters, fitted on the source alone and then held fixed),
 * g an independent GP with the target's own hyperparameters, b_k a learned scale and delta_k a learned
 * shift of the source landscape. Between source k and the target this is the intrinsic
 * coregionalisation model of rank 2: cov(f_k, f_t) = b_k s2_k k_k, var f_t = b_k^2 s2_k k_k + s2_g k_g,
 * so the inter-task correlation is rho_k = b_k s_k / sqrt(b_k^2 s2_k + s2_g), any sign. Every
 * parameter of the target's (theta) is fitted by MAP on the target's marginal likelihood given the
 * source rows; an unrelated source then gets b_k -> 0 (rho_k -> 0) from the evidence, with no
 * accept/reject guard, and the model is the target's own GP.
 *
 * The fit uses the exact conditional form (n x n): y_t ~ N(c + sum_k b_k mu_k(Z_k), K_g + noise +
 * sum_k b_k^2 S_k(Z_k, Z_k)), where mu_k and S_k are source k's posterior mean and covariance at
 * Z_k = P_k X - delta_k. Predictions condition one joint GP on the source rows and the target rows.
 * Each source contributes at most SOURCE_ROWS rows (its best half, then evenly spaced others), which
 * bounds the cost of a suggestion whatever the source's length.
 */
export const SOURCE_ROWS = 64;
const SCALE_BOUND = 5;
const SHIFT_BOUND = 0.5;
const LOG_2PI = Math.log(2 * Math.PI);

/** Source k's GP on a bounded set of its rows, factored once. */
export class SourceFactor {
  readonly m: number;
  readonly dk: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly lambda: Float64Array;
  readonly s2: number;
  readonly noise: number;
  readonly mean: number;
  readonly categorical: Uint8Array;
  /** Cholesky factor of the source rows' covariance (m x m) and K^-1 (y - mean). */
  readonly l: Float64Array;
  readonly alpha: Float64Array;

  constructor(
    readonly model: SourceModel,
    readonly kernel: KernelKind,
  ) {
    const data = model.posterior.data;
    const hyper = model.posterior.hyper;
    const dk = data.dim;
    const rows = representativeRows(data.y, data.n, SOURCE_ROWS);
    const m = rows.length;
    this.m = m;
    this.dk = dk;
    this.x = new Float64Array(m * dk);
    this.y = new Float64Array(m);
    rows.forEach((r, a) => {
      this.x.set(data.x.subarray(r * dk, (r + 1) * dk), a * dk);
      this.y[a] = data.y[r] ?? 0;
    });
    this.lambda = hyper.invSqLengthscales;
    this.s2 = hyper.signalVar;
    this.noise = hyper.noiseVar;
    this.mean = hyper.mean;
    this.categorical = data.categorical;
    const k = new Float64Array(m * m);
    for (let a = 0; a < m; a++) {
      for (let b = 0; b <= a; b++) {
        const v = this.cov(this.x, a, this.x, b);
        k[a * m + b] = v;
        k[b * m + a] = v;
      }
      k[a * m + a] = this.s2 + this.noise;
    }
    this.l = new Float64Array(m * m);
    if (choleskyWithJitter(k, m, this.l, 0, 8) < 0)
      throw new Error('source covariance is not positive definite');
    this.alpha = new Float64Array(m);
    for (let a = 0; a < m; a++) this.alpha[a] = (this.y[a] ?? 0) - this.mean;
    solveLower(this.l, m, this.alpha);
    solveUpperT(this.l, m, this.alpha);
  }

  /** r2 between row i of u and row j of v (both row-major with dk columns). */
  r2(u: ArrayLike<number>, i: number, v: ArrayLike<number>, j: number): number {
    const { dk, lambda, categorical } = this;
    let rr = 0;
    for (let d = 0; d < dk; d++) {
      const diff = (u[i * dk + d] ?? 0) - (v[j * dk + d] ?? 0);
      rr += (lambda[d] ?? 0) * (categorical[d] === 1 ? (diff === 0 ? 0 : 1) : diff * diff);
    }
    return rr;
  }

  cov(u: ArrayLike<number>, i: number, v: ArrayLike<number>, j: number): number {
    return this.s2 * kappa(this.kernel, this.r2(u, i, v, j));
  }

  /**
   * Posterior mean mu (shape: n), its gradient in z (n x dk), covariance S (n x n) at the n points z
   * (n x dk), and what traceShiftGradient needs.
   */
  at(z: Float64Array, n: number): SourceAt {
    const { m, dk, kernel, s2, lambda, categorical } = this;
    const kz = new Float64Array(m * n);
    const dkz = new Float64Array(m * n);
    for (let a = 0; a < m; a++) {
      for (let i = 0; i < n; i++) {
        const rr = this.r2(this.x, a, z, i);
        kz[a * n + i] = s2 * kappa(kernel, rr);
        dkz[a * n + i] = s2 * kappaPrime(kernel, rr);
      }
    }
    const mu = new Float64Array(n);
    const dmu = new Float64Array(n * dk);
    for (let i = 0; i < n; i++) {
      let s = this.mean;
      for (let a = 0; a < m; a++) {
        const w = this.alpha[a] ?? 0;
        s += w * (kz[a * n + i] ?? 0);
        const c = 2 * w * (dkz[a * n + i] ?? 0);
        for (let d = 0; d < dk; d++) {
          if (categorical[d] === 1) continue;
          dmu[i * dk + d] =
            (dmu[i * dk + d] ?? 0) +
            c * (lambda[d] ?? 0) * ((z[i * dk + d] ?? 0) - (this.x[a * dk + d] ?? 0));
        }
      }
      mu[i] = s;
    }
    // A = K^-1 kz, column by column.
    const a2 = new Float64Array(m * n);
    const col = new Float64Array(m);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < m; a++) col[a] = kz[a * n + i] ?? 0;
      solveLower(this.l, m, col);
      solveUpperT(this.l, m, col);
      for (let a = 0; a < m; a++) a2[a * n + i] = col[a] ?? 0;
    }
    const cov = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let s = this.cov(z, i, z, j);
        for (let a = 0; a < m; a++) s -= (kz[a * n + i] ?? 0) * (a2[a * n + j] ?? 0);
        cov[i * n + j] = s;
        cov[j * n + i] = s;
      }
    }
    return { z, n, mu, dmu, cov, dkz, a: a2 };
  }

  /**
   * out[d] = sum_ij W_ij dS_ij/ddelta_d for the covariance S at z = P x - delta (W symmetric, n x n).
   * S(z_i, z_j) = k(z_i, z_j) - k(z_i, Z) A_j: the stationary part does not move with delta, so
   * dS_ij/ddelta_d = sum_a G_d[a, i] A[a, j] + G_d[a, j] A[a, i] with G_d[a, i] = dk(z_i, Z_a)/dz_id.
   */
  traceShiftGradient(at: SourceAt, w: Float64Array, out: Float64Array): void {
    const { m, dk, lambda, categorical } = this;
    const { n, z, dkz, a } = at;
    const aw = new Float64Array(m * n);
    for (let r = 0; r < m; r++) {
      for (let j = 0; j < n; j++) {
        const arj = a[r * n + j] ?? 0;
        if (arj === 0) continue;
        for (let i = 0; i < n; i++) aw[r * n + i] = (aw[r * n + i] ?? 0) + arj * (w[j * n + i] ?? 0);
      }
    }
    out.fill(0);
    for (let r = 0; r < m; r++) {
      for (let i = 0; i < n; i++) {
        const c = 2 * (dkz[r * n + i] ?? 0) * (aw[r * n + i] ?? 0);
        for (let d = 0; d < dk; d++) {
          if (categorical[d] === 1) continue;
          out[d] =
            (out[d] ?? 0) + 2 * c * (lambda[d] ?? 0) * ((z[i * dk + d] ?? 0) - (this.x[r * dk + d] ?? 0));
        }
      }
    }
  }
}

export interface SourceAt {
  z: Float64Array;
  n: number;
  mu: Float64Array;
  dmu: Float64Array;
  cov: Float64Array;
  dkz: Float64Array;
  a: Float64Array;
}

/** Indices of at most `limit` rows: the best half by y (largest), then evenly spaced others. */
export function representativeRows(y: ArrayLike<number>, n: number, limit: number): number[] {
  if (n <= limit) return Array.from({ length: n }, (_, i) => i);
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => (y[j] ?? 0) - (y[i] ?? 0) || i - j);
  const best = order.slice(0, Math.floor(limit / 2));
  const rest = order.slice(best.length).sort((i, j) => i - j);
  const more = limit - best.length;
  const picked = Array.from({ length: more }, (_, i) => rest[Math.floor((i * rest.length) / more)] ?? 0);
  return [...best, ...picked].sort((i, j) => i - j);
}

/** Target points in each source's coordinates: z_k = P_k x - delta_k (n x d_k). */
function project(
  x: ArrayLike<number>,
  n: number,
  dim: number,
  dims: readonly number[],
  shift: ArrayLike<number>,
) {
  const dk = dims.length;
  const z = new Float64Array(n * dk);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dk; j++) z[i * dk + j] = (x[i * dim + (dims[j] ?? 0)] ?? 0) - (shift[j] ?? 0);
  }
  return z;
}

/**
 * Negative log posterior of the target's parameters theta = [log lambda_1..D, log s2_g, log noise,
 * c, b_1..K, delta_1..K] (D + 3 + K + sum_k d_k), with gradient. Priors: gp.ts's on the first D + 3,
 * Normal(0, SCALE_PRIOR_STD^2) on each b_k and Normal(0, SHIFT_PRIOR_STD^2) per shift coordinate.
 */
interface Factored {
  ats: SourceAt[];
  l: Float64Array;
  kinv: Float64Array;
  alpha: Float64Array;
  resid: Float64Array;
  quad: number;
  kPair: Float64Array;
  dKdr2: Float64Array;
  s2: number;
  noise: number;
}

export class CoregionalNegLogPosterior {
  private readonly d2: Float64Array;
  private readonly pairs: number;
  readonly size: number;

  constructor(
    private readonly data: GpData,
    private readonly sources: readonly SourceFactor[],
    private readonly dims: readonly (readonly number[])[],
    private readonly kernel: KernelKind,
    private readonly prior: HyperPrior = DEFAULT_PRIOR,
  ) {
    const { n, dim } = data;
    this.pairs = (n * (n - 1)) / 2;
    this.d2 = pairwiseDelta2(data.x, n, dim, data.categorical);
    this.size = dim + 3 + sources.length + dims.reduce((s, d) => s + d.length, 0);
  }

  /** K, its factor and inverse, the residual and alpha at theta; null when K is not positive definite. */
  private factor(theta: Float64Array): Factored | null {
    const { n, dim, y, x } = this.data;
    const { d2, pairs, sources } = this;
    const K = sources.length;
    const s2 = Math.exp(theta[dim] ?? 0);
    const noise = Math.exp(theta[dim + 1] ?? 0);
    const c = theta[dim + 2] ?? 0;
    const ats: SourceAt[] = [];
    let offset = dim + 3 + K;
    for (let k = 0; k < K; k++) {
      const dk = this.dims[k]?.length ?? 0;
      const src = sources[k] as SourceFactor;
      ats.push(src.at(project(x, n, dim, this.dims[k] ?? [], theta.subarray(offset, offset + dk)), n));
      offset += dk;
    }
    const r2 = new Float64Array(pairs);
    for (let d = 0; d < dim; d++) {
      const lambda = Math.exp(theta[d] ?? 0);
      for (let p = 0; p < pairs; p++) r2[p] = (r2[p] ?? 0) + lambda * (d2[d * pairs + p] ?? 0);
    }
    const kmat = new Float64Array(n * n);
    const kPair = new Float64Array(pairs);
    const dKdr2 = new Float64Array(pairs);
    let p = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++, p++) {
        const rr = r2[p] ?? 0;
        const kv = s2 * kappa(this.kernel, rr);
        kPair[p] = kv;
        dKdr2[p] = s2 * kappaPrime(this.kernel, rr);
        kmat[i * n + j] = kv;
        kmat[j * n + i] = kv;
      }
      kmat[i * n + i] = s2 + noise;
    }
    const resid = new Float64Array(n);
    for (let i = 0; i < n; i++) resid[i] = (y[i] ?? 0) - c;
    ats.forEach((at, k) => {
      const b = theta[dim + 3 + k] ?? 0;
      for (let i = 0; i < n * n; i++) kmat[i] = (kmat[i] ?? 0) + b * b * (at.cov[i] ?? 0);
      for (let i = 0; i < n; i++) resid[i] = (resid[i] ?? 0) - b * (at.mu[i] ?? 0);
    });
    const l = new Float64Array(n * n);
    if (choleskyWithJitter(kmat, n, l, 0, 4) < 0) return null;
    const kinv = new Float64Array(n * n);
    cholInverse(l, n, kinv);
    const alpha = new Float64Array(n);
    let quad = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += (kinv[i * n + j] ?? 0) * (resid[j] ?? 0);
      alpha[i] = s;
      quad += (resid[i] ?? 0) * s;
    }
    return { ats, l, kinv, alpha, resid, quad, kPair, dKdr2, s2, noise };
  }

  evaluate = (theta: Float64Array, grad: Float64Array): number => {
    const { n, dim } = this.data;
    const { d2, pairs, sources } = this;
    const K = sources.length;
    const f = this.factor(theta);
    if (!f) {
      grad.fill(0);
      return Number.POSITIVE_INFINITY;
    }
    const { ats, l, kinv, alpha, quad, kPair, dKdr2, s2, noise } = f;
    let offset = dim + 3 + K;
    let p = 0;
    const lml = -0.5 * quad - logDetHalf(l, n) - 0.5 * n * LOG_2PI;

    grad.fill(0);
    // W = alpha alpha^T - K^-1; dLML/dt = 1/2 tr(W dK/dt).
    const w = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) w[i * n + j] = (alpha[i] ?? 0) * (alpha[j] ?? 0) - (kinv[i * n + j] ?? 0);
    }
    let traceW = 0;
    for (let i = 0; i < n; i++) traceW += w[i * n + i] ?? 0;
    let gSignal = 0;
    const wPair = new Float64Array(pairs);
    p = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++, p++) {
        const wij = w[i * n + j] ?? 0;
        wPair[p] = wij * (dKdr2[p] ?? 0);
        gSignal += wij * (kPair[p] ?? 0);
      }
    }
    for (let d = 0; d < dim; d++) {
      const lambda = Math.exp(theta[d] ?? 0);
      let s = 0;
      for (let q = 0; q < pairs; q++) s += (wPair[q] ?? 0) * (d2[d * pairs + q] ?? 0);
      grad[d] = lambda * s;
    }
    grad[dim] = gSignal + 0.5 * traceW * s2;
    grad[dim + 1] = 0.5 * traceW * noise;
    let sumAlpha = 0;
    for (let i = 0; i < n; i++) sumAlpha += alpha[i] ?? 0;
    grad[dim + 2] = sumAlpha;
    let lp = logPrior(this.prior, theta, dim, grad);
    const vb = SCALE_PRIOR_STD * SCALE_PRIOR_STD;
    const vs = SHIFT_PRIOR_STD * SHIFT_PRIOR_STD;
    offset = dim + 3 + K;
    ats.forEach((at, k) => {
      const b = theta[dim + 3 + k] ?? 0;
      const src = sources[k] as SourceFactor;
      const dk = src.dk;
      let gm = 0;
      for (let i = 0; i < n; i++) gm += (alpha[i] ?? 0) * (at.mu[i] ?? 0);
      let ws = 0;
      for (let i = 0; i < n * n; i++) ws += (w[i] ?? 0) * (at.cov[i] ?? 0);
      grad[dim + 3 + k] = gm + b * ws - b / vb;
      lp -= (0.5 * b * b) / vb;
      const tr = new Float64Array(dk);
      if (b !== 0) src.traceShiftGradient(at, w, tr);
      for (let d = 0; d < dk; d++) {
        const delta = theta[offset + d] ?? 0;
        let t = 0;
        for (let i = 0; i < n; i++) t += (alpha[i] ?? 0) * (at.dmu[i * dk + d] ?? 0);
        // z = P x - delta: d/ddelta = -d/dz for the mean; the covariance term as derived above.
        grad[offset + d] = -b * t + 0.5 * b * b * (tr[d] ?? 0) - delta / vs;
        lp -= (0.5 * delta * delta) / vs;
      }
      offset += dk;
    });
    for (let i = 0; i < grad.length; i++) grad[i] = -(grad[i] ?? 0);
    return -(lml + lp);
  };
}

/** Which transfer parameters a fit learns (fitCoregional). */
export type TransferMode = 'none' | 'scale' | 'shift';
export const TRANSFER_MODES: readonly TransferMode[] = ['none', 'scale', 'shift'];

export interface CoregionalFit {
  theta: Float64Array;
  /** Learned scale, shift and inter-task correlation per source. */
  scales: Float64Array;
  shifts: Float64Array[];
  correlations: Float64Array;
  objective: number;
}

/** Correlation between source k and the target implied by theta. */
function correlations(theta: Float64Array, dim: number, sources: readonly SourceFactor[]): Float64Array {
  const s2g = Math.exp(theta[dim] ?? 0);
  return Float64Array.from(sources, (src, k) => {
    const b = theta[dim + 3 + k] ?? 0;
    const shared = b * b * src.s2;
    return (Math.sign(b) * Math.sqrt(shared)) / Math.sqrt(shared + s2g);
  });
}

/** Per-source least-squares slope of y on mu_k (centered), clamped to the scale bounds. */
function leastSquaresSlope(y: ArrayLike<number>, mu: ArrayLike<number>, n: number): number {
  let ym = 0;
  let mm = 0;
  for (let i = 0; i < n; i++) {
    ym += y[i] ?? 0;
    mm += mu[i] ?? 0;
  }
  ym /= Math.max(1, n);
  mm /= Math.max(1, n);
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += ((mu[i] ?? 0) - mm) * ((y[i] ?? 0) - ym);
    sxx += ((mu[i] ?? 0) - mm) ** 2;
  }
  return sxx > 1e-12 ? Math.min(SCALE_BOUND, Math.max(-SCALE_BOUND, sxy / sxx)) : 0;
}

/**
 * MAP fit of the coregional model on the target data. Two starts: no transfer (b = 0) and each scale
 * at its least-squares value with the residual's signal small; the better optimum wins. `mode`:
 * `none` pins scales and shifts at zero (the target's own GP), `scale` pins the shifts, `shift`
 * learns both.
 */
export function fitCoregional(
  data: GpData,
  sources: readonly SourceFactor[],
  dims: readonly (readonly number[])[],
  options: GpOptions,
  mode: TransferMode = 'shift',
): CoregionalFit {
  const { dim, n } = data;
  const K = sources.length;
  const nlp = new CoregionalNegLogPosterior(data, sources, dims, options.kernel);
  const size = nlp.size;
  const [lo3, hi3] = thetaBounds(dim, options.noiseFloor, options.deterministic);
  const lo = new Float64Array(size);
  const hi = new Float64Array(size);
  lo.set(lo3);
  hi.set(hi3);
  for (let i = dim + 3; i < size; i++) {
    const scale = i < dim + 3 + K;
    const bound = scale ? (mode === 'none' ? 0 : SCALE_BOUND) : mode === 'shift' ? SHIFT_BOUND : 0;
    lo[i] = -bound;
    hi[i] = bound;
  }
  const base = new Float64Array(size);
  base[dim + 1] = Math.max(lo[dim + 1] ?? 0, Math.log(Math.max(options.noiseFloor, 1e-2)));
  const starts: Float64Array[] = [base];
  const scaled = Float64Array.from(base);
  scaled[dim] = Math.log(0.1);
  sources.forEach((src, k) => {
    const at = src.at(project(data.x, n, dim, dims[k] ?? [], new Float64Array(src.dk)), n);
    scaled[dim + 3 + k] = leastSquaresSlope(data.y, at.mu, n);
  });
  if (mode !== 'none') starts.push(scaled);
  let best: { x: Float64Array; f: number } = { x: base, f: Number.POSITIVE_INFINITY };
  for (const x0 of starts) {
    const r = minimizeLbfgsb(nlp.evaluate, x0, {
      lower: lo,
      upper: hi,
      maxIterations: 100,
      pgtol: 1e-4,
      ftol: 1e-7,
    });
    if (Number.isFinite(r.f) && r.f < best.f) best = { x: r.x, f: r.f };
  }
  const theta = best.x;
  const shifts: Float64Array[] = [];
  let offset = dim + 3 + K;
  for (const src of sources) {
    shifts.push(theta.slice(offset, offset + src.dk));
    offset += src.dk;
  }
  return {
    theta,
    scales: theta.slice(dim + 3, dim + 3 + K),
    shifts,
    correlations: correlations(theta, dim, sources),
    objective: best.f,
  };
}

/**
 * The joint posterior of the target's latent function given the source rows and the target rows
 * (one GP over both, the coregional kernel between them), with gradients in x.
 */
export class CoregionalPosterior {
  private readonly rows: number;
  private readonly l: Float64Array;
  private readonly alpha: Float64Array;
  private readonly lambda: Float64Array;
  private readonly s2: number;
  private readonly noise: number;
  private readonly priorMean: number;
  private readonly priorVar: number;
  readonly dim: number;

  constructor(
    readonly data: GpData,
    readonly sources: readonly SourceFactor[],
    readonly dims: readonly (readonly number[])[],
    readonly fit: CoregionalFit,
    private readonly kernel: KernelKind,
  ) {
    const { n, dim, x, y } = data;
    this.dim = dim;
    // only the GP's entries: the scales and shifts after them would read as additive weights
    const hyper = thetaToHyper(fit.theta.subarray(0, dim + 3), dim);
    this.lambda = hyper.invSqLengthscales;
    this.s2 = hyper.signalVar;
    this.noise = hyper.noiseVar;
    let mean = hyper.mean;
    let priorVar = this.s2;
    sources.forEach((src, k) => {
      const b = fit.scales[k] ?? 0;
      mean += b * src.mean;
      priorVar += b * b * src.s2;
    });
    this.priorMean = mean;
    this.priorVar = priorVar;
    const m = sources.reduce((s, src) => s + src.m, 0);
    const rows = m + n;
    this.rows = rows;
    const kmat = new Float64Array(rows * rows);
    const target = this.targetCoords(x, n);
    let base = 0;
    sources.forEach((src, k) => {
      const b = fit.scales[k] ?? 0;
      for (let a = 0; a < src.m; a++) {
        for (let c = 0; c <= a; c++) {
          const v = src.cov(src.x, a, src.x, c) + (a === c ? src.noise : 0);
          kmat[(base + a) * rows + base + c] = v;
          kmat[(base + c) * rows + base + a] = v;
        }
        for (let i = 0; i < n; i++) {
          const v = b * src.cov(src.x, a, target[k] as Float64Array, i);
          kmat[(base + a) * rows + m + i] = v;
          kmat[(m + i) * rows + base + a] = v;
        }
      }
      base += src.m;
    });
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const v = this.targetCov(x, i, x, j, target, target) + (i === j ? this.noise : 0);
        kmat[(m + i) * rows + m + j] = v;
        kmat[(m + j) * rows + m + i] = v;
      }
    }
    this.l = new Float64Array(rows * rows);
    if (choleskyWithJitter(kmat, rows, this.l, 0, 8) < 0)
      throw new Error('coregional covariance is not positive definite');
    this.alpha = new Float64Array(rows);
    base = 0;
    for (const src of sources) {
      for (let a = 0; a < src.m; a++) this.alpha[base + a] = (src.y[a] ?? 0) - src.mean;
      base += src.m;
    }
    for (let i = 0; i < n; i++) this.alpha[m + i] = (y[i] ?? 0) - mean;
    solveLower(this.l, rows, this.alpha);
    solveUpperT(this.l, rows, this.alpha);
  }

  private targetCoords(x: ArrayLike<number>, n: number): Float64Array[] {
    return this.sources.map((_, k) => project(x, n, this.dim, this.dims[k] ?? [], this.fit.shifts[k] ?? []));
  }

  /** Covariance of f_t between row i of u and row j of v (with their source coordinates). */
  private targetCov(
    u: ArrayLike<number>,
    i: number,
    v: ArrayLike<number>,
    j: number,
    zu: readonly Float64Array[],
    zv: readonly Float64Array[],
  ): number {
    const { dim, lambda } = this;
    const categorical = this.data.categorical;
    let rr = 0;
    for (let d = 0; d < dim; d++) {
      const diff = (u[i * dim + d] ?? 0) - (v[j * dim + d] ?? 0);
      rr += (lambda[d] ?? 0) * (categorical[d] === 1 ? (diff === 0 ? 0 : 1) : diff * diff);
    }
    let s = this.s2 * kappa(this.kernel, rr);
    this.sources.forEach((src, k) => {
      const b = this.fit.scales[k] ?? 0;
      if (b !== 0) s += b * b * src.cov(zu[k] as Float64Array, i, zv[k] as Float64Array, j);
    });
    return s;
  }

  /** Mean and variance of f_t at x (shape: D), with gradients when dMean and dVar are given. */
  predict(
    x: ArrayLike<number>,
    dMean?: Float64Array,
    dVar?: Float64Array,
  ): { mean: number; variance: number } {
    const { rows, dim, data, lambda } = this;
    const n = data.n;
    const kstar = new Float64Array(rows);
    const grads = dMean ? new Float64Array(rows * dim) : null;
    const zq = this.targetCoords(x, 1);
    const zt = this.targetCoords(data.x, n);
    let base = 0;
    this.sources.forEach((src, k) => {
      const b = this.fit.scales[k] ?? 0;
      const z = zq[k] as Float64Array;
      const dims = this.dims[k] ?? [];
      for (let a = 0; a < src.m; a++) {
        const rr = src.r2(src.x, a, z, 0);
        kstar[base + a] = b * src.s2 * kappa(this.kernel, rr);
        if (grads) {
          const c = 2 * b * src.s2 * kappaPrime(this.kernel, rr);
          for (let j = 0; j < src.dk; j++) {
            if (src.categorical[j] === 1) continue;
            grads[(base + a) * dim + (dims[j] ?? 0)] =
              c * (src.lambda[j] ?? 0) * ((z[j] ?? 0) - (src.x[a * src.dk + j] ?? 0));
          }
        }
      }
      base += src.m;
    });
    const categorical = data.categorical;
    for (let i = 0; i < n; i++) {
      let rr = 0;
      for (let d = 0; d < dim; d++) {
        const diff = (x[d] ?? 0) - (data.x[i * dim + d] ?? 0);
        rr += (lambda[d] ?? 0) * (categorical[d] === 1 ? (diff === 0 ? 0 : 1) : diff * diff);
      }
      let s = this.s2 * kappa(this.kernel, rr);
      const row = (base + i) * dim;
      if (grads) {
        const c = 2 * this.s2 * kappaPrime(this.kernel, rr);
        for (let d = 0; d < dim; d++) {
          if (categorical[d] === 1) continue;
          grads[row + d] = c * (lambda[d] ?? 0) * ((x[d] ?? 0) - (data.x[i * dim + d] ?? 0));
        }
      }
      this.sources.forEach((src, k) => {
        const b = this.fit.scales[k] ?? 0;
        if (b === 0) return;
        const rs = src.r2(zq[k] as Float64Array, 0, zt[k] as Float64Array, i);
        s += b * b * src.s2 * kappa(this.kernel, rs);
        if (!grads) return;
        const c = 2 * b * b * src.s2 * kappaPrime(this.kernel, rs);
        const dims = this.dims[k] ?? [];
        const z = zq[k] as Float64Array;
        const zi = zt[k] as Float64Array;
        for (let j = 0; j < src.dk; j++) {
          if (src.categorical[j] === 1) continue;
          const d = dims[j] ?? 0;
          grads[row + d] =
            (grads[row + d] ?? 0) + c * (src.lambda[j] ?? 0) * ((z[j] ?? 0) - (zi[i * src.dk + j] ?? 0));
        }
      });
      kstar[base + i] = s;
    }
    let mean = this.priorMean;
    for (let r = 0; r < rows; r++) mean += (kstar[r] ?? 0) * (this.alpha[r] ?? 0);
    const v = Float64Array.from(kstar);
    solveLower(this.l, rows, v);
    let vv = 0;
    for (let r = 0; r < rows; r++) vv += (v[r] ?? 0) ** 2;
    const variance = Math.max(0, this.priorVar - vv);
    if (grads && dMean && dVar) {
      solveUpperT(this.l, rows, v); // K^-1 k*
      dMean.fill(0);
      dVar.fill(0);
      for (let r = 0; r < rows; r++) {
        const am = this.alpha[r] ?? 0;
        const av = -2 * (v[r] ?? 0);
        for (let d = 0; d < dim; d++) {
          const g = grads[r * dim + d] ?? 0;
          dMean[d] = (dMean[d] ?? 0) + am * g;
          dVar[d] = (dVar[d] ?? 0) + av * g;
        }
      }
    }
    return { mean, variance };
  }
}

/** The acquisition over the coregional posterior. */
export class CoregionalAcquisition implements AcquisitionFunction {
  private readonly dMean: Float64Array;
  private readonly dVar: Float64Array;
  constructor(
    readonly posterior: CoregionalPosterior,
    readonly spec: AcquisitionSpec,
  ) {
    this.dMean = new Float64Array(posterior.dim);
    this.dVar = new Float64Array(posterior.dim);
  }

  values(xs: Float64Array, count: number, out: Float64Array): void {
    const dim = this.posterior.dim;
    for (let i = 0; i < count; i++) out[i] = this.value(xs.subarray(i * dim, (i + 1) * dim));
  }

  /** Exact values (a valid bound): the joint posterior is small, screening would save little. */
  upperBounds(xs: Float64Array, count: number, out: Float64Array): void {
    this.values(xs, count, out);
  }

  value(x: ArrayLike<number>): number {
    const p = this.posterior.predict(x);
    return acquisitionValue(this.spec, p.mean, p.variance);
  }

  valueAndGradient(x: ArrayLike<number>, grad: Float64Array): number {
    const p = this.posterior.predict(x, this.dMean, this.dVar);
    const a = evaluateAcquisition(this.spec, p.mean, p.variance);
    for (let d = 0; d < grad.length; d++) {
      grad[d] = a.dMean * (this.dMean[d] ?? 0) + a.dVariance * (this.dVar[d] ?? 0);
    }
    return a.value;
  }
}

/** The fitted coregional model of a target given its sources, in the target's standardized units. */
export interface CoregionalModel {
  posterior: CoregionalPosterior;
  /** The posterior also conditioned on pending points at their believed means. */
  withPending: CoregionalPosterior;
  target: TargetTransform;
  best: number;
  fit: CoregionalFit;
}

/**
 * Fits the coregional model: each source's GP (fitSourceModels, cached), then the target's
 * parameters by MAP on the first min(fitPrefixLength(n), TRANSFER_FIT_MAX) observations (the
 * checkpoints of model.ts), conditioned on all of them. Null without a usable source or with fewer
 * than MIN_TARGET_OBSERVATIONS target observations.
 */
export function fitCoregionalModel(
  space: ParsedSearchSpace,
  obs: Observations,
  pending: readonly Float64Array[],
  sources: ReadonlyArray<SourceStudy>,
  options: GpOptions,
  cache: ModelCache = processModelCache,
): CoregionalModel | null {
  if (obs.n < MIN_TARGET_OBSERVATIONS || sources.length === 0) return null;
  const models = fitSourceModels(space, sources, options, cache);
  if (models.length === 0) return null;
  const factors = models.map((m) => new SourceFactor(m, options.kernel));
  const dims = models.map((m) => m.dims);
  const dim = space.dimension;
  const warp = options.outputWarping === 'yeo-johnson';
  const categorical = new Uint8Array(space.dims.map((d) => (d.kind === 'categorical' ? 1 : 0)));
  const target = transformTargets(obs.g, obs.n, warp);
  const m = Math.min(fitPrefixLength(obs.n), TRANSFER_FIT_MAX);
  const prefix = m === obs.n ? target : transformTargets(obs.g.subarray(0, m), m, warp);
  const fitData: GpData = {
    x: obs.x.subarray(0, m * dim),
    y: prefix.y.subarray(0, m),
    n: m,
    dim,
    categorical,
  };
  const key = [
    'coregional',
    options.kernel,
    options.noiseFloor,
    options.deterministic,
    m,
    dim,
    ...dims.map((d) => d.join(',')),
    hashFloats(fitData.x, 0x9747b28c),
    hashFloats(fitData.y, 0x1b873593),
    ...factors.map((f) => `${hashFloats(f.x, 0x85ebca6b)}/${hashFloats(f.y, 0xc2b2ae35)}/${f.s2}/${f.noise}`),
    ...factors.map((f) => hashFloats(f.lambda, 0x27d4eb2f)),
  ].join(':');
  let cv = cache.recallCoregionalCv(key);
  if (cv === undefined) {
    cv = crossValidatedScores(fitData, factors, dims, options);
    cache.rememberCoregionalCv(key, cv);
  }
  // The mode that predicts held-out target rows best; none: the cold start's own path.
  let mode: TransferMode = 'none';
  let top = cv[0] ?? Number.NEGATIVE_INFINITY;
  TRANSFER_MODES.forEach((m, j) => {
    if ((cv?.[j] ?? Number.NEGATIVE_INFINITY) > top) {
      top = cv?.[j] ?? top;
      mode = m;
    }
  });
  if (mode === 'none') return null;
  const fitKey = `${key}:${mode}`;
  let fit = cache.recallCoregionalFit(fitKey);
  if (!fit) {
    fit = fitCoregional(fitData, factors, dims, options, mode);
    cache.rememberCoregionalFit(fitKey, fit);
  }
  const data: GpData = {
    x: obs.x.subarray(0, obs.n * dim),
    y: target.y.subarray(0, obs.n),
    n: obs.n,
    dim,
    categorical,
  };
  const posterior = new CoregionalPosterior(data, factors, dims, fit, options.kernel);
  let best = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < obs.n; i++) best = Math.max(best, target.y[i] ?? Number.NEGATIVE_INFINITY);
  let withPending = posterior;
  if (pending.length > 0) {
    // Kriging believer: each pending point at the mean of the model before it.
    const x = new Float64Array((obs.n + pending.length) * dim);
    const y = new Float64Array(obs.n + pending.length);
    x.set(data.x);
    y.set(data.y);
    pending.forEach((p, j) => {
      const believed = posterior.predict(p).mean;
      x.set(p, (obs.n + j) * dim);
      y[obs.n + j] = believed;
      best = Math.max(best, believed);
    });
    withPending = new CoregionalPosterior(
      { x, y, n: obs.n + pending.length, dim, categorical },
      factors,
      dims,
      fit,
      options.kernel,
    );
  }
  return { posterior, withPending, target, best, fit };
}

/**
 * Two-fold cross-validated log predictive density of each transfer mode (TRANSFER_MODES order):
 * each model is refitted on the even and on the odd target rows and scored on the others, so a
 * source or a shift counts only when it predicts target values that chose none of its parameters.
 * The marginal likelihood of MAP parameters is not enough: a learned shift searches over alignments
 * of the source landscape, and on a few points some alignment of an unrelated landscape always fits
 * (transfer.test.ts: MAP |rho| 0.45-0.95 on sources of correlation 0), and the transferred model is
 * then confidently wrong.
 */
export function crossValidatedScores(
  data: GpData,
  sources: readonly SourceFactor[],
  dims: readonly (readonly number[])[],
  options: GpOptions,
): number[] {
  const { n, dim } = data;
  const scores = TRANSFER_MODES.map(() => 0);
  for (const fold of [0, 1]) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < n; i++) (i % 2 === fold ? test : train).push(i);
    if (train.length < 2 || test.length === 0) continue;
    const part: GpData = {
      x: Float64Array.from(train.flatMap((i) => Array.from(data.x.subarray(i * dim, (i + 1) * dim)))),
      y: Float64Array.from(train, (i) => data.y[i] ?? 0),
      n: train.length,
      dim,
      categorical: data.categorical,
    };
    TRANSFER_MODES.forEach((mode, j) => {
      const fit = fitCoregional(part, sources, dims, options, mode);
      const post = new CoregionalPosterior(part, sources, dims, fit, options.kernel);
      const noise = Math.exp(fit.theta[dim + 1] ?? 0);
      for (const i of test) {
        const p = post.predict(data.x.subarray(i * dim, (i + 1) * dim));
        const v = p.variance + noise;
        scores[j] =
          (scores[j] ?? 0) - 0.5 * Math.log(2 * Math.PI * v) - (0.5 * ((data.y[i] ?? 0) - p.mean) ** 2) / v;
      }
    });
  }
  return scores;
}

/**
 * The best `count` rows of each source moved into the target by the learned shift (shared
 * coordinates; the others from `fill`), clamped to the unit cube: where the transferred model puts
 * the target's optimum, as starts of the acquisition search (a shifted optimum is a narrow peak that
 * QMC candidates rarely hit in several dimensions).
 */
export function mappedSourceOptima(
  model: CoregionalModel,
  fill: Float64Array,
  count: number,
): Float64Array[] {
  const out: Float64Array[] = [];
  const { sources, dims, fit } = model.posterior;
  sources.forEach((src, k) => {
    if ((fit.scales[k] ?? 0) <= 0) return;
    const order = Array.from({ length: src.m }, (_, a) => a).sort(
      (a, b) => (src.y[b] ?? 0) - (src.y[a] ?? 0) || a - b,
    );
    for (const a of order.slice(0, count)) {
      const x = Float64Array.from(fill);
      (dims[k] ?? []).forEach((d, j) => {
        x[d] = Math.min(1, Math.max(0, (src.x[a * src.dk + j] ?? 0) + (fit.shifts[k]?.[j] ?? 0)));
      });
      out.push(x);
    }
  });
  return out;
}
