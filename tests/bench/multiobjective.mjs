#!/usr/bin/env node
// Multi-objective and constrained benchmark (issue 17; protocol of shared/bench/ANCHORS.md,
// "Multi-objective and constrained").
//   npm run bench -- multiobjective              public problems, then private ones, GP sampler
//   npm run bench -- multiobjective --latency    suggestion time: 3 objectives, 6 params, 100 trials
//   npm run bench -- multiobjective --latency --compare ../base/packages/optimizer/dist/index.js
//     the same, with another build of @posterior/optimizer timed beside this one, interleaved
//     suggestion by suggestion so both see the same load
// Options: --problems a,b  --seeds N (0..N-1)  --sampler gp|qmc|random  --config '{"xi":0.01}'
//          --no-private  --baseline (also runs the random sampler on every problem)
//          --heldout (only the held-out problems, with the random sampler beside: a check that what
//          was measured on the others carries over; not for developing against)
// Writes bench-results/multiobjective[-latency].json and prints a table.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  formatNumber,
  MO_PROBLEMS,
  parseSearchSpace,
  quantile,
  runMoBenchmark,
  suggest,
  summarizeMo,
} from '@posterior/optimizer';
import { parseBenchArgs } from './_args.mjs';
import { machine, resultsDir, samplerOf, samplerOptions, timedSuggest } from './_optimizer-common.mjs';

const args = parseBenchArgs({
  ...samplerOptions,
  latency: { type: 'boolean', default: false },
  compare: { type: 'string' },
  problems: { type: 'string' },
  'no-private': { type: 'boolean', default: false },
  baseline: { type: 'boolean', default: false },
  heldout: { type: 'boolean', default: false },
});

// Optuna medians from ANCHORS.md: GPSampler (with its quartiles) and TPE; log10 HV gap, or regret.
const ANCHORS = {
  zdt1: {
    gp: { 30: [0.03, -0.2, 0.17], 60: [-0.73, -1.07, -0.31], 100: [-1.38, -1.42, -1.18] },
    tpe: { 30: 1.3, 60: 1.1, 100: 0.93 },
  },
  zdt2: {
    gp: { 30: [1.01, 1.01, 1.01], 60: [-0.06, -1.01, 1.01], 100: [-0.37, -1.01, 0.85] },
    tpe: { 30: 1.41, 60: 1.35, 100: 1.25 },
  },
  dtlz2_3obj: {
    gp: { 30: [-0.22, -0.24, -0.19], 60: [-0.33, -0.41, -0.26], 100: [-0.47, -0.52, -0.42] },
    tpe: { 30: -0.29, 60: -0.43, 100: -0.58 },
  },
  bnh: { gp: { 30: [2.32, 2.19, 2.51], 60: [2.1, 1.92, 2.21] }, tpe: { 30: 2.58, 60: 2.4 } },
  gardner1: { gp: { 30: [1.34e-4], 60: [3.06e-6] }, tpe: { 30: 0.133, 60: 0.0486 } },
};
const outDir = resultsDir();
const env = machine();
const checkpointsOf = (p) => (p.budget >= 100 ? [30, 60, 100] : [30, 60]);

if (args.latency) await latency();
else benchmark();

