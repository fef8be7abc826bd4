import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { loadDatabaseUrl } from '../config/index.js';
import { createDataSource, runMigrations } from '../db/data-source.js';
import { migrations } from '../db/migrations/index.js';

export interface TestDatabase {
  /** Connection URL of this test's own database. */
  url: string;
  /** An initialised DataSource on it. */
  dataSource: DataSource;
  /** Closes the DataSource and drops the database (idempotent). */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** false gives an empty database (no tables, no migrations run): for testing migrations themselves. */
  migrated?: boolean;
  /** Pool size of the returned DataSource (default 5: test files run in parallel on a shared server). */
  poolSize?: number;
}

export class TestDatabaseError extends Error {
  override name = 'TestDatabaseError';
}

const quote = (identifier: string): string => `"${identifier.replaceAll('"', '""')}"`;

function serverUrl(): string {
  const url = loadDatabaseUrl();
  if (url === undefined) {
    throw new TestDatabaseError(
      'DATABASE_URL is not set: run the tests with `npm test` (it starts an embedded PostgreSQL) ' +
        'or point DATABASE_URL at a PostgreSQL server where this user may CREATE DATABASE',
    );
  }
  return url;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/** Changes whenever a migration is added, removed or edited, so stale templates are never reused. */
export function migrationsFingerprint(): string {
  const hash = createHash('sha256');
  for (const migration of migrations) {
    hash.update(migration.name);
    hash.update(migration.prototype.up.toString());
    hash.update(migration.prototype.down.toString());
  }
  return hash.digest('hex').slice(0, 16);
}

async function withAdminClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'posterior-test-admin' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function databaseExists(client: pg.Client, name: string): Promise<boolean> {
  const result = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  return (result.rowCount ?? 0) > 0;
}

/**
 * Builds the migrated template once per server and migration set. Concurrent test processes
 * serialise on an advisory lock; the template is built under a scratch name and renamed only when
 * complete, so a crash mid-build never leaves a half-migrated template behind.
 */
async function ensureTemplate(url: string): Promise<string> {
  const fingerprint = migrationsFingerprint();
  const template = `posterior_tmpl_${fingerprint}`;
  const lockKey = BigInt.asIntN(64, BigInt(`0x${fingerprint}`)).toString();
  return withAdminClient(url, async (client) => {
    await client.query('SELECT pg_advisory_lock($1::bigint)', [lockKey]);
    try {
      if (await databaseExists(client, template)) return template;
      const building = `${template}_build`;
      await client.query(`DROP DATABASE IF EXISTS ${quote(building)} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${quote(building)}`);
      const dataSource = createDataSource(withDatabase(url, building), { poolSize: 1 });
      await dataSource.initialize();
      try {
        await runMigrations(dataSource);
      } finally {
        await dataSource.destroy();
      }
      await client.query(`ALTER DATABASE ${quote(building)} RENAME TO ${quote(template)}`);
      // Nobody may connect to it: CREATE DATABASE ... TEMPLATE fails while the source has sessions.
      await client.query(`ALTER DATABASE ${quote(template)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
      await dropStaleTemplates(client, template);
      return template;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [lockKey]);
    }
  });
}

/**
 * Templates of earlier migration sets would pile up on a long-lived server. A run still cloning from
 * one we drop rebuilds it (see createTestDatabase), so this is safe, merely wasteful in that rare case.
 */
async function dropStaleTemplates(client: pg.Client, keep: string): Promise<void> {
  const stale = await client.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname ~ '^posterior_tmpl_[0-9a-f]{16}$' AND datname <> $1`,
    [keep],
  );
  for (const { datname } of stale.rows) {
    try {
      await client.query(`ALTER DATABASE ${quote(datname)} WITH IS_TEMPLATE false`);
      await client.query(`DROP DATABASE ${quote(datname)}`);
    } catch {
      // Being cloned right now: leave it for the next build.
    }
  }
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '']);

/**
 * Test databases whose process died before drop() (a crash, a killed run). Their names carry the
 * creating pid; only on a server on this host can we tell that pid is gone.
 */
async function dropOrphans(url: string): Promise<void> {
  if (!LOCAL_HOSTS.has(new URL(url).hostname)) return;
  await withAdminClient(url, async (client) => {
    const found = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname ~ '^posterior_test_[0-9]+_[0-9a-f]{12}$'`,
    );
    for (const { datname } of found.rows) {
      const pid = Number(datname.split('_')[2]);
      if (isAlive(pid)) continue;
      await client.query(`DROP DATABASE IF EXISTS ${quote(datname)} WITH (FORCE)`).catch(() => undefined);
    }
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let templateOnce: Promise<string> | undefined;

function migratedTemplate(url: string): Promise<string> {
  templateOnce ??= dropOrphans(url)
    .then(() => ensureTemplate(url))
    .catch((error: unknown) => {
      templateOnce = undefined;
      throw error;
    });
  return templateOnce;
}

/** SQLSTATE invalid_catalog_name: the template was dropped by a run with a newer migration set. */
const isMissingDatabase = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && 'code' in error && error.code === '3D000';

/**
 * A fresh database of its own for one test file, cloned from a migrated template (or empty with
 * `{ migrated: false }`), on the server named by DATABASE_URL. Call `drop()` when done (e.g. in
 * `after`), so nothing is left behind.
 */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const url = serverUrl();
  const migrated = options.migrated ?? true;
  const name = `posterior_test_${process.pid}_${randomBytes(6).toString('hex')}`;
  const create = async (): Promise<void> => {
    const template = migrated ? await migratedTemplate(url) : undefined;
    await withAdminClient(url, (client) =>
      client.query(`CREATE DATABASE ${quote(name)}${template ? ` TEMPLATE ${quote(template)}` : ''}`),
    );
  };
  try {
    await create();
  } catch (error) {
    if (!migrated || !isMissingDatabase(error)) throw error;
    templateOnce = undefined;
    await create();
  }
  const dbUrl = withDatabase(url, name);
  const dataSource = createDataSource(dbUrl, {
    poolSize: options.poolSize ?? 5,
    applicationName: 'posterior-test',
  });
  try {
    await dataSource.initialize();
  } catch (error) {
    await withAdminClient(url, (client) =>
      client.query(`DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`),
    );
    throw error;
  }
  let dropped: Promise<void> | undefined;
  return {
    url: dbUrl,
    dataSource,
    drop() {
      dropped ??= (async () => {
        if (dataSource.isInitialized) await dataSource.destroy();
        await withAdminClient(url, (client) =>
          client.query(`DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`),
        );
      })();
      return dropped;
    },
  };
}
