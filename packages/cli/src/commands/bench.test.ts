import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin.js', import.meta.url));

interface BenchJson {
  objective: string;
  sampler: string;
  trials: number;
  runs: Array<{ seed: number; values: number[]; best: number[]; suggestMs: number[] }>;
}

function bench(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [bin, 'bench', ...args], { encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Cells of the table row of one objective: function, sampler, metric, @k..., suggest ms. */
function tableRow(stdout: string, objective: string): string[] {
  const line = stdout.split('\n').find((l) => l.startsWith(`| ${objective} |`));
  assert.ok(line, stdout);
  return line
    .split('|')
    .slice(1, -1)
    .map((c) => c.trim());
}

// docs/DESIGN.md section 6 through the real command: a user's objective module (not a built-in), mixed
// parameter types, an async evaluate, every sampler type.
describe('posterior bench with an objective module', () => {
  let dir: string;
  let module: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'posterior-bench-module-'));
    module = join(dir, 'bowl.mjs');
    await writeFile(
      module,
      `export default {
        name: 'bowl',
        space: [
          { name: 'x', type: 'float', low: -2, high: 2 },
          { name: 'k', type: 'int', low: 0, high: 9 },
          { name: 'c', type: 'categorical', choices: ['a', 'b'] },
        ],
        optimum: 1,
        async evaluate(p) { return 1 + p.x * p.x + (p.k - 3) ** 2 / 10 + (p.c === 'a' ? 0 : 0.5); },
      };\n`,
    );
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const sampler of ['gp', 'qmc', 'random']) {
    it(`${sampler}: writes the JSON and prints the regret table`, async () => {
      const file = join(dir, `${sampler}.json`);
      const extra = sampler === 'gp' ? ['--sampler-config', '{"nStartupTrials":4}'] : [];
      const run = bench([
        '--objective',
        module,
        '--sampler',
        sampler,
        '--trials',
        '12',
        '--seeds',
        '2',
        '--json',
        file,
        ...extra,
      ]);
      assert.equal(run.code, 0, run.stderr);
      const result = JSON.parse(await readFile(file, 'utf8')) as BenchJson;
      assert.equal(result.objective, 'bowl');
      assert.equal(result.sampler, sampler);
      assert.equal(result.trials, 12);
      assert.deepEqual(
        result.runs.map((r) => r.seed),
        [0, 1],
      );
      for (const r of result.runs) {
        assert.equal(r.values.length, 12);
        assert.ok(r.values.every((v) => Number.isFinite(v) && v >= 1));
        assert.deepEqual(
          r.best,
          r.values.map((_, i) => Math.min(...r.values.slice(0, i + 1))),
        );
        assert.ok(r.suggestMs.length === 12 && r.suggestMs.every((ms) => ms >= 0));
      }
      // Regret at 10 trials and at the end (12): the median of two runs is their mean.
      const header = tableRow(run.stdout, 'function');
      assert.deepEqual(header.slice(3, 5), ['@10', '@12']);
      const row = tableRow(run.stdout, 'bowl');
      assert.deepEqual(row.slice(0, 3), ['bowl', sampler, 'regret']);
      const median = (k: number): number =>
        result.runs.reduce((s, r) => s + (r.best[k - 1] ?? Number.NaN) - 1, 0) / result.runs.length;
      for (const [cell, k] of [
        [row[3], 10],
        [row[4], 12],
      ] as const) {
        const printed = Number(cell?.split(' ')[0]);
        assert.ok(Math.abs(printed - median(k)) <= 6e-3 * Math.abs(median(k)) + 1e-12, `@${k}: ${cell}`);
      }
    });
  }

  it('without a known optimum reports the best value, and rejects a module without evaluate', async () => {
    const noOptimum = join(dir, 'plain.mjs');
    await writeFile(
      noOptimum,
      `export default { name: 'plain', space: [{ name: 'x', type: 'float', low: 0, high: 1 }], evaluate: (p) => p.x };\n`,
    );
    const run = bench(['--objective', noOptimum, '--sampler', 'qmc', '--trials', '3', '--seeds', '1']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(tableRow(run.stdout, 'plain').slice(0, 3), ['plain', 'qmc', 'best']);

    const broken = join(dir, 'broken.mjs');
    await writeFile(broken, `export default { name: 'broken', space: [] };\n`);
    const bad = bench(['--objective', broken]);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.match(bad.stderr, /must export default/);
  });
});

interface MoBenchJson {
  objective: string;
  sampler: string;
  trials: number;
  metric: string;
  referencePoint: { values: number[]; source: string } | null;
  hvStar: number | null;
  runs: Array<{
    seed: number;
    values: number[][];
    constraints: number[][];
    feasible: boolean[];
    metric: number[];
    suggestMs: number[];
  }>;
}

/** Hypervolume of 2-D minimization rows against ref, by a plain sweep (independent of the optimizer's). */
function hv2(rows: number[][], ref: number[]): number {
  const inside = rows
    .filter((r) => (r[0] as number) < (ref[0] as number) && (r[1] as number) < (ref[1] as number))
    .sort((a, b) => (a[0] as number) - (b[0] as number));
  let area = 0;
  let floor = ref[1] as number;
  for (const [x, y] of inside) {
    if ((y as number) < floor) {
      area += ((ref[0] as number) - (x as number)) * (floor - (y as number));
      floor = y as number;
    }
  }
  return area;
}

