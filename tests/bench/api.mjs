#!/usr/bin/env node
// API benchmark (issue 4 targets, ANCHORS.md storage anchors).
//   npm run bench -- api [--seconds 10] [--workers 8] [--subscribers 200] [--events 50]
// 1. ask+tell round trips, random sampler, W concurrent workers: p50/p95 ms and trials/s (goal 500/s)
// 2. reportMetrics ingestion in points/s for batches of 100 and 1000 (goal >= 50,000 points/s)
// 3. mutation-to-subscriber latency p95 with N WebSocket subscribers on trialEvents (goal < 100 ms)
// The server runs in a child process on DATABASE_URL (a scratch database is created and dropped)
// or on an embedded PostgreSQL. Writes bench-results/api.json.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createDataSource, runMigrations, startDatabase } from '@posterior/api';
import { createClient } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    workers: { type: 'string', default: '8' },
    subscribers: { type: 'string', default: '200' },
    events: { type: 'string', default: '50' },
  },
});
const SECONDS = Number(args.seconds);
const WORKERS = Number(args.workers);
const SUBSCRIBERS = Number(args.subscribers);
const EVENTS = Number(args.events);

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return s[lo] + (s[hi] - s[lo]) * (i - lo);
};
const round = (x, d = 1) => Number(x.toFixed(d));

