import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { PosteriorError } from './errors.js';
import {
  RECONNECT_CAP_MS,
  reconnectDelayMs,
  Subscriptions,
  shouldReconnect,
  toSubscriptionError,
} from './subscriptions.js';

describe('reconnect backoff', () => {
  it('doubles from 200 ms and never exceeds 2 s, whatever the attempt', () => {
    const low = () => 0;
    const high = () => 1;
    assert.deepEqual(
      [0, 1, 2, 3].map((n) => reconnectDelayMs(n, high)),
      [200, 400, 800, 1600],
    );
    for (const retries of [4, 5, 10, 30, 1000]) {
      assert.equal(reconnectDelayMs(retries, high), RECONNECT_CAP_MS);
      assert.equal(reconnectDelayMs(retries, low), RECONNECT_CAP_MS / 2);
    }
  });

  it('is jittered: different random draws give different delays in the upper half', () => {
    const delays = new Set(Array.from({ length: 50 }, () => reconnectDelayMs(10)));
    assert.ok(delays.size > 10, `only ${delays.size} distinct delays`);
    for (const d of delays) assert.ok(d >= 1000 && d <= 2000, String(d));
  });

  it('retries network failures and restarts, never auth closes', () => {
    assert.equal(shouldReconnect(new Error('connect ECONNREFUSED')), true);
    assert.equal(shouldReconnect({ code: 1006, reason: '' }), true);
    assert.equal(shouldReconnect({ code: 1001, reason: 'Going away' }), true);
    assert.equal(shouldReconnect({ code: 4401, reason: 'credential revoked' }), false);
    assert.equal(shouldReconnect({ code: 4403, reason: 'Forbidden' }), false);
  });
});

/**
 * A minimal graphql-transport-ws server: acks (or refuses) connection_init, answers every subscribe
 * with one `next`, and lets a test close the current socket with any code.
 */
