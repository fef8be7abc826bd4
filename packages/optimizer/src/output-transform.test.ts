import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitYeoJohnson, transformTargets, yeoJohnson, yeoJohnsonInverse } from './output-transform.js';
import { createRng } from './rng.js';

describe('Yeo-Johnson target transform', () => {
  it('inverts exactly for every lambda and sign', () => {
    for (const lambda of [-2, -0.7, 0, 0.5, 1, 1.5, 2]) {
      for (const z of [-5, -1, -0.1, 0, 0.2, 3, 40]) {
        const back = yeoJohnsonInverse(yeoJohnson(z, lambda), lambda);
        assert.ok(Math.abs(back - z) < 1e-9 * Math.max(1, Math.abs(z)), `lambda ${lambda}, z ${z}: ${back}`);
      }
    }
  });

  it('keeps Gaussian data nearly untouched and compresses a heavy right tail', () => {
    const rng = createRng(4);
    const gauss = Float64Array.from({ length: 200 }, () => rng.normal());
    assert.ok(Math.abs(fitYeoJohnson(gauss, 200) - 1) < 0.3);
    const heavy = Float64Array.from({ length: 200 }, () => Math.exp(1.5 * rng.normal()));
    const m = heavy.reduce((a, b) => a + b, 0) / 200;
    const sd = Math.sqrt(heavy.reduce((a, b) => a + (b - m) ** 2, 0) / 200);
    assert.ok(
      fitYeoJohnson(
        heavy.map((v) => (v - m) / sd),
        200,
      ) < 0.5,
    );
  });

  it('is monotone, standardized, and maps predictions back to objective units', () => {
    const rng = createRng(8);
    // g is maximized: the minimized objective -g has a heavy right tail.
    const g = Float64Array.from({ length: 50 }, () => -Math.exp(2 * rng.normal()));
    const t = transformTargets(g, 50, true);
    assert.ok(t.lambda < 1);
    const order = (a: ArrayLike<number>): number[] =>
      Array.from({ length: 50 }, (_, i) => i).sort((i, j) => (a[i] ?? 0) - (a[j] ?? 0));
    assert.deepEqual(order(t.y), order(g));
    const mean = t.y.reduce((a, b) => a + b, 0) / 50;
    assert.ok(Math.abs(mean) < 1e-12);
    for (let i = 0; i < 50; i++) {
      const back = t.toTarget(t.y[i] ?? 0, 0);
      assert.ok(Math.abs(back.mean - (g[i] ?? 0)) < 1e-8 * Math.max(1, Math.abs(g[i] ?? 0)));
      assert.equal(back.std, 0);
    }
    const off = transformTargets(g, 50, false);
    assert.equal(off.lambda, 1);
  });

  it('standardizes values too large to square like the same values at an ordinary scale', () => {
    const rng = createRng(12);
    const g = Float64Array.from({ length: 30 }, () => rng.normal() * 40 - Math.exp(rng.normal()));
    const huge = 2 ** 600; // about 4e180: squared deviations overflow to infinity
    for (const warp of [true, false]) {
      const base = transformTargets(g, 30, warp);
      const scaled = transformTargets(
        g.map((v) => v * huge),
        30,
        warp,
      );
      assert.equal(scaled.lambda, base.lambda);
      assert.deepEqual(Array.from(scaled.y), Array.from(base.y));
      const a = base.toTarget(0.3, 0.7);
      const b = scaled.toTarget(0.3, 0.7);
      assert.equal(b.mean, a.mean * huge);
      assert.equal(b.std, a.std * huge);
    }
    // Not a power-of-two multiple, and at the edge of the double range: finite and in order.
    const edge = transformTargets(Float64Array.from([1.7e308, -1.7e308, 3e307, -1e300, 0]), 5, true);
    assert.ok(edge.y.every(Number.isFinite), String(edge.y));
    assert.deepEqual(
      Array.from(edge.y.keys()).sort((i, j) => (edge.y[j] ?? 0) - (edge.y[i] ?? 0)),
      [0, 2, 4, 3, 1],
    );
  });
});
