import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTestDatabase } from '@posterior/api/testing';

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
