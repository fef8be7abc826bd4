import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dominates } from '@posterior/core';
import {
  buildParetoView,
  frontStepLine,
  hypervolumeSeries,
  isInfeasible,
  markKind,
  objectivesOf,
  pairPoints,
  pairwiseLayout,
  trialValues,
} from './pareto.ts';
import type { Objective, Trial } from './types.ts';

const trial = (
  number: number,
  values: number[] | null,
  extra: Partial<Trial> = {},
  state: Trial['state'] = 'COMPLETE',
): Trial => ({
  id: `t${number}`,
  number,
  state,
  value: values?.[0] ?? null,
  values,
  params: {},
  startedAt: null,
  finishedAt: null,
  workerId: null,
  error: null,
  suggestion: null,
  ...extra,
});

const MINMIN: Objective[] = [
  { name: 'loss', direction: 'MINIMIZE' },
  { name: 'params', direction: 'MINIMIZE' },
];

describe('trialValues and feasibility', () => {
  it('reads one finite value per objective, or value for a single objective', () => {
    assert.deepEqual(trialValues(trial(0, [1, 2]), 2), [1, 2]);
    assert.equal(trialValues(trial(0, [1]), 2), null, 'too few values');
    assert.equal(trialValues(trial(0, [1, Number.NaN]), 2), null);
    const old = { ...trial(0, null), value: 3, values: undefined };
    assert.deepEqual(trialValues(old, 1), [3]);
    assert.equal(trialValues(old, 2), null);
  });
  it('a trial is infeasible when the API says so or a told constraint is above 0', () => {
    assert.equal(isInfeasible(trial(0, [1], { feasible: false })), true);
    assert.equal(isInfeasible(trial(0, [1], { feasible: true, constraints: [5] })), false, 'the API wins');
    assert.equal(isInfeasible(trial(0, [1], { constraints: [0, -1] })), false, '<= 0 is feasible');
    assert.equal(isInfeasible(trial(0, [1], { constraints: [-1, 0.001] })), true);
    assert.equal(isInfeasible(trial(0, [1])), false);
  });
  it("a study's objectives default to its one objective", () => {
    assert.deepEqual(objectivesOf({ objective: 'loss', direction: 'MAXIMIZE' }), [
      { name: 'loss', direction: 'MAXIMIZE' },
    ]);
    assert.deepEqual(objectivesOf({ objective: 'loss', direction: 'MINIMIZE', objectives: MINMIN }), MINMIN);
  });
});

describe('buildParetoView', () => {
  it('puts the feasible non-dominated complete trials on the front, per direction', () => {
    const trials = [
      trial(0, [1, 5]),
      trial(1, [2, 2]),
      trial(2, [3, 3]), // dominated by #1
      trial(3, [4, 1]),
      trial(4, [0.5, 0.5], { feasible: false }), // would dominate all, but infeasible
      trial(5, [2, 2]), // equal to #1: both on the front
      trial(6, null, {}, 'RUNNING'),
      trial(7, [0, 0], {}, 'PRUNED'),
    ];
    const v = buildParetoView(trials, MINMIN);
    assert.deepEqual(
      v.points.map((p) => p.number),
      [0, 1, 2, 3, 4, 5],
    );
    assert.deepEqual(
      v.front.map((p) => p.number),
      [0, 1, 5, 3],
    );
    assert.deepEqual([...v.frontIds].sort(), ['t0', 't1', 't3', 't5']);
    assert.equal(v.feasibleCount, 5);
    assert.equal(v.infeasibleCount, 1);
    assert.equal(markKind(v.points[2] ?? { feasible: true, onFront: true }), 'feasible');
    assert.equal(markKind(v.points[4] ?? { feasible: true, onFront: true }), 'infeasible');
    assert.equal(markKind(v.points[0] ?? { feasible: true, onFront: false }), 'front');

    // maximizing the second objective turns the front over
    const v2 = buildParetoView(trials, [MINMIN[0] as Objective, { name: 'acc', direction: 'MAXIMIZE' }]);
    assert.deepEqual(
      v2.front.map((p) => p.number),
      [0],
      '#0 has the lowest first value and the highest second among feasible ones',
    );
  });
  it('three objectives: a point is dominated only when worse or equal on all three', () => {
    const objectives: Objective[] = [
      { name: 'a', direction: 'MINIMIZE' },
      { name: 'b', direction: 'MINIMIZE' },
      { name: 'c', direction: 'MAXIMIZE' },
    ];
    const v = buildParetoView(
      [trial(0, [1, 1, 1]), trial(1, [2, 2, 2]), trial(2, [2, 2, 0.5]), trial(3, [0, 3, 0])],
      objectives,
    );
    assert.deepEqual([...v.frontIds].sort(), ['t0', 't1', 't3']);
    assert.deepEqual(pairPoints(v, 0, 2, 'feasible'), [[2, 0.5, 2]]);
    assert.deepEqual(pairPoints(v, 1, 0, 'front'), [
      [1, 1, 0],
      [2, 2, 1],
      [3, 0, 3],
    ]);
  });
  it('agrees with a brute-force definition of dominance on random fronts', () => {
    let seed = 3;
    const r = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let run = 0; run < 20; run++) {
      const k = 2 + (run % 3);
      const objectives = Array.from({ length: k }, (_, j) => ({
        name: `o${j}`,
        direction: (j + run) % 2 ? ('MAXIMIZE' as const) : ('MINIMIZE' as const),
      }));
      const trials = Array.from({ length: 40 }, (_, i) =>
        trial(
          i,
          Array.from({ length: k }, () => Math.round(r() * 6)),
          { feasible: r() > 0.2 },
        ),
      );
      const v = buildParetoView(trials, objectives);
      for (const t of trials) {
        const vals = t.values as number[];
        const better = (a: number, b: number, j: number) =>
          objectives[j]?.direction === 'MAXIMIZE' ? a > b : a < b;
        const dominated = trials.some(
          (u) =>
            u.feasible &&
            u !== t &&
            (u.values as number[]).every((x, j) => x === vals[j] || better(x, vals[j] as number, j)) &&
            (u.values as number[]).some((x, j) => better(x, vals[j] as number, j)),
        );
        assert.equal(v.frontIds.has(t.id), Boolean(t.feasible) && !dominated, `run ${run} trial ${t.number}`);
      }
    }
  });
  it('dominates is strict', () => {
    assert.equal(dominates([1, 1], [1, 1], ['MINIMIZE', 'MINIMIZE']), false);
    assert.equal(dominates([1, 1], [1, 2], ['MINIMIZE', 'MINIMIZE']), true);
    assert.equal(dominates([1, 1], [1, 2], ['MINIMIZE', 'MAXIMIZE']), false);
  });
});

