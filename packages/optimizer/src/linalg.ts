/**
 * Dense linear algebra on row-major Float64Arrays. Nothing here forms an explicit inverse of a
 * matrix that is only needed for solves; `cholInverse` exists for the marginal-likelihood gradient,
 * which needs every entry of K^-1.
 */

/**
 * Lower Cholesky factor of the n x n symmetric matrix `a` into `l` (both row-major; only the lower
 * triangle of `a` is read). Returns false when a pivot is not positive (`l` is then partly written).
 *
 * Row i depends only on row i of `a` and rows < i of `l`, so with `firstRow` = m and the first m
 * rows of `l` already holding the factor of the leading m x m block, only rows m..n-1 are
 * computed, with exactly the operations (and so the bits) of a full factorization.
 *
 * Rows are computed two at a time: below the diagonal block, the two rows' dot products with row j
 * share each load of row j. Every entry keeps the summation order of dot(), so the factor has the
 * bits of one row at a time. bench/loops.mjs: one entry at a time by dot() takes 1.05-1.12x as long
 * (n = 50-500), a small gain on the O(n^3) step of every likelihood evaluation.
 */
export function cholesky(a: Float64Array, n: number, l: Float64Array, firstRow = 0): boolean {
  let i = firstRow;
  for (; i + 1 < n; i += 2) {
    const r0 = i * n;
    const r1 = r0 + n;
    for (let j = 0; j < i; j++) {
      const rj = j * n;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let c0 = 0;
      let c1 = 0;
      let c2 = 0;
      let c3 = 0;
      let k = 0;
      for (; k + 3 < j; k += 4) {
        const y0 = l[rj + k] as number;
        const y1 = l[rj + k + 1] as number;
        const y2 = l[rj + k + 2] as number;
        const y3 = l[rj + k + 3] as number;
        a0 += (l[r0 + k] as number) * y0;
        a1 += (l[r0 + k + 1] as number) * y1;
        a2 += (l[r0 + k + 2] as number) * y2;
        a3 += (l[r0 + k + 3] as number) * y3;
        c0 += (l[r1 + k] as number) * y0;
        c1 += (l[r1 + k + 1] as number) * y1;
        c2 += (l[r1 + k + 2] as number) * y2;
        c3 += (l[r1 + k + 3] as number) * y3;
      }
      for (; k < j; k++) {
        const y = l[rj + k] as number;
        a0 += (l[r0 + k] as number) * y;
        c0 += (l[r1 + k] as number) * y;
      }
      const ljj = l[rj + j] as number;
      l[r0 + j] = ((a[r0 + j] as number) - (a0 + a1 + (a2 + a3))) / ljj;
      l[r1 + j] = ((a[r1 + j] as number) - (c0 + c1 + (c2 + c3))) / ljj;
    }
    const s0 = (a[r0 + i] as number) - dot(l, r0, l, r0, i);
    if (!(s0 > 0)) return false;
    const lii = Math.sqrt(s0);
    l[r0 + i] = lii;
    l[r1 + i] = ((a[r1 + i] as number) - dot(l, r1, l, r0, i)) / lii;
    const s1 = (a[r1 + i + 1] as number) - dot(l, r1, l, r1, i + 1);
    if (!(s1 > 0)) return false;
    l[r1 + i + 1] = Math.sqrt(s1);
    for (let j = i + 1; j < n; j++) l[r0 + j] = 0;
    for (let j = i + 2; j < n; j++) l[r1 + j] = 0;
  }
  for (; i < n; i++) {
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
 * order depends only on len, so results stay deterministic. bench/loops.mjs: one running sum takes
 * 1.2x (len 50) to 1.85x (len 500) as long.
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

/**
 * Solves L x = b in place (L lower, n x n row-major; b shape: n): forwardSubstitute over all of L,
 * so x_i has the bits of one dot() per row.
 */
export function solveLower(l: Float64Array, n: number, b: Float64Array): Float64Array {
  forwardSubstitute(l, n, b, 0, 0);
  return b;
}

/**
 * Solves L^T x = b in place (L lower, n x n row-major; b shape: n) column by column: x_i is final
 * once the rows below have been subtracted, then x_i times row i of L (contiguous) is subtracted
 * from the entries above, so no transposed copy of L is needed. Four rows at a time: each entry
 * above is loaded and stored once per four rows instead of once per row, with the same
 * subtractions in the same order (so the same bits).
 * bench/loops.mjs: one row at a time takes 1.9x (n = 50) to 2.2x (n = 200, 500) as long.
 */
export function solveUpperT(l: Float64Array, n: number, b: Float64Array): Float64Array {
  let i = n - 1;
  for (; i >= 3; i -= 4) {
    const r0 = i * n;
    const r1 = r0 - n;
    const r2 = r1 - n;
    const r3 = r2 - n;
    const x0 = (b[i] as number) / (l[r0 + i] as number);
    b[i] = x0;
    const x1 = ((b[i - 1] as number) - (l[r0 + i - 1] as number) * x0) / (l[r1 + i - 1] as number);
    b[i - 1] = x1;
    const x2 =
      ((b[i - 2] as number) - (l[r0 + i - 2] as number) * x0 - (l[r1 + i - 2] as number) * x1) /
      (l[r2 + i - 2] as number);
    b[i - 2] = x2;
    const x3 =
      ((b[i - 3] as number) -
        (l[r0 + i - 3] as number) * x0 -
        (l[r1 + i - 3] as number) * x1 -
        (l[r2 + i - 3] as number) * x2) /
      (l[r3 + i - 3] as number);
    b[i - 3] = x3;
    for (let k = 0; k < i - 3; k++) {
      b[k] =
        (b[k] as number) -
        (l[r0 + k] as number) * x0 -
        (l[r1 + k] as number) * x1 -
        (l[r2 + k] as number) * x2 -
        (l[r3 + k] as number) * x3;
    }
  }
  for (; i >= 0; i--) {
    const ri = i * n;
    const xi = (b[i] as number) / (l[ri + i] as number);
    b[i] = xi;
    for (let k = 0; k < i; k++) b[k] = (b[k] as number) - (l[ri + k] as number) * xi;
  }
  return b;
}

/**
 * Solves L X = V in place for B = 4 right-hand sides stored interleaved (v[i * 4 + b], shape: n x 4),
 * and returns the squared norms of the four solutions in norms (shape: 4). Each entry is one running
 * sum in column order; the four right-hand sides share each pass over a row of L. bench/loops.mjs:
 * four forwardSubstitute calls take 2.2x (n = 50), 1.8x (n = 200), 1.2x (n = 500) as long.
 *
 * Rows are solved two at a time: both rows' sums share each load of the solved entries above them,
 * and row i + 1 takes its last term, from row i, once row i is solved, so every sum keeps its
 * column order (and its bits). Measured against one row at a time (CPU time, 4 x 8000 solves):
 * 0.64-0.71x as long at n = 100 and 0.62x at n = 200.
 *
 * Rows from..to-1 only, when given: rows below `from` must already be solved and norms must hold
 * their squared norms. Solving in pieces gives the bits of one call, and norms after a piece are
 * partial sums of the full ones, which only grow (every term is a square): s2 - norms[b] after a
 * piece bounds the final posterior variance from above, exactly (GpPosterior.predictBatch).
 */
export function solveLower4(
  l: Float64Array,
  n: number,
  v: Float64Array,
  norms: Float64Array,
  from = 0,
  to = n,
): void {
  let e0 = from === 0 ? 0 : (norms[0] as number);
  let e1 = from === 0 ? 0 : (norms[1] as number);
  let e2 = from === 0 ? 0 : (norms[2] as number);
  let e3 = from === 0 ? 0 : (norms[3] as number);
  let i = from;
  for (; i + 1 < to; i += 2) {
    const r0 = i * n;
    const r1 = r0 + n;
    const v0 = i * 4;
    const v1 = v0 + 4;
    let a0 = v[v0] as number;
    let a1 = v[v0 + 1] as number;
    let a2 = v[v0 + 2] as number;
    let a3 = v[v0 + 3] as number;
    let b0 = v[v1] as number;
    let b1 = v[v1 + 1] as number;
    let b2 = v[v1 + 2] as number;
    let b3 = v[v1 + 3] as number;
    for (let c = 0; c < i; c++) {
      const p = l[r0 + c] as number;
      const q = l[r1 + c] as number;
      const cb = c * 4;
      const x0 = v[cb] as number;
      const x1 = v[cb + 1] as number;
      const x2 = v[cb + 2] as number;
      const x3 = v[cb + 3] as number;
      a0 -= p * x0;
      a1 -= p * x1;
      a2 -= p * x2;
      a3 -= p * x3;
      b0 -= q * x0;
      b1 -= q * x1;
      b2 -= q * x2;
      b3 -= q * x3;
    }
    const inv0 = 1 / (l[r0 + i] as number);
    a0 *= inv0;
    a1 *= inv0;
    a2 *= inv0;
    a3 *= inv0;
    v[v0] = a0;
    v[v0 + 1] = a1;
    v[v0 + 2] = a2;
    v[v0 + 3] = a3;
    const q = l[r1 + i] as number;
    b0 -= q * a0;
    b1 -= q * a1;
    b2 -= q * a2;
    b3 -= q * a3;
    const inv1 = 1 / (l[r1 + i + 1] as number);
    b0 *= inv1;
    b1 *= inv1;
    b2 *= inv1;
    b3 *= inv1;
    v[v1] = b0;
    v[v1 + 1] = b1;
    v[v1 + 2] = b2;
    v[v1 + 3] = b3;
    e0 += a0 * a0;
    e1 += a1 * a1;
    e2 += a2 * a2;
    e3 += a3 * a3;
    e0 += b0 * b0;
    e1 += b1 * b1;
    e2 += b2 * b2;
    e3 += b3 * b3;
  }
  for (; i < to; i++) {
    const ri = i * n;
    let s0 = v[i * 4] as number;
    let s1 = v[i * 4 + 1] as number;
    let t2 = v[i * 4 + 2] as number;
    let t3 = v[i * 4 + 3] as number;
    for (let c = 0; c < i; c++) {
      const lic = l[ri + c] as number;
      const cb = c * 4;
      s0 -= lic * (v[cb] as number);
      s1 -= lic * (v[cb + 1] as number);
      t2 -= lic * (v[cb + 2] as number);
      t3 -= lic * (v[cb + 3] as number);
    }
    const inv = 1 / (l[ri + i] as number);
    s0 *= inv;
    s1 *= inv;
    t2 *= inv;
    t3 *= inv;
    v[i * 4] = s0;
    v[i * 4 + 1] = s1;
    v[i * 4 + 2] = t2;
    v[i * 4 + 3] = t3;
    e0 += s0 * s0;
    e1 += s1 * s1;
    e2 += t2 * t2;
    e3 += t3 * t3;
  }
  norms[0] = e0;
  norms[1] = e1;
  norms[2] = e2;
  norms[3] = e3;
}

/**
 * Forward substitution on the trailing block of L from row and column `start`: solves
 * L[start.., start..] x = b in place, b and x in y[yo .. yo + n - start). Row i's sum is
 * dot(row i of L from column start, x, i - start) in dot()'s order (four partial sums over the full
 * groups of four, the rest into the first), so x has the bits of one dot() call per row. Two rows
 * at a time: both rows' products share each load of x. Measured both ways: bench/loops.mjs, the
 * solve alone, finds one dot() per row as fast (0.85-1.0x); in place, one dot() per row made
 * NegLogPosterior.evaluate (whose cholInverse runs n of these solves) 7% slower and
 * GpPosterior.predict 5-16% slower at n = 50-256 (A/B against this version, CPU time).
 */
export function forwardSubstitute(
  l: Float64Array,
  n: number,
  y: Float64Array,
  yo: number,
  start: number,
): void {
  let i = start;
  for (; i + 1 < n; i += 2) {
    const r0 = i * n + start;
    const r1 = r0 + n;
    const len = i - start;
    const full = len & ~3;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let c0 = 0;
    let c1 = 0;
    let c2 = 0;
    let c3 = 0;
    for (let k = 0; k < full; k += 4) {
      const x0 = y[yo + k] as number;
      const x1 = y[yo + k + 1] as number;
      const x2 = y[yo + k + 2] as number;
      const x3 = y[yo + k + 3] as number;
      a0 += (l[r0 + k] as number) * x0;
      a1 += (l[r0 + k + 1] as number) * x1;
      a2 += (l[r0 + k + 2] as number) * x2;
      a3 += (l[r0 + k + 3] as number) * x3;
      c0 += (l[r1 + k] as number) * x0;
      c1 += (l[r1 + k + 1] as number) * x1;
      c2 += (l[r1 + k + 2] as number) * x2;
      c3 += (l[r1 + k + 3] as number) * x3;
    }
    for (let k = full; k < len; k++) a0 += (l[r0 + k] as number) * (y[yo + k] as number);
    y[yo + len] = ((y[yo + len] as number) - (a0 + a1 + (a2 + a3))) / (l[i * n + i] as number);
    if (((len + 1) & 3) === 0) {
      // Row i + 1 has one more full group of four, ending at the entry just solved.
      c0 += (l[r1 + full] as number) * (y[yo + full] as number);
      c1 += (l[r1 + full + 1] as number) * (y[yo + full + 1] as number);
      c2 += (l[r1 + full + 2] as number) * (y[yo + full + 2] as number);
      c3 += (l[r1 + full + 3] as number) * (y[yo + full + 3] as number);
    } else {
      for (let k = full; k <= len; k++) c0 += (l[r1 + k] as number) * (y[yo + k] as number);
    }
    y[yo + len + 1] =
      ((y[yo + len + 1] as number) - (c0 + c1 + (c2 + c3))) / (l[(i + 1) * n + i + 1] as number);
  }
  if (i < n) {
    const len = i - start;
    y[yo + len] = ((y[yo + len] as number) - dot(l, i * n + start, y, yo, len)) / (l[i * n + i] as number);
  }
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
    // Row j of U solves L u = e_j; entries before j are zero.
    u.fill(0, rj, rj + n);
    u[rj + j] = 1;
    forwardSubstitute(l, n, u, rj + j, j);
  }
  // K^-1 = U U^T in 2 x 4 blocks (rows i, i+1 of U against rows j..j+3), then 2 x 2: each loaded
  // entry feeds several products, and every entry is still one running sum in the order of k.
  // bench/loops.mjs: one entry at a time takes 1.45-1.6x as long (n = 50-500).
  // Sums start at k = i for both rows; U is upper triangular, so the extra terms of row i+1 are
  // exact zeros.
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const r0 = i * n;
    const r1 = r0 + n;
    let j = 0;
    for (; j + 3 < i; j += 4) {
      const q0 = j * n;
      const q1 = q0 + n;
      const q2 = q1 + n;
      const q3 = q2 + n;
      let a00 = 0;
      let a01 = 0;
      let a02 = 0;
      let a03 = 0;
      let a10 = 0;
      let a11 = 0;
      let a12 = 0;
      let a13 = 0;
      for (let k = i; k < n; k++) {
        const x0 = u[r0 + k] as number;
        const x1 = u[r1 + k] as number;
        const y0 = u[q0 + k] as number;
        const y1 = u[q1 + k] as number;
        const y2 = u[q2 + k] as number;
        const y3 = u[q3 + k] as number;
        a00 += x0 * y0;
        a01 += x0 * y1;
        a02 += x0 * y2;
        a03 += x0 * y3;
        a10 += x1 * y0;
        a11 += x1 * y1;
        a12 += x1 * y2;
        a13 += x1 * y3;
      }
      out[r0 + j] = a00;
      out[q0 + i] = a00;
      out[r0 + j + 1] = a01;
      out[q1 + i] = a01;
      out[r0 + j + 2] = a02;
      out[q2 + i] = a02;
      out[r0 + j + 3] = a03;
      out[q3 + i] = a03;
      out[r1 + j] = a10;
      out[q0 + i + 1] = a10;
      out[r1 + j + 1] = a11;
      out[q1 + i + 1] = a11;
      out[r1 + j + 2] = a12;
      out[q2 + i + 1] = a12;
      out[r1 + j + 3] = a13;
      out[q3 + i + 1] = a13;
    }
    for (; j < i; j += 2) {
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
