import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ModelFittingError } from './errors.js';
import { FactorCache, fitHyperparameters, type GpData, GpPosterior, NegLogPosterior } from './gp.js';
import { kappa, kappaPrime } from './kernel.js';
import { cholesky, dot } from './linalg.js';
import { DEFAULT_PRIOR } from './prior.js';
import { createRng } from './rng.js';

function randomData(n: number, dim: number, categoricalDims: number[], seed: number): GpData {
  const rng = createRng(seed);
  const categorical = new Uint8Array(dim);
  for (const d of categoricalDims) categorical[d] = 1;
  const x = new Float64Array(n * dim);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) {
      const v = categorical[d] ? rng.int(3) : rng.next();
      x[i * dim + d] = v;
      s += Math.sin(3 * v + d);
    }
    y[i] = s + 0.1 * rng.normal();
  }
  return { x, y, n, dim, categorical };
}

const relClose = (a: number, b: number, tol: number, what: string): void => {
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b)), `${what}: ${a} vs ${b}`);
};

describe('kernel derivatives', () => {
  for (const kind of ['matern52', 'rbf'] as const) {
    it(`${kind}: dkappa/d(r^2) matches finite differences`, () => {
      for (const r2 of [1e-4, 0.1, 0.7, 2.5, 9]) {
        const h = 1e-6 * Math.max(r2, 1e-3);
        const fd = (kappa(kind, r2 + h) - kappa(kind, r2 - h)) / (2 * h);
        relClose(kappaPrime(kind, r2), fd, 1e-6, `r2=${r2}`);
      }
      assert.equal(kappa(kind, 0), 1);
    });
  }
});

