import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSearchSpace } from '../search-space.js';
import { builtinObjectives } from './objectives.js';
import { formatSummaryTable, quantile, runBenchmark, summarizeBenchmark } from './run.js';

describe('built-in objectives', () => {
  const minimizers: Record<string, Record<string, number>> = {
    branin: { x0: Math.PI, x1: 2.275 },
    hartmann6: { x0: 0.20169, x1: 0.150011, x2: 0.476874, x3: 0.275332, x4: 0.311652, x5: 0.6573 },
    ackley5: { x0: 0, x1: 0, x2: 0, x3: 0, x4: 0 },
    rosenbrock4: { x0: 1, x1: 1, x2: 1, x3: 1 },
    styblinski_tang4: { x0: -2.903534, x1: -2.903534, x2: -2.903534, x3: -2.903534 },
    hartmann3: { x0: 0.114614, x1: 0.555649, x2: 0.852547 },
    levy5: { x0: 1, x1: 1, x2: 1, x3: 1, x4: 1 },
    six_hump_camel: { x0: 0.0898, x1: -0.7126 },
    griewank5: { x0: 0, x1: 0, x2: 0, x3: 0, x4: 0 },
  };
  for (const [name, x] of Object.entries(minimizers)) {
    it(`${name} reaches its optimum at the known minimizer`, async () => {
      const o = builtinObjectives[name];
      assert.ok(o && o.optimum !== undefined);
      parseSearchSpace(o.space);
      const v = await o.evaluate(x);
      assert.ok(Math.abs(v - o.optimum) < 1e-4, `${name}: ${v} vs ${o.optimum}`);
    });
  }
});

describe('runBenchmark', () => {
  it('writes the docs/DESIGN.md section 6 shape and summarizes regret', async () => {
    const objective = builtinObjectives.branin;
    assert.ok(objective);
    const result = await runBenchmark({ objective, sampler: { type: 'random' }, trials: 12, seeds: 3 });
    assert.equal(result.objective, 'branin');
    assert.equal(result.sampler, 'random');
    assert.equal(result.runs.length, 3);
    for (const [i, run] of result.runs.entries()) {
      assert.equal(run.seed, i);
      assert.equal(run.values.length, 12);
      assert.equal(run.suggestMs.length, 12);
      for (const [t, b] of run.best.entries()) assert.equal(b, Math.min(...run.values.slice(0, t + 1)));
    }
    const summary = summarizeBenchmark(result);
    assert.deepEqual(
      summary.rows.map((r) => r.trials),
      [10, 12],
    );
    const regrets = result.runs.map((r) => (r.best[9] ?? 0) - 0.397887357729739);
    assert.equal(summary.rows[0]?.median, quantile(regrets, 0.5));
    assert.match(formatSummaryTable([summary]), /\| branin \| random \| regret \|/);
  });

  it('quantile interpolates like numpy', () => {
    assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
    assert.equal(quantile([4, 1, 3, 2], 0.25), 1.75);
  });
});
