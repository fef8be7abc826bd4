/**
 * Dense linear algebra on row-major Float64Arrays. Nothing here forms an explicit inverse of a
 * matrix that is only needed for solves; `cholInverse` exists for the marginal-likelihood gradient,
 * which needs every entry of K^-1.
 */

/**
 * Lower Cholesky factor of the n x n symmetric matrix `a` into `l` (both row-major; only the lower
 * triangle of `a` is read). Returns false when a pivot is not positive.
 *
 * Row i depends only on row i of `a` and rows < i of `l`, so with `firstRow` = m and the first m
 * rows of `l` already holding the factor of the leading m x m block, only rows m..n-1 are
 * computed, with exactly the operations (and so the bits) of a full factorization.
 */
export function cholesky(a: Float64Array, n: number, l: Float64Array, firstRow = 0): boolean {
  for (let i = firstRow; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = a[ri + j] as number;
      for (let k = 0; k < j; k++) s -= (l[ri + k] as number) * (l[rj + k] as number);
      if (i === j) {
        if (!(s > 0)) return false;
        l[ri + i] = Math.sqrt(s);
      } else {
        l[ri + j] = s / (l[rj + j] as number);
      }
    }
    for (let j = i + 1; j < n; j++) l[ri + j] = 0;
  }
  return true;
}

/**
 * Cholesky of a + jitter * I, escalating the jitter tenfold from `start` (relative to the mean
 * diagonal) until the factorization succeeds. Returns the jitter used, or -1 on failure.
 */
export function choleskyWithJitter(
  a: Float64Array,
  n: number,
  l: Float64Array,
  start = 0,
  maxTries = 8,
): number {
  let meanDiag = 0;
  for (let i = 0; i < n; i++) meanDiag += a[i * n + i] ?? 0;
  meanDiag = n > 0 ? meanDiag / n : 1;
  if (!Number.isFinite(meanDiag)) return -1;
  if (start === 0 && cholesky(a, n, l)) return 0;
  const work = new Float64Array(a);
  let jitter = Math.max(start, 1e-10) * Math.max(meanDiag, 1e-12);
  for (let t = 0; t < maxTries; t++) {
    work.set(a);
    for (let i = 0; i < n; i++) work[i * n + i] = (a[i * n + i] ?? 0) + jitter;
    if (cholesky(work, n, l)) return jitter;
    jitter *= 10;
  }
  return -1;
}

/** Solves L x = b in place (L lower, n x n row-major; b shape: n). */
export function solveLower(l: Float64Array, n: number, b: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = b[i] ?? 0;
    for (let k = 0; k < i; k++) s -= (l[ri + k] ?? 0) * (b[k] ?? 0);
    b[i] = s / (l[ri + i] ?? 1);
  }
  return b;
}

/** Solves L^T x = b in place (L lower, n x n row-major; b shape: n). */
export function solveUpperT(l: Float64Array, n: number, b: Float64Array): Float64Array {
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i] ?? 0;
    for (let k = i + 1; k < n; k++) s -= (l[k * n + i] ?? 0) * (b[k] ?? 0);
    b[i] = s / (l[i * n + i] ?? 1);
  }
  return b;
}

/** Solves (L L^T) x = b in place. */
export function cholSolve(l: Float64Array, n: number, b: Float64Array): Float64Array {
  return solveUpperT(l, n, solveLower(l, n, b));
}

/**
 * (L L^T)^-1 into `out` (n x n, full symmetric). Builds U = L^-T row by row (row j of U is column j
 * of L^-1, found by forward substitution), then K^-1 = U U^T; every inner loop reads contiguous
 * rows, which matters more than the flop count at n = 200.
 */
export function cholInverse(
  l: Float64Array,
  n: number,
  out: Float64Array,
  work: Float64Array = new Float64Array(n * n),
): void {
  const u = work;
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    for (let k = 0; k < j; k++) u[rj + k] = 0;
    u[rj + j] = 1 / (l[rj + j] as number);
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = 0;
      for (let k = j; k < i; k++) s -= (l[ri + k] as number) * (u[rj + k] as number);
      u[rj + i] = s / (l[ri + i] as number);
    }
  }
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = 0;
      for (let k = i; k < n; k++) s += (u[ri + k] as number) * (u[rj + k] as number);
      out[ri + j] = s;
      out[rj + i] = s;
    }
  }
}

/** Sum of log of the diagonal of L: half the log-determinant of L L^T. */
export function logDetHalf(l: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i] ?? 1);
  return s;
}
