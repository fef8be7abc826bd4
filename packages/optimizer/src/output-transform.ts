/**
 * Target transforms. The GP models y = standardize(-YJ_lambda(standardize(-g))) where g is the
 * objective to maximize and YJ is the Yeo-Johnson power transform with lambda chosen by maximum
 * likelihood (as HEBO does). Heavy right tails of a minimized objective (Rosenbrock-like valleys
 * next to huge walls) get compressed so the GP's stationary, Gaussian assumptions fit, while
 * already-Gaussian targets get lambda near 1 (almost the identity). The transform is monotone, so
 * the ranking of observations and the incumbent are unchanged.
 */
export interface TargetTransform {
  /** Transformed targets (larger is better), standardized, shape: n. */
  y: Float64Array;
  /** Maps a model-space mean and std back to g units (median and delta-method std). */
  toTarget(mean: number, std: number): { mean: number; std: number };
  /** Maps a value in g units to model space: the forward transform, for thresholds and bounds. */
  fromTarget(g: number): number;
  lambda: number;
  /**
   * Relative noise variance of each transformed target (shape: n, mean 1), or null without
   * warping: (dy/dg)^2 at each observation, so that noise of constant size in objective units,
   * which is what a noisy objective has, keeps that size through the warp instead of being
   * stretched where the warp is steep and shrunk where it is flat.
   */
  noiseScale: Float64Array | null;
}

function moments(a: ArrayLike<number>, n: number): { mean: number; sd: number } {
  let mean = 0;
  for (let i = 0; i < n; i++) mean += a[i] ?? 0;
  mean = n > 0 ? mean / n : 0;
  let v = 0;
  for (let i = 0; i < n; i++) v += ((a[i] ?? 0) - mean) ** 2;
  const sd = n > 1 ? Math.sqrt(v / n) : 0;
  return { mean, sd: sd > 1e-12 * Math.max(1, Math.abs(mean)) ? sd : 1 };
}

export function yeoJohnson(z: number, lambda: number): number {
  if (z >= 0) return Math.abs(lambda) < 1e-9 ? Math.log1p(z) : ((z + 1) ** lambda - 1) / lambda;
  return Math.abs(lambda - 2) < 1e-9 ? -Math.log1p(-z) : -((1 - z) ** (2 - lambda) - 1) / (2 - lambda);
}

/** d/dz of yeoJohnson(z, lambda). */
export function yeoJohnsonDerivative(z: number, lambda: number): number {
  return z >= 0 ? (1 + z) ** (lambda - 1) : (1 - z) ** (1 - lambda);
}

/** Bounds on the relative noise variances: a warp can be very steep far out in a tail. */
const NOISE_SCALE_MIN = 1e-2;
const NOISE_SCALE_MAX = 1e2;

function warpNoiseScale(v: Float64Array, n: number, lambda: number): Float64Array {
  const scale = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = yeoJohnsonDerivative(v[i] ?? 0, lambda);
    scale[i] = d * d;
    sum += d * d;
  }
  const mean = sum / Math.max(n, 1);
  for (let i = 0; i < n; i++) {
    const r = (scale[i] as number) / mean;
    scale[i] = Number.isFinite(r) ? Math.min(NOISE_SCALE_MAX, Math.max(NOISE_SCALE_MIN, r)) : 1;
  }
  return scale;
}

export function yeoJohnsonInverse(w: number, lambda: number): number {
  if (w >= 0) return Math.abs(lambda) < 1e-9 ? Math.expm1(w) : (w * lambda + 1) ** (1 / lambda) - 1;
  return Math.abs(lambda - 2) < 1e-9 ? -Math.expm1(-w) : 1 - (1 - (2 - lambda) * w) ** (1 / (2 - lambda));
}

/**
 * Profile log-likelihood of lambda for standardized z (constants dropped). lz holds log(1 + |z|),
 * so each transform is one expm1 instead of a pow: (1 + z)^l - 1 = expm1(l log(1 + z)). jac is the
 * lambda-free sum of sign(z) log(1 + |z|).
 */
