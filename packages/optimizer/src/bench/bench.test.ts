import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hypervolume } from '../multiobjective/hypervolume.js';
import { createRng } from '../rng.js';
import { parseSearchSpace } from '../search-space.js';
import { MO_PROBLEMS } from './multiobjective.js';
import { builtinObjectives, noisyObjective } from './objectives.js';
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
    // Multimodal 2-D functions (ANCHORS.md) at their documented minimizers.
    michalewicz2: { x0: 2.2029055122742425, x1: Math.PI / 2 },
    holder_table: { x0: 8.055023496882194, x1: 9.664590020751008 },
    eggholder: { x0: 512, x1: 404.23180496323835 },
    drop_wave: { x0: 0, x1: 0 },
    schwefel2: { x0: 420.9687, x1: 420.9687 },
    rastrigin2: { x0: 0, x1: 0 },
    shubert2: { x0: -7.08350641191401, x1: 4.8580568735131076 },
    cross_in_tray: { x0: 1.3494056853826022, x1: -1.3494056853826022 },
    levy2: { x0: 1, x1: 1 },
    griewank2: { x0: 0, x1: 0 },
    ackley2: { x0: 0, x1: 0 },
    bukin6: { x0: -10, x1: 1 },
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

describe('multimodal 2-D functions', () => {
  // No point of a fine grid (plus the documented minimizers' neighbourhoods) goes below the optimum:
  // the documented minimum is the global one, not just a local one.
  for (const name of [
    'michalewicz2',
    'holder_table',
    'eggholder',
    'drop_wave',
    'schwefel2',
    'rastrigin2',
    'shubert2',
    'cross_in_tray',
    'bukin6',
  ]) {
    it(`${name}: no grid point is below the documented minimum`, async () => {
      const o = builtinObjectives[name];
      assert.ok(o && o.optimum !== undefined);
      const space = parseSearchSpace(o.space);
      const n = 400;
      let lowest = Number.POSITIVE_INFINITY;
      for (let i = 0; i <= n; i++) {
        for (let j = 0; j <= n; j++) {
          const p = space.decode(space.fromUnit(Float64Array.of(i / n, j / n)));
          lowest = Math.min(lowest, Number(await o.evaluate(p)));
        }
      }
      assert.ok(lowest >= o.optimum - 1e-9, `${name}: ${lowest} < ${o.optimum}`);
      // ... and the grid gets close to it, so the box and the formula are the documented ones.
      assert.ok(lowest - o.optimum < 0.1 * (o.spread ?? Math.abs(o.optimum) + 1), `${name}: ${lowest}`);
    });
  }

  it('spreads are the standard deviations under uniform random sampling', async () => {
    const rng = createRng(7);
    for (const o of Object.values(builtinObjectives)) {
      if (o.spread === undefined) continue;
      const space = parseSearchSpace(o.space);
      const values: number[] = [];
      for (let i = 0; i < 20000; i++) {
        const u = Float64Array.from({ length: space.dimension }, () => rng.next());
        values.push(Number(await o.evaluate(space.decode(space.fromUnit(u)))));
      }
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
      // Rosenbrock's heavy tail makes its sample sd vary more than the others'.
      const tolerance = o.name === 'rosenbrock4' ? 0.1 : 0.03;
      assert.ok(Math.abs(sd / o.spread - 1) < tolerance, `${o.name}: sd ${sd} vs spread ${o.spread}`);
    }
  });

  it('noisy variants add noise of the named size and score the TRUE value of the kept trial', async () => {
    const base = builtinObjectives.hartmann6;
    assert.ok(base);
    const noisy = noisyObjective(base, 0.1, 0.0391);
    assert.equal(noisy.name, 'hartmann6_noise10');
    const result = await runBenchmark({
      objective: noisy,
      sampler: { type: 'random' },
      trials: 400,
      seeds: 1,
    });
    const run = result.runs[0];
    assert.ok(run);
    const residuals = run.values.map((v, i) => v - (run.trueValues[i] ?? 0));
    const sd = Math.sqrt(residuals.reduce((a, b) => a + b * b, 0) / residuals.length);
    assert.ok(Math.abs(sd / 0.0391 - 1) < 0.15, `noise sd ${sd}`);
    for (let t = 0; t < run.values.length; t++) {
      const argmin = run.values.slice(0, t + 1).indexOf(run.best[t] ?? Number.NaN);
      assert.equal(run.kept[t], run.trueValues[argmin]);
    }
    assert.equal(noisyObjective(builtinObjectives.branin ?? base, 0.02).noise, 0.02 * 51.2);
  });
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

describe('held-out multi-objective and constrained problems', () => {
  const byName = (name: string) => {
    const p = MO_PROBLEMS.find((q) => q.name === name);
    assert.ok(p?.heldout, `${name} is held out`);
    return p;
  };

  it("gardner2's optimum is feasible and no feasible grid point beats it", () => {
    const p = byName('gardner2');
    const at = p.evaluate([(3 * Math.PI) / 2, Math.asin(0.95)]);
    assert.ok(Math.abs((at.values[0] as number) - (p.optimum as number)) < 1e-12);
    assert.ok((at.constraints[0] as number) <= 1e-12);
    for (let i = 0; i <= 300; i++) {
      for (let j = 0; j <= 300; j++) {
        const out = p.evaluate([(i / 300) * 6, (j / 300) * 6]);
        if ((out.constraints[0] as number) <= 0)
          assert.ok((out.values[0] as number) >= (p.optimum as number) - 1e-12);
      }
    }
  });

  it("dtlz7's true hypervolume is just above that of a dense sample of its front", () => {
    const p = byName('dtlz7_3obj');
    const ref = p.referencePoint as number[];
    const n = 60;
    const pts: number[][] = [];
    for (let i = 0; i <= n; i++)
      for (let j = 0; j <= n; j++) pts.push(p.evaluate([i / n, j / n, 0, 0, 0, 0]).values);
    const sampled = hypervolume(pts, ref);
    const truth = (p.trueHypervolume as () => number)();
    assert.ok(truth > sampled && truth < sampled * 1.02, `${truth} vs sampled ${sampled}`);
  });

  it("tnk's front points are feasible and its true hypervolume is that of its least feasible x1 per x0", () => {
    const p = byName('tnk');
    // A feasible point on the front (x0 = x1 on the wavy circle) and an infeasible one inside it.
    assert.ok(p.evaluate([0.2, 0.2]).constraints.some((c) => c > 0));
    const truth = (p.trueHypervolume as () => number)();
    // Any feasible sample's hypervolume is below the truth.
    const pts: number[][] = [];
    for (let i = 0; i <= 200; i++) {
      for (let j = 0; j <= 200; j++) {
        const x = [(i / 200) * 1.2, (j / 200) * 1.2];
        if (p.evaluate(x).constraints.every((c) => c <= 0)) pts.push(x);
      }
    }
    const sampled = hypervolume(pts, p.referencePoint as number[]);
    assert.ok(truth > sampled && truth < sampled * 1.02, `${truth} vs sampled ${sampled}`);
  });
});
