import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../errors.js';
import type { Params } from '../search-space.js';
import { formatMoModuleTable, type MoBenchObjective, runMoModuleBenchmark } from './mo-module.js';

/** Accuracy up, size down, a size budget as the constraint (x in [0, 1], k a categorical). */
const tradeoff: MoBenchObjective = {
  name: 'tradeoff',
  space: [
    { name: 'x', type: 'float', low: 0, high: 1 },
    { name: 'k', type: 'categorical', choices: ['a', 'b'] },
  ],
  objectives: [
    { name: 'acc', direction: 'MAXIMIZE' },
    { name: 'size', direction: 'MINIMIZE' },
  ],
  constraints: [{ name: 'over_budget' }],
  referencePoint: [0, 2],
  evaluate(p: Params) {
    const x = Number(p.x);
    const penalty = p.k === 'a' ? 0 : 0.25;
    return { values: [x - penalty, 1 + x], constraints: [x - 0.8] };
  },
};

/** 2-D hypervolume of maximized acc / minimized size against (acc 0, size 2), by hand. */
function hvByHand(points: number[][]): number {
  const rows = points
    .map(([acc, size]) => [-(acc as number), size as number])
    .filter(([a, s]) => (a as number) < 0 && (s as number) < 2)
    .sort((p, q) => (p[0] as number) - (q[0] as number));
  let area = 0;
  let floor = 2;
  for (const [a, s] of rows) {
    if ((s as number) < floor) {
      area += (0 - (a as number)) * (floor - (s as number));
      floor = s as number;
    }
  }
  return area;
}

describe('runMoModuleBenchmark (posterior bench with a multi-objective module)', () => {
  it('scores each trial by the hypervolume of the feasible front so far, in the module directions', async () => {
    const result = await runMoModuleBenchmark({
      objective: tradeoff,
      sampler: { type: 'random' },
      trials: 12,
      seeds: 2,
    });
    assert.equal(result.metric, 'hypervolume');
    assert.deepEqual(result.referencePoint, { values: [0, 2], source: 'module' });
    assert.equal(result.runs.length, 2);
    for (const run of result.runs) {
      assert.equal(run.metric.length, 12);
      // The front moves one way only, and infeasible trials (x > 0.8) never count.
      for (let t = 0; t < 12; t++) {
        const feasible = run.values.slice(0, t + 1).filter((_, i) => run.feasible[i]);
        assert.ok(Math.abs((run.metric[t] as number) - hvByHand(feasible)) < 1e-12);
        assert.equal(run.feasible[t], (run.constraints[t]?.[0] as number) <= 0);
        if (t > 0) assert.ok((run.metric[t] as number) >= (run.metric[t - 1] as number));
      }
    }
    assert.ok(
      result.runs.some((r) => r.feasible.includes(false)),
      'some trials are infeasible',
    );
  });

  it('with hvStar, the metric is log10 of the gap to the true front', async () => {
    // The true front: k = a, x in [0, 0.8]: acc = x, size = 1 + x; HV = integral of (1 - x) dx = 0.48.
    const withStar = { ...tradeoff, hvStar: 0.48 };
    const result = await runMoModuleBenchmark({
      objective: withStar,
      sampler: { type: 'qmc' },
      trials: 10,
      seeds: 1,
    });
    assert.equal(result.metric, 'log10 HV gap');
    const run = result.runs[0];
    assert.ok(run);
    for (let t = 0; t < 10; t++) {
      const feasible = run.values.slice(0, t + 1).filter((_, i) => run.feasible[i]);
      const expected = Math.log10(Math.max(0.48 - hvByHand(feasible), 1e-12));
      assert.ok(Math.abs((run.metric[t] as number) - expected) < 1e-9);
    }
    const table = formatMoModuleTable(result);
    assert.match(table, /^\| function \| sampler \| metric \| @10 \| suggest ms \(median\) \|$/m);
    assert.match(table, /^\| tradeoff \| qmc \| log10 HV gap \| -?[\d.e-]+ \[/m);
  });

  it('a single constrained objective reports the best feasible value, or its regret', async () => {
    const single: MoBenchObjective = {
      name: 'single',
      space: [{ name: 'x', type: 'float', low: -1, high: 1 }],
      objectives: [{ name: 'y', direction: 'MAXIMIZE' }],
      constraints: [{ name: 'c' }],
      evaluate: (p) => ({ values: [Number(p.x)], constraints: [Number(p.x) - 0.5] }),
    };
    const best = await runMoModuleBenchmark({
      objective: single,
      sampler: { type: 'random' },
      trials: 8,
      seeds: 1,
    });
    const run = best.runs[0];
    assert.ok(run);
    assert.equal(best.metric, 'best');
    for (let t = 0; t < 8; t++) {
      const kept: number[] = run.values
        .slice(0, t + 1)
        .filter((_, i) => run.feasible[i])
        .map((v) => v[0] as number);
      assert.equal(run.metric[t], kept.length === 0 ? Number.NEGATIVE_INFINITY : Math.max(...kept));
    }
    const regret = await runMoModuleBenchmark({
      objective: { ...single, optimum: 0.5 },
      sampler: { type: 'random' },
      trials: 8,
      seeds: 1,
    });
    assert.equal(regret.metric, 'regret');
    assert.deepEqual(
      regret.runs[0]?.metric,
      run.metric.map((b) => 0.5 - b),
    );
  });

  it('refuses a module whose evaluate does not fit its objectives', async () => {
    const wrong = { ...tradeoff, evaluate: () => ({ values: [1] }) };
    await assert.rejects(
      runMoModuleBenchmark({ objective: wrong, sampler: { type: 'random' }, trials: 2, seeds: 1 }),
      (e: unknown) =>
        e instanceof ConfigError &&
        /tradeoff.evaluate: must return \{ values: 2 numbers, constraints: 1 number \}, got \{"values":\[1\]\}/.test(
          e.message,
        ),
    );
    await assert.rejects(
      runMoModuleBenchmark({
        objective: { ...tradeoff, referencePoint: [1] },
        sampler: { type: 'random' },
        trials: 2,
        seeds: 1,
      }),
      /referencePoint: must hold 2 finite numbers/,
    );
  });
});
