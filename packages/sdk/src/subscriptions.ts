import { type Client, createClient } from 'graphql-ws';
import { PosteriorError } from './errors.js';
import { graphQLError, websocketUrl } from './transport.js';
import { obj } from './wire.js';

export interface Sink<T> {
  next(value: T): void;
  error?(error: PosteriorError): void;
  complete?(): void;
}

export type Unsubscribe = () => void;

/**
 * The shared socket's state, for a page that must say honestly whether it is live: `connecting`
 * (opening, or waiting to retry), `connected` (acknowledged by the server: subscriptions flow) and
 * `closed` (dropped; graphql-ws retries unless the close was final). A listener that sees
 * `connected` after `closed` knows events may have been missed in between.
 */
export type ConnectionState = 'connecting' | 'connected' | 'closed';
export type ConnectionListener = (state: ConnectionState) => void;

/** Longest wait between reconnect attempts: a restarted API is back within a couple of seconds. */
export const RECONNECT_CAP_MS = 2000;
const RECONNECT_BASE_MS = 200;

/**
 * Delay before reconnect attempt `retries` (0-based): doubling from 200 ms, capped at 2 s, with
 * "equal jitter" (a random point in the upper half) so many clients dropped at once by one
 * restarting replica do not all come back in the same instant.
 */