describe('frontStepLine', () => {
  it('draws the staircase of a minimized front through each point', () => {
    assert.deepEqual(
      frontStepLine(
        [
          [3, 1],
          [1, 4],
          [2, 2],
        ],
        ['MINIMIZE', 'MINIMIZE'],
      ),
      [
        [1, 4],
        [2, 4],
        [2, 2],
        [3, 2],
        [3, 1],
      ],
    );
  });
  it('closes on the reference point, so the area under it is the hypervolume', () => {
    assert.deepEqual(
      frontStepLine(
        [
          [1, 4],
          [3, 1],
        ],
        ['MINIMIZE', 'MINIMIZE'],
        [5, 6],
      ),
      [
        [1, 6],
        [1, 4],
        [3, 4],
        [3, 1],
        [5, 1],
      ],
    );
  });
  it('turns with the directions: maximizing the second objective', () => {
    // maximize y: the front runs x ascending, y ascending; steps go down-right as seen from the points
    assert.deepEqual(
      frontStepLine(
        [
          [1, 1],
          [3, 4],
        ],
        ['MINIMIZE', 'MAXIMIZE'],
        [4, 0],
      ),
      [
        [1, 0],
        [1, 1],
        [3, 1],
        [3, 4],
        [4, 4],
      ],
    );
  });
  it('an empty front draws nothing; duplicates draw once', () => {
    assert.deepEqual(frontStepLine([], ['MINIMIZE', 'MINIMIZE']), []);
    assert.deepEqual(
      frontStepLine(
        [
          [1, 1],
          [1, 1],
        ],
        ['MINIMIZE', 'MINIMIZE'],
      ),
      [[1, 1]],
    );
  });
});

describe('pairwiseLayout', () => {
  it('three objectives: the lower triangle of a 2x2 grid, axis names on the outer edge', () => {
    assert.deepEqual(pairwiseLayout(3), {
      rows: 2,
      cols: 2,
      cells: [
        { x: 0, y: 1, row: 0, col: 0, xName: false, yName: true },
        { x: 0, y: 2, row: 1, col: 0, xName: true, yName: true },
        { x: 1, y: 2, row: 1, col: 1, xName: true, yName: false },
      ],
    });
  });
  it('four objectives: every one of the 6 pairs once', () => {
    const l = pairwiseLayout(4);
    assert.equal(l.rows, 3);
    assert.equal(l.cells.length, 6);
    const pairs = new Set(l.cells.map((c) => `${c.x},${c.y}`));
    assert.equal(pairs.size, 6);
    for (const c of l.cells) assert.ok(c.x < c.y && c.col <= c.row);
  });
  it('one column (a phone): the pairs stacked, each with its axis names', () => {
    const l = pairwiseLayout(3, 1);
    assert.equal(l.cols, 1);
    assert.equal(l.rows, 3);
    assert.deepEqual(
      l.cells.map((c) => [c.x, c.y, c.row, c.col, c.xName, c.yName]),
      [
        [0, 1, 0, 0, true, true],
        [0, 2, 1, 0, true, true],
        [1, 2, 2, 0, true, true],
      ],
    );
    assert.deepEqual(pairwiseLayout(1), { rows: 0, cols: 0, cells: [] });
  });
});

describe('hypervolumeSeries', () => {
  it('orders the history and says which trial last raised the hypervolume', () => {
    const s = hypervolumeSeries([
      { trialNumber: 2, hypervolume: 3 },
      { trialNumber: 0, hypervolume: 1 },
      { trialNumber: 3, hypervolume: 3 },
      { trialNumber: 1, hypervolume: 1 },
    ]);
    assert.deepEqual(s.points, [
      [0, 1],
      [1, 1],
      [2, 3],
      [3, 3],
    ]);
    assert.deepEqual(s.last, { value: 3, raisedAt: 2 });
    assert.deepEqual(hypervolumeSeries([]), { points: [], last: null });
  });
});