// ---- database --------------------------------------------------------------------------------
let dbUrl;
let cleanup;
if (process.env.DATABASE_URL) {
  const name = `posterior_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(process.env.DATABASE_URL);
  u.pathname = `/${name}`;
  dbUrl = u.toString();
  const ds = createDataSource(dbUrl, { poolSize: 1 });
  await ds.initialize();
  await runMigrations(ds);
  await ds.destroy();
  cleanup = async () => {
    const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  };
} else {
  const dir = mkdtempSync(join(tmpdir(), 'posterior-bench-db-'));
  const db = await startDatabase({ dataDir: dir, ephemeral: true });
  dbUrl = db.url;
  cleanup = async () => {
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}

// ---- server ----------------------------------------------------------------------------------
const child = spawn(
  process.execPath,
  [
    ...(process.env.POSTERIOR_BENCH_PROFILE
      ? ['--cpu-prof', '--cpu-prof-dir', process.env.POSTERIOR_BENCH_PROFILE]
      : []),
    join(here, '_api-server.mjs'),
    dbUrl,
  ],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const { url, wsUrl } = await new Promise((resolvePromise, reject) => {
  const lines = createInterface({ input: child.stdout });
  lines.once('line', (line) => resolvePromise(JSON.parse(line)));
  child.once('exit', (code) => reject(new Error(`API server exited with ${code}`)));
});

async function gql(query, variables, token) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const results = {};
// The machine is often shared: record how busy it was, since every number here depends on it.
const loadBefore = loadavg()[0];
try {
  const signUp = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'mutation { signUp(email: "bench@example.com", password: "bench password") { token } }',
    }),
  });
  const session = (await signUp.json()).data.signUp.token;
  const teamId = (await gql('mutation { createTeam(name: "bench") { id } }', {}, session)).createTeam.id;
  const token = (
    await gql(
      'mutation($t: ID!) { createApiToken(teamId: $t, name: "bench") { token } }',
      { t: teamId },
      session,
    )
  ).createApiToken.token;
  const study = async (overrides) =>
    (
      await gql(
        'mutation($i: CreateStudyInput!) { createStudy(input: $i) { id } }',
        {
          i: {
            teamId,
            name: 'bench',
            direction: 'MINIMIZE',
            objective: 'loss',
            searchSpace: [
              { name: 'x', type: 'float', low: -5, high: 10 },
              { name: 'y', type: 'float', low: 0, high: 15 },
              { name: 'lr', type: 'float', low: 1e-5, high: 0.1, log: true },
              { name: 'act', type: 'categorical', choices: ['relu', 'gelu'] },
            ],
            sampler: { type: 'random', seed: 0 },
            maxTrials: 100000,
            parallelism: 1000,
            ...overrides,
          },
        },
        token,
      )
    ).createStudy.id;

  // ---- 1. ask + tell ---------------------------------------------------------------------------
  // W worker processes (as in the ANCHORS protocol), each looping ask -> tell; the server in its
  // own process.
  {
    const studyId = await study({});
    const workers = Array.from({ length: WORKERS }, () =>
      spawn(process.execPath, [join(here, '_api-worker.mjs'), url, token, studyId, String(SECONDS)], {
        stdio: ['pipe', 'pipe', 'inherit'],
      }),
    );
    const outputs = workers.map(
      (w) =>
        new Promise((resolvePromise, reject) => {
          let text = '';
          w.stdout.on('data', (chunk) => {
            text += chunk;
          });
          w.once('exit', (code) =>
            code === 0 ? resolvePromise(JSON.parse(text)) : reject(new Error(`worker exited ${code}`)),
          );
        }),
    );
    // Let every worker warm up (connections, JIT), then start them together.
    await new Promise((r) => setTimeout(r, 3000));
    const started = performance.now();
    for (const w of workers) w.stdin.write('go\n');
    const results_ = await Promise.all(outputs);
    const elapsed = (performance.now() - started) / 1000;
    const askMs = results_.flatMap((r) => r.ask);
    const tellMs = results_.flatMap((r) => r.tell);
    const latencies = askMs.map((a, i) => a + (tellMs[i] ?? 0));
    results.askTell = {
      workers: WORKERS,
      trials: latencies.length,
      seconds: round(elapsed, 2),
      trialsPerSecond: round(latencies.length / Math.min(elapsed, SECONDS)),
      p50Ms: round(quantile(latencies, 0.5), 2),
      p95Ms: round(quantile(latencies, 0.95), 2),
      askP50Ms: round(quantile(askMs, 0.5), 2),
      tellP50Ms: round(quantile(tellMs, 0.5), 2),
    };
  }

  // ---- 2. metric ingestion ---------------------------------------------------------------------
  results.ingestion = [];
  for (const batch of [100, 1000]) {
    const studyId = await study({});
    const REPORT =
      'mutation($t: ID!, $p: [MetricPointInput!]!) { reportMetrics(trialId: $t, points: $p) { inserted } }';
    const clients = 4;
    const trials = (
      await gql(
        'mutation($s: ID!, $n: Int) { askTrials(studyId: $s, count: $n) { id } }',
        { s: studyId, n: clients },
        token,
      )
    ).askTrials;
    let points = 0;
    let calls = 0;
    const end = performance.now() + (SECONDS / 2) * 1000;
    const started = performance.now();
    await Promise.all(
      trials.map(async (t) => {
        let step = 0;
        while (performance.now() < end) {
          const p = [];
          for (let i = 0; i < batch; i++) {
            p.push({ name: i % 2 === 0 ? 'loss' : 'acc', step: step + (i >> 1), value: Math.random() });
          }
          step += batch / 2;
          const r = await gql(REPORT, { t: t.id, p }, token);
          points += r.reportMetrics.inserted;
          calls += 1;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    results.ingestion.push({ batch, clients, calls, points, pointsPerSecond: Math.round(points / elapsed) });
  }

  // ---- 3. subscriber latency -------------------------------------------------------------------
  {
    const studyId = await study({});
    const sent = new Map();
    const latencies = [];
    const wsClients = [];
    let ready = 0;
    const subscribed = new Promise((resolveAll) => {
      for (let i = 0; i < SUBSCRIBERS; i++) {
        const client = createClient({
          url: wsUrl,
          webSocketImpl: WebSocket,
          connectionParams: { authorization: `Bearer ${token}` },
          retryAttempts: 0,
          on: {
            connected: () => {
              ready += 1;
              if (ready === SUBSCRIBERS) resolveAll();
            },
          },
        });
        wsClients.push(client);
        client.subscribe(
          {
            query: 'subscription($s: ID!) { trialEvents(studyId: $s) { type trial { number } } }',
            variables: { s: studyId },
          },
          {
            next: (msg) => {
              const t0 = sent.get(msg.data.trialEvents.trial.number);
              if (t0 !== undefined) latencies.push(performance.now() - t0);
            },
            error: (e) => console.error('subscription error', e),
            complete: () => {},
          },
        );
      }
    });
    await subscribed;
    await new Promise((r) => setTimeout(r, 1000)); // subscriptions registered server-side
    for (let i = 0; i < EVENTS; i++) {
      sent.set(i, performance.now());
      await gql(
        'mutation($s: ID!) { enqueueTrial(studyId: $s, params: {x: 1, y: 1, lr: 0.01, act: "relu"}) { id } }',
        { s: studyId },
        token,
      );
      await new Promise((r) => setTimeout(r, 50));
    }
    const deadline = performance.now() + 5000;
    while (latencies.length < EVENTS * SUBSCRIBERS && performance.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    await Promise.all(wsClients.map((c) => c.dispose()));
    results.subscribers = {
      subscribers: SUBSCRIBERS,
      events: EVENTS,
      delivered: latencies.length,
      expected: EVENTS * SUBSCRIBERS,
      p50Ms: round(quantile(latencies, 0.5), 2),
      p95Ms: round(quantile(latencies, 0.95), 2),
      maxMs: round(Math.max(...latencies), 2),
    };
  }
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await cleanup();
}

const env = {
  loadAverage1m: { before: round(loadBefore, 2), after: round(loadavg()[0], 2) },
  node: process.version,
  cpus: cpus().length,
  cpu: cpus()[0]?.model,
  database: process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded',
};
const a = results.askTell;
console.log(
  `\nPosterior API benchmark (1-min load average ${env.loadAverage1m.before} -> ${env.loadAverage1m.after} on ${env.cpus} cores)`,
);
console.log('metric                                         value        goal');
console.log(
  `ask+tell trials/s (${a.workers} workers, random)            ${String(a.trialsPerSecond).padEnd(12)} >= 500`,
);
console.log(
  `ask+tell round trip p50 / p95 ms               ${`${a.p50Ms} / ${a.p95Ms}`.padEnd(12)} (ask p50 ${a.askP50Ms}, tell p50 ${a.tellP50Ms})`,
);
for (const r of results.ingestion) {
  console.log(
    `reportMetrics points/s, batch ${String(r.batch).padEnd(5)}            ${String(r.pointsPerSecond).padEnd(12)} >= 50000`,
  );
}
const s = results.subscribers;
console.log(
  `subscriber latency p50 / p95 ms (${s.subscribers} subs)    ${`${s.p50Ms} / ${s.p95Ms}`.padEnd(12)} p95 < 100   (delivered ${s.delivered}/${s.expected})`,
);
mkdirSync(join(root, 'bench-results'), { recursive: true });
writeFileSync(join(root, 'bench-results', 'api.json'), `${JSON.stringify({ env, results }, null, 1)}\n`);
console.log('wrote bench-results/api.json');
