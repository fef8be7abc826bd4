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

  it('the split value and gradient have the bits of valueAndGradient, also when another objective shares the posterior', () => {
    const spec = { name: 'logei' as const, best, xi: 0.05, beta: 4 };
    const a = new AcquisitionObjective(post, spec);
    const other = new AcquisitionObjective(post, { ...spec, name: 'ucb' });
    const x1 = Float64Array.from([0.3, -0.4, 50, 1]);
    const x2 = Float64Array.from([0.8, 1.2, 120, 2]);
    const expectedGrad = new Float64Array(dim);
    const expected = new AcquisitionObjective(post, spec).valueAndGradient(x1, expectedGrad);
    assert.ok(Object.is(a.valueForGradient(x1), expected));
    other.valueAndGradient(x2, new Float64Array(dim)); // overwrites the posterior's kept state
    assert.ok(Object.is(a.value(x1), expected)); // remembered, no new evaluation
    const grad = new Float64Array(dim);
    a.gradientAtLast(grad);
    for (let d = 0; d < dim; d++) assert.ok(Object.is(grad[d], expectedGrad[d]), `d=${d}`);
  });

  for (const name of ['logei', 'ei', 'pi', 'ucb'] as const) {
    it(`${name}: the gradient in x the local search follows matches finite differences`, () => {
      // The chain rule through the posterior (dmean/dx, dvar/dx), on the continuous coordinates
      // and the relaxed 200-value grid; zero on the categorical one.
      const objective = new AcquisitionObjective(post, { name, best, xi: 0.05, beta: 4 });
      const points = [
        [0.31, -0.7, 0.42, 1],
        [0.77, 1.3, 0.05, 0],
        [0.05, -1.9, 0.9, 2],
      ];
      for (const point of points) {
        const xq = Float64Array.from(point);
        const grad = new Float64Array(dim);
        const value = objective.valueAndGradient(xq, grad);
        assert.equal(value, objective.value(xq));
        for (const d of [0, 1, 2]) {
          const h = 1e-6;
          const xp = Float64Array.from(xq);
          const xm = Float64Array.from(xq);
          xp[d] = (xp[d] ?? 0) + h;
          xm[d] = (xm[d] ?? 0) - h;
          const fd = (objective.value(xp) - objective.value(xm)) / (2 * h);
          const g = grad[d] ?? Number.NaN;
          assert.ok(
            Math.abs(g - fd) <= 1e-5 * Math.max(1, Math.abs(fd)),
            `d/dx${d} at ${point}: ${g} vs ${fd}`,
          );
        }
        assert.equal(grad[3], 0);
      }
    });

    it(`${name}: the multi-start local search improves on the best QMC candidate`, () => {
      const objective = new AcquisitionObjective(post, { name, best, xi: 0, beta: 4 });
      const run = (localStarts: number) =>
        optimizeAcquisition(space, objective, createRng(11), new Set(), [], {
          candidates: 256,
          localStarts,
          maxIterations: 40,
        });
      const candidatesOnly = run(0);
      const searched = run(4);
      assert.ok(candidatesOnly && searched);
      assert.ok(searched.value > candidatesOnly.value, `${searched.value} vs ${candidatesOnly.value}`);
      assert.deepEqual(Array.from(space.snap(Float64Array.from(searched.x))), Array.from(searched.x));
    });

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

describe('acquisition optimizer on a small discrete space', () => {
  it('enumerates it: the best untaken point by acquisition, never a taken one', () => {
    const space = parseSearchSpace([
      { name: 'k', type: 'int', low: 0, high: 9 },
      { name: 's', type: 'float', low: 0, high: 1, step: 0.25 },
      { name: 'c', type: 'categorical', choices: ['x', 'y', 'z'] },
    ]);
    const points: Float64Array[] = [];
    for (let k = 0; k < 10; k++) {
      for (let s = 0; s < 5; s++) {
        for (let c = 0; c < 3; c++) {
          const [dk, ds, dc] = space.dims;
          assert.ok(dk && ds && dc);
          points.push(Float64Array.of(dk.at(k), ds.at(s), dc.at(c)));
        }
      }
    }
    const f = (x: Float64Array): number => Math.sin(7 * (x[0] ?? 0)) * (x[1] ?? 0) + 0.3 * (x[2] ?? 0);
    const observed = points.filter((_, i) => i % 7 === 0);
    const x = new Float64Array(observed.length * 3);
    for (const [i, p] of observed.entries()) x.set(p, i * 3);
    const y = Float64Array.from(observed, f);
    const post = new GpPosterior(
      { x, y, n: observed.length, dim: 3, categorical: Uint8Array.of(0, 0, 1) },
      'matern52',
      { invSqLengthscales: Float64Array.of(10, 4, 1), signalVar: 1, noiseVar: 1e-6, mean: 0 },
    );
    const objective = new AcquisitionObjective(post, { name: 'logei', best: Math.max(...y), xi: 0, beta: 0 });
    let taken = new Set(observed.map((p) => space.key(p)));
    for (let round = 0; round < 3; round++) {
      let want: Float64Array | null = null;
      for (const p of points) {
        if (!taken.has(space.key(p)) && (!want || objective.value(p) > objective.value(want))) want = p;
      }
      const got = optimizeAcquisition(space, objective, createRng(round), taken, [], {
        candidates: 64,
        localStarts: 2,
        maxIterations: 10,
      });
      assert.ok(got && want);
      assert.deepEqual(Array.from(got.x), Array.from(want));
      // The winner taken (a pending trial), the next best untaken point comes out.
      taken = new Set([...taken, space.key(got.x)]);
    }
  });
});