function benchmark() {
  const names = args.problems
    ? args.problems.split(',')
    : MO_PROBLEMS.filter((p) =>
        args.heldout ? p.heldout : !p.heldout && (p.public || !args['no-private']),
      ).map((p) => p.name);
  const sampler = samplerOf(args);
  const seeds = Array.from({ length: Number(args.seeds) }, (_, i) => i);
  const rows = [];
  const loads = [];
  const started = Date.now();
  for (const name of names) {
    const problem = MO_PROBLEMS.find((p) => p.name === name);
    if (!problem) {
      console.error(`unknown problem ${name}; known: ${MO_PROBLEMS.map((p) => p.name).join(', ')}`);
      process.exit(2);
    }
    const t0 = performance.now();
    const result = runMoBenchmark({ problem, sampler, seeds, onTrial: () => loads.push(loadavg()[0]) });
    const cps = checkpointsOf(problem);
    const summary = summarizeMo(result, cps);
    let random = null;
    if (args.baseline || !ANCHORS[name]) {
      const r = runMoBenchmark({ problem, sampler: { type: 'random' }, seeds });
      random = summarizeMo(r, cps);
    }
    const ms = result.runs.flatMap((r) => r.suggestMs);
    rows.push({
      problem,
      result,
      summary,
      random,
      suggestMs: { median: quantile(ms, 0.5), p90: quantile(ms, 0.9) },
    });
    process.stderr.write(`${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  const minutes = ((Date.now() - started) / 60000).toFixed(1);
  console.log(
    `\nMedian [25th, 75th] over seeds ${seeds[0]}-${seeds.at(-1)}: log10(HV* - HV_t) of the feasible non-dominated trials (gardner1: simple regret of the best feasible value); lower is better.`,
  );
  console.log(
    `Sampler ${JSON.stringify(sampler)}; ${minutes} min; 1-minute load ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)} on ${cpus().length} cores.`,
  );
  console.log(
    '✓: at or below the better of Optuna GP and TPE (public problems); private and held-out problems show our random sampler instead.\n',
  );
  const header = [
    'problem',
    'checkpoint',
    'ours',
    'Optuna GP',
    'TPE',
    'random (ours)',
    'suggest ms p50 / p90',
  ];
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  const fmt = (c) => `${formatNumber(c.median)} [${formatNumber(c.q25)}, ${formatNumber(c.q75)}]`;
  for (const row of rows) {
    const anchor = ANCHORS[row.problem.name];
    row.summary.forEach((cell, i) => {
      const gp = anchor?.gp?.[cell.trials];
      const tpe = anchor?.tpe?.[cell.trials];
      const target = anchor
        ? Math.min(gp?.[0] ?? Number.POSITIVE_INFINITY, tpe ?? Number.POSITIVE_INFINITY)
        : null;
      const mark = target === null ? '' : cell.median <= target ? ' ✓' : ' ✗';
      const gpText = gp
        ? gp.length === 3
          ? `${formatNumber(gp[0])} [${formatNumber(gp[1])}, ${formatNumber(gp[2])}]`
          : formatNumber(gp[0])
        : '-';
      console.log(
        `| ${[
          `${row.problem.name}${row.problem.heldout ? ' (held out)' : row.problem.public ? '' : ' (private)'}`,
          `@${cell.trials}`,
          `${fmt(cell)}${mark}`,
          gpText,
          tpe === undefined ? '-' : formatNumber(tpe),
          row.random ? fmt(row.random[i]) : '-',
          i === 0 ? `${formatNumber(row.suggestMs.median)} / ${formatNumber(row.suggestMs.p90)}` : '',
        ].join(' | ')} |`,
      );
    });
  }
  const file = join(outDir, 'multiobjective.json');
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        env,
        sampler,
        seeds,
        anchors: ANCHORS,
        minutes: Number(minutes),
        load: { min: Math.min(...loads), max: Math.max(...loads) },
        problems: rows.map((r) => ({
          name: r.problem.name,
          public: r.problem.public,
          metric: r.result.metric,
          summary: r.summary,
          random: r.random,
          suggestMs: r.suggestMs,
          runs: r.result.runs,
        })),
      },
      null,
      1,
    )}\n`,
  );
  console.log(`\nwrote ${file}`);
}

