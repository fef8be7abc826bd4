import { type KernelKind, kappa, kappaPrime, pairwiseDelta2 } from './kernel.js';
import { choleskyWithJitter, cholInverse, dot, logDetHalf, solveLower, solveUpperT } from './linalg.js';
import { DEFAULT_PRIOR, type HyperPrior, logPrior } from './prior.js';

/**
 * The tree-structured kernel of `conditionalEncoding: 'tree'` (after Jenatton et al. 2017 and
 * Swersky et al. 2013): a sum over the tree's groups (conditional-encoding.ts, TreeStructure) of
 * Matern/RBF terms, each reading only the coordinates active wherever its group is, and on only
 * when both points are in the group:
 *   k(x, x') = s2 / sqrt(W(x) W(x')) sum_c w_c a_c(x) a_c(x') kappa(r2_c(x, x')),
 *   r2_c = sum_{d in S_c} lambda_d delta_d^2,   W(x) = sum_c w_c a_c(x),   w_c = exp(u_c),
 * with a_c the group's 0/1 gate coordinate (the root's is 1). Unrelated branches are independent
 * apart from the root's term (branin's and hartmann3's parameters never meet in one distance), and
 * a parameter that several branches share enters each of their terms with its one lengthscale.
 * Each term is a PSD kernel times the rank-one a_c(x) a_c(x'), the normalization a diagonal
 * scaling, so k is positive definite; and k(x, x) = s2 everywhere, as posterior.ts assumes. W is
 * constant where the gates are, so input gradients come from the kappa terms alone.
 *
 * Hyperparameters v = [log lambda (M), log s2, log noise, mean, u (C)], u ~ Normal(0, U_PRIOR_STD^2)
 * (the normalization makes k invariant to a common shift of u; the prior fixes it).
 */
export interface TreeStructure {
  /** Per component: the model coordinate of its gate, or -1 for the root (always on). Shape: C. */
  readonly gates: Int32Array;
  /** members[c * M + d] = 1 when model coordinate d enters component c's distance. Shape: C x M. */
  readonly members: Uint8Array;
}

export interface TreeKernel extends TreeStructure {
  /** w_c, shape: C. */
  readonly weights: Float64Array;
}

export const TREE_U_BOUND = 5;
const U_PRIOR_STD = 2;
const LOG_2PI = Math.log(2 * Math.PI);

let scratch = new Float64Array(0);

/**
 * k[i] = k(xq, X_i) for observations i < count of xt (dimension-major, xt[d * stride + i]), with
 * xq = xs[offset .. offset + D); when g is given, dk_i/dx_d into g[d * stride + i] (zero on
 * categorical coordinates), the layout of kernel.ts's additiveCovariances.
 */
export function treeCovariances(
  kind: KernelKind,
  s2: number,
  tree: TreeKernel,
  lambda: Float64Array,
  categorical: Uint8Array,
  xs: ArrayLike<number>,
  offset: number,
  xt: Float64Array,
  stride: number,
  count: number,
  dim: number,
  k: Float64Array,
  g: Float64Array | null,
): void {
  const { gates, members, weights } = tree;
  const C = gates.length;
  if (scratch.length < 2 * count) scratch = new Float64Array(2 * count);
  const r2 = scratch;
  const wObs = scratch.subarray(count, 2 * count);
  const on = (c: number, i: number): boolean => {
    const gate = gates[c] as number;
    return gate < 0 || (xt[gate * stride + i] as number) === 1;
  };
  let wq = 0;
  for (let c = 0; c < C; c++) {
    const gate = gates[c] as number;
    if (gate < 0 || (xs[offset + gate] as number) === 1) wq += weights[c] as number;
  }
  k.fill(0, 0, count);
  wObs.fill(0);
  if (g) for (let d = 0; d < dim; d++) g.fill(0, d * stride, d * stride + count);
  for (let c = 0; c < C; c++) {
    const wc = weights[c] as number;
    for (let i = 0; i < count; i++) if (on(c, i)) wObs[i] = (wObs[i] as number) + wc;
    const gate = gates[c] as number;
    if (gate >= 0 && (xs[offset + gate] as number) !== 1) continue;
    r2.fill(0, 0, count);
    for (let d = 0; d < dim; d++) {
      if (members[c * dim + d] !== 1) continue;
      const lam = lambda[d] as number;
      const qv = xs[offset + d] as number;
      const b = d * stride;
      const cat = categorical[d] === 1;
      for (let i = 0; i < count; i++) {
        const diff = qv - (xt[b + i] as number);
        r2[i] = (r2[i] as number) + lam * (cat ? (diff === 0 ? 0 : 1) : diff * diff);
      }
    }
    for (let i = 0; i < count; i++) {
      if (!on(c, i)) continue;
      const rr = r2[i] as number;
      k[i] = (k[i] as number) + wc * kappa(kind, rr);
      if (!g) continue;
      const kp = wc * kappaPrime(kind, rr);
      for (let d = 0; d < dim; d++) {
        if (members[c * dim + d] !== 1 || categorical[d] === 1) continue;
        const b = d * stride;
        g[b + i] =
          (g[b + i] as number) +
          kp * 2 * (lambda[d] as number) * ((xs[offset + d] as number) - (xt[b + i] as number));
      }
    }
  }
  for (let i = 0; i < count; i++) {
    const scale = s2 / Math.sqrt(wq * (wObs[i] as number));
    k[i] = (k[i] as number) * scale;
    if (g) for (let d = 0; d < dim; d++) g[d * stride + i] = (g[d * stride + i] as number) * scale;
  }
}

