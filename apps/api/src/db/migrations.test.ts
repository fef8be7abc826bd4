import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../testing/index.js';
import { runMigrations } from './data-source.js';
import { migrations } from './migrations/index.js';

const TABLES = [
  'api_tokens',
  'artifacts',
  'memberships',
  'metric_points',
  'sessions',
  'studies',
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

test('migrations run up to head on an empty database', async () => {
  assert.deepEqual(await userTables(db.dataSource), []);
  const ran = await runMigrations(db.dataSource);
  assert.deepEqual(
    ran.map((m) => m.name),
    migrations.map((m) => m.name),
  );
  assert.deepEqual(await userTables(db.dataSource), TABLES);
  assert.equal(await db.dataSource.showMigrations(), false, 'nothing pending after running');
});

test('the migrated schema matches the entities exactly (migration:generate would produce nothing)', async () => {
  assert.deepEqual(await schemaDrift(db.dataSource), []);
});

test('migrations go all the way down and back up', async () => {
  for (let i = 0; i < migrations.length; i++) {
    await db.dataSource.undoLastMigration({ transaction: 'each' });
  }
  assert.deepEqual(await userTables(db.dataSource), []);
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
