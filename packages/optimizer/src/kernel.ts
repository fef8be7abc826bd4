/**
 * Stationary ARD kernels on the model encoding, k(x, x') = s2 * kappa(r^2), with
 * r^2 = sum_d lambda_d * delta_d(x, x')^2 and lambda_d = 1 / lengthscale_d^2. For continuous and
 * grid coordinates delta_d = x_d - x'_d; for categorical coordinates delta_d^2 = [x_d != x'_d], so
 * categories are compared, never ordered.
 *
 * Matern-5/2: kappa = (1 + sqrt(5) r + 5/3 r^2) exp(-sqrt(5) r),
 *   dkappa/d(r^2) = -5/6 (1 + sqrt(5) r) exp(-sqrt(5) r)   (finite at r = 0, unlike dkappa/dr / r).
 * RBF: kappa = exp(-r^2 / 2), dkappa/d(r^2) = -kappa / 2.
 */
export type KernelKind = 'matern52' | 'rbf';

const SQRT5 = Math.sqrt(5);

/** kappa(r2) for unit signal variance. */
export function kappa(kind: KernelKind, r2: number): number {
  if (kind === 'rbf') return Math.exp(-0.5 * r2);
  const r = Math.sqrt(r2);
  return (1 + SQRT5 * r + (5 / 3) * r2) * Math.exp(-SQRT5 * r);
}

/** dkappa / d(r2) for unit signal variance. */
export function kappaPrime(kind: KernelKind, r2: number): number {
  if (kind === 'rbf') return -0.5 * Math.exp(-0.5 * r2);
  const r = Math.sqrt(r2);
  return (-5 / 6) * (1 + SQRT5 * r) * Math.exp(-SQRT5 * r);
}

/** Squared coordinate difference, 0/1 for categorical coordinates. */
export function delta2(a: number, b: number, categorical: boolean): number {
  if (categorical) return a === b ? 0 : 1;
  const d = a - b;
  return d * d;
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
