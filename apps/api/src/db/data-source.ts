import { DataSource, type Migration } from 'typeorm';
import { entities } from './entities/index.js';
import { migrations } from './migrations/index.js';

export interface DataSourceOptions {
  /** Most connections the pool opens (pg's default is 10). */
  poolSize?: number;
  /** Log every SQL statement (debugging only). */
  logSql?: boolean;
  /** Reported to PostgreSQL as application_name, visible in pg_stat_activity. */
  applicationName?: string;
}

/**
 * A DataSource over Posterior's entities and migrations; call `initialize()` on it. The schema is
 * owned by the migrations: `synchronize` stays off.
 */
export function createDataSource(url: string, options: DataSourceOptions = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities,
    migrations,
    synchronize: false,
    migrationsRun: false,
    // gen_random_uuid() is built into PostgreSQL 13+: no extension, and no CREATE EXTENSION (which
    // needs privileges) on every connect.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    logging: options.logSql ? 'all' : false,
    applicationName: options.applicationName ?? 'posterior',
    poolSize: options.poolSize,
  });
}

/** Applies every pending migration (each in its own transaction) and returns what ran. */
export async function runMigrations(dataSource: DataSource): Promise<Migration[]> {
  return dataSource.runMigrations({ transaction: 'each' });
}

export interface MigrationStatus {
  /** Names of applied migrations, oldest first. */
  applied: string[];
  /** Names of known migrations not yet applied, in the order they will run. */
  pending: string[];
  /** Applied migrations this build does not know (the database is newer than the code). */
  unknown: string[];
}

/** What `posterior db status` shows: read from the migrations table, changes nothing. */
export async function migrationStatus(dataSource: DataSource): Promise<MigrationStatus> {
  const [exists] = await dataSource.query<{ present: boolean }[]>(
    `SELECT to_regclass('migrations') IS NOT NULL AS present`,
  );
  const rows: { name: string }[] = exists?.present
    ? await dataSource.query('SELECT name FROM migrations ORDER BY timestamp, id')
    : [];
  const applied = rows.map((r) => r.name);
  const known = dataSource.migrations.map((m) => m.name).filter((n): n is string => n !== undefined);
  return {
    applied,
    pending: known.filter((name) => !applied.includes(name)),
    unknown: applied.filter((name) => !known.includes(name)),
  };
}

/** Reverts the newest `count` applied migrations (each in its own transaction); returns how many ran. */
export async function revertMigrations(dataSource: DataSource, count = 1): Promise<number> {
  let reverted = 0;
  for (; reverted < count; reverted++) {
    const { applied } = await migrationStatus(dataSource);
    if (applied.length === 0) break;
    await dataSource.undoLastMigration({ transaction: 'each' });
  }
  return reverted;
}
