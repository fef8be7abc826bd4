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
