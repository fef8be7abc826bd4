import assert from 'node:assert/strict';
import { after, beforeEach, test } from 'node:test';
import express from 'express';
import { FakeDataSource, listen } from './fixtures.js';
import { createOpsMetrics, type OpsMetrics } from './metrics.js';
import { createOpsRouter } from './router.js';
import { createTrialCounter } from './trial-counts.js';

let db: FakeDataSource;
let metrics: OpsMetrics;
let draining = false;
const servers: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of servers) await close();
});

async function start(options: { trialCountsIntervalMs?: number } = {}): Promise<string> {
  const app = express();
  app.use(
    createOpsRouter({
      dataSource: db,
      metrics,
      isDraining: () => draining,
      readinessTimeoutMs: 100,
      trialCountsIntervalMs: options.trialCountsIntervalMs ?? 0,
    }),
  );
  const { url, close } = await listen(app);
  servers.push(close);
  return url;
}

beforeEach(() => {
  db = new FakeDataSource();
  metrics = createOpsMetrics({ processMetrics: false });
  draining = false;
});

test('/healthz answers 200 whatever the database does', async () => {
  const url = await start();
  db.failWith = new Error('connection refused');
  const res = await fetch(`${url}/healthz`);
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as { status: string }).status, 'ok');
});

test('/readyz is 200 when the database answers and every migration is applied', async () => {
  const url = await start();
  const res = await fetch(`${url}/readyz`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { ready: boolean; checks: Record<string, { ok: boolean }> };
  assert.equal(body.ready, true);
  assert.equal(body.checks.database?.ok, true);
  assert.equal(body.checks.migrations?.ok, true);
});

test('/readyz is 503 and names pending migrations', async () => {
  const url = await start();
  db.applied = ['Initial1'];
  const res = await fetch(`${url}/readyz`);
  assert.equal(res.status, 503);
  const body = (await res.json()) as { checks: { migrations: { pending: string[] } } };
  assert.deepEqual(body.checks.migrations.pending, ['Second2']);
  // Once the migration job has run, the same process becomes ready without a restart.
  db.applied = ['Initial1', 'Second2'];
  assert.equal((await fetch(`${url}/readyz`)).status, 200);
});

test('/readyz reports a missing migrations table as everything pending', async () => {
  const url = await start();
  const missing = Object.assign(new Error('relation "migrations" does not exist'), { code: '42P01' });
  const query = db.query.bind(db);
  db.query = async (sql: string) => {
    if (sql.includes('"migrations"')) throw missing;
    return query(sql);
  };
  const res = await fetch(`${url}/readyz`);
  assert.equal(res.status, 503);
  const body = (await res.json()) as { checks: { migrations: { pending: string[] } } };
  assert.deepEqual(body.checks.migrations.pending, ['Initial1', 'Second2']);
});

test('/readyz is 503 while the database is unreachable and recovers after', async () => {
  const url = await start();
  assert.equal((await fetch(`${url}/readyz`)).status, 200);
  db.failWith = Object.assign(new Error('terminating connection due to administrator command'), {
    code: '57P01',
  });
  const down = await fetch(`${url}/readyz`);
  assert.equal(down.status, 503);
  const body = (await down.json()) as { checks: { database: { ok: boolean; error: string } } };
  assert.equal(body.checks.database.ok, false);
  assert.match(body.checks.database.error, /administrator command/);
  db.failWith = undefined;
  assert.equal((await fetch(`${url}/readyz`)).status, 200);
});

test('/readyz gives up on a hanging database instead of hanging the probe', async () => {
  const url = await start();
  db.hang = true;
  const res = await fetch(`${url}/readyz`);
  assert.equal(res.status, 503);
  const body = (await res.json()) as { checks: { database: { error: string } } };
  assert.match(body.checks.database.error, /timed out/);
});

test('/readyz is 503 while draining, before touching the database', async () => {
  const url = await start();
  draining = true;
  const before = db.queries.length;
  const res = await fetch(`${url}/readyz`);
  assert.equal(res.status, 503);
  assert.equal(db.queries.length, before);
});

test('/metrics reports trials by state read from the database', async () => {
  const url = await start();
  metrics.asks.inc();
  db.trialRows = [
    { state: 'COMPLETE', n: 61 },
    { state: 'RUNNING', n: 3 },
  ];
  const res = await fetch(`${url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  const text = await res.text();
  assert.match(text, /^posterior_trials\{state="COMPLETE"\} 61$/m);
  assert.match(text, /^posterior_trials\{state="RUNNING"\} 3$/m);
  assert.match(text, /^posterior_trials\{state="WAITING"\} 0$/m);
  assert.match(text, /^posterior_asks_total 1$/m);
  // A state that empties goes back to 0 rather than keeping its last count.
  db.trialRows = [{ state: 'COMPLETE', n: 64 }];
  const again = await (await fetch(`${url}/metrics`)).text();
  assert.match(again, /^posterior_trials\{state="RUNNING"\} 0$/m);
  assert.match(again, /^posterior_trials\{state="COMPLETE"\} 64$/m);
});

test('/metrics still answers when the database is down, and counts the failed read', async () => {
  const url = await start();
  db.failWith = new Error('connection refused');
  const res = await fetch(`${url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /^posterior_metrics_scrape_errors_total 1$/m);
});

test('trial counts are cached between scrapes and concurrent scrapes share one query', async () => {
  let t = 0;
  const counter = createTrialCounter(db, { minIntervalMs: 1000, now: () => t });
  db.trialRows = [{ state: 'WAITING', n: 2 }];
  const [a, b] = await Promise.all([counter(), counter()]);
  assert.deepEqual(a, { WAITING: 2 });
  assert.deepEqual(b, { WAITING: 2 });
  assert.equal(db.queries.length, 1);
  t = 999;
  await counter();
  assert.equal(db.queries.length, 1);
  t = 1000;
  db.trialRows = [{ state: 'WAITING', n: 1 }];
  assert.deepEqual(await counter(), { WAITING: 1 });
  assert.equal(db.queries.length, 2);
});