describe('marginal likelihood gradient', () => {
  for (const kind of ['matern52', 'rbf'] as const) {
    it(`${kind}: analytic gradient of -(LML + log prior) matches central differences`, () => {
      const data = randomData(14, 3, [2], 3);
      const nlp = new NegLogPosterior(data, kind, DEFAULT_PRIOR);
      const theta = Float64Array.from([0.3, -0.5, 1.1, 0.2, Math.log(0.05), 0.3]);
      const grad = new Float64Array(theta.length);
      nlp.evaluate(theta, grad);
      const g2 = new Float64Array(theta.length);
      for (let k = 0; k < theta.length; k++) {
        const h = 1e-5;
        const tp = Float64Array.from(theta);
        const tm = Float64Array.from(theta);
        tp[k] = (tp[k] ?? 0) + h;
        tm[k] = (tm[k] ?? 0) - h;
        const fd = (nlp.evaluate(tp, g2) - nlp.evaluate(tm, g2)) / (2 * h);
        relClose(grad[k] ?? Number.NaN, fd, 1e-5, `theta[${k}]`);
      }
    });
  }

  it('with per-observation noise scales: the gradient matches central differences', () => {
    const data = randomData(14, 3, [2], 5);
    data.noiseScale = Float64Array.from({ length: 14 }, (_, i) => 0.2 + 0.3 * (i % 5));
    const nlp = new NegLogPosterior(data, 'matern52', DEFAULT_PRIOR);
    const theta = Float64Array.from([0.3, -0.5, 1.1, 0.2, Math.log(0.05), 0.3]);
    const grad = new Float64Array(theta.length);
    const f = nlp.evaluate(theta, grad);
    const plain = new NegLogPosterior({ ...data, noiseScale: undefined }, 'matern52', DEFAULT_PRIOR);
    assert.notEqual(f, plain.evaluate(theta, new Float64Array(theta.length)));
    const g2 = new Float64Array(theta.length);
    for (let k = 0; k < theta.length; k++) {
      const h = 1e-5;
      const tp = Float64Array.from(theta);
      const tm = Float64Array.from(theta);
      tp[k] = (tp[k] ?? 0) + h;
      tm[k] = (tm[k] ?? 0) - h;
      const fd = (nlp.evaluate(tp, g2) - nlp.evaluate(tm, g2)) / (2 * h);
      relClose(grad[k] ?? Number.NaN, fd, 1e-5, `theta[${k}]`);
    }
  });

  it('with per-observation noise scales: the posterior matches a direct solve', () => {
    const data = randomData(9, 2, [], 8);
    data.noiseScale = Float64Array.from({ length: 9 }, (_, i) => (i % 2 === 0 ? 0.1 : 3));
    const hyper = { invSqLengthscales: Float64Array.of(2, 1), signalVar: 1.3, noiseVar: 0.05, mean: 0.1 };
    const post = new GpPosterior(data, 'rbf', hyper);
    // K = s2 kappa + noise diag(scale); mean at x* = m + k*^T K^-1 (y - m), by Gaussian elimination.
    const n = 9;
    const k = (i: number, q: ArrayLike<number>) => {
      let r2 = 0;
      for (let d = 0; d < 2; d++)
        r2 += (hyper.invSqLengthscales[d] ?? 0) * ((data.x[i * 2 + d] ?? 0) - (q[d] ?? 0)) ** 2;
      return hyper.signalVar * Math.exp(-0.5 * r2);
    };
    const a = Array.from({ length: n }, (_, i) =>
      Array.from({ length: n + 1 }, (_, j) =>
        j === n
          ? (data.y[i] ?? 0) - hyper.mean
          : k(i, data.x.subarray(j * 2, j * 2 + 2)) +
            (i === j ? hyper.noiseVar * (data.noiseScale?.[i] ?? 1) : 0),
      ),
    );
    for (let c = 0; c < n; c++) {
      for (let r = c + 1; r < n; r++) {
        const f = (a[r]?.[c] ?? 0) / (a[c]?.[c] ?? 1);
        for (let j = c; j <= n; j++) (a[r] as number[])[j] = (a[r]?.[j] ?? 0) - f * (a[c]?.[j] ?? 0);
      }
    }
    const alpha = new Array<number>(n).fill(0);
    for (let r = n - 1; r >= 0; r--) {
      let v = a[r]?.[n] ?? 0;
      for (let j = r + 1; j < n; j++) v -= (a[r]?.[j] ?? 0) * (alpha[j] ?? 0);
      alpha[r] = v / (a[r]?.[r] ?? 1);
    }
    const q = [0.4, 0.7];
    let mean = hyper.mean;
    for (let i = 0; i < n; i++) mean += k(i, q) * (alpha[i] ?? 0);
    relClose(post.predict(q).mean, mean, 1e-9, 'mean');
  });

  it('fails with a typed ModelFittingError when no hyperparameters give a valid covariance', () => {
    const data = randomData(6, 2, [], 1);
    data.x[3] = Number.NaN; // a corrupted coordinate poisons every kernel row it touches
    assert.throws(
      () => fitHyperparameters(data, { kernel: 'matern52', noiseFloor: 1e-6 }),
      ModelFittingError,
    );
    assert.throws(
      () =>
        new GpPosterior(data, 'rbf', {
          invSqLengthscales: Float64Array.of(1, 1),
          signalVar: 1,
          noiseVar: 1e-3,
          mean: 0,
        }),
      ModelFittingError,
    );
  });

  it('fitting improves on the default start and recovers short lengthscales on a wiggly dimension', () => {
    const rng = createRng(11);
    const n = 40;
    const x = new Float64Array(n * 2);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x[2 * i] = rng.next();
      x[2 * i + 1] = rng.next();
      y[i] = Math.sin(12 * (x[2 * i] ?? 0)); // depends on x0 only
    }
    const data: GpData = { x, y, n, dim: 2, categorical: new Uint8Array(2) };
    const fit = fitHyperparameters(data, { kernel: 'matern52', noiseFloor: 1e-6 });
    assert.ok(fit.fitted);
    const [l0 = 0, l1 = 0] = fit.hyper.invSqLengthscales;
    assert.ok(l0 > 10 * l1, `lambda0 ${l0} should dominate lambda1 ${l1}`);
  });
});

