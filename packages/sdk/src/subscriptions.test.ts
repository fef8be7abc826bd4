import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { PosteriorError } from './errors.js';
import { RECONNECT_CAP_MS, reconnectDelayMs, Subscriptions, shouldReconnect } from './subscriptions.js';

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
