import { createClient, type PosteriorClient, type RetryPolicy } from '@posterior/sdk';
import { describe, formatDelay } from './persist.js';

/**
 * The SDK retry policy for a worker's client: one quick retry (which reaches the next replica
 * after a network error), no more, so every longer wait happens in the worker's own retry loop,
 * which logs each attempt with what failed and the next delay.
 */
export const WORKER_SDK_RETRY: RetryPolicy = { retries: 1, minDelayMs: 100, maxDelayMs: 200 };

/** A worker's SDK client on one API or several replicas; its quick retry is logged too. */
export function createWorkerClient(
  url: string | readonly string[],
  token: string | undefined,
  log: (message: string) => void,
): PosteriorClient {
  const client: PosteriorClient = createClient({
    url,
    token,
    retry: WORKER_SDK_RETRY,
    // After a network error the client has moved on to the next replica already: say where to.
    onRetry: (error, _attempt, delayMs) =>
      log(`API request failed: ${describe(error)}; retrying in ${formatDelay(delayMs)} at ${client.url}`),
  });
  return client;
}
