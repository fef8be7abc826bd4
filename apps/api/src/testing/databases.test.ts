import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadDatabaseUrl } from '../config/index.js';
import { createTestDatabase } from './index.js';

async function databaseExists(serverUrl: string, name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return ((await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}

const nameOf = (url: string): string => decodeURIComponent(new URL(url).pathname.slice(1));

test('databases left by a test process that died are dropped (first use in a process)', async () => {
  const serverUrl = loadDatabaseUrl();
  assert.ok(serverUrl, 'DATABASE_URL is set for this test');
  // Above Linux's pid_max ceiling: never a live process.
  const orphan = 'posterior_test_4194305_0123456789ab';
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${orphan}`);
  } finally {
    await admin.end();
  }
  const db = await createTestDatabase();
  await db.drop();
  assert.equal(await databaseExists(serverUrl, orphan), false);
});

test('databases made at the same time are separate, migrated, and gone after drop()', async () => {
  const dbs = await Promise.all([createTestDatabase(), createTestDatabase(), createTestDatabase()]);
  try {
    assert.equal(new Set(dbs.map((d) => d.url)).size, 3);
    const [a, b] = dbs;
    assert.ok(a && b);
    await a.dataSource.query(`INSERT INTO teams (name) VALUES ('only in a')`);
    const inB: unknown[] = await b.dataSource.query('SELECT 1 FROM teams');
    assert.equal(inB.length, 0);
  } finally {
    await Promise.all(dbs.map((d) => d.drop()));
  }
  for (const d of dbs) {
    assert.equal(d.dataSource.isInitialized, false);
    assert.equal(await databaseExists(d.url, nameOf(d.url)).catch(() => false), false);
  }
});

test('without DATABASE_URL it fails with a message saying what to do', () => {
  const script = fileURLToPath(new URL('./index.js', import.meta.url));
  const child = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { createTestDatabase } from ${JSON.stringify(script)};
       try { await createTestDatabase(); } catch (e) { console.error(e.message); process.exit(3); }`,
    ],
    { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } },
  );
  assert.equal(child.status, 3);
  assert.match(child.stderr, /^DATABASE_URL is not set: run the tests with `npm test`/);
});
