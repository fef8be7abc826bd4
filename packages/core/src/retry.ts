/**
 * Retry with capped exponential backoff: the one loop behind the SDK's request retries and the
 * API's wait for its database. Pure: time, randomness and waiting are injectable, so callers'
 * tests need no wall clock.
 */

export interface Backoff {
  /** The first wait's scale; the ceiling doubles from here each attempt. */
  readonly minDelayMs: number;
  /** The ceiling never grows past this. */
  readonly maxDelayMs: number;
  /**
   * How a wait is drawn below the attempt's ceiling, so many clients retrying together spread
   * out: `full` anywhere from minDelayMs / 2 up to it, `equal` from half of it up to it, `none`
   * the ceiling itself.
   */
  readonly jitter?: 'full' | 'equal' | 'none';
}

/** The wait before retry number `attempt + 1` (attempt 0: after the first failure). */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxDelayMs, backoff.minDelayMs * 2 ** attempt);
  switch (backoff.jitter ?? 'full') {
    case 'none':
      return ceiling;
    case 'equal':
      return Math.round(ceiling / 2 + (random() * ceiling) / 2);
    default: {
      const floor = Math.min(ceiling, backoff.minDelayMs / 2);
      return floor + random() * (ceiling - floor);
    }
  }
}

export interface RetryOptions<E = unknown> extends Backoff {
  /** Whether this failure is worth another attempt; anything else is thrown at once. */
  readonly shouldRetry: (error: unknown) => error is E;
  /** Attempts after the first (default: no limit but the deadline). */
  readonly retries?: number;
  /** Give up once this long has passed since the first attempt (see `lastAttempt`). */
  readonly deadlineMs?: number;
  /**
   * `at-deadline` (default): a wait that would pass the deadline is shortened to end on it, and one
   * attempt is made right there. `before-deadline`: no wait may pass it; give up instead.
   */
  readonly lastAttempt?: 'at-deadline' | 'before-deadline';
  /** Called before each wait (to log "unreachable, retrying in 800 ms"): 1-based attempt that failed. */
  readonly onRetry?: (error: E, attempt: number, delayMs: number) => void;
  /** What is thrown when the retries or the deadline run out (default: the last error). */
  readonly giveUp?: (error: E, attempts: number) => unknown;
  /** Ends the wait between attempts early (`sleep` rejects). */
  readonly signal?: AbortSignal | undefined;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly now?: () => number;
  readonly random?: () => number;
}

/** Runs `fn` until it resolves, a failure is not retryable, or the retries or the deadline run out. */
export async function retry<T, E = unknown>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions<E>,
): Promise<T> {
  const now = options.now ?? Date.now;
  const wait = options.sleep ?? sleep;
  const started = now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (!options.shouldRetry(error)) throw error;
      let delay = backoffDelay(attempt, options, options.random);
      const outOfRetries = options.retries !== undefined && attempt >= options.retries;
      if (options.deadlineMs !== undefined) {
        const left = started + options.deadlineMs - now();
        const late = options.lastAttempt === 'before-deadline' ? delay > left : left <= 0;
        if (late || outOfRetries) throw options.giveUp ? options.giveUp(error, attempt + 1) : error;
        delay = Math.min(delay, left);
      } else if (outOfRetries) {
        throw options.giveUp ? options.giveUp(error, attempt + 1) : error;
      }
      options.onRetry?.(error, attempt + 1, delay);
      await wait(delay, options.signal);
    }
  }
}

/** Resolves after `ms`; rejects with the signal's reason once it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
