import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildConvergence, runningBest } from './convergence.ts';
import { fixtureStudy } from './fixtures.ts';
import type { Trial } from './types.ts';

const trial = (number: number, state: Trial['state'], value: number | null): Trial => ({
  id: `t${number}`,
  number,
  state,
  value,
  params: {},
  startedAt: null,
  finishedAt: null,
  workerId: null,
  error: null,
  suggestion: null,
});

describe('buildConvergence', () => {
  it('tracks the best COMPLETE value only, ignoring pruned values', () => {
    const d = buildConvergence(
      [
        trial(2, 'COMPLETE', 3),
        trial(0, 'COMPLETE', 5),
        trial(1, 'PRUNED', 0.5),
        trial(3, 'FAILED', null),
        trial(4, 'COMPLETE', 4),
      ],
      'MINIMIZE',
    );
    assert.deepEqual(d.complete, [
      [0, 5],
      [2, 3],
      [4, 4],
    ]);
    assert.deepEqual(d.pruned, [[1, 0.5]]);
    assert.deepEqual(
      d.best,
      [
        [0, 5],
        [2, 3],
        [4, 3],
      ],
      'best-so-far is a step line extended to the last trial',
    );
    assert.deepEqual(d.bestTrial, { number: 2, value: 3 });
    assert.equal(d.failed.length, 1);
    assert.equal(d.failed[0]?.[0], 3);
    // not on the value axis at all: the strip's only row
    assert.deepEqual(d.failed[0], [3, 0]);
    assert.equal(d.logPossible, true);
  });

  it('maximizes when asked, and disables log scale for non-positive values', () => {
    const d = buildConvergence(
      [trial(0, 'COMPLETE', -1), trial(1, 'COMPLETE', 2), trial(2, 'COMPLETE', 1)],
      'MAXIMIZE',
    );
    assert.deepEqual(d.bestTrial, { number: 1, value: 2 });
    assert.equal(d.logPossible, false);
  });

  it('skips running and waiting trials and handles an empty study', () => {
    const d = buildConvergence([trial(0, 'RUNNING', null), trial(1, 'WAITING', null)], 'MINIMIZE');
    assert.equal(d.complete.length + d.pruned.length + d.failed.length + d.best.length, 0);
    assert.equal(d.bestTrial, null);
  });

  it('shapes a 10,000-trial fixture study with every state', () => {
    const { trials } = fixtureStudy({ trials: 10_000, steps: 3 });
    const d = buildConvergence(trials, 'MINIMIZE');
    assert.ok(d.complete.length > 7000);
    assert.ok(d.pruned.length > 500);
    assert.ok(d.failed.length > 200);
    const bests = d.best.map((p) => p[1]);
    for (let i = 1; i < bests.length; i++) assert.ok((bests[i] ?? 0) <= (bests[i - 1] ?? 0), 'monotone');
  });
});

describe('runningBest', () => {
  it('is monotone in the objective direction and skips non-finite values', () => {
    assert.deepEqual(runningBest([3, 4, Number.NaN, 1, 2], 'MINIMIZE'), [3, 3, 1, 1]);
    assert.deepEqual(runningBest([3, 4, 1, 5], 'MAXIMIZE'), [3, 4, 4, 5]);
  });
});

describe('buildConvergence of a constrained study', () => {
  it('draws infeasible trials apart and never takes them as the best', () => {
    const t = (n: number, v: number, feasible: boolean) => ({ ...trial(n, 'COMPLETE', v), feasible });
    const d = buildConvergence([t(0, 5, true), t(1, 1, false), t(2, 4, true), t(3, 0.5, false)], 'MINIMIZE');
    assert.deepEqual(d.complete, [
      [0, 5],
      [2, 4],
    ]);
    assert.deepEqual(d.infeasible, [
      [1, 1],
      [3, 0.5],
    ]);
    assert.deepEqual(d.bestTrial, { number: 2, value: 4 });
  });
});
