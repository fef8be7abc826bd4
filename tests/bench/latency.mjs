#!/usr/bin/env node
// Suggestion latency as a long study sees it (issue 16.5): one study grown by sequential GP
// suggestions from trial 1 to N on a D-dimensional test function, with one long-lived ModelCache
// as the API's suggest worker keeps, so every checkpoint refit lands where a real study pays it.
//   npm run bench -- latency                        N = 232, D = 6; statistics over the refit period holding 200
//   npm run bench -- latency --at 200 --dims 6 --compare ../demoperf-base/packages/optimizer/dist/index.js
// Reports, for the suggestions with `at - period/2 .. at + period/2` completed trials (one whole refit
// period, so the mean carries the checkpoint refit in its real proportion): wall median, mean, p90
// and CPU median, mean, p90 (user + system CPU of this process: the machine may be shared, and wall
// time then measures the load as much as the work). With --compare, the same study runs with another
// build of @posterior/optimizer, interleaved suggestion by suggestion, so both see the same load.
// Writes bench-results/latency.json.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as current from '@posterior/optimizer';
import { parseBenchArgs } from './_args.mjs';
import { machine, resultsDir } from './_optimizer-common.mjs';

const args = parseBenchArgs({
  at: { type: 'string', default: '200' },
  dims: { type: 'string', default: '6' },
  seed: { type: 'string', default: '1' },
  config: { type: 'string', default: '{}' },
  compare: { type: 'string' },
});
const AT = Number(args.at);
const DIM = Number(args.dims);
const builds = [{ name: 'this build', lib: current }];
if (args.compare)
  builds.unshift({ name: args.compare, lib: await import(pathToFileURL(resolve(args.compare)).href) });

const space = Array.from({ length: DIM }, (_, i) => ({ name: `x${i}`, type: 'float', low: -5, high: 5 }));
// Styblinski-Tang: smooth, multimodal, defined in any dimension.
const f = (p) => {
  let s = 0;
  for (let i = 0; i < DIM; i++) {
    const v = p[`x${i}`];
    s += v ** 4 - 16 * v * v + 5 * v;
  }
  return s / 2;
};
// The refit period holding AT: from its checkpoint to the next one.
const fitPrefix = current.fitPrefixLength;
let from = AT;
while (fitPrefix(from) !== from) from--;
let to = from + 1;
while (fitPrefix(to) !== to) to++;
const N = to;

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const config = { type: 'gp', seed: Number(args.seed), ...JSON.parse(args.config) };
const studies = builds.map((b) => ({
  ...b,
  cache: new b.lib.ModelCache(),
  completed: [],
  rows: [],
}));
const started = performance.now();
const loads = [];
for (let t = 0; t < N; t++) {
  for (const s of studies) {
    const request = { space, direction: 'MINIMIZE', completed: s.completed, pending: [], seed: t };
    const c0 = cpuNow();
    const t0 = performance.now();
    const out = s.lib.suggest(config, request, s.cache);
    const ms = performance.now() - t0;
    const cpuMs = cpuNow() - c0;
    s.completed.push({ params: out.params, value: f(out.params) });
    s.rows.push({ trials: t, ms, cpuMs });
  }
  if (t % 16 === 0) loads.push(loadavg()[0]);
  if (t % 50 === 0)
    process.stderr.write(`${t} trials, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}
loads.push(loadavg()[0]);

// A fresh process (empty cache) asked for trial AT of this history: it fits from scratch, through
// any chain of checkpoint fits the build uses.
for (const s of studies) {
  const request = {
    space,
    direction: 'MINIMIZE',
    completed: s.completed.slice(0, AT),
    pending: [],
    seed: AT,
  };
  const c0 = cpuNow();
  const t0 = performance.now();
  s.lib.suggest(config, request, new s.lib.ModelCache());
  s.fresh = { ms: performance.now() - t0, cpuMs: cpuNow() - c0 };
}

const quantile = current.quantile;
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const stats = (xs) => ({
  median: quantile(xs, 0.5),
  mean: mean(xs),
  p90: quantile(xs, 0.9),
  max: Math.max(...xs),
});
const fmt = (x) => x.toFixed(1);
console.log(
  `\nSuggestion latency (ms), GP sampler ${JSON.stringify(config)}, D = ${DIM}: suggestions with ${from}..${to - 1} completed trials (one refit period, its checkpoint refit included)`,
);
console.log(
  `1-minute load ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)} on ${cpus().length} cores; wall time carries the load, CPU time the work\n`,
);
console.log(
  `| build | wall median | wall mean | wall p90 | cpu median | cpu mean | cpu p90 | cpu max | cpu mean over trials 1..N | fresh process at ${AT}: cpu (wall) |`,
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
const results = studies.map((s) => {
  const window = s.rows.filter((r) => r.trials >= from && r.trials < to);
  const wall = stats(window.map((r) => r.ms));
  const cpu = stats(window.map((r) => r.cpuMs));
  const all = mean(s.rows.map((r) => r.cpuMs));
  console.log(
    `| ${s.name} | ${fmt(wall.median)} | ${fmt(wall.mean)} | ${fmt(wall.p90)} | ${fmt(cpu.median)} | ${fmt(cpu.mean)} | ${fmt(cpu.p90)} | ${fmt(cpu.max)} | ${fmt(all)} | ${fmt(s.fresh.cpuMs)} (${fmt(s.fresh.ms)}) |`,
  );
  const best = Math.min(...s.completed.map((c) => c.value));
  return { build: s.name, wall, cpu, cpuMeanAll: all, fresh: s.fresh, best, rows: s.rows };
});
console.log(`\nbest value found: ${results.map((r) => `${r.build}: ${r.best.toFixed(3)}`).join(', ')}`);
console.log('Target: mean suggestion time < 20 ms at 200 trials in 6 dimensions.');
const file = join(resultsDir(), 'latency.json');
writeFileSync(
  file,
  `${JSON.stringify({ env: { ...machine(), loads }, config, dim: DIM, window: [from, to], results }, null, 1)}\n`,
);
console.log(`wrote ${file}`);
