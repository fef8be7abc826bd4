import { backoffDelay as coreBackoffDelay, sleep as coreSleep, retry } from '@posterior/core';
import { PosteriorError } from './errors.js';

export interface RetryPolicy {
  /** Attempts after the first one. */
  readonly retries: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { retries: 5, minDelayMs: 200, maxDelayMs: 5_000 };

/** Exponential backoff with full jitter, so many workers hitting a restarting API spread out. */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  return coreBackoffDelay(attempt, { ...policy, jitter: 'full' }, random);
}

/** @posterior/core's sleep, rejecting with an ABORTED PosteriorError when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return coreSleep(ms, signal).catch(() => {
    throw signal ? abortError(signal) : new PosteriorError('ABORTED', 'aborted');
  });
}

export function abortError(signal: AbortSignal): PosteriorError {
  const reason: unknown = signal.reason;
  const message = reason instanceof Error ? reason.message : 'aborted';
  return new PosteriorError('ABORTED', message, { cause: reason });
}

export interface RetryHooks {
  readonly signal?: AbortSignal | undefined;
  /** Called before each wait, e.g. to log "API unreachable, retrying in 800 ms". */
  readonly onRetry?: ((error: PosteriorError, attempt: number, delayMs: number) => void) | undefined;
  /** Narrows which retryable errors are retried (non-idempotent requests: only undelivered ones). */
  readonly shouldRetry?: ((error: PosteriorError) => boolean) | undefined;
}

/** Network error codes that mean the request never left this machine: resending cannot duplicate it. */
const UNDELIVERED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * True when the request certainly did not reach the server (the connection was refused or never
 * resolved). Anything else (a reset, a timeout, a 5xx) may have come after the server did the work.
 */
export function certainlyUndelivered(error: PosteriorError): boolean {
  if (error.code !== 'NETWORK_ERROR') return false;
  for (let cause: unknown = error.cause, depth = 0; cause && depth < 5; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && UNDELIVERED.has(code)) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}

/** Runs `fn`, retrying only errors that are `PosteriorError.retryable` (@posterior/core's retry). */
export function withRetry<T>(fn: () => Promise<T>, policy: RetryPolicy, hooks: RetryHooks = {}): Promise<T> {
  return retry(fn, {
    ...policy,
    jitter: 'full',
    shouldRetry: (error): error is PosteriorError =>
      error instanceof PosteriorError &&
      error.retryable &&
      (hooks.shouldRetry === undefined || hooks.shouldRetry(error)),
    onRetry: hooks.onRetry,
    signal: hooks.signal,
    sleep,
  });
}
