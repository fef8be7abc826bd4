import { createHash } from 'node:crypto';
import type { Sql } from '../common/db.js';

/**
 * Attempt budgets (log-ins, sign-ups) counted in PostgreSQL (`login_failures`, migration
 * 1764280000000) so every API process serving the database shares them: N replicas do not allow N
 * x the limit. Each key has a fixed window that opens at its first attempt; the database clock
 * times it, so replicas with skewed clocks agree.
 *
 * An attempt is counted BEFORE the work it guards (the argon2 check of a log-in), in one atomic
 * upsert per key, and refused when the count passes the limit: of any number of concurrent guesses,
 * at most `max` per key get verified (issue 12, item 4). A successful log-in hands its attempt
 * back (see AuthService.logIn).
 */
export interface RateLimitOptions {
  /** Attempts allowed in one window (the name is historic: failures were counted once). */
  maxFailures: number;
  windowMs: number;
}

/** One budget an attempt is counted against. */
export interface Bucket {
  key: string;
  limit: RateLimitOptions;
}

/**
 * The log-in and sign-up policy (docs/DEVELOPING.md, "Log-in and sign-up limits"):
 * - `accountAddress`: attempts at one account from one client address. An attacker's failures lock
 *   only the attacker's own address out of that account: its owner, from any other address,
 *   still logs in.
 * - `address`: attempts from one client address at any accounts (password spraying). Generous,
 *   because many users can share an address (an office NAT).
 * - `signUpAddress`: accounts created from one client address (also bounds how fast sign-up can be
 *   used to test which emails are registered).
 * A client address is the end client's (X-Forwarded-For from a trusted proxy; see
 * client-address.ts), an IPv6 address counted by its /64.
 */
export interface AuthLimits {
  accountAddress: RateLimitOptions;
  address: RateLimitOptions;
  signUpAddress: RateLimitOptions;
}

export const DEFAULT_AUTH_LIMITS: AuthLimits = {
  accountAddress: { maxFailures: 10, windowMs: 5 * 60_000 },
  address: { maxFailures: 100, windowMs: 5 * 60_000 },
  signUpAddress: { maxFailures: 20, windowMs: 10 * 60_000 },
};

/** Historic name: the per-account-and-address log-in budget. */
export const DEFAULT_LOGIN_LIMIT: RateLimitOptions = DEFAULT_AUTH_LIMITS.accountAddress;

/** Ended windows are deleted at most this often per process (they are also ignored when read). */
const CLEANUP_EVERY_MS = 60_000;

/** Keys are stored hashed: the table never holds an email or an address in the clear. */
export function limiterKeyHash(key: string): string {
  return createHash('sha256').update(`posterior-login:${key}`).digest('hex');
}

export class LoginRateLimiter {
  private lastCleanup = 0;

  /** `longestWindowMs`: windows older than this are deleted by the periodic cleanup. */
  constructor(
    private readonly sql: Sql,
    private readonly longestWindowMs: number = Math.max(
      ...Object.values(DEFAULT_AUTH_LIMITS).map((l) => l.windowMs),
    ),
  ) {}

  /**
   * Counts one attempt against every bucket, atomically per bucket (concurrent attempts on any
   * replica all count), and returns the seconds until the attempt would be allowed: 0 when every
   * bucket is within its limit, so the caller may go on.
   */
  async take(buckets: readonly Bucket[]): Promise<number> {
    const byWindow = new Map<number, Bucket[]>();
    for (const bucket of buckets) {
      const list = byWindow.get(bucket.limit.windowMs) ?? [];
      list.push(bucket);
      byWindow.set(bucket.limit.windowMs, list);
    }
    let waitMs = 0;
    for (const [windowMs, group] of byWindow) {
      const max = new Map(group.map((b) => [limiterKeyHash(b.key), b.limit.maxFailures]));
      const rows = await this.sql.rows<{ key_hash: string; failures: number; wait_ms: number }>(
        `INSERT INTO login_failures AS f (key_hash, window_start, failures)
         SELECT unnest($1::text[]), now(), 1
         ON CONFLICT (key_hash) DO UPDATE SET
           failures = CASE WHEN f.window_start <= now() - $2 * interval '1 millisecond'
                           THEN 1 ELSE f.failures + 1 END,
           window_start = CASE WHEN f.window_start <= now() - $2 * interval '1 millisecond'
                               THEN now() ELSE f.window_start END
         RETURNING key_hash, failures,
           (extract(epoch FROM (window_start + $2 * interval '1 millisecond' - now())) * 1000)::float8 AS wait_ms`,
        [[...max.keys()], windowMs],
      );
      for (const row of rows) {
        if (row.failures > (max.get(row.key_hash) ?? Number.POSITIVE_INFINITY))
          waitMs = Math.max(waitMs, row.wait_ms);
      }
    }
    await this.cleanup();
    return waitMs > 0 ? Math.max(1, Math.ceil(waitMs / 1000)) : 0;
  }

  /** Seconds until an attempt against every one of `buckets` would be allowed (0: now); counts nothing. */
  async retryAfterS(buckets: readonly Bucket[]): Promise<number> {
    let waitMs = 0;
    for (const bucket of buckets) {
      const row = await this.sql.one<{ wait_ms: number | null }>(
        `SELECT (extract(epoch FROM (window_start + $2 * interval '1 millisecond' - now())) * 1000)::float8
           AS wait_ms
         FROM login_failures
         WHERE key_hash = $1 AND failures >= $3 AND window_start > now() - $2 * interval '1 millisecond'`,
        [limiterKeyHash(bucket.key), bucket.limit.windowMs, bucket.limit.maxFailures],
      );
      waitMs = Math.max(waitMs, row?.wait_ms ?? 0);
    }
    return waitMs > 0 ? Math.max(1, Math.ceil(waitMs / 1000)) : 0;
  }

  /** Hands one counted attempt back (it succeeded); the window stays where it is. */
  async refund(key: string): Promise<void> {
    // A count of one is deleted instead (the table keeps failures >= 1).
    await this.sql.rows(
      `WITH gone AS (DELETE FROM login_failures WHERE key_hash = $1 AND failures <= 1)
       UPDATE login_failures SET failures = failures - 1 WHERE key_hash = $1 AND failures > 1`,
      [limiterKeyHash(key)],
    );
  }

  /** Forgets a key's attempts. */
  async reset(key: string): Promise<void> {
    await this.sql.rows('DELETE FROM login_failures WHERE key_hash = $1', [limiterKeyHash(key)]);
  }

  /** Deletes windows that have ended; cheap (indexed) and done only once a minute per process. */
  private async cleanup(now = Date.now()): Promise<void> {
    if (now - this.lastCleanup < CLEANUP_EVERY_MS) return;
    this.lastCleanup = now;
    await this.sql
      .rows(`DELETE FROM login_failures WHERE window_start <= now() - $1 * interval '1 millisecond'`, [
        this.longestWindowMs,
      ])
      .catch(() => undefined);
  }
}
