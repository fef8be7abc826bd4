import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cholesky, cholInverse, dot, solveLower4 } from './linalg.js';
import { createRng } from './rng.js';

/** A random symmetric positive-definite n x n matrix (row-major). */
function spd(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const b = Float64Array.from({ length: n * n }, () => rng.normal());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) a[i * n + j] = dot(b, i * n, b, j * n, n) + (i === j ? 0.5 : 0);
  }
  return a;
}

/** One row at a time, every entry by dot(): the order the blocked factorization must keep. */
function referenceCholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const s = (a[i * n + j] ?? 0) - dot(l, i * n, l, j * n, j);
      l[i * n + j] = i === j ? Math.sqrt(s) : s / (l[j * n + j] ?? 1);
    }
  }
  return l;
}

const sameBits = (a: Float64Array, b: Float64Array, what: string): void => {
  for (let i = 0; i < a.length; i++) assert.ok(Object.is(a[i], b[i]), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
};

describe('linear algebra', () => {
  it('cholesky, two rows at a time, has the bits of one row at a time, also when extending', () => {
    for (const n of [1, 2, 3, 4, 5, 8, 9, 17, 30, 31]) {
      const a = spd(n, n);
      const expected = referenceCholesky(a, n);
      const l = new Float64Array(n * n).fill(Number.NaN);
      assert.ok(cholesky(a, n, l));
      sameBits(l, expected, `n=${n}`);
      // Extending a factor of the leading block from an odd and from an even first row.
      for (const m of [Math.floor(n / 2), Math.max(0, n - 3)]) {
        const ext = new Float64Array(n * n);
        for (let i = 0; i < m; i++) ext.set(expected.subarray(i * n, i * n + i + 1), i * n);
        assert.ok(cholesky(a, n, ext, m));
        sameBits(ext, expected, `n=${n} from row ${m}`);
      }
    }
  });

  it('solveLower4, two rows at a time, has the bits of one running sum per entry in column order', () => {
    for (const n of [1, 2, 3, 8, 13, 30]) {
      const l = referenceCholesky(spd(n, 300 + n), n);
      const rng = createRng(7 * n);
      const rhs = Float64Array.from({ length: n * 4 }, () => rng.normal());
      const expected = rhs.slice();
      const expectedNorms = [0, 0, 0, 0];
      for (let i = 0; i < n; i++) {
        for (let b = 0; b < 4; b++) {
          let s = expected[i * 4 + b] as number;
          for (let c = 0; c < i; c++) s -= (l[i * n + c] as number) * (expected[c * 4 + b] as number);
          s *= 1 / (l[i * n + i] as number);
          expected[i * 4 + b] = s;
          expectedNorms[b] = (expectedNorms[b] as number) + s * s;
        }
      }
      const norms = new Float64Array(4);
      const v = rhs.slice();
      solveLower4(l, n, v, norms);
      sameBits(v, expected, `n=${n} solution`);
      sameBits(norms, Float64Array.from(expectedNorms), `n=${n} norms`);
    }
  });

  it('solveLower4 in pieces has the bits of one call, and its norms grow piece by piece', () => {
    for (const n of [1, 7, 32, 45]) {
      const l = referenceCholesky(spd(n, 200 + n), n);
      const rng = createRng(n);
      const rhs = Float64Array.from({ length: n * 4 }, () => rng.normal());
      const whole = rhs.slice();
      const wholeNorms = new Float64Array(4);
      solveLower4(l, n, whole, wholeNorms);
      const pieces = rhs.slice();
      const norms = new Float64Array(4).fill(Number.NaN);
      let previous = [0, 0, 0, 0];
      for (const [from, to] of [
        [0, n >> 2],
        [n >> 2, n >> 1],
        [n >> 1, n],
      ] as const) {
        solveLower4(l, n, pieces, norms, from, to);
        if (to > 0) {
          for (let b = 0; b < 4; b++) assert.ok((norms[b] as number) >= (previous[b] as number));
          previous = Array.from(norms);
        }
      }
      sameBits(pieces, whole, `n=${n} solution`);
      sameBits(norms, wholeNorms, `n=${n} norms`);
    }
  });

  it('cholesky reports a matrix that is not positive definite', () => {
    const a = spd(6, 1);
    a[4 * 6 + 4] = -1;
    assert.equal(cholesky(a, 6, new Float64Array(36)), false);
  });

  it('cholInverse inverts, and each entry is one running sum over k as the 2 x 2 blocks summed', () => {
    for (const n of [1, 2, 3, 5, 6, 9, 12, 13, 30]) {
      const a = spd(n, 100 + n);
      const l = referenceCholesky(a, n);
      const inv = new Float64Array(n * n);
      cholInverse(l, n, inv);
      // U = L^-T row by row, as cholInverse builds it; then (U U^T)_pq summed from k = the first
      // row of p's pair (both rows of a pair start there; U's zeros make the extra term exact),
      // or by dot() for the last row of an odd n.
      const u = new Float64Array(n * n);
      for (let j = 0; j < n; j++) {
        u[j * n + j] = 1 / (l[j * n + j] ?? 1);
        for (let i = j + 1; i < n; i++) {
          u[j * n + i] = -dot(l, i * n + j, u, j * n + j, i - j) / (l[i * n + i] ?? 1);
        }
      }
      for (let p = 0; p < n; p++) {
        for (let q = 0; q <= p; q++) {
          let s = 0;
          if (n % 2 === 1 && p === n - 1) s = dot(u, p * n + p, u, q * n + p, n - p);
          else for (let k = p - (p % 2); k < n; k++) s += (u[p * n + k] ?? 0) * (u[q * n + k] ?? 0);
          assert.ok(Object.is(inv[p * n + q], s) && Object.is(inv[q * n + p], s), `n=${n} (${p}, ${q})`);
        }
      }
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const e = dot(inv, i * n, a, j * n, n);
          assert.ok(Math.abs(e - (i === j ? 1 : 0)) < 1e-8, `n=${n} (K^-1 K)[${i}][${j}] = ${e}`);
        }
      }
    }
  });
});
