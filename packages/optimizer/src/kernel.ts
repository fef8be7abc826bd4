import { EXP_NEG_LIMIT, expNeg } from './fast-exp.js';

/**
 * Stationary ARD kernels on the model encoding, k(x, x') = s2 * kappa(r2), with
 * r2 = sum_d lambda_d * delta_d(x, x')^2 and lambda_d = 1 / lengthscale_d^2. For continuous and
 * grid coordinates delta_d = x_d - x'_d; for categorical coordinates delta_d^2 = [x_d != x'_d], so
 * categories are compared, never ordered. The one home of the kernel: the marginal likelihood, the
 * posterior and its screening bounds all evaluate it here.
 *
 * Matern-5/2, with r = sqrt(5 r2):
 *   kappa = (1 + r + 5/3 r2) exp(-r),
 *   dkappa/d(r2) = -5/6 (1 + r) exp(-r)   (finite at r = 0, unlike dkappa/dr / r).
 * RBF: kappa = exp(-r2 / 2), dkappa/d(r2) = -kappa / 2.
 *
 * Derivatives of k(x, x') = s2 kappa(r2):
 *   dk/d(log s2) = k,
 *   dk/d(log lambda_d) = s2 kappa'(r2) lambda_d delta_d^2,
 *   dk/dx_d = s2 kappa'(r2) 2 lambda_d (x_d - x'_d)   (continuous coordinates; zero for categorical).
 */
export type KernelKind = 'matern52' | 'rbf';

/** s2 * kappa(r2). */
export function covariance(kind: KernelKind, s2: number, r2: number): number {
  if (kind === 'rbf') return s2 * Math.exp(-0.5 * r2);
  const r = Math.sqrt(5 * r2);
  return (1 + r + (5 / 3) * r2) * (s2 * Math.exp(-r));
}

/** kappa(r2) for unit signal variance. */
export function kappa(kind: KernelKind, r2: number): number {
  return covariance(kind, 1, r2);
}

/** dkappa / d(r2) for unit signal variance. */
export function kappaPrime(kind: KernelKind, r2: number): number {
  if (kind === 'rbf') return -0.5 * Math.exp(-0.5 * r2);
  const r = Math.sqrt(5 * r2);
  return (-5 / 6) * (1 + r) * Math.exp(-r);
}

/**
 * k[i] = s2 kappa(r2[i]) and, when dk is given, dk[i] = s2 dkappa/d(r2) at r2[i], for
 * from <= i < to. k may be r2 itself (each entry is read before it is written).
 */
export function covariances(
  kind: KernelKind,
  s2: number,
  r2: Float64Array,
  k: Float64Array,
  dk: Float64Array | null,
  from: number,
  to: number,
): void {
  if (kind === 'rbf') {
    for (let i = from; i < to; i++) {
      const kv = s2 * Math.exp(-0.5 * (r2[i] as number));
      if (dk) dk[i] = -0.5 * kv;
      k[i] = kv;
    }
    return;
  }
  for (let i = from; i < to; i++) {
    const rr = r2[i] as number;
    const r = Math.sqrt(5 * rr);
    const e = s2 * Math.exp(-r);
    if (dk) dk[i] = (-5 / 6) * (1 + r) * e;
    k[i] = (1 + r + (5 / 3) * rr) * e;
  }
}

/**
 * Sums over i < n with kappa(r2_i) by expNeg (relative error below 2e-12), into out (shape: 4):
 *   out[0] = sum_i a_i kappa(r2_i) and out[1] = sum_i |a_i| kappa(r2_i) over the i within expNeg's
 *   range, out[2] = sum_i |a_i| over the others (there kappa is below kappaTail), out[3] = min_i r2_i.
 * One fused pass: the bound of GpPosterior.screen runs it for every QMC candidate. Only for bounds
 * widened by a relative margin well above expNeg's error, never for values that must match
 * covariance().
 */
export function fastKernelSums(
  kind: KernelKind,
  r2: Float64Array,
  a: Float64Array,
  n: number,
  out: Float64Array,
): void {
  let sum = 0;
  let abs = 0;
  let tail = 0;
  let r2min = Number.POSITIVE_INFINITY;
  if (kind === 'rbf') {
    for (let i = 0; i < n; i++) {
      const rr = r2[i] as number;
      if (rr < r2min) r2min = rr;
      const ai = a[i] as number;
      const r = 0.5 * rr;
      if (r < EXP_NEG_LIMIT) {
        const kv = expNeg(r);
        sum += ai * kv;
        abs += Math.abs(ai) * kv;
      } else tail += Math.abs(ai);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const rr = r2[i] as number;
      if (rr < r2min) r2min = rr;
      const ai = a[i] as number;
      const r = Math.sqrt(5 * rr);
      if (r < EXP_NEG_LIMIT) {
        const kv = (1 + r + (5 / 3) * rr) * expNeg(r);
        sum += ai * kv;
        abs += Math.abs(ai) * kv;
      } else tail += Math.abs(ai);
    }
  }
  out[0] = sum;
  out[1] = abs;
  out[2] = tail;
  out[3] = r2min;
}

