#!/usr/bin/env node
// Scale benchmark (issue 7, part 4), loopback only, against real `posterior serve` processes on a
// PostgreSQL of its own:
//   1. ask/tell throughput as concurrent workers go 1, 2, 4, 8, 16, 32, for the random and GP
//      samplers. Each worker is an SDK client looping askTrials -> tellTrial with no training in
//      between, so the numbers are the API's ceiling (a real worker spends seconds per trial).
//   2. 500 WebSocket subscribers on one study: latency from a tellTrial call to each subscriber
//      receiving its COMPLETE event, p50 and p95.
//   npm run bench -- scale [--workers 1,2,4,8,16,32] [--samplers random,gp] [--seconds 5]
//                          [--subscribers 500] [--events 40] [--apis 1] [--quick]
// Writes bench-results/scale.json and prints tables. The bench client runs on the same 2 cores as
// the API and PostgreSQL: figures are for this machine, all three sharing it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNodeClient } from '@posterior/sdk/node';
import { harnessUnavailable } from '../scale/lib/cluster.mjs';
import { startLocalPostgres } from '../scale/lib/postgres.mjs';
import { sleep, startApi, waitFor } from '../scale/lib/procs.mjs';
import { BRANIN_SPACE, bootstrap, createStudy } from '../scale/lib/study.mjs';
import { parseBenchArgs } from './_args.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = parseBenchArgs({
  workers: { type: 'string', default: '1,2,4,8,16,32' },
  samplers: { type: 'string', default: 'random,gp' },
  seconds: { type: 'string', default: '5' },
  subscribers: { type: 'string', default: '500' },
  events: { type: 'string', default: '40' },
  apis: { type: 'string', default: '1' },
  quick: { type: 'boolean', default: false },
  json: { type: 'string' },
});
if (args.quick) {
  args.workers = '1,4,16';
  args.seconds = '2';
  args.subscribers = '100';
  args.events = '10';
}
const workerCounts = args.workers.split(',').map(Number);
const samplers = args.samplers.split(',');
const seconds = Number(args.seconds);
const subscriberCount = Number(args.subscribers);
const eventCount = Number(args.events);
const apiCount = Number(args.apis);

const unavailable = harnessUnavailable();
if (unavailable) {
  console.error(`scale bench: ${unavailable}`);
  process.exit(1);
}

function quantile(sorted, q) {
  if (sorted.length === 0) return Number.NaN;
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo);
}
const summarize = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: quantile(s, 0.5), p95: quantile(s, 0.95), max: s.at(-1) ?? Number.NaN };
};
const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');

/** Reads one sample of the API's /metrics (null before the ops router is mounted). */
async function scrape(url, series) {
  const res = await fetch(`${url}/metrics`).catch(() => null);
  if (res?.status !== 200) return null;
  const text = await res.text();
  let total = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (line.startsWith(series)) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
      found = true;
    }
  }
  return found ? total : null;
}

async function throughput(apis, owner, teamId, workerToken, sampler, workers) {
  const study = await createStudy(owner, teamId, {
    name: `bench ${sampler} x${workers}`,
    sampler: sampler === 'gp' ? { type: 'gp', seed: 1 } : { type: sampler, seed: 1 },
    maxTrials: 100_000,
    parallelism: Math.max(workers, 1),
  });
  const clients = Array.from({ length: workers }, (_, i) =>
    createNodeClient({ url: apis[i % apis.length].url, token: workerToken }),
  );
  const askMs = [];
  const tellMs = [];
  let errors = 0;
  let empty = 0;
  const suggestBefore = await Promise.all(
    apis.map((a) => scrape(a.url, 'posterior_suggestion_duration_seconds_sum')),
  );
  const deadline = Date.now() + seconds * 1000;
  const started = Date.now();
  await Promise.all(
    clients.map(async (client, i) => {
      while (Date.now() < deadline) {
        try {
          const t0 = performance.now();
          const trials = await client.askTrials(study.id, 1, `bench-${i}`);
          const t1 = performance.now();
          askMs.push(t1 - t0);
          if (trials.length === 0) {
            empty++;
            await sleep(20);
            continue;
          }
          const x = Number(trials[0].params.x);
          const y = Number(trials[0].params.y);
          await client.tellTrial(trials[0].id, { state: 'COMPLETE', value: (x - 2) ** 2 + (y - 3) ** 2 });
          tellMs.push(performance.now() - t1);
        } catch {
          errors++;
          await sleep(50);
        }
      }
    }),
  );
  const elapsedS = (Date.now() - started) / 1000;
  const suggestAfter = await Promise.all(
    apis.map((a) => scrape(a.url, 'posterior_suggestion_duration_seconds_sum')),
  );
  await Promise.all(clients.map((c) => c.close()));
  const ask = summarize(askMs);
  const tell = summarize(tellMs);
  const suggestS =
    suggestBefore.every((v) => v !== null) && suggestAfter.every((v) => v !== null)
      ? suggestAfter.reduce((s, v, i) => s + v - suggestBefore[i], 0)
      : null;
  return {
    sampler,
    workers,
    seconds: elapsedS,
    asks: ask.n,
    tells: tell.n,
    asksPerS: ask.n / elapsedS,
    tellsPerS: tell.n / elapsedS,
    askMs: ask,
    tellMs: tell,
    emptyAsks: empty,
    errors,
    suggestMsPerTrial: suggestS === null || tell.n === 0 ? null : (suggestS * 1000) / tell.n,
  };
}

