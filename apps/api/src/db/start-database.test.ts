import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { DataDirInUseError } from './data-dir-lock.js';
import { migrations as allMigrations } from './migrations/index.js';
import { DatabaseStartError, type RunningDatabase, startDatabase } from './start-database.js';

// These start their own embedded PostgreSQL whether or not DATABASE_URL is set.

let dataDir: string;
const running: RunningDatabase[] = [];
const script = (): string => fileURLToPath(new URL('./start-database.js', import.meta.url));

async function start(): Promise<RunningDatabase> {
  const db = await startDatabase({ dataDir, ephemeral: false });
  running.push(db);
  return db;
}

async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'posterior-embedded-test-'));
});
after(async () => {
  for (const db of running) await db.stop();
  await rm(dataDir, { recursive: true, force: true });
});

test('the embedded database is migrated and keeps its data across a restart', async () => {
  const first = await start();
  assert.equal(first.embedded, true);
  assert.match(first.url, /^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/posterior$/);
  await query(first.url, `INSERT INTO teams (name) VALUES ('survives restarts')`);
  await first.stop();
  await first.stop(); // idempotent
  await assert.rejects(query(first.url, 'SELECT 1'), 'the server is really down');

  const second = await start();
  const rows = await query<{ name: string }>(second.url, 'SELECT name FROM teams');
  assert.deepEqual(
    rows.map((r) => r.name),
    ['survives restarts'],
  );
  const [migrations] = await query<{ n: number }>(second.url, 'SELECT count(*)::int AS n FROM migrations');
  assert.equal(migrations?.n, allMigrations.length, 'each migration applied exactly once');
});

test('a second instance on the same data dir is refused with one clear line', async () => {
  const [current] = running.slice(-1);
  assert.ok(current, 'the previous test left an instance running');

  // Same process.
  await assert.rejects(startDatabase({ dataDir }), (error: unknown) => {
    assert.ok(error instanceof DataDirInUseError);
    assert.equal(error.message, `another Posterior instance is using ${dataDir} (pid ${process.pid})`);
    return true;
  });

  // Another process, as a second `posterior serve` would be.
  const script = fileURLToPath(new URL('./start-database.js', import.meta.url));
  const child = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { startDatabase } from ${JSON.stringify(script)};
       try { await startDatabase({ dataDir: ${JSON.stringify(dataDir)} }); process.exit(0); }
       catch (e) { console.error(e.message); process.exit(1); }`,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(child.status, 1);
  assert.equal(child.stderr, `another Posterior instance is using ${dataDir} (pid ${process.pid})\n`);

  // The running instance is unharmed.
  assert.deepEqual(await query(current.url, 'SELECT 1 AS ok'), [{ ok: 1 }]);
  await current.stop();
});

test('a lock left by a process that died is taken over', async () => {
  // Pid 2^22 + 1 is above Linux's pid_max ceiling, so it can never be alive.
  await writeFile(join(dataDir, 'embedded-postgres.lock'), JSON.stringify({ pid: 4194305, token: 'x' }));
  const db = await start();
  const rows = await query<{ name: string }>(db.url, 'SELECT name FROM teams');
  assert.equal(rows.length, 1);
  await db.stop();
});

test('a server orphaned by a killed process (SIGKILL) is stopped and the data dir reused', async () => {
  const script = fileURLToPath(new URL('./start-database.js', import.meta.url));
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { startDatabase } from ${JSON.stringify(script)};
       const db = await startDatabase({ dataDir: ${JSON.stringify(dataDir)} });
       console.log(db.url);
       setInterval(() => {}, 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  const orphanUrl = chunk.toString().trim();
  await query(orphanUrl, `INSERT INTO teams (name) VALUES ('written before the crash')`);
  child.kill('SIGKILL');
  await once(child, 'exit');
  // The postmaster outlives its parent and still serves the old port.
  assert.deepEqual(await query(orphanUrl, 'SELECT 1 AS ok'), [{ ok: 1 }]);

  const db = await start();
  const rows = await query<{ name: string }>(db.url, 'SELECT name FROM teams ORDER BY name');
  assert.deepEqual(
    rows.map((r) => r.name),
    ['survives restarts', 'written before the crash'],
  );
  await assert.rejects(query(orphanUrl, 'SELECT 1'), 'the orphan was stopped');
  await db.stop();
});

// PostgreSQL refuses to run as root, so the root path (embedded-postgres runs the server as the
// `postgres` user) and the normal-user path differ. Run as root, this also proves the other one.
const asNormalUser = process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status === 0;
test('as a normal user: starts, keeps data across a restart, refuses a second instance', {
  skip: asNormalUser ? false : 'needs root and a `postgres` user to switch to',
}, () => {
  const body = `
    import { mkdtempSync, rmSync } from 'node:fs';
    import { tmpdir } from 'node:os';
    import { join } from 'node:path';
    import pg from 'pg';
    import { startDatabase } from ${JSON.stringify(script())};
    const dataDir = mkdtempSync(join(tmpdir(), 'posterior-normal-user-'));
    const sql = async (url, text) => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try { return (await c.query(text)).rows; } finally { await c.end(); }
    };
    const out = { uid: process.getuid() };
    try {
      let db = await startDatabase({ dataDir });
      await sql(db.url, "INSERT INTO teams (name) VALUES ('kept')");
      await db.stop();
      db = await startDatabase({ dataDir });
      out.rows = await sql(db.url, 'SELECT name FROM teams');
      out.second = await startDatabase({ dataDir }).then(() => 'started', (e) => e.message);
      out.dataDir = dataDir;
      await db.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
    console.log(JSON.stringify(out));`;
  const child = spawnSync(
    'runuser',
    ['-u', 'postgres', '--', process.execPath, '--input-type=module', '-e', body],
    {
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      env: { ...process.env, HOME: tmpdir() },
    },
  );
  assert.equal(child.status, 0, child.stderr);
  const out = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as {
    uid: number;
    rows: { name: string }[];
    second: string;
    dataDir: string;
  };
  assert.notEqual(out.uid, 0);
  assert.deepEqual(out.rows, [{ name: 'kept' }]);
  assert.match(out.second, new RegExp(`^another Posterior instance is using ${out.dataDir} \\(pid \\d+\\)$`));
});

test('a server that cannot start gives one line saying why, and leaves the data dir free', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'posterior-embedded-broken-'));
  try {
    const db = await startDatabase({ dataDir: dir, migrate: false });
    await db.stop();
    const conf = join(dir, 'pg', 'postgresql.conf');
    const original = await readFile(conf, 'utf8');
    await writeFile(conf, `${original}\nshared_buffers = banana\n`);
    await assert.rejects(startDatabase({ dataDir: dir }), (error: unknown) => {
      assert.ok(error instanceof DatabaseStartError);
      assert.match(error.message, /^embedded PostgreSQL failed to start in .*: .*shared_buffers.*banana/);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
    await writeFile(conf, original);
    const again = await startDatabase({ dataDir: dir, migrate: false });
    await again.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('with a databaseUrl nothing is started and stop() leaves the server alone', async () => {
  const db = await startDatabase({
    dataDir,
    databaseUrl: 'postgres://nobody@127.0.0.1:1/none',
    migrate: false,
  });
  assert.deepEqual(
    { url: db.url, embedded: db.embedded },
    { url: 'postgres://nobody@127.0.0.1:1/none', embedded: false },
  );
  await db.stop();
});
