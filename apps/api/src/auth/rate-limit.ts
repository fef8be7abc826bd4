import { createHash } from 'node:crypto';
import type { Sql } from '../common/db.js';

/**
 * Failed log-in attempts per key (an email, and a client address), counted in PostgreSQL
 * (`login_failures`, migration 1764280000000) so every API process serving the database shares one
 * budget: N replicas no longer allow N x the limit. Each key has a fixed window that opens at its
 * first failure; the database clock times it, so replicas with skewed clocks agree.
 */
export interface RateLimitOptions {
  maxFailures: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMIT: RateLimitOptions = { maxFailures: 10, windowMs: 5 * 60_000 };

/** Ended windows are deleted at most this often per process (they are also ignored when read). */
const CLEANUP_EVERY_MS = 60_000;

/** Keys are stored hashed: the table never holds an email or an address in the clear. */
export function limiterKeyHash(key: string): string {
  return createHash('sha256').update(`posterior-login:${key}`).digest('hex');
}

export class LoginRateLimiter {
  private lastCleanup = 0;

  constructor(
    private readonly sql: Sql,
    private readonly options: RateLimitOptions = DEFAULT_LOGIN_LIMIT,
  ) {}

  /** Seconds until every one of `keys` may try again (0: may try now). */
  async retryAfterS(keys: readonly string[]): Promise<number> {
    const row = await this.sql.one<{ wait_ms: number | null }>(
      `SELECT max(extract(epoch FROM (window_start + $2 * interval '1 millisecond' - now())) * 1000)::float8
         AS wait_ms
       FROM login_failures
       WHERE key_hash = ANY($1) AND failures >= $3
         AND window_start > now() - $2 * interval '1 millisecond'`,
      [keys.map(limiterKeyHash), this.options.windowMs, this.options.maxFailures],
    );
    const waitMs = row?.wait_ms ?? 0;
    return waitMs > 0 ? Math.max(1, Math.ceil(waitMs / 1000)) : 0;
  }

  /** Counts one failure against each key, atomically (concurrent failures on any replica all count). */
  async fail(keys: readonly string[]): Promise<void> {
    await this.sql.rows(
      `INSERT INTO login_failures AS f (key_hash, window_start, failures)
       SELECT unnest($1::text[]), now(), 1
       ON CONFLICT (key_hash) DO UPDATE SET
         failures = CASE WHEN f.window_start <= now() - $2 * interval '1 millisecond'
                         THEN 1 ELSE f.failures + 1 END,
         window_start = CASE WHEN f.window_start <= now() - $2 * interval '1 millisecond'
                             THEN now() ELSE f.window_start END`,
      [[...new Set(keys)].map(limiterKeyHash), this.options.windowMs],
    );
    await this.cleanup();
  }

  /** Forgets a key's failures (after a successful log-in). */
  async succeed(key: string): Promise<void> {
    await this.sql.rows('DELETE FROM login_failures WHERE key_hash = $1', [limiterKeyHash(key)]);
  }

  /** Deletes windows that have ended; cheap (indexed) and done only once a minute per process. */
  private async cleanup(now = Date.now()): Promise<void> {
    if (now - this.lastCleanup < CLEANUP_EVERY_MS) return;
    this.lastCleanup = now;
    await this.sql
      .rows(`DELETE FROM login_failures WHERE window_start <= now() - $1 * interval '1 millisecond'`, [
        this.options.windowMs,
      ])
      .catch(() => undefined);
  }
}
