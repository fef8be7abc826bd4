import { backoffDelay } from '@posterior/core';
import { type Client, createClient } from 'graphql-ws';
import { PosteriorError } from './errors.js';
import { graphQLError, websocketUrl } from './transport.js';
import { obj } from './wire.js';

export interface Sink<T> {
  next(value: T): void;
  error?(error: PosteriorError): void;
  complete?(): void;
}

/** A sink of numbered events (trialEvents): told when missed events could not be replayed. */
export interface SequencedSink<T> extends Sink<T> {
  /**
   * Events were missed and the server no longer holds them (EVENTS_EXPIRED): reload what the
   * events describe (e.g. the study's trials). The stream goes on from the current events.
   */
  resync?(reason: PosteriorError): void;
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
  const backoff = { minDelayMs: RECONNECT_BASE_MS, maxDelayMs: RECONNECT_CAP_MS, jitter: 'equal' } as const;
  return backoffDelay(Math.max(0, retries), backoff, random);
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
  /** The API's URL, or a chooser called before each (re)connection (failover between replicas). */
  readonly url: string | (() => string);
  readonly token: () => string | undefined;
  /** A WebSocket constructor: `ws` in Node 20 (see `@posterior/sdk/node`), the global one in browsers. */
  readonly webSocketImpl?: unknown;
  /**
   * Reconnect attempts after the socket drops (graphql-ws resubscribes on reconnect). Unbounded by
   * default: an API or database outage of any length ends with the subscriptions back, never with
   * them silently gone; only an auth close (4401/4403) or `retryAttempts` ends them.
   */
  readonly retryAttempts?: number;
  /** Delay before reconnect attempt `retries` (0-based); `reconnectDelayMs` unless replaced (tests). */
  readonly reconnectDelay?: (retries: number) => number;
  /** Called before each reconnect wait, e.g. to log "subscriptions: ... retrying in 1.4 s". */
  readonly onReconnect?: (error: PosteriorError, attempt: number, delayMs: number) => void;
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
      fail(error instanceof PosteriorError ? error : toSubscriptionError(error, this.wsUrl()));
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
            fail(
              error instanceof PosteriorError
                ? error
                : new PosteriorError('BAD_RESPONSE', `${field}: ${describe(error)}`, { cause: error }),
            );
          }
        },
        error: (error: unknown) => fail(toSubscriptionError(error, this.wsUrl())),
        complete: () => sink.complete?.(),
      },
    );
  }

  /**
   * `subscribe` for a stream of numbered events (`seq`, 1, 2, 3, ... per study) whose document
   * takes `$afterSeq`: delivers each event once and in order, however the connection fares.
   * - Reconnects (graphql-ws resubscribes with the same variables object) carry `afterSeq` = the
   *   last number delivered, so the server replays what was missed while away.
   * - A number more than one past the last delivered (events lost on the way) restarts the
   *   subscription from the last delivered number: the replay fills the gap.
   * - A number at or below the last delivered (a replay overlapping live events) is skipped.
   * - EVENTS_EXPIRED (the gap is older than the server keeps): `sink.resync()`, then the stream
   *   continues from the current events.
   */
  subscribeSequenced<T extends { readonly seq: number | null }>(
    query: string,
    variables: Record<string, unknown>,
    field: string,
    convert: (value: unknown) => T,
    sink: SequencedSink<T>,
    afterSeq: number | null = null,
  ): Unsubscribe {
    let last = afterSeq;
    let stopped = false;
    let current: Unsubscribe = () => undefined;
    const start = (): void => {
      if (stopped) return;
      // graphql-ws serializes this object again on every resubscribe: keep afterSeq current in it.
      const vars: Record<string, unknown> = { ...variables, afterSeq: last };
      let restarted = false;
      const restart = (): void => {
        if (restarted) return;
        restarted = true;
        current();
        queueMicrotask(start);
      };
      current = this.subscribe(query, vars, field, convert, {
        next: (event) => {
          if (stopped || restarted) return;
          const seq = event.seq;
          if (seq === null || last === null) {
            if (seq !== null) last = seq;
          } else if (seq <= last) {
            return;
          } else if (seq > last + 1) {
            restart();
            return;
          } else {
            last = seq;
          }
          vars.afterSeq = last;
          sink.next(event);
        },
        error: (error) => {
          if (stopped || restarted) return;
          if (error.code === 'EVENTS_EXPIRED') {
            last = null;
            restart();
            sink.resync?.(error);
            return;
          }
          sink.error?.(error);
        },
        complete: () => {
          if (!stopped && !restarted) sink.complete?.();
        },
      });
    };
    start();
    return () => {
      stopped = true;
      current();
    };
  }

  /** Async-iterator view of `subscribe`, for scripts and tests (`for await (const e of ...)`). */
  iterate<T>(
    query: string,
    variables: Record<string, unknown>,
    field: string,
    convert: (value: unknown) => T,
  ): AsyncIterableIterator<T> {
    return this.iterateFrom((sink) => this.subscribe(query, variables, field, convert, sink));
  }

  /** Async-iterator view of any sink-based subscription (`open` starts it with the given sink). */
  iterateFrom<T>(open: (sink: Sink<T>) => Unsubscribe): AsyncIterableIterator<T> {
    const queue: T[] = [];
    let failure: PosteriorError | undefined;
    let done = false;
    let wake: (() => void) | undefined;
    const notify = () => {
      wake?.();
      wake = undefined;
    };
    const unsubscribe = open({
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
    // graphql-ws rejects dispose() with the pending connect's error while the API is unreachable:
    // closing a socket that never opened is still a successful close.
    await Promise.resolve(client?.dispose()).catch(() => undefined);
  }

  /** The socket URL now: a function `url` picks the replica (failover moves on at each reconnect). */
  private wsUrl(): string {
    const { url } = this.options;
    return websocketUrl(typeof url === 'string' ? url : url());
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
    // Why the socket last failed, for the reconnect log (graphql-ws's retryWait is not told).
    let lastFailure: unknown = null;
    this.client = createClient({
      url: () => this.wsUrl(),
      webSocketImpl: impl,
      lazy: true,
      retryAttempts: this.options.retryAttempts ?? Number.POSITIVE_INFINITY,
      // graphql-ws's default backoff doubles from 1 s with no cap (2^retries s + up to 3 s): the
      // tenth attempt would wait 17 minutes. Capped at 2 s with jitter instead.
      retryWait: (retries) => {
        const delay = (this.options.reconnectDelay ?? reconnectDelayMs)(retries);
        this.options.onReconnect?.(toSubscriptionError(lastFailure, this.wsUrl()), retries + 1, delay);
        return new Promise((resolve) => setTimeout(resolve, delay));
      },
      // graphql-ws retries only close events by default; a reconnect that hits a restarting API
      // fails with an error event (ECONNREFUSED) and would end every subscription. Retry those too
      // (retryAttempts still bounds it), and a restarting API's 1001/1006 closes; but not 4401/4403:
      // a revoked, expired or logged-out credential (or lost access) surfaces as an error at once.
      shouldRetry: shouldReconnect,
      on: {
        connecting: () => {
          lastFailure = null;
          this.emit('connecting');
        },
        connected: () => this.emit('connected'),
        error: (error) => {
          lastFailure = error;
        },
        // A failed connect also closes (1006): the error before it says more ("ECONNREFUSED").
        closed: (event) => {
          lastFailure ??= event;
          this.emit('closed');
        },
      },
      connectionParams: () => {
        const token = this.options.token();
        return token ? { authorization: `Bearer ${token}` } : {};
      },
    });
    return this.client;
  }
}

/**
 * What failed, in words: graphql-ws hands over an Error, GraphQL errors, a CloseEvent, or (for a
 * socket that could not connect) a DOM/ws ErrorEvent whose String() is "[object Object]".
 */
export function toSubscriptionError(error: unknown, url?: string): PosteriorError {
  const where = url ? ` (${url})` : '';
  if (error instanceof PosteriorError) return error;
  if (Array.isArray(error) && error.length > 0) return graphQLError(error[0]);
  if (error instanceof Error) {
    return new PosteriorError('NETWORK_ERROR', `subscription socket failed${where}: ${describe(error)}`, {
      cause: error,
    });
  }
  const event = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    reason?: unknown;
    message?: unknown;
    error?: unknown;
  };
  // A CloseEvent: graphql-ws hands these over when it stops retrying.
  if (typeof event.code === 'number') {
    const reasonText = typeof event.reason === 'string' ? event.reason : '';
    const reason = reasonText ? `: ${reasonText}` : '';
    return new PosteriorError(
      closeErrorCode(event.code, reasonText),
      `subscription socket closed (${event.code})${where}${reason}`,
    );
  }
  if (event.error !== undefined || event.message !== undefined) {
    return new PosteriorError('NETWORK_ERROR', `subscription socket failed${where}: ${describe(event)}`, {
      cause: error,
    });
  }
  return new PosteriorError('NETWORK_ERROR', `subscription socket failed${where}: ${describe(error)}`, {
    cause: error,
  });
}

/** The most specific message an error (or error-like event) carries: "connect ECONNREFUSED ...". */
function describe(error: unknown): string {
  if (typeof error === 'string') return error || 'unknown error';
  if (typeof error !== 'object' || error === null) return String(error);
  const e = error as { message?: unknown; error?: unknown; cause?: unknown; code?: unknown };
  if (e.error !== undefined && e.error !== error) {
    const inner = describe(e.error);
    if (inner !== 'unknown error') return inner;
  }
  if (typeof e.message === 'string' && e.message) return e.message;
  if (e.cause !== undefined && e.cause !== error) return describe(e.cause);
  if (typeof e.code === 'string') return e.code;
  return 'unknown error';
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
