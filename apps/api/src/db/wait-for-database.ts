import { retry } from '@posterior/core';
import pg from 'pg';

/**
 * Start-up against a database that is not there yet (a container starting before PostgreSQL, a
 * restart under Kubernetes): connection-level failures are retried with capped backoff for a
 * configurable time, each logged with what failed; anything the server itself refused (wrong
 * password, no such database) fails at once, since waiting cannot fix it.
 */

/** pg/Node error codes that mean "not reachable (yet)", plus PostgreSQL's own "starting up" ones. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  // cannot_connect_now: the database system is starting up / shutting down / in recovery.
  '57P03',
  // admin_shutdown, crash_shutdown: the server went away under the probe.
  '57P01',
  '57P02',
  // too_many_connections: other clients will leave.
  '53300',
]);

export function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && UNREACHABLE.has(code)) return true;
  const message = error instanceof Error ? error.message : '';
  // pg's own wording for a socket that closed or timed out before the server answered.
  return /Connection terminated|timeout expired|connect ETIMEDOUT/i.test(message);
}

/** `host:port` of a postgres URL (the password never appears in a log line). */
export function databaseAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}`;
  } catch {
    return 'the database';
  }
}

export class DatabaseUnreachableError extends Error {
  override name = 'DatabaseUnreachableError';
}

export interface WaitForDatabaseOptions {
  /** How long to keep trying, in ms; 0 tries once. */
  timeoutMs: number;
  /** One line per failed attempt: "database at db:5432 unreachable (...), retrying in 2s". */
  log?: (line: string) => void;
  /** First wait between attempts (doubles, capped at `maxDelayMs`). */
  minDelayMs?: number;
  maxDelayMs?: number;
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  if (error instanceof Error) return error.message || (error as { code?: string }).code || error.name;
  return String(error);
}

/** Resolves once one connection to `url` answers `SELECT 1`; throws DatabaseUnreachableError on timeout. */
export async function waitForDatabase(url: string, options: WaitForDatabaseOptions): Promise<void> {
  const address = databaseAddress(url);
  const seconds = Math.round(options.timeoutMs / 1000);
  await retry(() => selectOne(url), {
    minDelayMs: options.minDelayMs ?? 500,
    maxDelayMs: options.maxDelayMs ?? 5000,
    // Jittered so replicas restarted together do not retry in step.
    jitter: 'equal',
    deadlineMs: options.timeoutMs,
    shouldRetry: (error): error is unknown => isUnreachable(error),
    onRetry: (error, _attempt, delay) =>
      options.log?.(
        `database at ${address} unreachable (${describe(error)}), retrying in ${(delay / 1000).toFixed(1)}s`,
      ),
    giveUp: (error) =>
      new DatabaseUnreachableError(
        `database at ${address} unreachable (${describe(error)}); gave up after ${seconds} s ` +
          '(POSTERIOR_DB_WAIT_S / --db-wait)',
      ),
  });
}

async function selectOne(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  // A socket error after connect must not crash the process; the query below rejects anyway.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}
