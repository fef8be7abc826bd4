import { logH, normCdf } from '../normal.js';

/**
 * Log-space pieces of the normal distribution for LogEHVI and the log probability of feasibility.
 * They rest on normal.ts's logH (h(z) = phi(z) + z Phi(z) and d log h / dz = Phi(z) / h(z)), which
 * stays accurate far into the lower tail, so that log Phi(z) = log h(z) + log(Phi / h) needs no
 * second tail expansion.
 */
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

export function logPhiPdf(z: number): number {
  return -0.5 * z * z - LOG_SQRT_2PI;
}

/** log Phi(z), finite for any finite z (log_ndtr). */
export function logNdtr(z: number): number {
  if (z > 0) return Math.log1p(-normCdf(-z));
  if (z >= -5) return Math.log(normCdf(z));
  const lh = logH(z);
  return Math.log(lh.slope) + lh.value;
}

/** log(1 - exp(a)) for a <= 0, accurate at both ends (Maechler 2012). */
export function log1mexp(a: number): number {
  if (a > -Math.LN2) return Math.log(-Math.expm1(a));
  return Math.log1p(-Math.exp(a));
}

/** log(sum exp(v_i)) of the first n entries, and the weights exp(v_i - result) into w if given. */
export function logSumExp(v: ArrayLike<number>, n: number, w?: Float64Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) if ((v[i] as number) > max) max = v[i] as number;
  if (max === Number.NEGATIVE_INFINITY) {
    if (w) w.fill(0, 0, n);
    return max;
  }
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp((v[i] as number) - max);
  const out = max + Math.log(s);
  if (w) for (let i = 0; i < n; i++) w[i] = Math.exp((v[i] as number) - out);
  return out;
}
