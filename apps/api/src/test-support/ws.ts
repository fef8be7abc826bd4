import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** Test-only: a graphql-ws client and a subscription that collects what it receives. */
export function wsClient(url: string, token: string | null): Client {
  return createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
  });
}

export interface Collected<T> {
  items: T[];
  errors: unknown[];
  /** Resolves once the predicate holds over what has arrived (or rejects after `ms`). */
  until(predicate: (items: T[]) => boolean, ms?: number): Promise<void>;
  stop(): void;
}

export function collect<T>(client: Client, query: string, variables: Record<string, unknown>): Collected<T> {
  const items: T[] = [];
  const errors: unknown[] = [];
  const waiters: Array<() => void> = [];
  const stop = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => {
        if (value.errors) errors.push(...value.errors);
        if (value.data) items.push(value.data as T);
        for (const w of waiters) w();
      },
      error: (error) => {
        errors.push(error);
        for (const w of waiters) w();
      },
      complete: () => undefined,
    },
  );
  return {
    items,
    errors,
    stop,
    until(predicate, ms = 5000) {
      return new Promise<void>((resolve, reject) => {
        if (predicate(items)) return resolve();
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `timed out; got ${JSON.stringify(items).slice(0, 500)} errors ${JSON.stringify(errors)}`,
              ),
            ),
          ms,
        );
        waiters.push(() => {
          if (predicate(items) || errors.length > 0) {
            clearTimeout(timer);
            if (errors.length > 0 && !predicate(items)) reject(new Error(JSON.stringify(errors)));
            else resolve();
          }
        });
      });
    },
  };
}

/**
 * Resolves once `server`'s sockets stream `count` subscriptions on `studyId` (they then receive
 * every event published from here on): the readiness signal to wait for instead of a sleep.
 */
export async function streaming(
  server: { services: { live: { whenStreaming(studyId: string, count?: number): Promise<void> } } },
  studyId: string,
  count = 1,
  ms = 10_000,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      server.services.live.whenStreaming(studyId, count),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no ${count} stream(s) on study ${studyId} after ${ms} ms`)),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