// MO-CONTRACT "CLI": bench modules exporting objectives (and constraints, referencePoint, hvStar).
describe('posterior bench with a multi-objective module', () => {
  let dir: string;
  let module: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'posterior-bench-mo-'));
    module = join(dir, 'constrained-zdt1.mjs');
    // ZDT1 on two variables with a maximized second objective (-f2) and a constraint cutting off
    // x0 > 0.9: the true front is f2 = 1 - sqrt(f1) for f1 in [0, 0.9] (x1 = 0); its HV against
    // (1.1, 1.1) is the integral of 0.1 + sqrt(f1) over [0, 0.9] plus the strip f1 in [0.9, 1.1].
    await writeFile(
      module,
      `export default {
        name: 'czdt1',
        space: [{ name: 'x0', type: 'float', low: 0, high: 1 }, { name: 'x1', type: 'float', low: 0, high: 1 }],
        objectives: [{ name: 'f1', direction: 'minimize' }, { name: 'neg_f2', direction: 'MAXIMIZE' }],
        constraints: [{ name: 'x0_cap' }],
        referencePoint: [1.1, -1.1],
        hvStar: ${0.1 * 0.9 + (2 / 3) * 0.9 ** 1.5 + 0.2 * (0.1 + Math.sqrt(0.9))},
        evaluate(p) {
          const g = 1 + 9 * p.x1;
          const f2 = g * (1 - Math.sqrt(p.x0 / g));
          return { values: [p.x0, -f2], constraints: [p.x0 - 0.9] };
        },
      };\n`,
    );
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const sampler of ['gp', 'random']) {
    it(`${sampler}: prints the log10 HV gap per checkpoint of the feasible front and writes every trial`, async () => {
      const file = join(dir, `${sampler}.json`);
      const trials = sampler === 'gp' ? '10' : '12';
      const extra = sampler === 'gp' ? ['--sampler-config', '{"nStartupTrials":5}'] : [];
      const run = bench([
        '--objective',
        module,
        '--sampler',
        sampler,
        '--trials',
        trials,
        '--seeds',
        '2',
        '--json',
        file,
        ...extra,
      ]);
      assert.equal(run.code, 0, run.stderr);
      const result = JSON.parse(await readFile(file, 'utf8')) as MoBenchJson;
      assert.equal(result.metric, 'log10 HV gap');
      assert.deepEqual(result.referencePoint, { values: [1.1, -1.1], source: 'module' });
      const star = result.hvStar as number;
      for (const r of result.runs) {
        assert.equal(r.values.length, Number(trials));
        r.values.forEach((v, t) => {
          assert.equal(r.feasible[t], (r.constraints[t]?.[0] as number) <= 0);
          const front = r.values
            .slice(0, t + 1)
            .filter((_, i) => r.feasible[i])
            .map(([f1, negF2]) => [f1 as number, -(negF2 as number)]);
          const gap = Math.log10(Math.max(star - hv2(front, [1.1, 1.1]), 1e-12));
          assert.ok(Math.abs((r.metric[t] as number) - gap) < 1e-9, `seed ${r.seed} trial ${t + 1}`);
          assert.equal(v.length, 2);
        });
      }
      const header = tableRow(run.stdout, 'function');
      assert.deepEqual(header.slice(2, -1), ['metric', '@10', ...(trials === '12' ? ['@12'] : [])]);
      const row = tableRow(run.stdout, 'czdt1');
      assert.deepEqual(row.slice(0, 3), ['czdt1', sampler, 'log10 HV gap']);
      const mean10 = result.runs.reduce((s, r) => s + (r.metric[9] as number), 0) / 2;
      const printed = Number(row[3]?.split(' ')[0]);
      assert.ok(Math.abs(printed - mean10) <= 6e-3 * Math.abs(mean10) + 1e-9, `@10: ${row[3]}`);
      assert.match(run.stdout, /^reference point \(module\): \[1\.1, -1\.1\]$/m);
    });
  }

  it('without hvStar prints the hypervolume; a misfit module is a one-line usage error', async () => {
    const plain = join(dir, 'plain-mo.mjs');
    await writeFile(
      plain,
      `export default {
        name: 'plain-mo',
        space: [{ name: 'x', type: 'float', low: 0, high: 1 }],
        objectives: [{ name: 'a', direction: 'minimize' }, { name: 'b', direction: 'minimize' }],
        evaluate: (p) => ({ values: [p.x, 1 - p.x] }),
      };\n`,
    );
    const run = bench(['--objective', plain, '--sampler', 'qmc', '--trials', '6', '--seeds', '1']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(tableRow(run.stdout, 'plain-mo').slice(0, 3), ['plain-mo', 'qmc', 'hypervolume']);
    assert.match(run.stdout, /^reference point \(inferred\): \[/m);

    const misfit = join(dir, 'misfit.mjs');
    await writeFile(
      misfit,
      `export default {
        name: 'misfit',
        space: [{ name: 'x', type: 'float', low: 0, high: 1 }],
        objectives: [{ name: 'a', direction: 'minimize' }, { name: 'b', direction: 'minimize' }],
        evaluate: (p) => ({ values: [p.x] }),
      };\n`,
    );
    const bad = bench(['--objective', misfit, '--sampler', 'random', '--trials', '2', '--seeds', '1']);
    assert.equal(bad.code, 2, bad.stderr);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.match(bad.stderr, /misfit\.evaluate: must return \{ values: 2 numbers \}/);

    const sameName = join(dir, 'same-name.mjs');
    await writeFile(
      sameName,
      `export default {
        name: 'same', space: [{ name: 'x', type: 'float', low: 0, high: 1 }],
        objectives: [{ name: 'a', direction: 'minimize' }], constraints: [{ name: 'a' }],
        evaluate: () => ({ values: [0], constraints: [0] }),
      };\n`,
    );
    const dup = bench(['--objective', sameName]);
    assert.equal(dup.code, 2);
    assert.match(dup.stderr, /objectives and constraints must be distinct names \(a appears twice\)/);
  });
});
