import { createHash } from 'node:crypto';
import pg from 'pg';
import type { DataSource } from 'typeorm';

/**
 * SQL access for the services: hand-written statements on pg pools this module opens itself, from
 * the same connection settings as the DataSource (never through TypeORM's internals). TypeORM's
 * role is the schema: entities document the tables and drive `migration:generate`, migrations
 * apply them (db/README.md, "TypeORM's role"). No query goes through a repository: the hot paths
 * (ask, tell, report) are single statements, and TypeORM's query() shapes results differently per
 * statement kind.
 */
export interface Sql {
  /**
   * `prepared` makes it a named prepared statement (parsed and planned once per connection, named
   * after a hash of its text): for the hot paths, which run the same text thousands of times.
   */
  rows<R>(text: string, params?: readonly unknown[], prepared?: boolean): Promise<R[]>;
  one<R>(text: string, params?: readonly unknown[], prepared?: boolean): Promise<R | null>;
}

const statementNames = new Map<string, string>();

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `posterior_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    if (statementNames.size > 1000) statementNames.clear();
    statementNames.set(text, name);
  }
  return name;
}

class ClientSql implements Sql {
  constructor(private readonly client: pg.Pool | pg.PoolClient) {}
  async rows<R>(text: string, params: readonly unknown[] = [], prepared = false): Promise<R[]> {
    const result = await this.client.query({
      text,
      values: params as unknown[],
      name: prepared ? statementName(text) : undefined,
    });
    return result.rows as R[];
  }
  async one<R>(text: string, params: readonly unknown[] = [], prepared = false): Promise<R | null> {
    const rows = await this.rows<R>(text, params, prepared);
    return rows[0] ?? null;
  }
}

export class Db extends ClientSql {
  /**
   * Heartbeats: a small pool of its own whose sessions commit without waiting for the WAL flush,
   * so each is one round trip. Losing the last few in a database crash is harmless: the reaper
   * grants a full heartbeat timeout after an outage (trial/reaper.ts), and workers beat again.
   */
  readonly telemetry: Sql;
  /**
   * Metric reports: a small pool of its own (ingestion must not take the connections asks and tells
   * need) whose commits are synchronous, like every other write that is answered: a worker is told
   * its points are stored only once they are in the flushed WAL, so a database crash cannot lose
   * points a subscriber was already shown. (Until issue 13 they went through `telemetry`.)
   */
  readonly ingest: Sql;
  /** The pools `close()` ends: those `connect()` opened; a caller's own pool stays open. */
  private readonly ownPools: readonly pg.Pool[];

  constructor(
    readonly pool: pg.Pool,
    telemetryPool: pg.Pool | null = null,
    ingestPool: pg.Pool | null = null,
    ownPools: readonly pg.Pool[] = [telemetryPool, ingestPool].filter((p): p is pg.Pool => p !== null),
  ) {
    super(pool);
    this.ownPools = ownPools;
    this.telemetry = telemetryPool ? new ClientSql(telemetryPool) : this;
    this.ingest = ingestPool ? new ClientSql(ingestPool) : this;
  }

  /**
   * The pools for the database a DataSource is configured for, opened from its public options
   * (the same URL or host, credentials, TLS, pool size and application name): the main pool, and
   * the telemetry and ingest pools beside it. The DataSource's own pool stays with its owner
   * (migrations, readiness checks).
   */
  static fromDataSource(dataSource: DataSource): Db {
    return Db.connect(poolConfigOf(dataSource.options));
  }

  static connect(config: pg.PoolConfig): Db {
    const main = new pg.Pool(config);
    const telemetry = new pg.Pool({
      ...config,
      max: 4,
      options: '-c synchronous_commit=off',
      application_name: 'posterior-telemetry',
    });
    const ingest = new pg.Pool({ ...config, max: 4, application_name: 'posterior-ingest' });
    // An idle client dropped by the server must not crash the process; the pool replaces it.
    for (const pool of [main, telemetry, ingest]) pool.on('error', () => undefined);
    return new Db(main, telemetry, ingest, [main, telemetry, ingest]);
  }

  /** Closes the pools this Db opened. */
  async close(): Promise<void> {
    await Promise.all(this.ownPools.map((p) => p.end()));
  }

  /**
   * Runs `fn` in one transaction; any throw rolls it back and is rethrown. The commit is
   * synchronous: once this resolves the transaction survives a database crash. (Asks used to
   * commit with synchronous_commit off; a crash could then forget a claim a worker had already
   * received. See db/README.md, "Commits", for what durability costs and how it is amortized.)
   */
  async tx<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A checked-out client has no pool listener: if PostgreSQL drops the connection between two
    // statements (restart, failover) the 'error' event would crash the process. The next query
    // rejects anyway, and release() discards the dead client.
    const ignoreDropped = (): void => {};
    client.on('error', ignoreDropped);
    try {
      await client.query('BEGIN');
      const result = await fn(new ClientSql(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.off('error', ignoreDropped);
      client.release();
    }
  }
}

/** pg's SQLSTATE for unique violations, raised when two requests race to insert the same key. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && (error as Error & { code?: string }).code === '23505';
}

/** pg's pool settings for a TypeORM postgres DataSource's public options. */
export function poolConfigOf(options: DataSource['options']): pg.PoolConfig {
  if (options.type !== 'postgres') throw new Error(`a postgres DataSource is required, not ${options.type}`);
  return {
    connectionString: options.url,
    host: options.host,
    port: options.port,
    user: options.username,
    password: options.password,
    database: options.database,
    ssl: options.ssl as pg.PoolConfig['ssl'],
    max: options.poolSize,
    application_name: options.applicationName,
    ...(options.extra as pg.PoolConfig | undefined),
  };
}