/** The tree kernel's weights from v's logits (shape: C). */
export function treeWeights(v: ArrayLike<number>, from: number, count: number): Float64Array {
  return Float64Array.from({ length: count }, (_, c) => Math.exp(v[from + c] as number));
}

/**
 * -(log marginal likelihood + log prior) of the tree kernel's hyperparameters v and its gradient
 * (gp.ts's notation; dLML/dt = 1/2 tr((alpha alpha^T - K^-1) dK/dt)). Per pair (i, j):
 *   dK/d log lambda_d = s2 N sum_{c on, d in S_c} w_c kappa'(r2_c) lambda_d delta_d^2,
 *   dK/du_c = s2 N w_c [c on] kappa(r2_c) - K_ij / 2 (w_c a_c(i) / W_i + w_c a_c(j) / W_j),
 * with N = (W_i W_j)^(-1/2); the diagonal is s2 + noise whatever u.
 */
export class TreeNegLogPosterior {
  readonly size: number;
  private readonly pairs: number;
  private readonly d2: Float64Array;
  /** gate[c * n + i] = 1 when observation i is in component c. */
  private readonly gate: Uint8Array;
  private readonly C: number;

  constructor(
    private readonly tree: TreeStructure,
    x: Float64Array,
    private readonly y: Float64Array,
    private readonly n: number,
    private readonly dim: number,
    categorical: Uint8Array,
    private readonly kernel: KernelKind,
    private readonly prior: HyperPrior = DEFAULT_PRIOR,
    private readonly noiseScale?: Float64Array,
  ) {
    this.C = tree.gates.length;
    this.size = dim + 3 + this.C;
    this.pairs = (n * (n - 1)) / 2;
    this.d2 = pairwiseDelta2(x, n, dim, categorical);
    this.gate = new Uint8Array(this.C * n);
    for (let c = 0; c < this.C; c++) {
      const gc = tree.gates[c] as number;
      for (let i = 0; i < n; i++) this.gate[c * n + i] = gc < 0 || (x[i * dim + gc] as number) === 1 ? 1 : 0;
    }
  }