// Latency as in `bench -- optimizer --latency`: a 100-trial history (random design) of a 3-objective,
// 6-parameter problem (dtlz2), then the median over consecutive suggestions as the study grows by
// one trial each (hyperparameters are refitted at checkpoints and reused in between, as in the API's
// long-lived suggest worker), the cold first one and the mean of those after it.
async function latency() {
  const problem = MO_PROBLEMS.find((p) => p.name === 'dtlz2_3obj');
  const space = parseSearchSpace(problem.space);
  const objectives = [0, 1, 2].map((j) => ({ name: `f${j}`, direction: 'MINIMIZE' }));
  const sampler = samplerOf(args);
  const repeats = Number(args.repeats);
  const evaluate = (params) => {
    const out = problem.evaluate(Array.from({ length: 6 }, (_, i) => params[`x${i}`]));
    return { params, value: out.values[0], values: out.values };
  };
  // With --compare, the other build first; each build grows its own copy of the study.
  const builds = [{ name: 'this build', timed: timedSuggest }];
  if (args.compare) {
    const other = await import(pathToFileURL(resolve(args.compare)).href);
    builds.unshift({
      name: args.compare,
      timed: (config, context) => {
        const c0 = process.cpuUsage().user;
        const t0 = performance.now();
        const suggestion = other.suggest(config, context);
        return { suggestion, ms: performance.now() - t0, cpuMs: (process.cpuUsage().user - c0) / 1000 };
      },
    });
  }
  const rows = [];
  for (const seed of [1, 2, 3]) {
    const history = [];
    for (let t = 0; t < 100; t++) {
      const s = suggest(
        { type: 'random', seed },
        { space, direction: 'MINIMIZE', completed: [], pending: [], seed: t },
      );
      history.push(evaluate(s.params));
    }
    const runs = builds.map((b) => ({ build: b, completed: history.slice(), times: [], cpu: [], picks: [] }));
    for (let r = 0; r < repeats; r++) {
      for (const run of runs) {
        const {
          suggestion: s,
          ms,
          cpuMs,
        } = run.build.timed(
          { ...sampler, seed },
          { space, direction: 'MINIMIZE', objectives, completed: run.completed, pending: [], seed: 100 + r },
        );
        run.times.push(ms);
        run.cpu.push(cpuMs);
        run.picks.push(s.params);
        run.completed.push(evaluate(s.params));
      }
    }
    for (const run of runs) {
      rows.push({
        build: run.build.name,
        seed,
        times: run.times,
        cpu: run.cpu,
        picks: run.picks,
        load: loadavg()[0],
      });
      process.stderr.write(
        `${run.build.name}, seed ${seed}: ${run.times.map((t) => t.toFixed(0)).join(' ')} ms, load ${loadavg()[0].toFixed(1)}\n`,
      );
    }
  }
  console.log(
    `\nSuggestion time, GP sampler, 3 objectives, 6 params, 100 trials (3 studies x ${repeats} consecutive suggestions):`,
  );
  for (const b of builds) {
    const mine = rows.filter((r) => r.build === b.name);
    const all = mine.flatMap((r) => r.times.slice(1));
    const allCpu = mine.flatMap((r) => r.cpu.slice(1));
    const cold = mine.map((r) => r.times[0]);
    console.log(
      `${builds.length > 1 ? `${b.name}: ` : ''}median ${formatNumber(quantile(all, 0.5))} ms, p90 ${formatNumber(quantile(all, 0.9))} ms (after the first; cpu median ${formatNumber(quantile(allCpu, 0.5))} ms, p90 ${formatNumber(quantile(allCpu, 0.9))} ms); cold first ${cold.map((c) => formatNumber(c)).join(' / ')} ms; load ${mine.map((r) => r.load.toFixed(1)).join(' / ')} on ${cpus().length} cores`,
    );
  }
  if (builds.length > 1) {
    const picks = (name) => JSON.stringify(rows.filter((r) => r.build === name).map((r) => r.picks));
    console.log(`same suggestions in both builds: ${picks(builds[0].name) === picks(builds[1].name)}`);
  }
  console.log('Target: median < 100 ms (Optuna GP: 768 ms median, 1.1 s p90).');
  const file = join(outDir, 'multiobjective-latency.json');
  writeFileSync(file, `${JSON.stringify({ env, sampler, repeats, rows }, null, 1)}\n`);
  console.log(`\nwrote ${file}`);
}
