import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GpPosterior } from './gp.js';
import { AcquisitionObjective, optimizeAcquisition } from './optimize-acquisition.js';
import { createRng } from './rng.js';
import { parseSearchSpace } from './search-space.js';

describe('acquisition optimizer', () => {
  const space = parseSearchSpace([
    { name: 'a', type: 'float', low: 0, high: 1 },
    { name: 'b', type: 'float', low: -2, high: 2 },
    { name: 'c', type: 'int', low: 1, high: 200 },
    { name: 'd', type: 'categorical', choices: ['x', 'y', 'z'] },
  ]);
  const dim = space.dimension;
  const rng = createRng(3);
  const n = 60;
  const x = new Float64Array(n * dim);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = Float64Array.from({ length: dim }, () => rng.next());
    const p = space.fromUnit(u);
    x.set(p, i * dim);
    y[i] = Math.sin(6 * (p[0] ?? 0)) + Math.cos(3 * (p[1] ?? 0)) + (p[3] === 1 ? 0.5 : 0);
  }
  const categorical = Uint8Array.from(space.dims, (d) => (d.kind === 'categorical' ? 1 : 0));
  const post = new GpPosterior({ x, y, n, dim, categorical }, 'matern52', {
    invSqLengthscales: Float64Array.from([20, 5, 2, 1]),
    signalVar: 1,
    noiseVar: 1e-4,
    mean: 0,
  });
  let best = Number.NEGATIVE_INFINITY;
  for (const v of y) best = Math.max(best, v);

  for (const name of ['logei', 'ei', 'pi', 'ucb'] as const) {
    it(`${name}: screening candidates by their upper bound picks what scoring all of them picks`, () => {
      const objective = new AcquisitionObjective(post, { name, best, xi: 0, beta: 4 });
      const run = (screening: boolean) =>
        optimizeAcquisition(space, objective, createRng(11), new Set(), [x.slice(0, dim)], {
          candidates: 1024,
          localStarts: 4,
          maxIterations: 20,
          screening,
        });
      const screened = run(true);
      const full = run(false);
      assert.ok(screened && full);
      assert.deepEqual(Array.from(screened.x), Array.from(full.x));
      assert.equal(screened.value, full.value);
    });
  }
});