async function subscriberLatency(apis, owner, teamId, token, workerToken) {
  const study = await createStudy(owner, teamId, {
    name: 'bench subscribers',
    maxTrials: 100_000,
    parallelism: 1000,
  });
  const received = new Map(); // `${type}:${trialId}` -> arrival times (ms, performance.now)
  const clients = [];
  const heard = new Array(subscriberCount).fill(0); // events per subscriber, for the liveness probe
  const errors = [];
  let connected = 0;
  for (let i = 0; i < subscriberCount; i++) {
    const client = createNodeClient({ url: apis[i % apis.length].url, token, subscriptionRetryAttempts: 20 });
    client.trialEvents(study.id, {
      next: (e) => {
        heard[i]++;
        if (e.type !== 'COMPLETE') return;
        const key = `${e.type}:${e.trial.id}`;
        const list = received.get(key) ?? [];
        if (list.length === 0) received.set(key, list);
        list.push(performance.now());
      },
      error: (err) => errors.push(err.message),
    });
    clients.push(client);
    // Connect in waves so the accept queue is not flooded.
    if (i % 50 === 49) await sleep(200);
    connected++;
  }
  // Every subscription is live once a probe event has reached it. graphql-ws acknowledges
  // connections, not subscriptions, so repeat the probe (an enqueued trial) until all have heard one.
  let probes = 0;
  for (; probes < 20 && heard.some((n) => n === 0); probes++) {
    await owner.enqueueTrial(study.id, { x: probes % 10, y: 1 });
    await waitFor(() => heard.every((n) => n > 0), { timeoutMs: 5000, intervalMs: 100, what: 'probe' }).catch(
      () => {},
    );
  }
  const live = heard.filter((n) => n > 0).length;
  if (live < subscriberCount)
    log(`only ${live} of ${subscriberCount} subscribers live after ${probes} probes`);
  const worker = createNodeClient({ url: apis[0].url, token: workerToken });
  const latencies = [];
  let delivered = 0;
  for (let i = 0; i < eventCount; i++) {
    const [trial] = await worker.askTrials(study.id, 1, 'bench-subscribers');
    if (!trial) break;
    const t0 = performance.now();
    await worker.tellTrial(trial.id, { state: 'COMPLETE', value: i });
    const key = `COMPLETE:${trial.id}`;
    await waitFor(() => (received.get(key)?.length ?? 0) >= live, {
      timeoutMs: 30_000,
      intervalMs: 5,
      what: `event ${i} to reach every subscriber`,
    }).catch(() => {});
    const arrivals = received.get(key) ?? [];
    delivered += arrivals.length;
    for (const t of arrivals) latencies.push(t - t0);
    await sleep(50);
  }
  await worker.close();
  await Promise.all(clients.map((c) => c.close()));
  const s = summarize(latencies);
  return {
    subscribers: connected,
    live,
    probes,
    events: eventCount,
    expectedDeliveries: eventCount * live,
    delivered,
    latencyMs: s,
    errors: errors.length,
  };
}

const log = (m) => process.stderr.write(`${m}\n`);
const out = args.json ?? join(root, 'bench-results', 'scale.json');
// Written after each part, so a failure in the subscriber part keeps the throughput table.
function writeResult() {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
}
const pg = await startLocalPostgres();
const apis = [];
const result = {
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  config: { workerCounts, samplers, seconds, subscriberCount, eventCount, apis: apiCount },
  throughput: [],
  subscribers: null,
};
try {
  for (let i = 0; i < apiCount; i++) {
    apis.push(await startApi({ name: `bench-api-${i}`, databaseUrl: pg.url, env: { LOG_LEVEL: 'error' } }));
  }
  const { client: owner, sessionToken, team, workerToken } = await bootstrap(apis[0].url);
  for (const sampler of samplers) {
    for (const workers of workerCounts) {
      log(`throughput: ${sampler} x ${workers} workers ...`);
      result.throughput.push(await throughput(apis, owner, team.id, workerToken, sampler, workers));
    }
  }
  console.log(
    `\nask/tell throughput, ${apiCount} API process(es), ${seconds} s per row (search space: ${BRANIN_SPACE.length}-d)`,
  );
  console.log(
    'sampler  workers  asks/s  tells/s  ask p50 ms  ask p95 ms  tell p50 ms  tell p95 ms  suggest ms/trial  errors',
  );
  for (const r of result.throughput) {
    console.log(
      `${r.sampler.padEnd(7)}  ${String(r.workers).padStart(7)}  ${fmt(r.asksPerS).padStart(6)}  ${fmt(r.tellsPerS).padStart(7)}  ${fmt(r.askMs.p50).padStart(10)}  ${fmt(r.askMs.p95).padStart(10)}  ${fmt(r.tellMs.p50).padStart(11)}  ${fmt(r.tellMs.p95).padStart(11)}  ${fmt(r.suggestMsPerTrial ?? Number.NaN, 2).padStart(16)}  ${String(r.errors).padStart(6)}`,
    );
  }
  writeResult();
  if (subscriberCount > 0) {
    log(`subscribers: ${subscriberCount} WebSocket subscribers ...`);
    result.subscribers = await subscriberLatency(apis, owner, team.id, sessionToken, workerToken);
    const s = result.subscribers;
    console.log(`\n${s.subscribers} WebSocket subscribers on one study, ${s.events} events`);
    console.log('delivered / expected   p50 ms   p95 ms   max ms   errors');
    console.log(
      `${`${s.delivered} / ${s.expectedDeliveries}`.padEnd(21)}  ${fmt(s.latencyMs.p50).padStart(6)}  ${fmt(s.latencyMs.p95).padStart(7)}  ${fmt(s.latencyMs.max).padStart(7)}  ${String(s.errors).padStart(7)}`,
    );
  }
  await owner.close();
} finally {
  for (const api of apis) await api.stop();
  pg.destroy();
}
writeResult();
console.log(`\nwrote ${out}`);
