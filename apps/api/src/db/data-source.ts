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
