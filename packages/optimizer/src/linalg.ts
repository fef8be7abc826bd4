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
      const s = (a[ri + j] as number) - dot(l, ri, l, j * n, j);
      if (i === j) {
        if (!(s > 0)) return false;
        l[ri + i] = Math.sqrt(s);
      } else {
        l[ri + j] = s / (l[j * n + j] as number);
      }
    }
    for (let j = i + 1; j < n; j++) l[ri + j] = 0;
  }
  return true;
}

/**
 * sum_k a[ia + k] * b[ib + k] for k < len. Four partial sums break the chain of dependent additions
 * that a single accumulator forms (V8 does not reassociate floating point), which makes the O(n^3)
 * loops of the likelihood and the O(n^2) solves of every prediction markedly faster. The summation
 * order depends only on len, so results stay deterministic.
 */
export function dot(a: Float64Array, ia: number, b: Float64Array, ib: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < len; k += 4) {
    s0 += (a[ia + k] as number) * (b[ib + k] as number);
    s1 += (a[ia + k + 1] as number) * (b[ib + k + 1] as number);
    s2 += (a[ia + k + 2] as number) * (b[ib + k + 2] as number);
    s3 += (a[ia + k + 3] as number) * (b[ib + k + 3] as number);
  }
  for (; k < len; k++) s0 += (a[ia + k] as number) * (b[ib + k] as number);
  return s0 + s1 + (s2 + s3);
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
      u[rj + i] = -dot(l, ri + j, u, rj + j, i - j) / (l[ri + i] as number);
    }
  }
  // K^-1 = U U^T in 2 x 2 blocks (rows i, i+1 of U against rows j, j+1): each loaded entry feeds
  // two products. Sums start at k = i for both rows; U is upper triangular, so the extra terms of
  // row i+1 are exact zeros.
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const r0 = i * n;
    const r1 = r0 + n;
    for (let j = 0; j < i; j += 2) {
      const q0 = j * n;
      const q1 = q0 + n;
      let a00 = 0;
      let a01 = 0;
      let a10 = 0;
      let a11 = 0;
      for (let k = i; k < n; k++) {
        const x0 = u[r0 + k] as number;
        const x1 = u[r1 + k] as number;
        const y0 = u[q0 + k] as number;
        const y1 = u[q1 + k] as number;
        a00 += x0 * y0;
        a01 += x0 * y1;
        a10 += x1 * y0;
        a11 += x1 * y1;
      }
      out[r0 + j] = a00;
      out[q0 + i] = a00;
      out[r0 + j + 1] = a01;
      out[q1 + i] = a01;
      out[r1 + j] = a10;
      out[q0 + i + 1] = a10;
      out[r1 + j + 1] = a11;
      out[q1 + i + 1] = a11;
    }
    let d00 = 0;
    let d10 = 0;
    let d11 = 0;
    for (let k = i; k < n; k++) {
      const x0 = u[r0 + k] as number;
      const x1 = u[r1 + k] as number;
      d00 += x0 * x0;
      d10 += x1 * x0;
      d11 += x1 * x1;
    }
    out[r0 + i] = d00;
    out[r1 + i] = d10;
    out[r0 + i + 1] = d10;
    out[r1 + i + 1] = d11;
  }
  for (; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const s = dot(u, ri + i, u, j * n + i, n - i);
      out[ri + j] = s;
      out[j * n + i] = s;
    }
  }
}

/** Sum of log of the diagonal of L: half the log-determinant of L L^T. */
export function logDetHalf(l: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i] ?? 1);
  return s;
}
