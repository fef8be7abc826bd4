import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ParetoObjective, type ParetoTrial, paretoRows, paretoSpec } from './pareto.js';
import { renderSvg, svgToPng } from './render.js';

const trial = (
  number: number,
  values: number[] | null,
  feasible: boolean | null = true,
  state = 'COMPLETE',
): ParetoTrial => ({ id: `t${number}`, number, state, values, feasible });

const two: ParetoObjective[] = [
  { name: 'val_loss', direction: 'MINIMIZE' },
  { name: 'trainable_params', direction: 'MINIMIZE' },
];

// Front (from the API): 0, 2 and 4; 3 is infeasible (better, but not allowed); 1 is dominated.
const trials = [
  trial(4, [0.9, 100]),
  trial(0, [0.2, 900]),
  trial(1, [0.6, 800]),
  trial(2, [0.4, 300]),
  trial(3, [0.1, 50], false),
  trial(5, null, null, 'PRUNED'),
  trial(6, null, null, 'FAILED'),
];
const front = new Set(['t0', 't2', 't4']);

/** The `<path>` elements inside the first group of a mark type, e.g. `symbol` or `line`. */
function marks(svg: string, type: string): string[][] {
  const groups = [...svg.matchAll(new RegExp(`<g class="mark-${type} role-mark[^"]*"[^>]*>(.*?)</g>`, 'gs'))];
  return groups.map((g) => g[1]?.match(/<path [^>]*>/g) ?? []);
}

describe('pareto plot', () => {
  it('keeps COMPLETE trials with a value per objective, marking front, feasible and infeasible', () => {
    const rows = paretoRows(trials, two, front);
    assert.deepEqual(
      rows.map((r) => [r.trial, r.class, r.values.val_loss]),
      [
        [0, 'Pareto front', 0.2],
        [1, 'feasible', 0.6],
        [2, 'Pareto front', 0.4],
        [3, 'infeasible', 0.1],
        [4, 'Pareto front', 0.9],
      ],
    );
  });

  it('2 objectives: one point per trial and the front as a staircase through its points', async () => {
    const rows = paretoRows(trials, two, front);
    const spec = paretoSpec({ title: 'mo', objectives: two, rows });
    const layers = spec.layer as Array<{
      mark: { type: string; interpolate?: string };
      data: { values: unknown[] };
    }>;
    assert.equal(layers[0]?.mark.interpolate, 'step-after');
    // The line runs through the front in x order.
    assert.deepEqual(
      ((layers[0]?.data.values ?? []) as Array<{ trial: number }>).map((d) => d.trial),
      [0, 2, 4],
    );
    const svg = await renderSvg(spec);
    const [symbols] = marks(svg, 'symbol');
    assert.equal(symbols?.length, 5);
    const [line] = marks(svg, 'line');
    // A staircase: 3 points give 2 steps of two segments each (M + 4 more vertices).
    const d = /d="([^"]+)"/.exec(line?.[0] ?? '')?.[1] ?? '';
    assert.equal(d.match(/[ML]/g)?.length, 5, d);
    // The legend tells the three kinds of trial apart.
    for (const label of ['Pareto front', 'feasible', 'infeasible'])
      assert.match(svg, new RegExp(`>${label}<`));
    assert.match(svg, /3 of 5 trials on the front/);
    const png = svgToPng(svg);
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
  });

  it('a maximized x objective steps before each point', () => {
    const spec = paretoSpec({
      title: 'mo',
      objectives: [
        { name: 'acc', direction: 'MAXIMIZE' },
        { name: 'size', direction: 'MINIMIZE' },
      ],
      rows: [],
    });
    assert.equal(
      (spec.layer as Array<{ mark: { interpolate?: string } }>)[0]?.mark.interpolate,
      'step-before',
    );
  });

  it('3 objectives: a pairwise matrix with every trial in each cell', async () => {
    const three: ParetoObjective[] = [...two, { name: 'latency.ms', direction: 'MAXIMIZE' }];
    const rows = paretoRows(
      [trial(0, [0.2, 900, 3]), trial(1, [0.6, 800, 2], false), trial(2, [0.4, 300, 5])],
      three,
      new Set(['t0', 't2']),
    );
    const svg = await renderSvg(paretoSpec({ title: 'mo3', objectives: three, rows }));
    const cells = marks(svg, 'symbol');
    assert.equal(cells.length, 9);
    assert.ok(cells.every((c) => c.length === 3));
    assert.match(svg, /latency\.ms/);
  });
});
