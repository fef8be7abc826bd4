import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildEdf, buildSliceGrid, paramEffects } from './hpo-plots.ts';
import { objectiveAt, objectiveIndex, objectiveParam, trialsForObjective } from './objective-view.ts';
import type { Objective, SearchSpace, Trial } from './types.ts';

const trial = (number: number, x: number, values: number[] | null): Trial => ({
  id: `t${number}`,
  number,
  state: 'COMPLETE',
  value: values?.[0] ?? null,
  values,
  params: { x },
  startedAt: null,
  finishedAt: null,
  workerId: null,
  error: null,
  suggestion: null,
});

const OBJECTIVES: Objective[] = [
  { name: 'loss', direction: 'MINIMIZE' },
  { name: 'accuracy', direction: 'MAXIMIZE' },
];

describe('the objective the per-objective charts show', () => {
  it('reads the URL key: an index in range, else the first objective', () => {
    assert.equal(objectiveIndex(null, 2), 0);
    assert.equal(objectiveIndex('1', 2), 1);
    assert.equal(objectiveIndex('2', 2), 0);
    assert.equal(objectiveIndex('-1', 2), 0);
    assert.equal(objectiveIndex('1.5', 2), 0);
    assert.equal(objectiveIndex('x', 2), 0);
    assert.equal(objectiveIndex('1', 1), 0, 'a single-objective study has only its objective');
    assert.equal(objectiveParam(0), null);
    assert.equal(objectiveParam(2), '2');
  });

  it('the first objective is the trials as they are; another one swaps in its values', () => {
    const trials = [trial(0, 0.1, [0.5, 0.7]), trial(1, 0.9, [0.2, 0.9]), trial(2, 0.5, null)];
    assert.equal(trialsForObjective(trials, 0), trials, 'the same array: nothing recomputed');
    const second = trialsForObjective(trials, 1);
    assert.deepEqual(
      second.map((t) => t.value),
      [0.7, 0.9, null],
    );
    assert.deepEqual(
      trials.map((t) => t.value),
      [0.5, 0.2, null],
      'the trials themselves are unchanged',
    );
    assert.deepEqual(objectiveAt(OBJECTIVES, 1, { name: 'loss', direction: 'MINIMIZE' }), OBJECTIVES[1]);
    assert.deepEqual(objectiveAt([], 3, { name: 'loss', direction: 'MINIMIZE' }), {
      name: 'loss',
      direction: 'MINIMIZE',
    });
  });

  it('drives the charts: slice, EDF and effect directions follow the chosen objective', () => {
    const space: SearchSpace = [{ name: 'x', type: 'float', low: 0, high: 1 }];
    // loss falls with x, accuracy rises with x: the same trials, two stories
    const trials = [0.1, 0.3, 0.5, 0.7, 0.9].map((x, i) => trial(i, x, [1 - x, 10 * x]));
    const acc = trialsForObjective(trials, 1);
    assert.deepEqual(
      buildSliceGrid(space, acc)[0]?.points.map((p) => p[1]),
      [1, 3, 5, 7, 9],
    );
    assert.deepEqual(
      buildEdf(acc).map((p) => p[0]),
      [1, 3, 5, 7, 9],
    );
    const raisingX = (ts: readonly Trial[], d: 'MINIMIZE' | 'MAXIMIZE') =>
      paramEffects(space, ts, d).get('x')?.raising;
    assert.equal(raisingX(trials, 'MINIMIZE'), 'better');
    assert.equal(raisingX(acc, 'MAXIMIZE'), 'better');
    assert.equal(raisingX(acc, 'MINIMIZE'), 'worse');
  });
});
