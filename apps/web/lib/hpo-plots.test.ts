import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { comparedMetrics, compareRows } from './compare.ts';
import {
  buildContour,
  buildEdf,
  buildSliceGrid,
  contourParams,
  numericAxis,
  paramEffects,
} from './hpo-plots.ts';
import { rowsInIntervals, selectedTrials, toggleId, trialsInBox } from './selection.ts';
import { allPositive, smoothFlat, smoothPoints, smoothValues } from './smoothing.ts';
import type { SearchSpace, Trial } from './types.ts';

const trial = (
  number: number,
  params: Trial['params'],
  value: number | null,
  state: Trial['state'] = 'COMPLETE',
): Trial => ({
  id: `t${number}`,
  number,
  state,
  value,
  params,
  startedAt: null,
  finishedAt: null,
  workerId: null,
  error: null,
  suggestion: null,
});

const space: SearchSpace = [
  { name: 'lr', type: 'float', low: 1e-5, high: 1e-1, log: true },
  { name: 'x', type: 'float', low: -5, high: 10 },
  { name: 'act', type: 'categorical', choices: ['relu', 'gelu'] },
];

// the objective rises with x, falls with lr; gelu is better
const trials: Trial[] = [];
const LRS = [1e-5, 1e-4, 1e-3, 1e-2];
for (let i = 0; i < 12; i++) {
  const x = -4 + i;
  const lr = LRS[(i * 3) % 4] ?? 1e-3;
  const act = i % 2 ? 'gelu' : 'relu';
  trials.push(trial(i, { lr, x, act }, x - 4 * Math.log10(lr) + (act === 'gelu' ? -3 : 0) + i * 0.01));
}
trials.push(trial(12, { lr: 1e-3, x: 9.5, act: 'relu' }, null, 'FAILED'));

describe('axes inside the search space', () => {
  it('a numeric axis spans the space, not only the trials', () => {
    assert.deepEqual(numericAxis(space, 'x', trials), { name: 'x', type: 'value', min: -5, max: 10 });
    assert.deepEqual(numericAxis(space, 'lr', trials), { name: 'lr', type: 'log', min: 1e-5, max: 1e-1 });
    assert.equal(numericAxis(space, 'act', trials), null);
  });
  it('widens only for a trial outside the space', () => {
    const extra = [...trials, trial(20, { x: 12 }, 1)];
    assert.equal(numericAxis(space, 'x', extra)?.max, 12);
  });
});

describe('contour', () => {
  it('interpolates a grid over the pair, exact at the trials, inside the bounds', () => {
    assert.deepEqual(contourParams(space, trials), ['lr', 'x']);
    const c = buildContour(space, trials, 'x', 'lr', 10);
    assert.ok(c);
    assert.equal(c.cells.length, 100);
    assert.equal(c.points.length, 12, 'the failed trial is not a point');
    for (const [x0, x1, y0, y1, z] of c.cells) {
      assert.ok(x0 >= -5 - 1e-9 && x1 <= 10 + 1e-9);
      assert.ok(y0 >= 1e-5 * (1 - 1e-9) && y1 <= 1e-1 * (1 + 1e-9));
      assert.ok(z >= c.zRange[0] - 1e-9 && z <= c.zRange[1] + 1e-9, 'IDW stays within the data');
    }
    // log axis: cells are equal in log space
    const first = c.cells[0];
    assert.ok(first);
    assert.ok(Math.abs(Math.log10(first[3]) - Math.log10(first[2]) - 0.4) < 1e-9);
    assert.equal(buildContour(space, trials.slice(0, 2), 'x', 'lr'), null, 'needs 3 trials');
    assert.equal(buildContour(space, trials, 'x', 'x'), null);
  });
});

describe('EDF', () => {
  it('is the fraction of complete trials at or below each value', () => {
    const t = [
      trial(0, {}, 3),
      trial(1, {}, 1),
      trial(2, {}, 3),
      trial(3, {}, 2),
      trial(4, {}, null, 'FAILED'),
    ];
    assert.deepEqual(buildEdf(t), [
      [1, 0.25],
      [2, 0.5],
      [3, 1],
    ]);
  });
});

describe('slice grid', () => {
  it('one panel per param; failed trials apart from the value axis', () => {
    const grid = buildSliceGrid(space, trials);
    assert.deepEqual(
      grid.map((p) => [p.param, p.axis.type]),
      [
        ['lr', 'log'],
        ['x', 'value'],
        ['act', 'category'],
      ],
    );
    const x = grid[1];
    assert.ok(x);
    assert.equal(x.points.length, 12);
    assert.deepEqual(x.failed, [[9.5, 12]]);
    assert.deepEqual(grid[2]?.failed, [['relu', 12]]);
    assert.ok(x.axis.type === 'value' && x.axis.min === -5 && x.axis.max === 10);
  });
});

