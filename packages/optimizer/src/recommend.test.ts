import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinObjectives } from './bench/objectives.js';
import { recommend } from './recommend.js';
import { createRng } from './rng.js';
import { parseSearchSpace } from './search-space.js';

const line = parseSearchSpace([{ name: 'x', type: 'float', low: 0, high: 1 }]);

/** f(x) = (x - 0.5)^2 on a grid, observed with noise sd 0.02, and one far point observed very luckily. */
function noisyHistory(direction: 'MINIMIZE' | 'MAXIMIZE') {
  const rng = createRng(11);
  const sign = direction === 'MINIMIZE' ? 1 : -1;
  const truth: number[] = [];
  const completed = Array.from({ length: 30 }, (_, i) => {
    const x = (i + 0.5) / 30;
    truth.push((x - 0.5) ** 2);
    return { params: { x }, value: sign * ((x - 0.5) ** 2 + 0.02 * rng.normal()) };
  });
  // x = 0.05: true value 0.2025, observed as better than anything near the optimum.
  completed[1] = { params: { x: 0.05 }, value: sign * -0.08 };
  truth[1] = 0.2025;
  return { completed, truth };
}

describe('recommend', () => {
  for (const direction of ['MINIMIZE', 'MAXIMIZE'] as const) {
    it(`${direction}: with noise, recommends a trial near the optimum, not the luckiest observation`, () => {
      const { completed, truth } = noisyHistory(direction);
      const r = recommend({ type: 'gp' }, { space: line, direction, completed });
      assert.ok(r);
      assert.equal(r.source, 'model');
      assert.notEqual(r.index, 1);
      assert.ok(
        (truth[r.index] ?? 1) < 0.01,
        `true value ${truth[r.index]} at ${JSON.stringify(completed[r.index])}`,
      );
      assert.ok(r.noiseStd !== null && r.noiseStd > 0.005 && r.noiseStd < 0.1, `noise ${r.noiseStd}`);
      assert.ok(r.mean !== null && Math.abs(r.mean) < 0.02, `mean ${r.mean}`);
    });
  }

  it('without noise, recommends the best observed trial', () => {
    const objective = builtinObjectives.branin;
    assert.ok(objective);
    const space = parseSearchSpace(objective.space);
    const rng = createRng(4);
    const completed = Array.from({ length: 25 }, () => {
      const params = space.decode(space.fromUnit(Float64Array.of(rng.next(), rng.next())));
      return { params, value: Number(objective.evaluate(params)) };
    });
    const best = completed.reduce((b, c, i) => (c.value < (completed[b]?.value ?? Infinity) ? i : b), 0);
    const r = recommend({ type: 'gp' }, { space, direction: 'MINIMIZE', completed });
    assert.equal(r?.index, best);
  });

  it('never recommends a failed or ineligible trial, and falls back to the best observed on tiny histories', () => {
    const { completed } = noisyHistory('MINIMIZE');
    completed[15] = { params: { x: 0.5 }, value: Number.NaN };
    const eligible = completed.map((_, i) => i % 2 === 0);
    const r = recommend({ type: 'gp' }, { space: line, direction: 'MINIMIZE', completed, eligible });
    assert.ok(r && r.index % 2 === 0 && r.index !== 15);
    const two = recommend(
      { type: 'gp' },
      { space: line, direction: 'MINIMIZE', completed: completed.slice(0, 2) },
    );
    assert.deepEqual(two, { index: 1, mean: null, std: null, noiseStd: null, source: 'observed' });
    assert.equal(recommend({ type: 'gp' }, { space: line, direction: 'MINIMIZE', completed: [] }), null);
  });
});
