#!/usr/bin/env node
// Conditional search spaces (issue 18): median regret at 30 and 50 trials over 10 seeds of our GP
// (its conditional encoding, docs/DESIGN.md section 3), the same GP with inactive parameters padded,
// and Optuna's TPE (Debian's python3-optuna, run side by side through tests/bench/_optuna_tpe.py).
//   npm run bench -- conditional                      jenatton and mlp_hpo, 10 seeds x 50 trials
//   npm run bench -- conditional --heldout            the held-out conditional functions
//   npm run bench -- conditional --designs imputed,category,padded,indicator,arc   compare encodings
// Options: --functions a,b  --seeds N  --trials N  --config '{"xi":0.01}'  --no-tpe
//          --tpe-multivariate (also TPE with multivariate=True, group=True)
// Writes bench-results/conditional.json and prints a table.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  conditionalObjectives,
  formatNumber,
  parseSamplerConfig,
  quantile,
  runBenchmark,
} from '@posterior/optimizer';
import { parseBenchArgs } from './_args.mjs';
import { machine, resultsDir } from './_optimizer-common.mjs';

const args = parseBenchArgs({
  seeds: { type: 'string', default: '10' },
  'first-seed': { type: 'string', default: '0' },
  trials: { type: 'string', default: '50' },
  config: { type: 'string', default: '{}' },
  functions: { type: 'string' },
  heldout: { type: 'boolean', default: false },
  designs: { type: 'string', default: 'imputed,padded' },
  'no-tpe': { type: 'boolean', default: false },
  'tpe-multivariate': { type: 'boolean', default: false },
  python: { type: 'string', default: '/usr/bin/python3' },
  out: { type: 'string' },
});

const PUBLIC = ['jenatton', 'mlp_hpo'];
const HELDOUT = ['branin_or_hartmann3', 'nested_sphere'];
const names = args.functions ? args.functions.split(',') : args.heldout ? HELDOUT : PUBLIC;
const seeds = Number(args.seeds);
const firstSeed = Number(args['first-seed']);
const trials = Number(args.trials);
const checkpoints = [30, 50].filter((k) => k <= trials);
const designs = args.designs.split(',');
const driver = join(dirname(fileURLToPath(import.meta.url)), '_optuna_tpe.py');

// A fresh machine has no Optuna: say what to install instead of failing mid-run in a child process.
if (!args['no-tpe'] && spawnSync(args.python, ['-c', 'import optuna']).status !== 0) {
  console.error(
    `the TPE column needs Optuna for ${args.python}: apt-get install -y python3-optuna (Debian), or pass --no-tpe`,
  );
  process.exit(2);
}

/** One TPE run: Python asks, this process evaluates (the same function code as the GP's runs). */
function tpeRun(objective, seed, multivariate) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(args.python, [driver], { stdio: ['pipe', 'pipe', 'inherit'] });
    const best = [];
    let current = Number.POSITIVE_INFINITY;
    const lines = createInterface({ input: child.stdout });
    lines.on('line', async (line) => {
      const msg = JSON.parse(line);
      if (msg.done) {
        child.stdin.end();
        return;
      }
      const value = await objective.evaluate(msg.params);
      current = Math.min(current, value);
      best.push(current);
      child.stdin.write(`${JSON.stringify({ value })}\n`);
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolveRun(best) : reject(new Error(`optuna driver exited ${code}`)),
    );
    child.stdin.write(`${JSON.stringify({ space: objective.space, seed, trials, multivariate })}\n`);
  });
}

/** Median regret at each checkpoint of runs given as best-so-far arrays. */
function medians(bests, optimum) {
  return Object.fromEntries(
    checkpoints.map((k) => [
      k,
      quantile(
        bests.map((b) => (b[k - 1] ?? Number.NaN) - optimum),
        0.5,
      ),
    ]),
  );
}

const started = performance.now();
const loads = [loadavg()[0]];
const rows = [];
for (const name of names) {
  const objective = conditionalObjectives[name];
  if (!objective) {
    console.error(
      `unknown function ${name}; conditional functions: ${Object.keys(conditionalObjectives).join(', ')}`,
    );
    process.exit(2);
  }
  const columns = {};
  // TPE runs in child processes meanwhile: start them first, await them after the GP runs.
  const tpe = args['no-tpe']
    ? null
    : Promise.all(Array.from({ length: seeds }, (_, i) => tpeRun(objective, firstSeed + i, false)));
  const tpeMv =
    args['no-tpe'] || !args['tpe-multivariate']
      ? null
      : Promise.all(Array.from({ length: seeds }, (_, i) => tpeRun(objective, firstSeed + i, true)));
  for (const design of designs) {
    const sampler = parseSamplerConfig({
      ...JSON.parse(args.config),
      type: 'gp',
      conditionalEncoding: design,
    });
    const result = await runBenchmark({ objective, sampler, trials, seeds, firstSeed });
    const ms = result.runs.flatMap((r) => r.suggestMs);
    columns[`GP ${design}`] = {
      median: medians(
        result.runs.map((r) => r.best),
        objective.optimum,
      ),
      meanSuggestMs: ms.reduce((a, b) => a + b, 0) / ms.length,
      // Per seed, for paired tests between designs.
      regrets: Object.fromEntries(
        checkpoints.map((k) => [
          k,
          result.runs.map((r) => (r.best[k - 1] ?? Number.NaN) - objective.optimum),
        ]),
      ),
    };
    loads.push(loadavg()[0]);
  }
  if (tpe) columns.TPE = { median: medians(await tpe, objective.optimum) };
  if (tpeMv) columns['TPE multivariate'] = { median: medians(await tpeMv, objective.optimum) };
  rows.push({ name, columns });
}

const columnNames = Object.keys(rows[0]?.columns ?? {});
console.log(
  `\nConditional benchmark: median regret over ${seeds} seeds (from ${firstSeed}), ${trials} trials; ${((performance.now() - started) / 1000).toFixed(0)} s; 1-minute load ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}.`,
);
console.log(`GP config: ${args.config}; ✓ = below every other column at that checkpoint.\n`);
const header = ['function', ...checkpoints.flatMap((k) => columnNames.map((c) => `${c} @${k}`))];
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => '---').join('|')}|`);
const ours = `GP ${designs[0]}`;
for (const row of rows) {
  const cells = checkpoints.flatMap((k) =>
    columnNames.map((c) => {
      const v = row.columns[c].median[k];
      const beats = columnNames.filter((o) => o !== c).every((o) => v < row.columns[o].median[k]);
      return `${formatNumber(v)}${c === ours ? (beats ? ' ✓' : ' ✗') : ''}`;
    }),
  );
  console.log(`| ${row.name} | ${cells.join(' | ')} |`);
}
for (const row of rows) {
  const times = Object.entries(row.columns)
    .filter(([, v]) => v.meanSuggestMs !== undefined)
    .map(([c, v]) => `${c} ${v.meanSuggestMs.toFixed(0)} ms`);
  console.log(`mean suggestion time, ${row.name}: ${times.join(', ')}`);
}
const file = join(resultsDir(), args.out ?? `conditional${args.heldout ? '-heldout' : ''}.json`);
writeFileSync(
  file,
  `${JSON.stringify({ env: machine(), seeds, trials, config: args.config, rows }, null, 1)}\n`,
);
console.log(`\nwrote ${file}`);
