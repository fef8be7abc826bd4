import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../testing/index.js';
import { migrationStatus } from './data-source.js';
import { migrations } from './migrations/index.js';
import { PendingMigrationsError, startDatabase } from './start-database.js';

let db: TestDatabase;
let dataDir: string;
before(async () => {
  db = await createTestDatabase({ migrated: false });
  dataDir = await mkdtemp(join(tmpdir(), 'posterior-migrate-lock-'));
});
after(async () => {
  await db?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

test('start-up with migrations verified only fails with one clear line when migrations are pending', async () => {
  await assert.rejects(
    startDatabase({ dataDir, databaseUrl: db.url, migrate: 'verify' }),
    (error: unknown) => {
      assert.ok(error instanceof PendingMigrationsError);
      assert.equal(error.pending.length, migrations.length);
      assert.match(
        error.message,
        new RegExp(`^database schema is not current: ${migrations.length} migration`),
      );
      assert.doesNotMatch(error.message, /\n/);
      return true;
    },
  );
  assert.deepEqual((await migrationStatus(db.dataSource)).applied, [], 'verify changed nothing');
});

test('three starters migrating one fresh database together all succeed; each migration runs once', async () => {
  const logs: string[][] = [[], [], []];
  const started = await Promise.all(
    logs.map((lines) => startDatabase({ dataDir, databaseUrl: db.url, log: (line) => lines.push(line) })),
  );
  await Promise.all(started.map((s) => s.stop()));
  const rows: Array<{ name: string; n: number }> = await db.dataSource.query(
    'SELECT name, count(*)::int AS n FROM migrations GROUP BY name ORDER BY name',
  );
  assert.deepEqual(
    rows,
    migrations.map((m) => ({ name: m.name, n: 1 })).sort((a, b) => a.name.localeCompare(b.name)),
  );
  // Exactly one starter applied them; the others waited on the lock and found nothing to do.
  const applied = logs.filter((lines) => lines.some((l) => l.startsWith('applied migrations:')));
  assert.equal(applied.length, 1, JSON.stringify(logs));
  assert.deepEqual(await migrationStatus(db.dataSource), {
    applied: migrations.map((m) => m.name),
    pending: [],
    unknown: [],
  });
  // Now current: the verifying start succeeds.
  const verified = await startDatabase({ dataDir, databaseUrl: db.url, migrate: 'verify' });
  await verified.stop();
});
