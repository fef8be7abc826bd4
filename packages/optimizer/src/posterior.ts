import { ModelFittingError } from './errors.js';
import type { FactorCache } from './factor-cache.js';
import type { GpData, GpHyperparameters } from './gp.js';
import {
  additiveCovariances,
  covariance,
  covariances,
  fastKernelSums,
  inputGradients,
  type KernelKind,
  kappaTail,
  squaredDistance,
  squaredDistances,
} from './kernel.js';
import { cholesky, choleskyWithJitter, dot, solveLower, solveLower4, solveUpperT } from './linalg.js';

/**
 * Posterior of the latent function given data and fixed hyperparameters (gp.ts's notation):
 *   mean(x*) = m + k*^T alpha,   var(x*) = s2 - |L^-1 k*|^2.
 * With a FactorCache, a posterior whose data extend a cached factor's rows computes only the new
 * rows of L (factor-cache.ts).
 */
export class GpPosterior {
  readonly n: number;
  readonly dim: number;
  private readonly l: Float64Array;
  private readonly alpha: Float64Array;
  private readonly kstar: Float64Array;
  private readonly v: Float64Array;
  /** Scratch of predict() and kernelSum(): s2 * dkappa/d(r2) per observation. */
  private readonly dk: Float64Array;
  /** X dimension-major (x[d * n + i]), for kernelVector. */
  private readonly xt: Float64Array;
  /** Largest diagonal entry of the factored matrix: s2 + noise (+ jitter when it was needed). */
  private readonly diag: number;
  private batch = new Float64Array(0);
  private columns = new Float64Array(0);
  private readonly norms = new Float64Array(4);
  /**
   * Counts predictForGradient() calls: a caller that remembers its value at the kept point can tell
   * whether the kept state is still that point's.
   */
  keptStamp = 0;
  /** predictForGradient's point, L^-1 k* and s2 dkappa/d(r2) there, for gradientAtLast. */
  private readonly lastX: Float64Array;
  private readonly lastV: Float64Array;
  private readonly lastDk: Float64Array;
  private readonly sums = new Float64Array(4);
  private scratch = new Float64Array(0);
  /** Additive kernel (gp.ts): dk_i/dx_d per observation (D x n), of kernelVector's latest point and of predictForGradient's. */
  private readonly gAdd: Float64Array;
  private readonly lastGAdd: Float64Array;

