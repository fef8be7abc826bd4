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
      // graphql-ws retries only close events by default; a reconnect that hits a restarting API
      // fails with an error event (ECONNREFUSED) and would end every subscription. Retry those too
      // (retryAttempts still bounds it).
      shouldRetry: () => true,
      // graphql-ws by default gives up on close codes it considers fatal; a restarting API closes
      // with 1001/1006, which are retried, while 4401/4403 (auth) surface as errors.
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
    const code =
      event.code === 4401 ? 'UNAUTHENTICATED' : event.code === 4403 ? 'FORBIDDEN' : 'NETWORK_ERROR';
    const reason = typeof event.reason === 'string' && event.reason ? `: ${event.reason}` : '';
    return new PosteriorError(code, `subscription socket closed (${event.code})${reason}`);
  }
  return new PosteriorError('NETWORK_ERROR', String(error));
}
