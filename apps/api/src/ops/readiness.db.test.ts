import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import express from 'express';
import { runMigrations } from '../db/data-source.js';
import { createTestDatabase, type TestDatabase } from '../testing/index.js';
import { listen } from './fixtures.js';
import { createOpsMetrics } from './metrics.js';
import { createOpsRouter } from './router.js';

// Against a real PostgreSQL (DATABASE_URL): the readiness check and the trial-count query must
// agree with the schema the migrations create.
let db: TestDatabase;
let url: string;
let close: () => Promise<void>;
before(async () => {
  db = await createTestDatabase({ migrated: false, poolSize: 2 });
  const app = express();
  app.use(
    createOpsRouter({ dataSource: db.dataSource, metrics: createOpsMetrics({ processMetrics: false }) }),
  );
  ({ url, close } = await listen(app));
});
after(async () => {
  await close?.();
  await db?.drop();
});

test('an unmigrated database is not ready; after the migrations it is, without a restart', async () => {
  const before = await fetch(`${url}/readyz`);
  assert.equal(before.status, 503);
  const body = (await before.json()) as {
    checks: { database: { ok: boolean }; migrations: { pending: string[] } };
  };
  assert.equal(body.checks.database.ok, true);
  assert.deepEqual(
    body.checks.migrations.pending,
    db.dataSource.migrations.map((m) => m.name ?? m.constructor.name),
  );
  // The probe must not create the migrations table itself (TypeORM's showMigrations() would).
  const tables = (await db.dataSource.query(
    `SELECT 1 FROM information_schema.tables WHERE table_name = 'migrations'`,
  )) as unknown[];
  assert.equal(tables.length, 0);

  await runMigrations(db.dataSource);
  assert.equal((await fetch(`${url}/readyz`)).status, 200);
});

test('the trial-count query runs against the migrated schema', async () => {
  const text = await (await fetch(`${url}/metrics`)).text();
  assert.match(text, /^posterior_trials\{state="COMPLETE"\} 0$/m);
  assert.match(text, /^posterior_metrics_scrape_errors_total 0$/m);
});