/** An upper bound of kappa beyond expNeg's range (fastKernelSums' out[2]) (kappa decreases with distance). */
export function kappaTail(kind: KernelKind): number {
  const L = EXP_NEG_LIMIT;
  return (kind === 'rbf' ? Math.exp(-L) : (1 + L + (L * L) / 3) * Math.exp(-L)) * (1 + 1e-9);
}

/** Squared coordinate difference, 0/1 for categorical coordinates. */
export function delta2(a: number, b: number, categorical: boolean): number {
  if (categorical) return a === b ? 0 : 1;
  const d = a - b;
  return d * d;
}

/** r2 between rows i and j of X (n x D row-major). */
export function squaredDistance(
  x: Float64Array,
  i: number,
  j: number,
  dim: number,
  lambda: Float64Array,
  categorical: Uint8Array,
): number {
  let rr = 0;
  for (let d = 0; d < dim; d++) {
    const diff = (x[i * dim + d] as number) - (x[j * dim + d] as number);
    rr += (lambda[d] as number) * (categorical[d] === 1 ? (diff === 0 ? 0 : 1) : diff * diff);
  }
  return rr;
}

/**
 * Per-dimension squared differences of all pairs i < j of X (n x D row-major), stored
 * dimension-major: out[d * P + p] with P = n (n - 1) / 2 and p running over the strict lower
 * triangle row by row: (1, 0), (2, 0), (2, 1), (3, 0), ...
 * Computed once per fit; every likelihood evaluation only re-weights it by lambda.
 */
export function pairwiseDelta2(
  x: Float64Array,
  n: number,
  dim: number,
  categorical: Uint8Array,
): Float64Array {
  const pairs = (n * (n - 1)) / 2;
  const out = new Float64Array(pairs * dim);
  for (let d = 0; d < dim; d++) {
    const cat = categorical[d] === 1;
    const base = d * pairs;
    let p = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[i * dim + d] ?? 0;
      for (let j = 0; j < i; j++) out[base + p++] = delta2(xi, x[j * dim + d] ?? 0, cat);
    }
  }
  return out;
}

/** r2 of every pair from pairwiseDelta2's d2 (shape: D x P): r2[p] = sum_d lambda_d d2[d * P + p]. */
export function pairwiseR2(
  d2: Float64Array,
  pairs: number,
  dim: number,
  lambda: Float64Array,
  r2: Float64Array,
): void {
  r2.fill(0, 0, pairs);
  for (let d = 0; d < dim; d++) {
    const lam = lambda[d] as number;
    const base = d * pairs;
    for (let p = 0; p < pairs; p++) r2[p] = (r2[p] as number) + lam * (d2[base + p] as number);
  }
}

/**
 * Gradient with respect to log lambda_d (shape: D, into out) of sum_p w_p k_p over the pairs, given
 * wDk[p] = w_p s2 kappa'(r2_p): lambda_d sum_p wDk[p] d2[d * P + p].
 */
export function logLambdaGradient(
  d2: Float64Array,
  pairs: number,
  dim: number,
  lambda: Float64Array,
  wDk: Float64Array,
  out: Float64Array,
): void {
  for (let d = 0; d < dim; d++) {
    const base = d * pairs;
    let s = 0;
    for (let p = 0; p < pairs; p++) s += (wDk[p] as number) * (d2[base + p] as number);
    out[d] = (lambda[d] as number) * s;
  }
}

/**
 * Squared scaled distances r2(xq, X_i) for every observation i into out (shape: n), with
 * xq = xs[offset .. offset + D) and xt = X dimension-major (xt[d * n + i]). They accumulate in long
 * independent inner loops over xt (instead of a short loop per pair), up to four continuous
 * dimensions per pass so out is loaded and stored once per four terms; the terms are still added
 * one at a time in dimension order, so every sum has the bits of one pass per dimension.
 * bench/loops.mjs: one dimension per pass takes 1.17x (n = 50, D = 2), 1.64x (n = 200, D = 6) and
 * 1.86x (n = 500, D = 12) as long.
 */
