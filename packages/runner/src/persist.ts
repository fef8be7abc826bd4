import { isPosteriorError, PosteriorError, sleep } from '@posterior/sdk';

export interface PersistOptions {
  /** Give up once the API has been unreachable this long. */
  readonly windowMs: number;
  readonly signal?: AbortSignal | undefined;
  /** First wait; doubles up to 5 s. */
  readonly initialDelayMs?: number | undefined;
  readonly onWait?: ((error: PosteriorError, delayMs: number) => void) | undefined;
}

/**
 * Keeps calling through an API outage (restart, network blip) well beyond the SDK's own few
 * retries, so a worker rides out a redeploy instead of abandoning its trial. Only retryable
 * errors are repeated; user errors (CONFLICT, NOT_FOUND, ...) surface at once.
 */
export async function persist<T>(fn: () => Promise<T>, options: PersistOptions): Promise<T> {
  const started = Date.now();
  let delay = options.initialDelayMs ?? 500;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (!isPosteriorError(error) || !error.retryable) throw error;
      if (Date.now() - started + delay > options.windowMs) {
        throw new PosteriorError(
          error.code,
          `${error.message} (gave up after ${Math.round(options.windowMs / 1000)} s)`,
          {
            cause: error,
            ...(error.status === undefined ? {} : { status: error.status }),
          },
        );
      }
      options.onWait?.(error, delay);
      await sleep(delay, options.signal);
      delay = Math.min(delay * 2, 5_000);
    }
  }
}