describe('parameter effects', () => {
  it('signs each numeric effect for the direction and names the best choice', () => {
    const min = paramEffects(space, trials, 'MINIMIZE');
    assert.equal(min.get('x')?.raising, 'worse');
    assert.equal(min.get('lr')?.raising, 'better');
    assert.equal(min.get('act')?.bestChoice, 'gelu');
    const max = paramEffects(space, trials, 'MAXIMIZE');
    assert.equal(max.get('x')?.raising, 'better');
    assert.equal(max.get('act')?.bestChoice, 'relu');
    assert.equal(paramEffects(space, trials.slice(0, 3), 'MINIMIZE').size, 0, 'needs 4 trials');
  });
  it('a trend that turns inside the range is "peaked", not a sign', () => {
    const u = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => trial(i, { x: i - 5 }, (i - 5) ** 2 + i * 0.01));
    const e = paramEffects(space, u, 'MINIMIZE').get('x');
    assert.equal(e?.peaked, true);
    assert.equal(e?.raising, null);
    assert.equal(paramEffects(space, trials, 'MINIMIZE').get('x')?.peaked, false);
  });

  it('calls a flat trend unclear', () => {
    const flat = [1, 0, 0, 0, 0, 1].map((v, i) => trial(i, { x: i }, v));
    assert.equal(paramEffects(space, flat, 'MINIMIZE').get('x')?.raising, null);
  });
});

describe('selection', () => {
  it('a brushed box picks trials on the value axis only', () => {
    assert.deepEqual(trialsInBox(trials, { x: [5, 0], y: [-100, 100] }), [
      't0',
      't1',
      't2',
      't3',
      't4',
      't5',
    ]);
    assert.deepEqual(trialsInBox(trials, { x: [0, 20], y: [100, 200] }), []);
    assert.ok(!trialsInBox(trials, { x: [0, 20], y: [-1e9, 1e9] }).includes('t12'), 'not the failed trial');
  });
  it('parallel axes: a row must pass every brushed axis; category intervals are indexes', () => {
    const rows = [
      [0.1, 'relu', 3, 0],
      [0.5, 'gelu', 2, 1],
      [0.9, 'gelu', 1, 2],
    ];
    const cats = new Map([[1, ['relu', 'gelu']]]);
    assert.deepEqual(rowsInIntervals(rows, new Map([[0, [[0.4, 1]]]]), cats), [1, 2]);
    assert.deepEqual(
      rowsInIntervals(
        rows,
        new Map([
          [0, [[0, 0.6]]],
          [1, [[0.5, 1.5]]],
        ]),
        cats,
      ),
      [1],
    );
    assert.deepEqual(
      rowsInIntervals(
        rows,
        new Map([
          [
            2,
            [
              [0, 1.5],
              [2.5, 4],
            ],
          ],
        ]),
        cats,
      ),
      [0, 2],
      'two ranges on one axis',
    );
    assert.deepEqual(rowsInIntervals(rows, new Map([[0, []]]), cats), [], 'nothing brushed');
  });

  it('toggles rows and lists the selected trials in order', () => {
    const ids = toggleId(toggleId(new Set(['t3']), 't1'), 't3');
    assert.deepEqual([...ids], ['t1']);
    assert.deepEqual(
      selectedTrials(trials, new Set(['t4', 't2'])).map((t) => t.number),
      [2, 4],
    );
  });
});

describe('compare', () => {
  it('marks the rows whose values differ', () => {
    const rows = compareRows([trials[1] as Trial, trials[3] as Trial], ['lr', 'x', 'act'], 'loss');
    assert.deepEqual(
      rows.map((r) => [r.name, r.differs]),
      [
        ['state', false],
        ['loss', true],
        ['lr', true],
        ['x', true],
        ['act', false],
      ],
    );
    const has = (id: string, m: string) => m !== 'acc' || id === 't1';
    assert.deepEqual(comparedMetrics([trials[1] as Trial], ['acc', 'loss', 'b'], has, 'loss'), [
      'loss',
      'acc',
      'b',
    ]);
    assert.deepEqual(comparedMetrics([trials[2] as Trial], ['acc', 'loss'], has, 'loss'), ['loss']);
  });
});

describe('smoothing', () => {
  it('is off at 0, debiased from the first point, and restarts per curve', () => {
    assert.deepEqual(smoothValues([1, 2, 3], 0), [1, 2, 3]);
    const s = smoothValues([4, 4, 4], 0.9);
    for (const v of s) assert.ok(Math.abs(v - 4) < 1e-12, 'a constant stays constant');
    const noisy = smoothValues([0, 10, 0, 10, 0, 10], 0.6);
    assert.ok(Math.max(...noisy.slice(2)) - Math.min(...noisy.slice(2)) < 10, 'swings shrink');
    assert.deepEqual(smoothPoints([[0, 5]], 0.9), [[0, 5]]);
    const flat = smoothFlat(new Float64Array([0, 1, 1, 3, Number.NaN, Number.NaN, 0, 100, 1, 100]), 0.5);
    assert.equal(flat[1], 1);
    assert.ok((flat[3] ?? 0) > 1 && (flat[3] ?? 0) < 3);
    assert.equal(flat[7], 100, 'the second curve does not start from the first');
    assert.equal(flat[9], 100);
  });
  it('says whether a log axis can show the curves', () => {
    assert.equal(allPositive(new Float64Array([0, 1, Number.NaN, Number.NaN, 1, 2])), true);
    assert.equal(allPositive(new Float64Array([0, 1]), [[[0, 0]]]), false);
    assert.equal(allPositive(new Float64Array([])), false);
  });
});
