import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  covariance,
  covariances,
  fastKernelSums,
  inputGradients,
  type KernelKind,
  kappa,
  kappaTail,
  logLambdaGradient,
  pairwiseDelta2,
  pairwiseR2,
  squaredDistance,
  squaredDistances,
} from './kernel.js';
import { createRng } from './rng.js';

const KINDS: KernelKind[] = ['matern52', 'rbf'];

const relClose = (a: number, b: number, tol: number, what: string): void => {
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b)), `${what}: ${a} vs ${b}`);
};

/** n points in D dimensions (row-major) with categorical coordinates at `cats` (values 0..2). */
function points(n: number, dim: number, cats: number[], seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n * dim }, (_, i) => (cats.includes(i % dim) ? rng.int(3) : rng.next()));
}

const transpose = (x: Float64Array, n: number, dim: number): Float64Array =>
  Float64Array.from({ length: n * dim }, (_, k) => x[(k % n) * dim + Math.floor(k / n)] as number);

describe('kernel', () => {
  for (const kind of KINDS) {
    it(`${kind}: covariances gives s2 kappa and s2 dkappa/d(r2), the latter matching finite differences`, () => {
      const s2 = 1.7;
      const r2 = Float64Array.from([0, 1e-4, 0.1, 0.7, 2.5, 9]);
      const k = new Float64Array(r2.length);
      const dk = new Float64Array(r2.length);
      covariances(kind, s2, r2, k, dk, 0, r2.length);
      r2.forEach((rr, i) => {
        assert.ok(Object.is(k[i], covariance(kind, s2, rr)));
        relClose(k[i] ?? 0, s2 * kappa(kind, rr), 1e-15, `k at ${rr}`);
        if (rr === 0) return;
        const h = 1e-6 * Math.max(rr, 1e-3);
        const fd = (covariance(kind, s2, rr + h) - covariance(kind, s2, rr - h)) / (2 * h);
        relClose(dk[i] ?? 0, fd, 1e-6, `dk at ${rr}`);
      });
      assert.equal(k[0], s2);
    });

    it(`${kind}: the gradient in log lambda of a weighted sum over pairs matches finite differences`, () => {
      const n = 9;
      const dim = 3;
      const categorical = Uint8Array.of(0, 1, 0);
      const x = points(n, dim, [1], 2);
      const pairs = (n * (n - 1)) / 2;
      const d2 = pairwiseDelta2(x, n, dim, categorical);
      const rng = createRng(3);
      const w = Float64Array.from({ length: pairs }, () => rng.normal());
      const s2 = 0.8;
      const r2 = new Float64Array(pairs);
      const k = new Float64Array(pairs);
      const dk = new Float64Array(pairs);
      // f(log lambda) = sum_p w_p k_p.
      const f = (logLambda: Float64Array): number => {
        pairwiseR2(d2, pairs, dim, logLambda.map(Math.exp), r2);
        covariances(kind, s2, r2, k, dk, 0, pairs);
        return k.reduce((acc, kv, p) => acc + (w[p] as number) * kv, 0);
      };
      const logLambda = Float64Array.of(0.4, -0.3, 1.1);
      f(logLambda);
      const wDk = w.map((wp, p) => wp * (dk[p] as number));
      const grad = new Float64Array(dim);
      logLambdaGradient(d2, pairs, dim, logLambda.map(Math.exp), wDk, grad);
      for (let d = 0; d < dim; d++) {
        const h = 1e-6;
        const up = Float64Array.from(logLambda);
        const down = Float64Array.from(logLambda);
        up[d] = (up[d] as number) + h;
        down[d] = (down[d] as number) - h;
        relClose(grad[d] ?? Number.NaN, (f(up) - f(down)) / (2 * h), 1e-6, `d/dlog lambda_${d}`);
      }
      // pairwiseR2 agrees with the direct distance of each pair.
      pairwiseR2(d2, pairs, dim, logLambda.map(Math.exp), r2);
      let p = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < i; j++, p++) {
          relClose(
            r2[p] ?? 0,
            squaredDistance(x, i, j, dim, logLambda.map(Math.exp), categorical),
            1e-15,
            'r2',
          );
        }
      }
    });

    it(`${kind}: the gradient in x of weighted kernel sums matches finite differences`, () => {
      const n = 17;
      const dim = 6;
      const categorical = Uint8Array.of(0, 0, 1, 0, 0, 0);
      const x = points(n, dim, [2], 4);
      const xt = transpose(x, n, dim);
      const lambda = Float64Array.of(2, 0.5, 1, 4, 0.3, 1.5);
      const s2 = 1.3;
      const rng = createRng(5);
      const a = Float64Array.from({ length: n }, () => rng.normal());
      const b = Float64Array.from({ length: n }, () => rng.normal());
      const r2 = new Float64Array(n);
      const k = new Float64Array(n);
      const dk = new Float64Array(n);
      const sums = (xq: Float64Array): [number, number] => {
        squaredDistances(xq, 0, xt, n, dim, lambda, categorical, r2);
        covariances(kind, s2, r2, k, dk, 0, n);
        let sa = 0;
        let sb = 0;
        for (let i = 0; i < n; i++) {
          sa += (a[i] as number) * (k[i] as number);
          sb += (b[i] as number) * (k[i] as number);
        }
        return [sa, sb];
      };
      const xq = Float64Array.of(0.3, 0.6, 1, 0.2, 0.9, 0.45);
      sums(xq);
      const ca = a.map((ai, i) => 2 * ai * (dk[i] as number));
      const cb = b.map((bi, i) => 2 * bi * (dk[i] as number));
      const ga = new Float64Array(dim).fill(Number.NaN);
      const gb = new Float64Array(dim).fill(Number.NaN);
      inputGradients(xq, xt, n, dim, lambda, categorical, ca, cb, ga, gb);
      for (let d = 0; d < dim; d++) {
        if (categorical[d] === 1) {
          assert.equal(ga[d], 0);
          assert.equal(gb[d], 0);
          continue;
        }
        const h = 1e-6;
        const up = Float64Array.from(xq);
        const down = Float64Array.from(xq);
        up[d] = (up[d] as number) + h;
        down[d] = (down[d] as number) - h;
        const [ua, ub] = sums(up);
        const [da, db] = sums(down);
        relClose(ga[d] ?? Number.NaN, (ua - da) / (2 * h), 1e-6, `d/dx${d} of sum a k`);
        relClose(gb[d] ?? Number.NaN, (ub - db) / (2 * h), 1e-6, `d/dx${d} of sum b k`);
      }
    });

    it(`${kind}: fastKernelSums is within 2e-12 of exact sums, and kappaTail bounds kappa beyond its range`, () => {
      const out = new Float64Array(4);
      const one = Float64Array.of(1);
      for (const rr of [...Array.from({ length: 1099 }, (_, i) => 0.37 * i), 1e6]) {
        fastKernelSums(kind, Float64Array.of(rr), one, 1, out);
        assert.equal(out[3], rr);
        if (out[2] === 0) {
          relClose(out[0] as number, kappa(kind, rr), 2e-12, `r2 ${rr}`);
          assert.equal(out[1], out[0]);
        } else {
          assert.equal(out[0], 0);
          assert.equal(out[2], 1);
          assert.ok(kappa(kind, rr) <= kappaTail(kind), `tail at ${rr}`);
        }
      }
      assert.equal(out[2], 1, '1e6 is beyond the range');
      fastKernelSums(kind, Float64Array.of(0.5, 0.1), Float64Array.of(-2, 1), 2, out);
      relClose(out[0] as number, -2 * kappa(kind, 0.5) + kappa(kind, 0.1), 1e-11, 'weighted sum');
      relClose(out[1] as number, 2 * kappa(kind, 0.5) + kappa(kind, 0.1), 1e-11, 'absolute sum');
      assert.equal(out[3], 0.1);
    });
  }

  it('squaredDistances has the bits of one pass per dimension, categorical coordinates compared', () => {
    // 7 dimensions with a categorical one at 2 (passes of 1, 4 and 2 dimensions), then 5 continuous.
    for (const [dim, cats] of [
      [7, [2]],
      [5, []],
    ] as const) {
      const n = 13;
      const categorical = Uint8Array.from({ length: dim }, (_, d) =>
        (cats as readonly number[]).includes(d) ? 1 : 0,
      );
      const x = points(n, dim, [...cats], 6);
      const xt = transpose(x, n, dim);
      const lambda = Float64Array.from({ length: dim }, (_, d) => 0.5 + d);
      const xs = points(3, dim, [...cats], 7);
      const out = new Float64Array(n);
      for (let q = 0; q < 3; q++) {
        squaredDistances(xs, q * dim, xt, n, dim, lambda, categorical, out);
        const both = new Float64Array([...xs.subarray(q * dim, q * dim + dim), ...x]);
        for (let i = 0; i < n; i++) {
          assert.ok(
            Object.is(out[i], squaredDistance(both, 0, i + 1, dim, lambda, categorical)),
            `q ${q} i ${i}`,
          );
        }
      }
    }
  });
});