  constructor(
    readonly data: GpData,
    readonly kernel: KernelKind,
    readonly hyper: GpHyperparameters,
    factors?: FactorCache,
  ) {
    const { n, dim, x, y, categorical, noiseScale } = data;
    this.n = n;
    this.dim = dim;
    this.l = new Float64Array(n * n);
    const reuse = factors?.find(data, kernel, hyper) ?? null;
    const k = new Float64Array(n * n);
    const lambda = hyper.invSqLengthscales;
    const s2 = hyper.signalVar;
    this.xt = new Float64Array(n * dim);
    for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) this.xt[d * n + i] = x[i * dim + d] as number;
    const additive = hyper.additive;
    // Rows from..to-1 of the lower triangle of K (the only part the factorization reads).
    const fillRows = (from: number, to: number): void => {
      for (let i = from; i < to; i++) {
        const ri = i * n;
        if (additive) {
          const row = k.subarray(ri, ri + i);
          additiveCovariances(
            kernel,
            s2,
            additive,
            lambda,
            categorical,
            x,
            i * dim,
            this.xt,
            n,
            i,
            dim,
            row,
            null,
          );
        } else {
          for (let j = 0; j < i; j++) k[ri + j] = squaredDistance(x, i, j, dim, lambda, categorical);
          covariances(kernel, s2, k, k, null, ri, ri + i);
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
    if (factored) factors?.remember(data, kernel, hyper, this.l);
    this.alpha = new Float64Array(n);
    for (let i = 0; i < n; i++) this.alpha[i] = (y[i] ?? 0) - hyper.mean;
    solveLower(this.l, n, this.alpha);
    solveUpperT(this.l, n, this.alpha);
    this.kstar = new Float64Array(n);
    this.v = new Float64Array(n);
    this.dk = new Float64Array(n);
    this.lastX = new Float64Array(dim);
    this.lastV = new Float64Array(n);
    this.lastDk = new Float64Array(n);
    this.gAdd = new Float64Array(additive ? n * dim : 0);
    this.lastGAdd = new Float64Array(additive ? n * dim : 0);
  }

  /** r2(xq, X_i) for every observation i into out (shape: n), with xq = xs[offset .. offset + D). */
  private squaredDistances(xs: ArrayLike<number>, offset: number, out: Float64Array): void {
    const { n, dim, xt } = this;
    squaredDistances(xs, offset, xt, n, dim, this.hyper.invSqLengthscales, this.data.categorical, out);
  }

  /**
   * k* = k(xq, X_i) for every observation i into k (shape: n), with xq = xs[offset .. offset + D),
   * and s2 * dkappa/d(r2) into dk when given; returns the posterior mean m + k*^T alpha at xq.
   */
  private kernelVector(
    xs: ArrayLike<number>,
    offset: number,
    k: Float64Array,
    dk: Float64Array | null,
  ): number {
    const { n, alpha } = this;
    const additive = this.hyper.additive;
    if (additive) {
      // Additive kernel: dk_i/dx_d into gAdd instead of dk.
      const { dim, xt } = this;
      const lambda = this.hyper.invSqLengthscales;
      const g = dk ? this.gAdd : null;
      additiveCovariances(
        this.kernel,
        this.hyper.signalVar,
        additive,
        lambda,
        this.data.categorical,
        xs,
        offset,
        xt,
        n,
        n,
        dim,
        k,
        g,
      );
    } else {
      this.squaredDistances(xs, offset, k);
      covariances(this.kernel, this.hyper.signalVar, k, k, dk, 0, n);
    }
    let mean = this.hyper.mean;
    for (let i = 0; i < n; i++) mean += (k[i] as number) * (alpha[i] as number);
    return mean;
  }

  /**
   * Upper bounds of the posterior mean and variance at `count` points xs (count x D row-major) into
   * outMeanUpper and outVarUpper, in O(n D) per point instead of the O(n^2) of the exact variance.
   * Mean: the kernel values come from fastKernelSums (relative error 2e-12 instead of Math.exp's cost,
   * which dominates here); a relative margin of 1e-9 on every term, kappaTail for the observations
   * beyond its range, and 1e-12 |m| for the rounding of the exact mean's running sum keep
   * the bound above the mean predict() computes. Variance: conditioning on fewer observations never
   * lowers it, so the variance given only the most correlated observation, s2 - k_max^2 / K_ii,
   * bounds it; k_max is the exact kernel at the smallest distance, and the tiny relative margin
   * covers rounding of the exact computation.
   */
  screen(xs: Float64Array, count: number, outMeanUpper: Float64Array, outVarUpper: Float64Array): void {
    const { n, dim, kstar, diag, alpha, kernel, sums } = this;
    const s2 = this.hyper.signalVar;
    const m = this.hyper.mean;
    const tailKappa = kappaTail(kernel);
    const meanSlack = 1e-12 * Math.abs(m);
    if (this.hyper.additive) {
      // No distance to bound kappa by: the exact mean, and the variance given the most correlated observation.
      for (let q = 0; q < count; q++) {
        const mean = this.kernelVector(xs, q * dim, kstar, null);
        let kmax = 0;
        for (let i = 0; i < n; i++) kmax = Math.max(kmax, kstar[i] as number);
        outMeanUpper[q] = mean + 1e-12 * Math.abs(mean) + meanSlack;
        outVarUpper[q] = Math.max(0, s2 - ((kmax * kmax) / diag) * (1 - 1e-9)) + 1e-12 * s2;
      }
      return;
    }
    for (let q = 0; q < count; q++) {
      this.squaredDistances(xs, q * dim, kstar);
      fastKernelSums(kernel, kstar, alpha, n, sums);
      const sum = sums[0] as number;
      const abs = sums[1] as number;
      const tail = sums[2] as number;
      const r2min = sums[3] as number;
      outMeanUpper[q] = m + s2 * (sum + 1e-9 * abs + tailKappa * tail) + meanSlack;
      let kmax = covariance(kernel, s2, r2min);
      if (!(kmax > 0)) kmax = 0;
      outVarUpper[q] = Math.max(0, s2 - ((kmax * kmax) / diag) * (1 - 1e-9)) + 1e-12 * s2;
    }
  }

  /**
   * Posterior mean and variance at `count` points xs (count x D row-major) into outMean and
   * outVar (shape: count). The same numbers as predict() up to rounding; four right-hand sides
   * share each pass over a row of L in the triangular solve (solveLower4).
   *
   * With `keep`, points the caller can reject from an upper bound of their variance may be left
   * unfinished, their outVar NaN (predictBatchKept). Finished points have the same bits either way.
   */
  predictBatch(
    xs: Float64Array,
    count: number,
    outMean: Float64Array,
    outVar: Float64Array,
    keep?: (mean: number, varUpper: number) => boolean,
  ): void {
    if (keep && this.n >= 32) {
      this.predictBatchKept(xs, count, outMean, outVar, keep);
      return;
    }
    const { n, dim, l, kstar, norms } = this;
    const s2 = this.hyper.signalVar;
    const B = 4;
    if (this.batch.length < n * B) this.batch = new Float64Array(n * B);
    const v = this.batch; // layout: v[i * B + b]
    for (let start = 0; start < count; start += B) {
      const m = Math.min(B, count - start);
      for (let b = 0; b < B; b++) {
        // A short last batch solves zero right-hand sides in its free columns: no kernel vectors.
        if (b >= m) {
          for (let i = 0; i < n; i++) v[i * B + b] = 0;
          continue;
        }
        outMean[start + b] = this.kernelVector(xs, (start + b) * dim, kstar, null);
        for (let i = 0; i < n; i++) v[i * B + b] = kstar[i] as number;
      }
      solveLower4(l, n, v, norms);
      for (let b = 0; b < m; b++) outVar[start + b] = Math.max(0, s2 - (norms[b] as number));
    }
  }

  /**
   * predictBatch with keep: the triangular solves run in pieces (the first quarter of the rows, then
   * to a half, three quarters, all), and after each piece s2 - (the squared norm so far) bounds a
   * point's variance from above, exactly (solveLower4). Points for which keep(mean, that bound) is
   * false stop there (outVar NaN); the others are regrouped by four for the next piece, each
   * solution column copied as it stands, so every finished point has the bits of predictBatch.
   * In 6 dimensions at 200 observations the first quarter of the rows (a sixteenth of the work)
   * already explains all but a median 10% of the variance (bench/latency study), so candidate
   * screening (optimize-acquisition.ts) drops most of the candidates it scores there.
   */
  private predictBatchKept(
    xs: Float64Array,
    count: number,
    outMean: Float64Array,
    outVar: Float64Array,
    keep: (mean: number, varUpper: number) => boolean,
  ): void {
    const { n, dim, l, kstar, norms } = this;
    const s2 = this.hyper.signalVar;
    if (this.batch.length < n * 4) this.batch = new Float64Array(n * 4);
    if (this.columns.length < count * n) this.columns = new Float64Array(count * n);
    const v = this.batch; // layout: v[i * 4 + b]
    const cols = this.columns; // point c's right-hand side, then solution: cols[c * n + i]
    const colNorms = new Float64Array(count);
    const active: number[] = [];
    for (let c = 0; c < count; c++) {
      outMean[c] = this.kernelVector(xs, c * dim, kstar, null);
      cols.set(kstar.subarray(0, n), c * n);
      outVar[c] = Number.NaN;
      active.push(c);
    }
    let row = 0;
    for (const to of [n >> 2, n >> 1, (3 * n) >> 2, n]) {
      for (let g = 0; g < active.length; g += 4) {
        const m = Math.min(4, active.length - g);
        for (let b = 0; b < 4; b++) {
          const c = active[g + b] as number;
          for (let i = 0; i < to; i++) v[i * 4 + b] = b < m ? (cols[c * n + i] as number) : 0;
          norms[b] = b < m ? (colNorms[c] as number) : 0;
        }
        solveLower4(l, n, v, norms, row, to);
        for (let b = 0; b < m; b++) {
          const c = active[g + b] as number;
          for (let i = row; i < to; i++) cols[c * n + i] = v[i * 4 + b] as number;
          colNorms[c] = norms[b] as number;
        }
      }
      row = to;
      if (row === n) break;
      // The 1e-12 s2 margin, as in screen(), keeps a caller's bound of a function that is monotone
      // in the variance only up to rounding on the safe side.
      const stillActive = active.filter((c) =>
        keep(outMean[c] as number, Math.max(0, s2 - (colNorms[c] as number)) + 1e-12 * s2),
      );
      active.length = 0;
      active.push(...stillActive);
      if (active.length === 0) return;
    }
    for (const c of active) outVar[c] = Math.max(0, s2 - (colNorms[c] as number));
  }

  /** Posterior mean at xq (shape: D), without the variance: O(n D). */
  mean(xq: ArrayLike<number>): number {
    return this.kernelVector(xq, 0, this.kstar, null);
  }

  /**
   * K^-1 (t - m) for other targets t at the same inputs (shape: n): the weights w of the function
   * m + k(x, X) w that this model's mean would be had it observed t (pathwise conditioning, thompson.ts).
   */
  weightsFor(targets: ArrayLike<number>): Float64Array {
    const { n, l } = this;
    const w = new Float64Array(n);
    for (let i = 0; i < n; i++) w[i] = (targets[i] as number) - this.hyper.mean;
    solveLower(l, n, w);
    solveUpperT(l, n, w);
    return w;
  }

  /**
   * sum_i w_i k(xq, X_i) for weights w (shape: n) and, when grad (shape: D) is given, its gradient
   * in the non-categorical coordinates of xq (zero in categorical ones).
   */
  kernelSum(xq: ArrayLike<number>, w: Float64Array, grad?: Float64Array): number {
    const { n, dim, kstar, v, dk, xt } = this;
    if (this.hyper.additive) {
      this.kernelVector(xq, 0, kstar, grad ? dk : null);
      let sum = 0;
      for (let i = 0; i < n; i++) sum += (kstar[i] as number) * (w[i] as number);
      if (grad) additiveGradients(this.gAdd, n, dim, w, grad);
      return sum;
    }
    this.squaredDistances(xq, 0, kstar);
    covariances(this.kernel, this.hyper.signalVar, kstar, kstar, grad ? dk : null, 0, n);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += (kstar[i] as number) * (w[i] as number);
    if (grad) {
      for (let i = 0; i < n; i++) {
        kstar[i] = 2 * (dk[i] as number) * (w[i] as number);
        v[i] = 0;
      }
      if (this.scratch.length < dim) this.scratch = new Float64Array(dim);
      inputGradients(
        xq,
        xt,
        n,
        dim,
        this.hyper.invSqLengthscales,
        this.data.categorical,
        kstar,
        v,
        grad,
        this.scratch,
      );
    }
    return sum;
  }

  /**
   * Posterior mean and variance of the latent function at xq (shape: D). When dMean and dVar
   * (shape: D) are given, also their gradients with respect to the non-categorical coordinates
   * (gradientAtLast).
   */
  predict(
    xq: ArrayLike<number>,
    dMean?: Float64Array,
    dVar?: Float64Array,
  ): { mean: number; variance: number } {
    if (dMean && dVar) {
      const p = this.predictForGradient(xq);
      this.gradientAtLast(dMean, dVar);
      return p;
    }
    const { n, l, kstar, v } = this;
    const mean = this.kernelVector(xq, 0, kstar, null);
    v.set(kstar);
    solveLower(l, n, v);
    return { mean, variance: Math.max(0, this.hyper.signalVar - dot(v, 0, v, 0, n)) };
  }

  /**
   * predict(xq) (the same bits), keeping what the gradients at xq need (xq, L^-1 k* and s2 dkappa/d(r2))
   * for a later gradientAtLast(): the line search of the acquisition search needs the gradient only
   * at the points it accepts. Only predictForGradient() overwrites the kept state.
   */
  predictForGradient(xq: ArrayLike<number>): { mean: number; variance: number } {
    const { n, dim, l, kstar, lastV: v } = this;
    this.keptStamp++;
    const mean = this.kernelVector(xq, 0, kstar, this.lastDk);
    if (this.hyper.additive) this.lastGAdd.set(this.gAdd);
    v.set(kstar);
    solveLower(l, n, v);
    for (let d = 0; d < dim; d++) this.lastX[d] = xq[d] as number;
    return { mean, variance: Math.max(0, this.hyper.signalVar - dot(v, 0, v, 0, n)) };
  }

  /**
   * Gradients of the mean and variance (shape: D each, zero in categorical coordinates) at the point
   * of the latest predictForGradient() call:
   *   dmu/dx_d = sum_i alpha_i dk_i/dx_d,  dvar/dx_d = -2 sum_i (K^-1 k*)_i dk_i/dx_d,
   * with dk_i/dx_d from kernel.ts (inputGradients) and K^-1 k* = L^-T (L^-1 k*). The kept state is
   * only read, so calling it twice gives the same gradients.
   */
  gradientAtLast(dMean: Float64Array, dVar: Float64Array): void {
    const { n, dim, l, kstar, v, lastDk: dk, alpha, xt } = this;
    v.set(this.lastV);
    solveUpperT(l, n, v); // v <- K^-1 k*
    if (this.hyper.additive) {
      additiveGradients(this.lastGAdd, n, dim, alpha, dMean);
      additiveGradients(this.lastGAdd, n, dim, v, dVar);
      for (let d = 0; d < dim; d++) dVar[d] = -2 * (dVar[d] as number);
      return;
    }
    // Coefficients of inputGradients: 2 dk_i alpha_i for the mean (into the free kstar buffer),
    // -2 (2 dk_i) (K^-1 k*)_i for the variance.
    for (let i = 0; i < n; i++) {
      const g = 2 * (dk[i] as number);
      kstar[i] = g * (alpha[i] as number);
      v[i] = -2 * g * (v[i] as number);
    }
    inputGradients(
      this.lastX,
      xt,
      n,
      dim,
      this.hyper.invSqLengthscales,
      this.data.categorical,
      kstar,
      v,
      dMean,
      dVar,
    );
  }
}

/** out[d] = sum_i c_i g[d * n + i]: the gradient of sum_i c_i k_i given dk_i/dx_d in g (additive kernel). */
function additiveGradients(
  g: Float64Array,
  n: number,
  dim: number,
  c: Float64Array,
  out: Float64Array,
): void {
  for (let d = 0; d < dim; d++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += (c[i] as number) * (g[d * n + i] as number);
    out[d] = s;
  }
}