  evaluate = (v: Float64Array, grad: Float64Array): number => {
    const { n, dim, C, d2, gate, y } = this;
    const P = this.pairs;
    const members = this.tree.members;
    const lambda = new Float64Array(dim);
    for (let d = 0; d < dim; d++) lambda[d] = Math.exp(v[d] as number);
    const s2 = Math.exp(v[dim] as number);
    const noise = Math.exp(v[dim + 1] as number);
    const mean = v[dim + 2] as number;
    const w = treeWeights(v, dim + 3, C);
    const W = new Float64Array(n);
    for (let c = 0; c < C; c++)
      for (let i = 0; i < n; i++) if (gate[c * n + i] === 1) W[i] = (W[i] as number) + (w[c] as number);
    const norm = new Float64Array(P);
    const kc = new Float64Array(C * P);
    const gc = new Float64Array(C * P);
    const kPair = new Float64Array(P);
    const r2 = new Float64Array(P);
    let p = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < i; j++, p++) norm[p] = s2 / Math.sqrt((W[i] as number) * (W[j] as number));
    for (let c = 0; c < C; c++) {
      r2.fill(0);
      for (let d = 0; d < dim; d++) {
        if (members[c * dim + d] !== 1) continue;
        const lam = lambda[d] as number;
        for (let q = 0; q < P; q++) r2[q] = (r2[q] as number) + lam * (d2[d * P + q] as number);
      }
      const wc = w[c] as number;
      p = 0;
      for (let i = 0; i < n; i++) {
        const gi = gate[c * n + i] === 1;
        for (let j = 0; j < i; j++, p++) {
          if (!gi || gate[c * n + j] !== 1) continue;
          const rr = r2[p] as number;
          const kv = kappa(this.kernel, rr);
          kc[c * P + p] = kv;
          gc[c * P + p] = kappaPrime(this.kernel, rr);
          kPair[p] = (kPair[p] as number) + wc * kv * (norm[p] as number);
        }
      }
    }
    const K = new Float64Array(n * n);
    const L = new Float64Array(n * n);
    p = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++, p++) K[i * n + j] = kPair[p] as number;
      K[i * n + i] = s2 + noise * (this.noiseScale ? (this.noiseScale[i] as number) : 1);
    }
    if (choleskyWithJitter(K, n, L, 0, 4) < 0) {
      grad.fill(0);
      return Number.POSITIVE_INFINITY;
    }
    const alpha = new Float64Array(n);
    for (let i = 0; i < n; i++) alpha[i] = (y[i] as number) - mean;
    solveLower(L, n, alpha);
    const quad = dot(alpha, 0, alpha, 0, n);
    solveUpperT(L, n, alpha);
    const lml = -0.5 * quad - logDetHalf(L, n) - 0.5 * n * LOG_2PI;
    const kinv = new Float64Array(n * n);
    cholInverse(L, n, kinv);

    grad.fill(0);
    let traceW = 0;
    let traceWNoise = 0;
    for (let i = 0; i < n; i++) {
      const ai = alpha[i] as number;
      const wi = ai * ai - (kinv[i * n + i] as number);
      traceW += wi;
      traceWNoise += this.noiseScale ? wi * (this.noiseScale[i] as number) : wi;
    }
    // Off-diagonal pairs count twice in 1/2 tr(W dK), which cancels the 1/2.
    const wPair = new Float64Array(P);
    let gSignal = 0;
    p = 0;
    for (let i = 0; i < n; i++) {
      const ai = alpha[i] as number;
      for (let j = 0; j < i; j++, p++) {
        const wp = ai * (alpha[j] as number) - (kinv[i * n + j] as number);
        wPair[p] = wp;
        gSignal += wp * (kPair[p] as number);
      }
    }
    const t = new Float64Array(P);
    for (let c = 0; c < C; c++) {
      const wc = w[c] as number;
      let gu = 0;
      for (let q = 0; q < P; q++) {
        const wn = (wPair[q] as number) * (norm[q] as number) * wc;
        gu += wn * (kc[c * P + q] as number);
        t[q] = wn * (gc[c * P + q] as number);
      }
      // The normalization's share: -K_ij / 2 (w_c a_c(i) / W_i + w_c a_c(j) / W_j).
      p = 0;
      for (let i = 0; i < n; i++) {
        const si = gate[c * n + i] === 1 ? wc / (W[i] as number) : 0;
        for (let j = 0; j < i; j++, p++) {
          const sj = gate[c * n + j] === 1 ? wc / (W[j] as number) : 0;
          if (si + sj !== 0) gu -= 0.5 * (wPair[p] as number) * (kPair[p] as number) * (si + sj);
        }
      }
      grad[dim + 3 + c] = gu;
      for (let d = 0; d < dim; d++) {
        if (members[c * dim + d] !== 1) continue;
        let s = 0;
        for (let q = 0; q < P; q++) s += (t[q] as number) * (d2[d * P + q] as number);
        grad[d] = (grad[d] as number) + (lambda[d] as number) * s;
      }
    }
    grad[dim] = gSignal + 0.5 * traceW * s2;
    grad[dim + 1] = 0.5 * traceWNoise * noise;
    let sumAlpha = 0;
    for (let i = 0; i < n; i++) sumAlpha += alpha[i] as number;
    grad[dim + 2] = sumAlpha;
    let lp = logPrior(this.prior, v, dim, grad);
    const var0 = U_PRIOR_STD * U_PRIOR_STD;
    for (let c = 0; c < C; c++) {
      const u = v[dim + 3 + c] as number;
      lp -= (0.5 * u * u) / var0;
      grad[dim + 3 + c] = (grad[dim + 3 + c] as number) - u / var0;
    }
    for (let i = 0; i < grad.length; i++) grad[i] = -(grad[i] as number);
    return -(lml + lp);
  };
}
