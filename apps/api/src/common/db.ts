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
  constructor(readonly pool: pg.Pool) {
    super(pool);
  }

  static fromDataSource(dataSource: DataSource): Db {
    const master: unknown = (dataSource.driver as unknown as { master?: unknown }).master;
    if (!(master instanceof pg.Pool))
      throw new Error('the DataSource must be an initialized postgres DataSource');
    return new Db(master);
  }

  /** Runs `fn` in one transaction; any throw rolls it back and is rethrown. */
  async tx<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(new ClientSql(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

/** pg's SQLSTATE for unique violations, raised when two requests race to insert the same key. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && (error as Error & { code?: string }).code === '23505';
}
