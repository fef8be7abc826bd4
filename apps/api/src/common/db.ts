import { createHash } from 'node:crypto';
import pg from 'pg';
import type { DataSource } from 'typeorm';

/**
 * SQL access for the services. The API runs its statements on the pg pool that TypeORM opened
 * (same connections, same limits) instead of through repositories: the hot paths (ask, tell,
 * report) are single hand-written statements, and TypeORM's query() shapes results differently
 * per statement kind. Entities and migrations remain the schema's source of truth.
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
  private readonly ownPools: pg.Pool[];

  constructor(
    readonly pool: pg.Pool,
    telemetryPool: pg.Pool | null = null,
    ingestPool: pg.Pool | null = null,
  ) {
    super(pool);
    this.ownPools = [telemetryPool, ingestPool].filter((p): p is pg.Pool => p !== null);
    this.telemetry = telemetryPool ? new ClientSql(telemetryPool) : this;
    this.ingest = ingestPool ? new ClientSql(ingestPool) : this;
  }

  static fromDataSource(dataSource: DataSource): Db {
    const master: unknown = (dataSource.driver as unknown as { master?: unknown }).master;
    if (!(master instanceof pg.Pool))
      throw new Error('the DataSource must be an initialized postgres DataSource');
    const options = (master as pg.Pool & { options: pg.PoolConfig }).options;
    const telemetry = new pg.Pool({
      ...options,
      max: 4,
      options: '-c synchronous_commit=off',
      application_name: 'posterior-telemetry',
    });
    const ingest = new pg.Pool({ ...options, max: 4, application_name: 'posterior-ingest' });
    // An idle client dropped by the server must not crash the process; the pool replaces it.
    telemetry.on('error', () => undefined);
    ingest.on('error', () => undefined);
    return new Db(master, telemetry, ingest);
  }

  /** Closes what this Db opened (its own pools); the DataSource's pool belongs to its owner. */
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
