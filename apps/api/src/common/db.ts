import pg from 'pg';
import type { DataSource } from 'typeorm';

/**
 * SQL access for the services. The API runs its statements on the pg pool that TypeORM opened
 * (same connections, same limits) instead of through repositories: the hot paths (ask, tell,
 * report) are single hand-written statements, and TypeORM's query() shapes results differently
 * per statement kind. Entities and migrations remain the schema's source of truth.
 */
export interface Sql {
  rows<R>(text: string, params?: readonly unknown[]): Promise<R[]>;
  one<R>(text: string, params?: readonly unknown[]): Promise<R | null>;
}

class ClientSql implements Sql {
  constructor(private readonly client: pg.Pool | pg.PoolClient) {}
  async rows<R>(text: string, params: readonly unknown[] = []): Promise<R[]> {
    const result = await this.client.query(text, params as unknown[]);
    return result.rows as R[];
  }
  async one<R>(text: string, params: readonly unknown[] = []): Promise<R | null> {
    const rows = await this.rows<R>(text, params);
    return rows[0] ?? null;
  }
}

export class Db extends ClientSql {
  /**
   * Statements whose loss in a database crash is harmless (metric points, heartbeats): a small
   * pool of its own whose sessions commit without waiting for the WAL flush, so each is one round
   * trip instead of BEGIN / statement / COMMIT.
   */
  readonly telemetry: Sql;
  private readonly telemetryPool: pg.Pool | null;

  constructor(
    readonly pool: pg.Pool,
    telemetryPool: pg.Pool | null = null,
  ) {
    super(pool);
    this.telemetryPool = telemetryPool;
    this.telemetry = telemetryPool ? new ClientSql(telemetryPool) : this;
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
    // An idle client dropped by the server must not crash the process; the pool replaces it.
    telemetry.on('error', () => undefined);
    return new Db(master, telemetry);
  }

  /** Closes what this Db opened (the telemetry pool); the DataSource's pool belongs to its owner. */
  async close(): Promise<void> {
    await this.telemetryPool?.end();
  }

  /**
   * Runs `fn` in one transaction; any throw rolls it back and is rethrown. `asyncCommit` commits
   * without waiting for the WAL flush (synchronous_commit off): a database crash may forget the
   * last few milliseconds of such transactions, never corrupt anything. Used where losing the
   * newest rows is harmless (a trial claim the worker will find gone, telemetry points) and the
   * flush would otherwise be paid inside a per-study lock.
   */
  async tx<T>(fn: (sql: Sql) => Promise<T>, options: { asyncCommit?: boolean } = {}): Promise<T> {
    const client = await this.pool.connect();
    // A checked-out client has no pool listener: if PostgreSQL drops the connection between two
    // statements (restart, failover) the 'error' event would crash the process. The next query
    // rejects anyway, and release() discards the dead client.
    const ignoreDropped = (): void => {};
    client.on('error', ignoreDropped);
    try {
      await client.query(options.asyncCommit ? 'BEGIN; SET LOCAL synchronous_commit TO OFF' : 'BEGIN');
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
