import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { OpsDataSource } from './readiness.js';

/** Listens on an ephemeral loopback port; returns the base URL and a closer. */
export async function listen(app: Express): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An in-memory stand-in for the DataSource: answers SELECT 1, the migrations table and trial counts. */
export class FakeDataSource implements OpsDataSource {
  isInitialized = true;
  readonly options = { migrationsTableName: 'migrations' };
  migrations: { name: string; constructor: { name: string } }[] = [
    { name: 'Initial1', constructor: { name: 'Initial1' } },
    { name: 'Second2', constructor: { name: 'Second2' } },
  ];
  applied = ['Initial1', 'Second2'];
  trialRows: { state: string; n: number }[] = [];
  /** Makes every query fail with this error (e.g. the server went away). */
  failWith: (Error & { code?: string }) | undefined;
  /** Makes every query hang (e.g. a network partition). */
  hang = false;
  readonly queries: string[] = [];

  async query(sql: string): Promise<unknown> {
    this.queries.push(sql);
    if (this.hang) return new Promise(() => {});
    if (this.failWith) throw this.failWith;
    if (sql === 'SELECT 1') return [{ '?column?': 1 }];
    if (sql.includes('"migrations"')) return this.applied.map((name) => ({ name }));
    if (sql.includes('"trials"')) return this.trialRows;
    throw new Error(`unexpected query: ${sql}`);
  }
}