describe('noise floor', () => {
  it('the fitted noise never goes below the floor, and fixedNoise pins it there', () => {
    // Noiseless data pull the noise variance down to the floor, whatever the floor.
    const rng = createRng(4);
    const n = 20;
    const x = Float64Array.from({ length: n }, () => rng.next());
    const data: GpData = { x, y: x.map((v) => Math.sin(5 * v)), n, dim: 1, categorical: new Uint8Array(1) };
    for (const noiseFloor of [1e-6, 1e-3, 1e-2]) {
      const free = fitHyperparameters(data, { kernel: 'matern52', noiseFloor });
      assert.ok(free.fitted);
      assert.ok(free.hyper.noiseVar >= noiseFloor * (1 - 1e-12), `${free.hyper.noiseVar} < ${noiseFloor}`);
      assert.ok(free.hyper.noiseVar < 2 * noiseFloor, `${free.hyper.noiseVar} far above ${noiseFloor}`);
      const fixed = fitHyperparameters(data, { kernel: 'matern52', noiseFloor, fixedNoise: true });
      assert.ok(Math.abs(fixed.hyper.noiseVar - noiseFloor) <= 1e-12 * noiseFloor);
    }
  });
});

describe('restarts', () => {
  // A wiggly function on 12 noisy points: the default start (unit lengthscales) and a start at short
  // lengthscales and low noise reach different local optima, and neither start always wins.
  function wiggly(seed: number): GpData {
    const rng = createRng(seed);
    const n = 12;
    const x = new Float64Array(n * 2);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x[2 * i] = rng.next();
      x[2 * i + 1] = rng.next();
      y[i] = Math.sin(25 * (x[2 * i] ?? 0)) + 0.3 * rng.normal();
    }
    const m = y.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(y.reduce((a, b) => a + (b - m) ** 2, 0) / n);
    return { x, y: y.map((v) => (v - m) / sd), n, dim: 2, categorical: new Uint8Array(2) };
  }
  const short = Float64Array.from([Math.log(10), Math.log(10), 0, Math.log(1e-4), 0]);

  it('the best optimum over all starts wins, whichever start finds it', () => {
    const winners = new Set<string>();
    for (const seed of [7, 8]) {
      const data = wiggly(seed);
      const options = { kernel: 'matern52' as const, noiseFloor: 1e-6 };
      const fromDefault = fitHyperparameters(data, options);
      const fromShort = fitHyperparameters(data, { ...options, includeDefault: false, starts: [short] });
      const both = fitHyperparameters(data, { ...options, starts: [short] });
      assert.ok(Math.abs(fromDefault.objective - fromShort.objective) > 0.5, `seed ${seed}: distinct optima`);
      const winner = fromDefault.objective < fromShort.objective ? fromDefault : fromShort;
      winners.add(winner === fromDefault ? 'default' : 'short');
      assert.equal(both.objective, winner.objective);
      assert.deepEqual(Array.from(both.theta), Array.from(winner.theta));
    }
    assert.equal(winners.size, 2, 'each start wins once');
  });
});

