import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../testing/index.js';
import { migrationStatus, revertMigrations, runMigrations } from './data-source.js';
import { migrations } from './migrations/index.js';

const TABLES = [
  'api_tokens',
  'artifacts',
  'invitations',
  'login_failures',
  'memberships',
  'metric_points',
  'sessions',
  'studies',
  'study_event_heads',
  'study_events',
  'teams',
  'trials',
  'users',
];

async function userTables(dataSource: DataSource): Promise<string[]> {
  const rows: { table_name: string }[] = await dataSource.query(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'migrations'
     ORDER BY table_name`,
  );
  return rows.map((r) => r.table_name);
}

/** SQL TypeORM would run to make the database match the entities: empty when they agree. */
async function schemaDrift(dataSource: DataSource): Promise<string[]> {
  const log = await dataSource.driver.createSchemaBuilder().log();
  return log.upQueries.map((q) => q.query);
}

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase({ migrated: false });
});
after(async () => {
  await db?.drop();
});

const names = migrations.map((m) => m.name);

test('migrations run up to head on an empty database', async () => {
  assert.deepEqual(await userTables(db.dataSource), []);
  assert.deepEqual(await migrationStatus(db.dataSource), { applied: [], pending: names, unknown: [] });
  const ran = await runMigrations(db.dataSource);
  assert.deepEqual(
    ran.map((m) => m.name),
    migrations.map((m) => m.name),
  );
  assert.deepEqual(await userTables(db.dataSource), TABLES);
  assert.equal(await db.dataSource.showMigrations(), false, 'nothing pending after running');
  assert.deepEqual(await migrationStatus(db.dataSource), { applied: names, pending: [], unknown: [] });
});

test('the migrated schema matches the entities exactly (migration:generate would produce nothing)', async () => {
  assert.deepEqual(await schemaDrift(db.dataSource), []);
});

test('migrations go all the way down and back up', async () => {
  assert.equal(await revertMigrations(db.dataSource), 1);
  assert.deepEqual(await migrationStatus(db.dataSource), {
    applied: names.slice(0, -1),
    pending: names.slice(-1),
    unknown: [],
  });
  assert.equal(await revertMigrations(db.dataSource, 1000), migrations.length - 1, 'stops at the bottom');
  assert.deepEqual(await userTables(db.dataSource), []);
  const leftovers: unknown[] = await db.dataSource.query(
    `SELECT proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'`,
  );
  assert.deepEqual(leftovers, [], 'down removes functions too');
  assert.equal(await db.dataSource.showMigrations(), true, 'all migrations pending again');

  await runMigrations(db.dataSource);
  assert.deepEqual(await userTables(db.dataSource), TABLES);
  assert.deepEqual(await schemaDrift(db.dataSource), []);
});

test('a database cloned from the template is at head', async () => {
  const clone = await createTestDatabase();
  try {
    assert.deepEqual(await userTables(clone.dataSource), TABLES);
    assert.equal(await clone.dataSource.showMigrations(), false);
  } finally {
    await clone.drop();
  }
  const rows: unknown[] = await db.dataSource.query('SELECT 1 FROM pg_database WHERE datname = $1', [
    new URL(clone.url).pathname.slice(1),
  ]);
  assert.equal(rows.length, 0, 'drop() removed the cloned database');
});
