import { isPosteriorError, PosteriorError, retry, sleep } from '@posterior/sdk';

export interface PersistOptions {
  /** Give up once the API has been unreachable this long (`Infinity`: until it returns). */
  readonly windowMs: number;
  /** Aborts the wait between attempts and the attempt in flight (passed to `fn`). */
  readonly signal?: AbortSignal | undefined;
  /** First wait; doubles up to 5 s. */
  readonly initialDelayMs?: number | undefined;
  /** Before each wait: the attempt that just failed (1-based), why, and the wait before the next. */
  readonly onWait?: ((error: PosteriorError, attempt: number, delayMs: number) => void) | undefined;
}

/**
 * Keeps calling through an API outage (restart, network blip) well beyond the SDK's own few
 * retries, so a worker rides out a redeploy instead of abandoning its trial. Only retryable
 * errors are repeated; user errors (CONFLICT, NOT_FOUND, ...) surface at once.
 */
export function persist<T>(
  fn: (signal: AbortSignal | undefined) => Promise<T>,
  options: PersistOptions,
): Promise<T> {
  return retry(() => fn(options.signal), {
    minDelayMs: options.initialDelayMs ?? 500,
    maxDelayMs: 5_000,
    jitter: 'none',
    deadlineMs: options.windowMs,
    lastAttempt: 'before-deadline',
    shouldRetry: (error): error is PosteriorError => isPosteriorError(error) && error.retryable,
    onRetry: options.onWait,
    giveUp: (error) =>
      new PosteriorError(
        error.code,
        `${error.message} (gave up after ${Math.round(options.windowMs / 1000)} s)`,
        {
          cause: error,
          ...(error.status === undefined ? {} : { status: error.status }),
        },
      ),
    signal: options.signal,
    sleep,
  });
}

/** What failed, for a log line: the SDK's message, with the server's code when it is not obvious. */
export function describe(error: unknown): string {
  if (isPosteriorError(error)) {
    // NETWORK_ERROR reads "API unreachable at <url>: <cause>"; ABORTED carries the stop's reason.
    if (error.code === 'NETWORK_ERROR' || error.code === 'ABORTED') return error.message;
    const status = error.status !== undefined && error.status !== 200 ? `, HTTP ${error.status}` : '';
    return `${error.message} (${error.code}${status})`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** "1.5 s" / "250 ms": the next wait, as a person reads it. */
export function formatDelay(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/** An `onWait` that logs each failed attempt: what failed, why, and when the next one is. */
export function logRetries(log: (message: string) => void, what: string): PersistOptions['onWait'] {
  return (error, attempt, delayMs) =>
    log(`${what} failed (attempt ${attempt}): ${describe(error)}; next try in ${formatDelay(delayMs)}`);
}