describe('subscription transport against a live socket', () => {
  let wss: WebSocketServer;
  let url = '';
  let connections = 0;
  let sockets: WebSocket[] = [];
  let onInit: (socket: WebSocket) => boolean = () => true;

  before(async () => {
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1', path: '/graphql' });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    url = `http://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    wss.on('connection', (socket) => {
      connections++;
      sockets.push(socket);
      socket.on('message', (raw) => {
        const message = JSON.parse(String(raw)) as { type: string; id?: string };
        if (message.type === 'connection_init') {
          if (onInit(socket)) socket.send(JSON.stringify({ type: 'connection_ack' }));
        } else if (message.type === 'subscribe') {
          socket.send(
            JSON.stringify({ type: 'next', id: message.id, payload: { data: { tick: connections } } }),
          );
        }
      });
    });
  });
  after(async () => {
    for (const s of wss.clients) s.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
  beforeEach(() => {
    connections = 0;
    sockets = [];
    onInit = () => true;
  });

  function open() {
    const subs = new Subscriptions({
      url,
      token: () => 'pss_test',
      webSocketImpl: WebSocket,
      retryAttempts: 5,
    });
    const ticks: number[] = [];
    const errors: PosteriorError[] = [];
    subs.subscribe('subscription { tick }', {}, 'tick', (v) => v as number, {
      next: (v) => ticks.push(v),
      error: (e) => errors.push(e),
    });
    return { subs, ticks, errors };
  }

  async function until(predicate: () => boolean, ms = 5000): Promise<void> {
    for (let waited = 0; !predicate(); waited += 20) {
      if (waited > ms) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('reconnects and resubscribes after network drops', async () => {
    const { subs, ticks, errors } = open();
    await until(() => ticks.length === 1);
    for (let drop = 1; drop <= 3; drop++) {
      sockets.at(-1)?.terminate(); // an abnormal closure (1006), as when a replica dies
      await until(() => ticks.length === drop + 1);
    }
    assert.deepEqual(ticks, [1, 2, 3, 4]);
    assert.deepEqual(errors, []);
    await subs.dispose();
  });

  it('tells connection listeners about every drop and reconnect, in order', async () => {
    const { subs, ticks } = open();
    const states: string[] = [];
    const stop = subs.onConnection((s) => states.push(s));
    await until(() => ticks.length === 1);
    sockets.at(-1)?.terminate();
    await until(() => ticks.length === 2);
    stop();
    sockets.at(-1)?.terminate();
    await until(() => ticks.length === 3);
    // first the state at the time of subscribing, then one drop and one reconnect; nothing after stop()
    const connects = states.filter((s) => s === 'connected').length;
    assert.equal(connects, 2, states.join(' '));
    assert.ok(states.indexOf('closed', states.indexOf('connected')) > 0, states.join(' '));
    assert.equal(states.at(-1), 'connected');
    await subs.dispose();
  });

  for (const [code, reason, expected] of [
    [4401, 'credential revoked or logged out', 'UNAUTHENTICATED'],
    [4403, 'Forbidden', 'UNAUTHENTICATED'],
    [4403, 'no longer allowed to read study 1', 'FORBIDDEN'],
  ] as const) {
    it(`a ${code} "${reason}" close surfaces as ${expected} and is not retried`, async () => {
      const { subs, ticks, errors } = open();
      await until(() => ticks.length === 1);
      sockets.at(-1)?.close(code, reason);
      await until(() => errors.length === 1);
      assert.ok(errors[0] instanceof PosteriorError);
      assert.equal(errors[0].code, expected);
      assert.match(errors[0].message, new RegExp(`\\(${code}\\)`));
      // Longer than the first reconnect delay could be: nobody came back.
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(connections, 1);
      await subs.dispose();
    });
  }

  it('a connection refused at init with 1013 (the server could not check it) is retried and streams', async () => {
    // What the API sends when its credential lookup fails (database unreachable): not a verdict.
    let refusals = 0;
    onInit = (socket) => {
      if (refusals++ > 0) return true;
      socket.close(1013, 'credential check unavailable; try again');
      return false;
    };
    const { subs, ticks, errors } = open();
    await until(() => ticks.length === 1);
    assert.equal(connections, 2);
    assert.deepEqual(errors, []);
    await subs.dispose();
  });

  it('a connection refused at init (4403 Forbidden) surfaces as UNAUTHENTICATED without retrying', async () => {
    onInit = (socket) => {
      socket.close(4403, 'Forbidden');
      return false;
    };
    const { subs, ticks, errors } = open();
    await until(() => errors.length === 1);
    assert.equal(errors[0]?.code, 'UNAUTHENTICATED');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(connections, 1);
    assert.deepEqual(ticks, []);
    await subs.dispose();
  });
});

describe('an unreachable API', () => {
  it('is retried without end by default, and each failure says what failed', async () => {
    // A port nobody listens on: every connect is refused, as during an API outage.
    const probe = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => probe.once('listening', () => resolve()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const failures: Array<{ error: PosteriorError; attempt: number }> = [];
    const subs = new Subscriptions({
      url: `http://127.0.0.1:${port}`,
      token: () => 'pss_test',
      webSocketImpl: WebSocket,
      reconnectDelay: () => 5,
      onReconnect: (error, attempt) => failures.push({ error, attempt }),
    });
    const errors: PosteriorError[] = [];
    subs.subscribe('subscription { tick }', {}, 'tick', (v) => v as number, {
      next: () => undefined,
      error: (e) => errors.push(e),
    });
    for (let waited = 0; failures.length < 25; waited += 20) {
      assert.ok(waited < 10_000, `only ${failures.length} reconnect attempts`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // Past the old limit of 10 attempts, and still going: nothing was given up.
    assert.deepEqual(errors, []);
    assert.equal(failures.at(-1)?.attempt, failures.length);
    for (const { error } of failures.slice(1)) {
      assert.equal(error.code, 'NETWORK_ERROR');
      assert.doesNotMatch(error.message, /\[object Object\]/);
      assert.match(error.message, new RegExp(`ws://127\\.0\\.0\\.1:${port}/graphql`));
      assert.match(error.message, /ECONNREFUSED/);
    }
    await subs.dispose();
  });

  it('an error event (not an Error) is described by its message, never "[object Object]"', () => {
    const event = { type: 'error', message: 'connect ECONNREFUSED 10.0.0.1:4000', error: undefined };
    const error = toSubscriptionError(event, 'ws://api/graphql');
    assert.equal(
      error.message,
      'subscription socket failed (ws://api/graphql): connect ECONNREFUSED 10.0.0.1:4000',
    );
    const nested = toSubscriptionError({ error: new Error('getaddrinfo ENOTFOUND api') });
    assert.match(nested.message, /ENOTFOUND api/);
  });
});

/**
 * Numbered events (trialEvents): a fake server that streams events numbered from the subscriber's
 * `afterSeq`, dropping the ones a test says to lose, so gaps, reconnects and expiry can be staged.
 */
describe('numbered event streams heal gaps', () => {
  let wss: WebSocketServer;
  let url = '';
  let subscribes: Array<number | null> = [];
  let sockets: WebSocket[] = [];
  /** What the server sends for a subscribe with this afterSeq: numbers, or 'expired'. */
  let plan: (afterSeq: number | null) => number[] | 'expired' = () => [];

  before(async () => {
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1', path: '/graphql' });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    url = `http://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    wss.on('connection', (socket) => {
      sockets.push(socket);
      socket.on('message', (raw) => {
        const message = JSON.parse(String(raw)) as {
          type: string;
          id?: string;
          payload?: { variables?: { afterSeq?: number | null } };
        };
        if (message.type === 'connection_init') socket.send(JSON.stringify({ type: 'connection_ack' }));
        if (message.type !== 'subscribe') return;
        const after = message.payload?.variables?.afterSeq ?? null;
        subscribes.push(after);
        const events = plan(after);
        if (events === 'expired') {
          socket.send(
            JSON.stringify({
              type: 'error',
              id: message.id,
              payload: [{ message: 'gone', extensions: { code: 'EVENTS_EXPIRED' } }],
            }),
          );
          return;
        }
        for (const seq of events) {
          socket.send(JSON.stringify({ type: 'next', id: message.id, payload: { data: { ev: { seq } } } }));
        }
      });
    });
  });
  after(async () => {
    for (const s of wss.clients) s.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
  beforeEach(() => {
    subscribes = [];
    sockets = [];
  });

  async function until(predicate: () => boolean, ms = 5000): Promise<void> {
    for (let waited = 0; !predicate(); waited += 20) {
      if (waited > ms) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  function open() {
    const subs = new Subscriptions({
      url,
      token: () => 'pss_test',
      webSocketImpl: WebSocket,
      reconnectDelay: () => 10,
    });
    const seen: number[] = [];
    const errors: PosteriorError[] = [];
    let resyncs = 0;
    const stop = subs.subscribeSequenced(
      'subscription($afterSeq: Int) { ev(afterSeq: $afterSeq) { seq } }',
      {},
      'ev',
      (v) => v as { seq: number },
      {
        next: (e) => seen.push(e.seq),
        error: (e) => errors.push(e),
        resync: () => {
          resyncs += 1;
        },
      },
    );
    return { subs, seen, errors, stop, resyncs: () => resyncs };
  }

  it('a number skipped on the way is noticed and replayed from the last one seen, nothing twice', async () => {
    // Event 3 is lost the first time; asked again after 2, the server sends 3, 4, 5.
    plan = (after) => (after === null ? [1, 2, 4] : [3, 4, 5].filter((n) => n > after));
    const { subs, seen, errors } = open();
    await until(() => seen.length === 5);
    assert.deepEqual(seen, [1, 2, 3, 4, 5]);
    assert.deepEqual(subscribes, [null, 2]);
    assert.deepEqual(errors, []);
    await subs.dispose();
  });

  it('a reconnect resubscribes from the last number seen, so events sent meanwhile are replayed', async () => {
    plan = (after) => (after === null ? [1, 2] : [3, 4].filter((n) => n > after));
    const { subs, seen } = open();
    await until(() => seen.length === 2);
    sockets.at(-1)?.terminate(); // a replica restart
    await until(() => seen.length === 4);
    assert.deepEqual(seen, [1, 2, 3, 4]);
    assert.deepEqual(subscribes, [null, 2]);
    await subs.dispose();
  });

  it('events too old to replay (EVENTS_EXPIRED): resync, then the stream goes on from the current events', async () => {
    plan = (after) => (after === null ? (subscribes.length === 1 ? [1, 2, 5] : [9]) : 'expired');
    const { subs, seen, errors, resyncs } = open();
    await until(() => seen.length === 3);
    assert.deepEqual(seen, [1, 2, 9]);
    assert.deepEqual(subscribes, [null, 2, null]);
    assert.equal(resyncs(), 1);
    assert.deepEqual(errors, []);
    await subs.dispose();
  });
});