describe('posterior', () => {
  it('mean and variance gradients in x match finite differences (categorical coordinate fixed)', () => {
    const data = randomData(20, 3, [1], 5);
    const post = new GpPosterior(data, 'matern52', {
      invSqLengthscales: Float64Array.from([4, 1, 2]),
      signalVar: 1.3,
      noiseVar: 1e-3,
      mean: 0.1,
    });
    const xq = Float64Array.from([0.37, 1, 0.61]);
    const dm = new Float64Array(3);
    const dv = new Float64Array(3);
    post.predict(xq, dm, dv);
    for (const d of [0, 2]) {
      const h = 1e-6;
      const xp = Float64Array.from(xq);
      const xm = Float64Array.from(xq);
      xp[d] = (xp[d] ?? 0) + h;
      xm[d] = (xm[d] ?? 0) - h;
      const a = post.predict(xp);
      const b = post.predict(xm);
      relClose(dm[d] ?? Number.NaN, (a.mean - b.mean) / (2 * h), 1e-5, `dmean/dx${d}`);
      relClose(dv[d] ?? Number.NaN, (a.variance - b.variance) / (2 * h), 1e-5, `dvar/dx${d}`);
    }
    assert.equal(dm[1], 0);
    assert.equal(dv[1], 0);
  });

  it('extending a cached factor with new rows gives bit-identical posteriors', () => {
    const hyper = {
      invSqLengthscales: Float64Array.from([3, 0.5, 1]),
      signalVar: 0.8,
      noiseVar: 1e-4,
      mean: 0,
    };
    const full = randomData(30, 3, [2], 21);
    const prefix: GpData = { ...full, x: full.x.slice(0, 24 * 3), y: full.y.slice(0, 24), n: 24 };
    const factors = new FactorCache();
    new GpPosterior(prefix, 'matern52', hyper, factors); // cached factor of the first 24 rows
    const extended = new GpPosterior(full, 'matern52', hyper, factors);
    // Evict the cache with unrelated posteriors, then factor from scratch.
    for (let s = 0; s < 6; s++) new GpPosterior(randomData(5, 3, [2], 100 + s), 'matern52', hyper, factors);
    const fresh = new GpPosterior(
      { ...full, x: full.x.slice(), y: full.y.slice() },
      'matern52',
      hyper,
      factors,
    );
    for (const q of [
      [0.1, 0.2, 1],
      [0.9, 0.4, 0],
      [0.5, 0.5, 2],
    ]) {
      const a = extended.predict(q);
      const b = fresh.predict(q);
      assert.equal(a.mean, b.mean);
      assert.equal(a.variance, b.variance);
    }
  });

  it('batched prediction gives the same numbers as one-by-one prediction', () => {
    for (const kernel of ['matern52', 'rbf'] as const) {
      const data = randomData(23, 3, [2], 9);
      const post = new GpPosterior(data, kernel, {
        invSqLengthscales: Float64Array.from([3, 0.5, 1]),
        signalVar: 0.8,
        noiseVar: 1e-4,
        mean: -0.2,
      });
      const count = 11; // not a multiple of the block size
      const xs = Float64Array.from({ length: count * 3 }, (_, i) => (i % 3 === 2 ? i % 2 : (i * 0.37) % 1));
      const mean = new Float64Array(count);
      const variance = new Float64Array(count);
      post.predictBatch(xs, count, mean, variance);
      for (let i = 0; i < count; i++) {
        const p = post.predict(xs.subarray(i * 3, i * 3 + 3));
        assert.ok(Math.abs(p.mean - (mean[i] ?? 0)) < 1e-12);
        assert.ok(Math.abs(p.variance - (variance[i] ?? 0)) < 1e-12);
      }
    }
  });

  it('predict has the bits of plain one-term-at-a-time loops (blocked distances and solves)', () => {
    // Plain loops: squared distances one dimension at a time, L by cholesky() (itself tested against
    // a row-by-row factorization), the forward solve by dot() per row, the back solve by one
    // column at a time, gradient sums one coordinate at a time.
    const plain = (post: GpPosterior, data: GpData, xq: Float64Array) => {
      const { n, dim, x, y, categorical } = data;
      const { invSqLengthscales: lam, signalVar: s2, noiseVar, mean: m } = post.hyper;
      const r2 = (a: ArrayLike<number>, ia: number, b: ArrayLike<number>, ib: number): number => {
        let rr = 0;
        for (let d = 0; d < dim; d++) {
          const diff = (a[ia + d] ?? 0) - (b[ib + d] ?? 0);
          rr += (lam[d] ?? 0) * (categorical[d] === 1 ? (diff === 0 ? 0 : 1) : diff * diff);
        }
        return rr;
      };
      const kv = (rr: number): { k: number; dk: number } => {
        const r = Math.sqrt(5 * rr);
        const e = s2 * Math.exp(-r);
        return { k: (1 + r + (5 / 3) * rr) * e, dk: (-5 / 6) * (1 + r) * e };
      };
      const K = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < i; j++) K[i * n + j] = kv(r2(x, i * dim, x, j * dim)).k;
        K[i * n + i] = s2 + noiseVar;
      }
      const L = new Float64Array(n * n);
      assert.ok(cholesky(K, n, L));
      const lower = (b: Float64Array): void => {
        for (let i = 0; i < n; i++) b[i] = ((b[i] ?? 0) - dot(L, i * n, b, 0, i)) / (L[i * n + i] ?? 1);
      };
      const upper = (b: Float64Array): void => {
        for (let i = n - 1; i >= 0; i--) {
          const xi = (b[i] ?? 0) / (L[i * n + i] ?? 1);
          b[i] = xi;
          for (let k = 0; k < i; k++) b[k] = (b[k] ?? 0) - (L[i * n + k] ?? 0) * xi;
        }
      };
      const alpha = Float64Array.from(y.subarray(0, n), (v) => v - m);
      lower(alpha);
      upper(alpha);
      const ks = new Float64Array(n);
      const dks = new Float64Array(n);
      let mean = m;
      for (let i = 0; i < n; i++) {
        const t = kv(r2(xq, 0, x, i * dim));
        ks[i] = t.k;
        dks[i] = t.dk;
        mean += t.k * (alpha[i] ?? 0);
      }
      const v = Float64Array.from(ks);
      lower(v);
      const variance = Math.max(0, s2 - dot(v, 0, v, 0, n));
      upper(v);
      const dMean = new Float64Array(dim);
      const dVar = new Float64Array(dim);
      for (let d = 0; d < dim; d++) {
        if (categorical[d] === 1) continue;
        let sm = 0;
        let sv = 0;
        for (let i = 0; i < n; i++) {
          const g = 2 * (dks[i] ?? 0);
          const diff = (xq[d] ?? 0) - (x[i * dim + d] ?? 0);
          sm += g * (alpha[i] ?? 0) * diff;
          sv += -2 * g * (v[i] ?? 0) * diff;
        }
        dMean[d] = (lam[d] ?? 0) * sm;
        dVar[d] = (lam[d] ?? 0) * sv;
      }
      return { mean, variance, dMean, dVar };
    };
    // Odd and even n (the solves' tails), 7 dimensions with a categorical one at 2 (distance passes
    // of 1, 4 and 2 dimensions) and 6 continuous ones (4 + 2).
    const cases: Array<[number, number, number[]]> = [
      [23, 7, [2]],
      [30, 6, []],
    ];
    for (const [n, dim, cats] of cases) {
      const data = randomData(n, dim, cats, 40 + n);
      const post = new GpPosterior(data, 'matern52', {
        invSqLengthscales: Float64Array.from({ length: dim }, (_, d) => 0.5 + 3 * d),
        signalVar: 1.7,
        noiseVar: 1e-4,
        mean: 0.2,
      });
      const rng = createRng(n);
      for (let q = 0; q < 20; q++) {
        const xq = Float64Array.from({ length: dim }, (_, d) => (cats.includes(d) ? rng.int(3) : rng.next()));
        const dMean = new Float64Array(dim);
        const dVar = new Float64Array(dim);
        const got = post.predict(xq, dMean, dVar);
        const want = plain(post, data, xq);
        assert.ok(Object.is(got.mean, want.mean), `mean ${q}: ${got.mean} vs ${want.mean}`);
        assert.ok(Object.is(got.variance, want.variance), `variance ${q}`);
        for (let d = 0; d < dim; d++) {
          assert.ok(Object.is(dMean[d], want.dMean[d]), `dMean ${q} ${d}: ${dMean[d]} vs ${want.dMean[d]}`);
          assert.ok(Object.is(dVar[d], want.dVar[d]), `dVar ${q} ${d}`);
        }
      }
    }
  });

  it('screening: mean and variance bounds at least the exact ones, and tight', () => {
    // With and without a categorical coordinate (the two distance paths of screen()); five
    // dimensions so the continuous path runs both its four-dimension block and the remainder.
    const dim = 5;
    for (const categoricalDims of [[2], []]) {
      for (const kernel of ['matern52', 'rbf'] as const) {
        for (const noiseVar of [1e-6, 1e-2]) {
          const data = randomData(40, dim, categoricalDims, 13);
          const post = new GpPosterior(data, kernel, {
            invSqLengthscales: Float64Array.from([8, 2, 1, 4, 0.5]),
            signalVar: 1.3,
            noiseVar,
            mean: 0.1,
          });
          const rng = createRng(5);
          // Candidates near the data (where one observation dominates) and far from it.
          const count = 200;
          const xs = new Float64Array(count * dim);
          for (let q = 0; q < count; q++) {
            const i = q % data.n;
            for (let d = 0; d < dim; d++) {
              const base = data.x[i * dim + d] ?? 0;
              xs[q * dim + d] = categoricalDims.includes(d)
                ? rng.int(3)
                : q < 100
                  ? base + 1e-4 * rng.normal()
                  : rng.next();
            }
          }
          const mean = new Float64Array(count);
          const bound = new Float64Array(count);
          post.screen(xs, count, mean, bound);
          const exactMean = new Float64Array(count);
          const exactVar = new Float64Array(count);
          post.predictBatch(xs, count, exactMean, exactVar);
          const label = `${kernel} ${noiseVar} ${categoricalDims.length}`;
          for (let q = 0; q < count; q++) {
            const p = post.predict(xs.subarray(q * dim, q * dim + dim));
            for (const m of [p.mean, exactMean[q] ?? 0]) {
              assert.ok((mean[q] ?? 0) >= m, `${label} mean bound ${q}: ${mean[q]} < ${m}`);
              assert.ok((mean[q] ?? 0) - m < 1e-6, `${label} mean bound ${q} loose: ${mean[q]} vs ${m}`);
            }
            for (const v of [p.variance, exactVar[q] ?? 0]) {
              assert.ok((bound[q] ?? 0) >= v, `${label} variance bound ${q}: ${bound[q]} < ${v}`);
            }
          }
        }
      }
    }
  });

  it('1-D RBF, noiseless: closed-form posterior; interpolates the data with zero variance', () => {
    const l = 0.3;
    const sf = 1.7;
    const xs = [0.1, 0.5];
    const ys = [1.0, -0.4];
    const data: GpData = {
      x: Float64Array.from(xs),
      y: Float64Array.from(ys),
      n: 2,
      dim: 1,
      categorical: new Uint8Array(1),
    };
    const post = new GpPosterior(data, 'rbf', {
      invSqLengthscales: Float64Array.of(1 / (l * l)),
      signalVar: sf * sf,
      noiseVar: 1e-12,
      mean: 0,
    });
    const k = (a: number, b: number): number => sf * sf * Math.exp(-((a - b) ** 2) / (2 * l * l));
    // K^-1 of a 2 x 2 matrix by hand.
    const k11 = k(0.1, 0.1);
    const k12 = k(0.1, 0.5);
    const det = k11 * k11 - k12 * k12;
    const inv = [
      [k11 / det, -k12 / det],
      [-k12 / det, k11 / det],
    ];
    for (const xq of [0, 0.1, 0.3, 0.5, 0.9]) {
      const ks = [k(xq, 0.1), k(xq, 0.5)];
      let mean = 0;
      let quad = 0;
      for (let i = 0; i < 2; i++) {
        for (let j = 0; j < 2; j++) {
          const v = inv[i]?.[j] ?? 0;
          mean += (ks[i] ?? 0) * v * (ys[j] ?? 0);
          quad += (ks[i] ?? 0) * v * (ks[j] ?? 0);
        }
      }
      const p = post.predict([xq]);
      assert.ok(Math.abs(p.mean - mean) < 1e-8, `mean at ${xq}: ${p.mean} vs ${mean}`);
      assert.ok(Math.abs(p.variance - (sf * sf - quad)) < 1e-8, `variance at ${xq}`);
    }
    xs.forEach((xv, i) => {
      const p = post.predict([xv]);
      assert.ok(Math.abs(p.mean - (ys[i] ?? 0)) < 1e-9, 'posterior mean equals the observation');
      assert.ok(p.variance < 1e-9, 'posterior variance vanishes at observations');
    });
  });
});
