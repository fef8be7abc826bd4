#!/usr/bin/env node
// API benchmark (issue 4 targets, ANCHORS.md storage anchors).
//   npm run bench -- api [--seconds 10] [--workers 8] [--subscribers 200] [--events 50]
//                        [--only askTell,ingestion,subscribers] [--client http|fetch]
//                        [--protocol both|separate|combined]
// 1. ask+tell round trips, random sampler, W concurrent workers: p50/p95 ms and trials/s (goal 500/s),
//    once with an ask request and a tell request per trial (`separate`), once as the runner does
//    it (`combined`: each tell carries the next ask in one request, SDK `tellAndAsk`)
// 2. reportMetrics ingestion in points/s for batches of 100 and 1000 (goal >= 50,000 points/s)
// 3. mutation-to-subscriber latency p95 with N WebSocket subscribers on trialEvents (goal < 100 ms)
// The server runs in a child process on DATABASE_URL (a scratch database is created and dropped)
// or on an embedded PostgreSQL. Writes bench-results/api.json.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createDataSource, runMigrations, startDatabase } from '@posterior/api';
import { createClient } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { parseBenchArgs } from './_args.mjs';
import { httpPoster } from './_http-post.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const args = parseBenchArgs({
  seconds: { type: 'string', default: '10' },
  workers: { type: 'string', default: '8' },
  subscribers: { type: 'string', default: '200' },
  events: { type: 'string', default: '50' },
  // Comma-separated subset of askTell,ingestion,subscribers (e.g. to profile one part alone).
  only: { type: 'string', default: 'askTell,ingestion,subscribers' },
  // The ask+tell workers' HTTP client: http (node:http, light) or fetch (undici, as the SDK).
  client: { type: 'string', default: 'http' },
  // separate: ask then tell, two requests a trial; combined: one tell+ask request a trial.
  protocol: { type: 'string', default: 'both' },
});
const SECONDS = Number(args.seconds);
const WORKERS = Number(args.workers);
const SUBSCRIBERS = Number(args.subscribers);
const EVENTS = Number(args.events);
// Case-insensitive: `--only asktell` and `--only askTell` are the same part.
const ONLY = new Set(args.only.toLowerCase().split(','));

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return s[lo] + (s[hi] - s[lo]) * (i - lo);
};
const round = (x, d = 1) => Number(x.toFixed(d));

