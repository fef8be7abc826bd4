import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createClient } from './client.js';
import { Endpoints, parseApiUrls } from './endpoints.js';
import { isPosteriorError } from './errors.js';

/** A port nothing listens on: bound, then released. */
async function deadUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

let live: Server;
let liveUrl = '';
let hits = 0;
let answer: () => { status: number; body: unknown } = () => ({
  status: 200,
  body: { data: { heartbeat: { shouldStop: false } } },
});

before(async () => {
  live = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hits++;
      const { status, body } = answer();
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => live.listen(0, '127.0.0.1', resolve));
  liveUrl = `http://127.0.0.1:${(live.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => live.close(() => resolve())));

describe('API replicas', () => {
  it('parses one URL, a list or a comma-separated string into distinct base URLs', () => {
    assert.deepEqual(parseApiUrls('http://a:1/graphql'), ['http://a:1']);
    assert.deepEqual(parseApiUrls('http://a:1, http://b:2/ ,http://a:1'), ['http://a:1', 'http://b:2']);
    assert.deepEqual(parseApiUrls(['http://a:1', 'http://b:2,http://c:3']), [
      'http://a:1',
      'http://b:2',
      'http://c:3',
    ]);
    assert.throws(
      () => parseApiUrls(' , '),
      (e: unknown) => isPosteriorError(e, 'BAD_USER_INPUT'),
    );
  });

  it('advances once per failed replica, even when many requests fail on it at once', () => {
    const endpoints = new Endpoints(['http://a', 'http://b', 'http://c']);
    endpoints.failover('http://a');
    endpoints.failover('http://a');
    assert.equal(endpoints.current, 'http://b');
    endpoints.failover('http://b');
    endpoints.failover('http://c');
    assert.equal(endpoints.current, 'http://a');
  });

  it('a reconnecting socket starts on the current replica and moves on with each reconnect', () => {
    const endpoints = new Endpoints('http://a,http://b');
    const choose = endpoints.reconnectingChooser();
    assert.deepEqual([choose(), choose(), choose()], ['http://a', 'http://b', 'http://a']);
  });

  it('a request that cannot reach the first replica is retried on the next, which then stays current', async () => {
    const dead = await deadUrl();
    hits = 0;
    const retried: string[] = [];
    const client = createClient({
      url: [dead, liveUrl],
      retry: { retries: 3, minDelayMs: 1, maxDelayMs: 5 },
      onRetry: (error) => retried.push(error.message),
    });
    assert.deepEqual(await client.heartbeat('7'), { shouldStop: false });
    assert.equal(retried.length, 1, 'one failed attempt on the dead replica');
    assert.match(retried[0] ?? '', new RegExp(`API unreachable at ${dead}`));
    assert.equal(client.url, liveUrl);
    await client.heartbeat('7');
    assert.equal(retried.length, 1, 'later requests go straight to the live replica');
    assert.equal(hits, 2);
  });

  it('with every replica down, the error names the replica it last tried', async () => {
    const [a, b] = [await deadUrl(), await deadUrl()];
    const client = createClient({ url: `${a},${b}`, retry: { retries: 2, minDelayMs: 1, maxDelayMs: 2 } });
    await assert.rejects(client.heartbeat('7'), (error: unknown) => {
      assert.ok(isPosteriorError(error, 'NETWORK_ERROR'));
      assert.ok(error.retryable);
      assert.match(error.message, /^API unreachable at http:\/\/127\.0\.0\.1:\d+: /);
      return true;
    });
  });

  it('DATABASE_UNAVAILABLE from the API is retried, then surfaces with its code', async () => {
    let calls = 0;
    answer = () => {
      calls++;
      return {
        status: 200,
        body: { errors: [{ message: 'database unavailable', extensions: { code: 'DATABASE_UNAVAILABLE' } }] },
      };
    };
    const client = createClient({ url: liveUrl, retry: { retries: 2, minDelayMs: 1, maxDelayMs: 2 } });
    await assert.rejects(client.heartbeat('7'), (error: unknown) => {
      assert.ok(isPosteriorError(error, 'DATABASE_UNAVAILABLE'));
      assert.ok(error.retryable);
      return true;
    });
    assert.equal(calls, 3);
  });

  it('an artifact store answering 503 keeps its code and message, and is retried', async () => {
    let calls = 0;
    answer = () => {
      calls++;
      return {
        status: 503,
        body: {
          error: {
            code: 'ARTIFACT_STORE_UNAVAILABLE',
            message: 'the artifact store cannot write: read-only file system (EROFS)',
          },
        },
      };
    };
    const client = createClient({ url: liveUrl, retry: { retries: 2, minDelayMs: 1, maxDelayMs: 2 } });
    const file = { fileName: 'c.json', contentType: 'application/json', data: new Uint8Array([123, 125]) };
    await assert.rejects(client.uploadArtifact('t1', file), (error: unknown) => {
      assert.ok(isPosteriorError(error, 'ARTIFACT_STORE_UNAVAILABLE'));
      assert.equal(error.status, 503);
      assert.ok(error.retryable);
      assert.match(error.message, /read-only file system \(EROFS\)/);
      return true;
    });
    assert.equal(calls, 3, 'first attempt and two retries');
  });
});
