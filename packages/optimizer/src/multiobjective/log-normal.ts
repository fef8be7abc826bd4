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

/*
 * Phi(z) by Cephes' ndtr (S. L. Moshier, Cephes Math Library 2.9): rational approximations of erf
 * for |x| < 1 and of erfc on [1, 8) and beyond, 5.7e-14 peak relative error. About a fifth of the
 * cost of normal.ts's series and continued fractions, which matters where every candidate needs
 * Phi at every box bound (LogEhvi.value); the log-space paths keep normal.ts.
 */
const ERF_T = [9.604973739870516, 90.02601972038427, 2232.005345946843, 7003.325141128051, 55592.30130103949];
const ERF_U = [
  33.56171416475031, 521.3579497801527, 4594.323829709801, 22629.000061389095, 49267.39426086359,
];
const ERFC_P = [
  2.461969814735305e-10, 0.5641895648310689, 7.463210564422699, 48.63719709856814, 196.5208329560771,
  526.4451949954773, 934.5285271719576, 1027.5518868951572, 557.5353353693994,
];
const ERFC_Q = [
  13.228195115474499, 86.70721408859897, 354.9377788878199, 975.7085017432055, 1823.9091668790973,
  2246.3376081871097, 1656.6630919416134, 557.5353408177277,
];
const ERFC_R = [
  0.5641895835477551, 1.275366707599781, 5.019050422511805, 6.160210979930536, 7.4097426995044895,
  2.9788666537210022,
];
const ERFC_S = [
  2.2605286322011726, 9.396035249380015, 12.048953980809666, 17.08144507475659, 9.608968090632859,
  3.369076451000815,
];

/** sum c_i x^(n-i) (Cephes polevl). */
function polevl(x: number, c: readonly number[]): number {
  let y = c[0] as number;
  for (let i = 1; i < c.length; i++) y = y * x + (c[i] as number);
  return y;
}

/** x^n + sum c_i x^(n-1-i) (Cephes p1evl: leading coefficient 1, not stored). */
function p1evl(x: number, c: readonly number[]): number {
  let y = x + (c[0] as number);
  for (let i = 1; i < c.length; i++) y = y * x + (c[i] as number);
  return y;
}

/** erfc(a) for a >= 1. */
function erfcAbove1(a: number): number {
  if (a > 26.7) return 0;
  const e = Math.exp(-a * a);
  return a < 8 ? (e * polevl(a, ERFC_P)) / p1evl(a, ERFC_Q) : (e * polevl(a, ERFC_R)) / p1evl(a, ERFC_S);
}

/** The standard normal distribution function. */
export function fastNormCdf(z: number): number {
  const x = z * Math.SQRT1_2;
  const ax = Math.abs(x);
  if (ax < 1) {
    const x2 = x * x;
    return 0.5 + (0.5 * x * polevl(x2, ERF_T)) / p1evl(x2, ERF_U);
  }
  const tail = 0.5 * erfcAbove1(ax);
  return x > 0 ? 1 - tail : tail;
}

/**
 * h(z) = phi(z) + z Phi(z) for z < -5 in linear space (0 once it underflows, below about -38):
 * phi(z) c / (x + c) with x = -z and c Laplace's continued fraction as in normal.ts, cut at 28
 * terms, which reaches 2e-16 relative for every x >= 5 (25 terms are needed at x = 5, fewer beyond).
 */
export function hLowerTail(z: number): number {
  const x = -z;
  let t = 0;
  for (let k = 28; k >= 2; k--) t = k / (x + t);
  const c = 1 / (x + t);
  return (Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI)) * (c / (x + c));
}