// CPU time (user + system, ms) a local process has used, from /proc (Linux); null elsewhere. On a
// shared machine the trials/s depend on what else runs; CPU per trial does much less.
function cpuMsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: (Number(fields[11]) * 1000) / 100, system: (Number(fields[12]) * 1000) / 100 };
  } catch {
    return null;
  }
}
/** CPU ms of the API server and of the bench database's PostgreSQL backends (if local). */
async function cpuSnapshot(serverPid, workerPids = []) {
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  const { rows } = await c.query('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
  // Committed transactions (every statement of the API is its own, or a batch's): a count of
  // round trips that do work. PostgreSQL publishes these about once a second, so +-10% over 10 s.
  const xacts = await c.query(
    'SELECT xact_commit::float8 AS n FROM pg_stat_database WHERE datname = current_database()',
  );
  await c.end();
  const backends = new Map(rows.map((r) => [r.pid, cpuMsOf(r.pid)]));
  const workers = workerPids.map(cpuMsOf);
  return { server: cpuMsOf(serverPid), backends, workers, commits: xacts.rows[0]?.n ?? 0 };
}
function cpuPerTrial(before, after, trials) {
  if (before.server === null || after.server === null || trials === 0) return null;
  let pgMs = 0;
  let local = false;
  for (const [pid, ms] of after.backends) {
    if (ms === null) continue;
    local = true;
    const was = before.backends.get(pid);
    pgMs += ms.user + ms.system - (was ? was.user + was.system : 0);
  }
  return {
    serverMs: round(
      (after.server.user + after.server.system - before.server.user - before.server.system) / trials,
      3,
    ),
    serverSystemMs: round((after.server.system - before.server.system) / trials, 3),
    postgresMs: local ? round(pgMs / trials, 3) : null,
    // Minus the two snapshot queries' own.
    commitsPerTrial: round((after.commits - before.commits - 2) / trials, 2),
    workersMs: round(
      after.workers.reduce((sum, w, i) => {
        const was = before.workers[i];
        return w && was ? sum + w.user + w.system - was.user - was.system : sum;
      }, 0) / trials,
      3,
    ),
  };
}

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
    // A/B comparisons: POSTERIOR_BENCH_SERVER names another server script (e.g. an older build).
    process.env.POSTERIOR_BENCH_SERVER ?? join(here, '_api-server.mjs'),
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
  const protocols = args.protocol === 'both' ? ['separate', 'combined'] : [args.protocol];
  for (const protocol of ONLY.has('asktell') ? protocols : []) {
    const studyId = await study({});
    const workers = Array.from({ length: WORKERS }, () =>
      spawn(
        process.execPath,
        [join(here, '_api-worker.mjs'), url, token, studyId, String(SECONDS), args.client, protocol],
        {
          stdio: ['pipe', 'pipe', 'inherit'],
        },
      ),
    );
    const outputs = workers.map(
      (w) =>
        new Promise((resolvePromise, reject) => {
          let text = '';
          w.stdout.on('data', (chunk) => {
            text += chunk;
            if (text.endsWith('\n')) resolvePromise(JSON.parse(text));
          });
          w.once('exit', (code) => reject(new Error(`worker exited ${code} before reporting`)));
        }),
    );
    // Let every worker warm up (connections, JIT), then start them together.
    await new Promise((r) => setTimeout(r, 3000));
    const cpuBefore = await cpuSnapshot(
      child.pid,
      workers.map((w) => w.pid),
    );
    const started = performance.now();
    for (const w of workers) w.stdin.write('go\n');
    // Read the workers' CPU just before they exit (they report, then wait for stdin to close).
    const results_ = await Promise.all(outputs);
    const elapsed = (performance.now() - started) / 1000;
    const cpuAfter = await cpuSnapshot(
      child.pid,
      workers.map((w) => w.pid),
    );
    for (const w of workers) w.stdin.end();
    const askMs = results_.flatMap((r) => r.ask);
    const tellMs = results_.flatMap((r) => r.tell);
    const latencies = askMs.map((a, i) => a + (tellMs[i] ?? 0));
    results[protocol === 'combined' ? 'askTellCombined' : 'askTell'] = {
      workers: WORKERS,
      client: args.client,
      protocol,
      trials: latencies.length,
      seconds: round(elapsed, 2),
      trialsPerSecond: round(latencies.length / Math.min(elapsed, SECONDS)),
      p50Ms: round(quantile(latencies, 0.5), 2),
      p95Ms: round(quantile(latencies, 0.95), 2),
      askP50Ms: round(quantile(askMs, 0.5), 2),
      tellP50Ms: round(quantile(tellMs, 0.5), 2),
      cpuMsPerTrial: cpuPerTrial(cpuBefore, cpuAfter, latencies.length),
    };
  }

  // ---- 2. metric ingestion ---------------------------------------------------------------------
  results.ingestion = [];
  for (const batch of ONLY.has('ingestion') ? [100, 1000] : []) {
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
    const post = args.client === 'http' ? httpPoster(url, token, clients) : null;
    const report = async (variables) => {
      if (post === null) return gql(REPORT, variables, token);
      const body = await post(JSON.stringify({ query: REPORT, variables }));
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    };
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
          const r = await report({ t: t.id, p });
          points += r.reportMetrics.inserted;
          calls += 1;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    results.ingestion.push({
      batch,
      clients,
      client: args.client,
      calls,
      points,
      pointsPerSecond: Math.round(points / elapsed),
    });
  }

  // ---- 3. subscriber latency -------------------------------------------------------------------
  if (ONLY.has('subscribers')) {
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
console.log(
  `\nPosterior API benchmark (1-min load average ${env.loadAverage1m.before} -> ${env.loadAverage1m.after} on ${env.cpus} cores)`,
);
console.log('metric                                         value        goal');
for (const a of [results.askTell, results.askTellCombined]) {
  if (!a) continue;
  const label = a.protocol === 'combined' ? 'tell+ask in 1 request' : 'ask, tell: 2 requests';
  console.log(`-- ${label}`);
  console.log(
    `ask+tell trials/s (${a.workers} workers, random, ${a.client})      ${String(a.trialsPerSecond).padEnd(12)} >= 500`,
  );
  console.log(
    `ask+tell round trip p50 / p95 ms               ${`${a.p50Ms} / ${a.p95Ms}`.padEnd(12)} ${a.protocol === 'combined' ? '(one request a trial)' : `(ask p50 ${a.askP50Ms}, tell p50 ${a.tellP50Ms})`}`,
  );
  const cpu = a.cpuMsPerTrial;
  if (cpu) {
    console.log(
      `ask+tell CPU ms per trial: API server ${cpu.serverMs} (${cpu.serverSystemMs} in the kernel), PostgreSQL backends ${cpu.postgresMs ?? 'n/a (not local)'}, bench workers ${cpu.workersMs}; PostgreSQL commits per trial ${cpu.commitsPerTrial}`,
    );
  }
}
for (const r of results.ingestion) {
  console.log(
    `reportMetrics points/s, batch ${String(r.batch).padEnd(5)}            ${String(r.pointsPerSecond).padEnd(12)} >= 50000`,
  );
}
const s = results.subscribers;
if (s) {
  console.log(
    `subscriber latency p50 / p95 ms (${s.subscribers} subs)    ${`${s.p50Ms} / ${s.p95Ms}`.padEnd(12)} p95 < 100   (delivered ${s.delivered}/${s.expected})`,
  );
}
mkdirSync(join(root, 'bench-results'), { recursive: true });
writeFileSync(join(root, 'bench-results', 'api.json'), `${JSON.stringify({ env, results }, null, 1)}\n`);
console.log('wrote bench-results/api.json');