export function reconnectDelayMs(retries: number, random: () => number = Math.random): number {
  const ceiling = Math.min(RECONNECT_CAP_MS, RECONNECT_BASE_MS * 2 ** Math.max(0, retries));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** graphql-ws close codes the server uses when a credential or an access right is gone. */
const AUTH_CLOSE_CODES = new Set([4401, 4403]);

function closeCode(value: unknown): number | undefined {
  const code = (value as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Reconnect after network failures and server restarts; never after an auth close (it would fail again). */
export function shouldReconnect(errorOrCloseEvent: unknown): boolean {
  const code = closeCode(errorOrCloseEvent);
  return code === undefined || !AUTH_CLOSE_CODES.has(code);
}

export interface SubscriptionOptions {
  readonly url: string;
  readonly token: () => string | undefined;
  /** A WebSocket constructor: `ws` in Node 20 (see `@posterior/sdk/node`), the global one in browsers. */
  readonly webSocketImpl?: unknown;
  /** Reconnect attempts after the socket drops (graphql-ws resubscribes on reconnect). */
  readonly retryAttempts?: number;
}

/** Lazily opens one graphql-ws connection shared by every subscription of a client. */
export class Subscriptions {
  private client: Client | undefined;
  private readonly listeners = new Set<ConnectionListener>();
  private state: ConnectionState = 'closed';

  /** Calls `listener` on every change of the socket's state (and at once with the current one). */
  onConnection(listener: ConnectionListener): Unsubscribe {
    this.listeners.add(listener);
    listener(this.state);
    return () => this.listeners.delete(listener);
  }

  private emit(state: ConnectionState): void {
    this.state = state;
    for (const l of [...this.listeners]) l(state);
  }

  constructor(private readonly options: SubscriptionOptions) {}

  subscribe<T>(
    query: string,
    variables: Record<string, unknown>,
    field: string,
    convert: (value: unknown) => T,
    sink: Sink<T>,
  ): Unsubscribe {
    const fail = (error: PosteriorError) => {
      if (sink.error) sink.error(error);
    };
    let client: Client;
    try {
      client = this.connect();
    } catch (error) {
      fail(error instanceof PosteriorError ? error : new PosteriorError('NETWORK_ERROR', String(error)));
      return () => {};
    }
    return client.subscribe(
      { query, variables },
      {
        next: (result) => {
          const first: unknown = result.errors?.[0];
          if (first !== undefined) {
            fail(graphQLError(first));
            return;
          }
          try {
            sink.next(convert(obj(result.data, 'subscription data')[field]));
          } catch (error) {
            fail(error instanceof PosteriorError ? error : new PosteriorError('BAD_RESPONSE', String(error)));
          }
        },
        error: (error: unknown) => fail(toSubscriptionError(error)),
        complete: () => sink.complete?.(),
      },
    );
  }

  /** Async-iterator view of `subscribe`, for scripts and tests (`for await (const e of ...)`). */
  iterate<T>(
    query: string,
    variables: Record<string, unknown>,
    field: string,
    convert: (value: unknown) => T,
  ): AsyncIterableIterator<T> {
    const queue: T[] = [];
    let failure: PosteriorError | undefined;
    let done = false;
    let wake: (() => void) | undefined;
    const notify = () => {
      wake?.();
      wake = undefined;
    };
    const unsubscribe = this.subscribe(query, variables, field, convert, {
      next: (value) => {
        queue.push(value);
        notify();
      },
      error: (error) => {
        failure = error;
        notify();
      },
      complete: () => {
        done = true;
        notify();
      },
    });
    const iterator: AsyncIterableIterator<T> = {
      async next(): Promise<IteratorResult<T>> {
        for (;;) {
          const value = queue.shift();
          if (value !== undefined) return { value, done: false };
          if (failure) throw failure;
          if (done) return { value: undefined, done: true };
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
      },
      async return(): Promise<IteratorResult<T>> {
        done = true;
        unsubscribe();
        notify();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  async dispose(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.dispose();
  }

  private connect(): Client {
    if (this.client) return this.client;
    const impl = this.options.webSocketImpl ?? (globalThis as { WebSocket?: unknown }).WebSocket;
    if (impl === undefined) {
      throw new PosteriorError(
        'NETWORK_ERROR',
        'no WebSocket implementation: in Node 20 use createNodeClient from @posterior/sdk/node',
      );
    }
    this.client = createClient({
      url: websocketUrl(this.options.url),
      webSocketImpl: impl,
      lazy: true,
      retryAttempts: this.options.retryAttempts ?? 10,
      // graphql-ws's default backoff doubles from 1 s with no cap (2^retries s + up to 3 s): the
      // tenth attempt would wait 17 minutes. Capped at 2 s with jitter instead.
      retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, reconnectDelayMs(retries))),
      // graphql-ws retries only close events by default; a reconnect that hits a restarting API
      // fails with an error event (ECONNREFUSED) and would end every subscription. Retry those too
      // (retryAttempts still bounds it), and a restarting API's 1001/1006 closes; but not 4401/4403:
      // a revoked, expired or logged-out credential (or lost access) surfaces as an error at once.
      shouldRetry: shouldReconnect,
      on: {
        connecting: () => this.emit('connecting'),
        connected: () => this.emit('connected'),
        closed: () => this.emit('closed'),
      },
      connectionParams: () => {
        const token = this.options.token();
        return token ? { authorization: `Bearer ${token}` } : {};
      },
    });
    return this.client;
  }
}

function toSubscriptionError(error: unknown): PosteriorError {
  if (error instanceof PosteriorError) return error;
  if (Array.isArray(error) && error.length > 0) return graphQLError(error[0]);
  if (error instanceof Error) return new PosteriorError('NETWORK_ERROR', error.message, { cause: error });
  // A CloseEvent: graphql-ws hands these over when it stops retrying.
  const event = error as { code?: unknown; reason?: unknown };
  if (typeof event.code === 'number') {
    const reasonText = typeof event.reason === 'string' ? event.reason : '';
    const reason = reasonText ? `: ${reasonText}` : '';
    return new PosteriorError(
      closeErrorCode(event.code, reasonText),
      `subscription socket closed (${event.code})${reason}`,
    );
  }
  return new PosteriorError('NETWORK_ERROR', String(error));
}

/**
 * 4401 (revoked, logged out, expired) and 4403 "Forbidden" (graphql-ws refusing the connection: the
 * credential was not accepted) are UNAUTHENTICATED; a 4403 saying access to a study was withdrawn
 * (the user left or was removed from its team) is FORBIDDEN.
 */
function closeErrorCode(code: number, reason: string): 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NETWORK_ERROR' {
  if (code === 4401) return 'UNAUTHENTICATED';
  if (code === 4403) return /no longer allowed/i.test(reason) ? 'FORBIDDEN' : 'UNAUTHENTICATED';
  return 'NETWORK_ERROR';
}
