/**
 * Failed log-in attempts per key (email, and client address) in a sliding window. In-process:
 * each API process limits on its own, which bounds guessing to N x limit per window; a shared
 * limiter would need a table write per attempt, which is the cost this avoids.
 */
export interface RateLimitOptions {
  maxFailures: number;
  windowMs: number;
}

export class LoginRateLimiter {
  private readonly failures = new Map<string, number[]>();
  constructor(private readonly options: RateLimitOptions = { maxFailures: 10, windowMs: 5 * 60_000 }) {}

  /** Seconds until the key may try again, or 0 when it may try now. */
  retryAfterS(key: string, now = Date.now()): number {
    const times = this.recent(key, now);
    if (times.length < this.options.maxFailures) return 0;
    const oldest = times[0] ?? now;
    return Math.max(1, Math.ceil((oldest + this.options.windowMs - now) / 1000));
  }

  fail(key: string, now = Date.now()): void {
    const times = this.recent(key, now);
    times.push(now);
    this.failures.set(key, times);
    if (this.failures.size > 100_000) this.prune(now);
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    const times = this.failures.get(key) ?? [];
    const cutoff = now - this.options.windowMs;
    while (times.length > 0 && (times[0] ?? 0) <= cutoff) times.shift();
    return times;
  }

  private prune(now: number): void {
    for (const key of this.failures.keys()) {
      if (this.recent(key, now).length === 0) this.failures.delete(key);
    }
  }
}
