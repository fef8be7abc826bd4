#!/usr/bin/env node
// Suggestion-pool fairness (issue 12, item 10): how long a small team's GP ask waits while another
// team keeps big GP suggestions queued on the same pool.
//   npm run bench -- fairness [--asks 20] [--threads 1] [--big-params 100] [--big-queue 4]
// Runs the API's own Suggester (worker threads over @posterior/optimizer) with no server or
// database: team A has a 100-parameter GP study asking for 65,536 candidates (what the attack
// used; the API now bounds it) with 60 completed trials, and keeps --big-queue suggestions queued;
// team B has a 3-parameter GP study with 20 completed trials and asks --asks times in a row.
// Prints B's latency alone and under A's load, and one of A's suggestions; writes
// bench-results/fairness.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createLogger } from '@posterior/api';
import { parseBenchArgs } from './_args.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const args = parseBenchArgs({
  asks: { type: 'string', default: '20' },
  threads: { type: 'string', default: '1' },
  'big-params': { type: 'string', default: '100' },
  'big-queue': { type: 'string', default: '4' },
});
const ASKS = Number(args.asks);
const THREADS = Number(args.threads);
const BIG_PARAMS = Number(args['big-params']);
const BIG_QUEUE = Number(args['big-queue']);

// Not an export of @posterior/api: the pool is internal; the bench reads the built module.
const { Suggester } = await import(pathToFileURL(join(root, 'apps/api/dist/suggest/suggester.js')).href);

let seed = 12345;
const rand = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
};
function study(params, completed) {
  const searchSpace = Array.from({ length: params }, (_, i) => ({
    name: `p${i}`,
    type: 'float',
    low: 0,
    high: 1,
  }));
  const observations = Array.from({ length: completed }, () => {
    const p = Object.fromEntries(searchSpace.map((s) => [s.name, rand()]));
    return { params: p, value: Object.values(p).reduce((a, x) => a + (x - 0.3) ** 2, 0) };
  });
  return { searchSpace, observations };
}
const big = study(BIG_PARAMS, 60);
const small = study(3, 20);
const task = (s, sampler, n) => ({
  searchSpace: s.searchSpace,
  sampler,
  direction: 'MINIMIZE',
  completed: s.observations,
  pending: [],
  seeds: [n],
});
const BIG_SAMPLER = { type: 'gp', candidates: 65_536, nStartupTrials: 5 };
const SMALL_SAMPLER = { type: 'gp', nStartupTrials: 5 };

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  return s[Math.floor(i)] + (s[Math.ceil(i)] - s[Math.floor(i)]) * (i - Math.floor(i));
};
const round = (x) => Math.round(x * 10) / 10;

const suggester = new Suggester(createLogger('silent'), THREADS);
const loadBefore = loadavg()[0];
try {
  // Warm up both studies' spaces and the threads.
  await suggester.suggest(task(small, SMALL_SAMPLER, 0), 'gp', 'study-small', 'team-b');
  const bigStart = performance.now();
  await suggester.suggest(task(big, BIG_SAMPLER, 0), 'gp', 'study-big', 'team-a');
  const bigMs = performance.now() - bigStart;

  const smallAsks = async () => {
    const ms = [];
    for (let i = 1; i <= ASKS; i++) {
      const t = performance.now();
      await suggester.suggest(task(small, SMALL_SAMPLER, i), 'gp', 'study-small', 'team-b');
      ms.push(performance.now() - t);
    }
    return ms;
  };
  const alone = await smallAsks();

  let stop = false;
  let bigDone = 0;
  const keepBusy = async (k) => {
    let n = 1000 * (k + 1);
    while (!stop) {
      await suggester.suggest(task(big, BIG_SAMPLER, n++), 'gp', 'study-big', 'team-a');
      bigDone++;
    }
  };
  const busy = Array.from({ length: BIG_QUEUE }, (_, k) => keepBusy(k));
  const contended = await smallAsks();
  stop = true;
  await Promise.all(busy);

  const result = {
    threads: THREADS,
    bigParams: BIG_PARAMS,
    bigQueue: BIG_QUEUE,
    bigSuggestionMs: round(bigMs),
    bigSuggestionsDuringRun: bigDone,
    smallAlone: { p50Ms: round(quantile(alone, 0.5)), p95Ms: round(quantile(alone, 0.95)) },
    smallUnderLoad: { p50Ms: round(quantile(contended, 0.5)), p95Ms: round(quantile(contended, 0.95)) },
    env: {
      loadAverage1m: { before: round(loadBefore), after: round(loadavg()[0]) },
      cpus: cpus().length,
      node: process.version,
    },
  };
  console.log(
    `\nSuggestion-pool fairness (${THREADS} thread(s); 1-min load ${result.env.loadAverage1m.before} -> ${result.env.loadAverage1m.after} on ${result.env.cpus} cores)`,
  );
  console.log(
    `team A: one ${BIG_PARAMS}-parameter GP suggestion (65,536 candidates asked)  ${result.bigSuggestionMs} ms`,
  );
  console.log(
    `team B: 3-parameter GP ask alone, p50 / p95                            ${result.smallAlone.p50Ms} / ${result.smallAlone.p95Ms} ms`,
  );
  console.log(
    `team B: same ask while team A keeps ${BIG_QUEUE} queued, p50 / p95             ${result.smallUnderLoad.p50Ms} / ${result.smallUnderLoad.p95Ms} ms (bound: about one of A's suggestions per thread)`,
  );
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  writeFileSync(join(root, 'bench-results', 'fairness.json'), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await suggester.close();
}