function yjLogLikelihood(
  z: Float64Array,
  lz: Float64Array,
  n: number,
  lambda: number,
  jac: number,
  buf: Float64Array,
): number {
  const pos = Math.abs(lambda) < 1e-9 ? 0 : lambda;
  const neg = Math.abs(lambda - 2) < 1e-9 ? 0 : 2 - lambda;
  for (let i = 0; i < n; i++) {
    const l = lz[i] as number;
    if ((z[i] as number) >= 0) buf[i] = pos === 0 ? l : Math.expm1(pos * l) / pos;
    else buf[i] = neg === 0 ? -l : -Math.expm1(neg * l) / neg;
  }
  const { sd } = moments(buf, n);
  return -n * Math.log(sd) + (lambda - 1) * jac;
}

export function fitYeoJohnson(z: Float64Array, n: number): number {
  const buf = new Float64Array(n);
  const lz = new Float64Array(n);
  let jac = 0;
  for (let i = 0; i < n; i++) {
    const zi = z[i] ?? 0;
    lz[i] = Math.log1p(Math.abs(zi));
    jac += Math.sign(zi) * (lz[i] as number);
  }
  let best = 1;
  let bestLl = yjLogLikelihood(z, lz, n, 1, jac, buf);
  for (let k = 0; k <= 40; k++) {
    const lambda = -2 + k * 0.1;
    const ll = yjLogLikelihood(z, lz, n, lambda, jac, buf);
    if (ll > bestLl + 1e-12) {
      bestLl = ll;
      best = lambda;
    }
  }
  // Refine on a finer grid around the coarse optimum.
  const center = best;
  for (let k = -10; k <= 10; k++) {
    const lambda = Math.min(2, Math.max(-2, center + k * 0.01));
    const ll = yjLogLikelihood(z, lz, n, lambda, jac, buf);
    if (ll > bestLl + 1e-12) {
      bestLl = ll;
      best = lambda;
    }
  }
  return best;
}

/** Above this magnitude the squared deviations of up to 2^20 values could overflow to infinity. */
const SQUARE_SAFE = 2 ** 500;

/**
 * 1, or a power of two that brings the largest |g| to about 1 when the values are too large to
 * square (a diverging objective reporting 1e200): standardizing them directly gives NaN targets,
 * hence NaN predictions. Dividing by a power of two is exact, so the standardized values are those
 * of the same history at an ordinary scale, and ordinary histories keep their bits. (The exponent
 * stays below 1024: 2^1024 is already infinite.)
 */
function overflowScale(g: ArrayLike<number>, n: number): number {
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(g[i] ?? 0));
  return max > SQUARE_SAFE ? 2 ** (Math.ceil(Math.log2(max)) - 2) : 1;
}

/** Builds the target transform of g (shape: n, larger is better). */
export function transformTargets(raw: ArrayLike<number>, n: number, warp: boolean): TargetTransform {
  const scale = overflowScale(raw, n);
  const g = scale === 1 ? raw : Float64Array.from({ length: n }, (_, i) => (raw[i] ?? 0) / scale);
  const outer = moments(g, n);
  // v: standardized objective to minimize, where heavy tails sit on the right.
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = -((g[i] ?? 0) - outer.mean) / outer.sd;
  const lambda = warp && n >= 4 ? fitYeoJohnson(v, n) : 1;
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = lambda === 1 ? (v[i] ?? 0) : yeoJohnson(v[i] ?? 0, lambda);
  const inner = moments(w, n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = -((w[i] ?? 0) - inner.mean) / inner.sd;
  return {
    y,
    lambda,
    noiseScale: lambda === 1 ? null : warpNoiseScale(v, n, lambda),
    toTarget(mean, std) {
      // y -> w -> v -> g; the derivative of the chain gives the delta-method std.
      const wm = -mean * inner.sd + inner.mean;
      const vm = lambda === 1 ? wm : yeoJohnsonInverse(wm, lambda);
      const h = 1e-6 * Math.max(1, Math.abs(wm));
      const slope =
        lambda === 1 ? 1 : (yeoJohnsonInverse(wm + h, lambda) - yeoJohnsonInverse(wm - h, lambda)) / (2 * h);
      const gm = (-vm * outer.sd + outer.mean) * scale;
      const gs = Math.abs(slope) * inner.sd * outer.sd * std * scale;
      return { mean: gm, std: Number.isFinite(gs) ? gs : Number.NaN };
    },
    fromTarget(value) {
      const v = -(value / scale - outer.mean) / outer.sd;
      const w = lambda === 1 ? v : yeoJohnson(v, lambda);
      return -(w - inner.mean) / inner.sd;
    },
  };
}
