import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { minimizeLbfgsb } from './lbfgsb.js';

describe('bounded quasi-Newton', () => {
  it('solves an unconstrained Rosenbrock problem', () => {
    const r = minimizeLbfgsb(
      (x, g) => {
        const a = x[0] ?? 0;
        const b = x[1] ?? 0;
        g[0] = -400 * a * (b - a * a) - 2 * (1 - a);
        g[1] = 200 * (b - a * a);
        return 100 * (b - a * a) ** 2 + (1 - a) ** 2;
      },
      [-1.2, 1],
      { lower: [-10, -10], upper: [10, 10], maxIterations: 500, pgtol: 1e-9, ftol: 0 },
    );
    assert.ok(Math.abs((r.x[0] ?? 0) - 1) < 1e-4 && Math.abs((r.x[1] ?? 0) - 1) < 1e-4, String(r.x));
  });

  it('stops on active bounds with the right KKT signs', () => {
    // min (x0 - 2)^2 + (x1 + 1)^2 + (x2 - 0.3)^2 on [0, 1]^3 -> (1, 0, 0.3)
    const target = [2, -1, 0.3];
    const r = minimizeLbfgsb(
      (x, g) => {
        let f = 0;
        for (let i = 0; i < 3; i++) {
          const d = (x[i] ?? 0) - (target[i] ?? 0);
          f += d * d;
          g[i] = 2 * d;
        }
        return f;
      },
      [0.5, 0.5, 0.5],
      { lower: [0, 0, 0], upper: [1, 1, 1] },
    );
    assert.deepEqual(
      Array.from(r.x, (v) => Math.round(v * 1e6) / 1e6),
      [1, 0, 0.3],
    );
    assert.ok(r.converged);
  });

  it('a split objective takes the same steps, asking for gradients only at accepted points', () => {
    // Rosenbrock in 3 dimensions on a box: curved enough that line searches backtrack.
    const value = (x: Float64Array): number => {
      let f = 0;
      for (let i = 0; i + 1 < 3; i++)
        f += 100 * ((x[i + 1] ?? 0) - (x[i] ?? 0) ** 2) ** 2 + (1 - (x[i] ?? 0)) ** 2;
      return f;
    };
    const gradient = (x: Float64Array, g: Float64Array): void => {
      g.fill(0);
      for (let i = 0; i + 1 < 3; i++) {
        const a = x[i] ?? 0;
        const b = x[i + 1] ?? 0;
        g[i] = (g[i] ?? 0) - 400 * a * (b - a * a) - 2 * (1 - a);
        g[i + 1] = (g[i + 1] ?? 0) + 200 * (b - a * a);
      }
    };
    const opts = { lower: [-2, -2, -2], upper: [2, 2, 1.5], maxIterations: 60 };
    const combined = minimizeLbfgsb(
      (x, g) => {
        gradient(x, g);
        return value(x);
      },
      [-1.2, 1, 0.5],
      opts,
    );
    let values = 0;
    let gradients = 0;
    let last = new Float64Array(3);
    const split = minimizeLbfgsb(
      {
        value: (x) => {
          values++;
          last = Float64Array.from(x);
          return value(x);
        },
        gradient: (g) => {
          gradients++;
          gradient(last, g);
        },
      },
      [-1.2, 1, 0.5],
      opts,
    );
    assert.deepEqual(Array.from(split.x), Array.from(combined.x));
    assert.equal(split.f, combined.f);
    assert.equal(split.iterations, combined.iterations);
    assert.equal(split.evaluations, combined.evaluations);
    assert.equal(values, combined.evaluations);
    assert.ok(gradients < values, `${gradients} gradients for ${values} values`);
  });

  it('reports a non-finite start instead of looping', () => {
    const r = minimizeLbfgsb(() => Number.NaN, [0], { lower: [-1], upper: [1] });
    assert.ok(!r.converged);
    assert.equal(r.evaluations, 1);
  });

  it('xtol ends line searches on a plateau that rounding makes flat', () => {
    // A gradient that promises a decrease the objective never shows: every line search fails.
    const flat = (x: Float64Array, g: Float64Array): number => {
      g[0] = 1;
      return 1 + Math.abs(0.5 - (x[0] ?? 0));
    };
    const opts = { lower: [-1], upper: [1], maxIterations: 25 };
    const exhaustive = minimizeLbfgsb(flat, [0.5], opts);
    const capped = minimizeLbfgsb(flat, [0.5], { ...opts, xtol: 1e-9 });
    assert.equal(capped.x[0], 0.5);
    // 0.3^k < 1e-9 after 18 backtracks, against 30 without the cap.
    assert.ok(capped.evaluations <= 19, String(capped.evaluations));
    assert.ok(exhaustive.evaluations > 25, String(exhaustive.evaluations));
  });
});