export function squaredDistances(
  xs: ArrayLike<number>,
  offset: number,
  xt: Float64Array,
  n: number,
  dim: number,
  lambda: Float64Array,
  categorical: Uint8Array,
  out: Float64Array,
): void {
  out.fill(0, 0, n);
  let d = 0;
  while (d < dim) {
    const lam = lambda[d] as number;
    const qv = xs[offset + d] as number;
    const b = d * n;
    if (categorical[d] === 1) {
      for (let i = 0; i < n; i++) if ((xt[b + i] as number) !== qv) out[i] = (out[i] as number) + lam;
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
        out[i] = (out[i] as number) + lam * (e0 * e0) + l1 * (e1 * e1) + l2 * (e2 * e2) + l3 * (e3 * e3);
      }
      d += 4;
    } else if (d + 1 < dim && categorical[d + 1] !== 1) {
      const l1 = lambda[d + 1] as number;
      const q1 = xs[offset + d + 1] as number;
      const b1 = b + n;
      for (let i = 0; i < n; i++) {
        const e0 = qv - (xt[b + i] as number);
        const e1 = q1 - (xt[b1 + i] as number);
        out[i] = (out[i] as number) + lam * (e0 * e0) + l1 * (e1 * e1);
      }
      d += 2;
    } else {
      for (let i = 0; i < n; i++) {
        const diff = qv - (xt[b + i] as number);
        out[i] = (out[i] as number) + lam * (diff * diff);
      }
      d++;
    }
  }
}

/**
 * Gradients in xq (shape: D each) of two weighted sums of kernel values, sum_i a_i k(xq, X_i) into
 * outA and sum_i b_i k(xq, X_i) into outB, given ca[i] = 2 a_i s2 kappa'(r2_i) and cb likewise:
 * d/dx_d = lambda_d sum_i c_i (x_d - X_id); zero on categorical coordinates. xt is X
 * dimension-major. Two coordinates per pass: four independent sums, each in the order of one at a
 * time. bench/loops.mjs: one coordinate per pass takes 3.0-3.2x as long (n = 50-500).
 */
export function inputGradients(
  xq: ArrayLike<number>,
  xt: Float64Array,
  n: number,
  dim: number,
  lambda: Float64Array,
  categorical: Uint8Array,
  ca: Float64Array,
  cb: Float64Array,
  outA: Float64Array,
  outB: Float64Array,
): void {
  let d = 0;
  while (d < dim) {
    if (categorical[d] === 1) {
      outA[d] = 0;
      outB[d] = 0;
      d++;
      continue;
    }
    const qv = xq[d] as number;
    const b = d * n;
    let sa = 0;
    let sb = 0;
    const pair = d + 1 < dim && categorical[d + 1] !== 1;
    if (pair) {
      const qw = xq[d + 1] as number;
      const c = b + n;
      let ta = 0;
      let tb = 0;
      for (let i = 0; i < n; i++) {
        const ai = ca[i] as number;
        const bi = cb[i] as number;
        const diff = qv - (xt[b + i] as number);
        const diff2 = qw - (xt[c + i] as number);
        sa += ai * diff;
        sb += bi * diff;
        ta += ai * diff2;
        tb += bi * diff2;
      }
      const lam2 = lambda[d + 1] as number;
      outA[d + 1] = lam2 * ta;
      outB[d + 1] = lam2 * tb;
    } else {
      for (let i = 0; i < n; i++) {
        const diff = qv - (xt[b + i] as number);
        sa += (ca[i] as number) * diff;
        sb += (cb[i] as number) * diff;
      }
    }
    const lam = lambda[d] as number;
    outA[d] = lam * sa;
    outB[d] = lam * sb;
    d += pair ? 2 : 1;
  }
}

/**
 * Additive kernel (gp.ts): k[i] = s2 sum_d w_d kappa(lambda_d delta_d^2) between xq = xs[offset ..
 * offset + D) and observations i < count of xt (dimension-major, xt[d * stride + i]); when g is
 * given, dk_i/dx_d = s2 w_d kappa'(r2_d) 2 lambda_d (x_d - X_id) into g[d * stride + i] (zero on
 * categorical coordinates).
 */
export function additiveCovariances(
  kind: KernelKind,
  s2: number,
  w: Float64Array,
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
  k.fill(0, 0, count);
  for (let d = 0; d < dim; d++) {
    const lam = lambda[d] as number;
    const sw = s2 * (w[d] as number);
    const qv = xs[offset + d] as number;
    const cat = categorical[d] === 1;
    const b = d * stride;
    for (let i = 0; i < count; i++) {
      const diff = qv - (xt[b + i] as number);
      const rr = lam * (cat ? (diff === 0 ? 0 : 1) : diff * diff);
      k[i] = (k[i] as number) + sw * kappa(kind, rr);
      if (g) g[b + i] = cat ? 0 : sw * kappaPrime(kind, rr) * 2 * lam * diff;
    }
  }
}
