import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, listeningAddresses } from '@posterior/api/testing';

const bin = fileURLToPath(new URL('../bin.js', import.meta.url));

test('posterior serve starts the API on DATABASE_URL and stops cleanly on SIGTERM', async () => {
  const db = await createTestDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'posterior-serve-'));
  try {
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--host', '127.0.0.1'], {
      env: { ...process.env, DATABASE_URL: db.url, POSTERIOR_DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stderr }).on('line', (line) => {
        const m = /Posterior API: (\S+)/.exec(line);
        if (m?.[1]) resolve(m[1]);
      });
      void exited.then((code) => reject(new Error(`serve exited early with ${code}`)));
    });
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    assert.deepEqual(await res.json(), { data: { me: null } });
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('posterior serve with a bad --port exits 2 with one line', () => {
  const run = spawnSync(process.execPath, [bin, 'serve', '--port', 'abc'], { encoding: 'utf8' });
  assert.equal(run.status, 2, run.stderr);
  assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  assert.match(run.stderr, /--port/);
});

test('posterior serve --no-migrate (or POSTERIOR_MIGRATE=false) on an unmigrated database exits 1 with one line', async () => {
  const db = await createTestDatabase({ migrated: false });
  const dataDir = await mkdtemp(join(tmpdir(), 'posterior-serve-'));
  try {
    const env = { ...process.env, DATABASE_URL: db.url, POSTERIOR_DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
    for (const [args, extra] of [
      [['serve', '--port', '0', '--no-migrate'], {}],
      [['serve', '--port', '0'], { POSTERIOR_MIGRATE: 'false' }],
    ] as const) {
      const run = spawnSync(process.execPath, [bin, ...args], {
        env: { ...env, ...extra },
        encoding: 'utf8',
      });
      assert.equal(run.status, 1, run.stderr);
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
      assert.match(run.stderr, /^posterior: database schema is not current: \d+ migration\(s\) pending/);
    }
    const [row] = await db.dataSource.query(`SELECT to_regclass('migrations') IS NULL AS untouched`);
    assert.equal(row.untouched, true, 'nothing was migrated');
  } finally {
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('two posterior serve processes started together on a fresh database both come up', async () => {
  const db = await createTestDatabase({ migrated: false });
  const dataDir = await mkdtemp(join(tmpdir(), 'posterior-serve-'));
  const children = [0, 1].map(() =>
    spawn(process.execPath, [bin, 'serve', '--port', '0', '--host', '127.0.0.1'], {
      env: { ...process.env, DATABASE_URL: db.url, POSTERIOR_DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  try {
    const urls = await Promise.all(
      children.map(
        (child) =>
          new Promise<string>((resolve, reject) => {
            createInterface({ input: child.stderr }).on('line', (line) => {
              const m = /Posterior API: (\S+)/.exec(line);
              if (m?.[1]) resolve(m[1]);
              else if (line.trim() !== '') reject(new Error(line));
            });
            child.once('exit', (code) => reject(new Error(`serve exited early with ${code}`)));
          }),
      ),
    );
    for (const url of urls) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ me { id } }' }),
      });
      assert.deepEqual(await res.json(), { data: { me: null } });
    }
    const [row] = await db.dataSource.query(
      'SELECT count(*)::int AS n, count(DISTINCT name)::int AS names FROM migrations',
    );
    assert.equal(row.n, row.names, 'one row per migration');
    assert.ok(row.n > 0);
  } finally {
    const exits = children.map((child) => new Promise((resolve) => child.once('exit', resolve)));
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    assert.deepEqual(await Promise.all(exits), [0, 0]);
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
});

/** Whether a TCP connection to address:port is accepted. */
function accepts(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

test('posterior serve listens on loopback only unless --host opens it', {
  skip: listeningAddresses(1) === null ? 'no /proc/net/tcp to read listeners from' : false,
}, async () => {
  const db = await createTestDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'posterior-serve-'));
  const env = { ...process.env, DATABASE_URL: db.url, POSTERIOR_DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
  const serve = async (extra: string[]) => {
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', ...extra], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stderr }).on('line', (line) => {
        const m = /Posterior API: (\S+)/.exec(line);
        if (m?.[1]) resolve(m[1]);
      });
      void exited.then((code) => reject(new Error(`serve exited early with ${code}`)));
    });
    const port = Number(new URL(url).port);
    // Where it listens, read from the kernel: no packet is sent to any address but loopback.
    const reached = { loopback: await accepts('127.0.0.1', port), on: listeningAddresses(port) };
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    return reached;
  };
  try {
    assert.deepEqual(await serve([]), { loopback: true, on: ['127.0.0.1'] }, 'the default is loopback');
    assert.deepEqual(await serve(['--host', '0.0.0.0']), { loopback: true, on: ['0.0.0.0'] });
  } finally {
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
});

/** A loopback port nobody listens on (a database not started yet). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

test('posterior serve retries an unreachable database for --db-wait, logging each attempt, then exits 1 naming it', async () => {
  const port = await closedPort();
  const dataDir = await mkdtemp(join(tmpdir(), 'posterior-serve-'));
  try {
    const started = Date.now();
    const run = spawnSync(process.execPath, [bin, 'serve', '--port', '0', '--db-wait', '2'], {
      env: {
        ...process.env,
        DATABASE_URL: `postgres://posterior:secret@127.0.0.1:${port}/posterior`,
        POSTERIOR_DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
      },
      encoding: 'utf8',
    });
    assert.equal(run.status, 1, run.stderr);
    assert.ok(Date.now() - started >= 2000, 'gave up before --db-wait had passed');
    const retries = run.stdout.split('\n').filter((line) => /retrying in \d+(\.\d)?s/.test(line));
    assert.ok(retries.length >= 2, run.stdout);
    for (const line of retries) {
      assert.match(
        line,
        new RegExp(`database at 127\\.0\\.0\\.1:${port} unreachable \\(connect ECONNREFUSED`),
      );
      assert.doesNotMatch(line, /secret/);
    }
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(
      run.stderr,
      new RegExp(
        `^posterior: database at 127\\.0\\.0\\.1:${port} unreachable .*ECONNREFUSED.*gave up after 2 s`,
      ),
    );
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('posterior serve comes up once a database that was unreachable at start appears', async () => {
  const db = await createTestDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'posterior-serve-'));
  const port = await closedPort();
  const target = new URL(db.url);
  // Stands in for PostgreSQL starting late: a TCP relay to the test database, opened once serve retries.
  const relay = createServer((socket) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  const viaRelay = new URL(db.url);
  viaRelay.hostname = '127.0.0.1';
  viaRelay.port = String(port);
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--host', '127.0.0.1'], {
    env: {
      ...process.env,
      DATABASE_URL: viaRelay.toString(),
      POSTERIOR_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    let logged = '';
    let opened = false;
    // The database "starts" only once serve has said it is retrying: no timing assumption.
    child.stdout.on('data', (chunk: Buffer) => {
      logged += chunk.toString();
      if (!opened && /retrying in/.test(logged)) {
        opened = true;
        relay.listen(port, '127.0.0.1');
      }
    });
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stderr }).on('line', (line) => {
        const m = /Posterior API: (\S+)/.exec(line);
        if (m?.[1]) resolve(m[1]);
      });
      void exited.then((code) => reject(new Error(`serve exited early with ${code}`)));
    });
    assert.ok(opened);
    assert.match(logged, /unreachable \(connect ECONNREFUSED.*retrying in/);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    assert.deepEqual(await res.json(), { data: { me: null } });
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await new Promise<void>((resolve) => relay.close(() => resolve()));
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
