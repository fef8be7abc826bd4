import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Db } from '../common/db.js';
import type { ApiServer } from '../server/server.js';
import { gqlAt, type Harness, newUser, startHarness } from '../test-support/harness.js';
import { AuthService } from './auth.service.js';
import { LoginRateLimiter, limiterKeyHash } from './rate-limit.js';

const LOG_IN = 'mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { token } }';
const RIGHT = 'correct horse battery';

describe('log-in rate limit shared through PostgreSQL', () => {
  let h: Harness;
  let b: ApiServer;
  let db: Db;

  before(async () => {
    h = await startHarness();
    b = await h.peer();
    db = Db.fromDataSource(h.db.dataSource);
  });
  after(async () => {
    await db.close();
    await h.close();
  });
  // Every request here comes from 127.0.0.1: start each test with a clean budget.
  beforeEach(async () => {
    await h.db.dataSource.query('DELETE FROM login_failures');
  });

  test('two API processes share one budget: 5 failures on each, then both refuse', async () => {
    const user = await newUser(h, 'shared');
    const codes: string[] = [];
    for (let i = 0; i < 10; i++) {
      const url = i % 2 === 0 ? h.server.url : b.url;
      const r = await gqlAt(url, LOG_IN, { e: user.email, p: 'wrong password' });
      codes.push(r.errors?.[0]?.extensions?.code ?? 'OK');
    }
    assert.deepEqual(codes, Array(10).fill('UNAUTHENTICATED'));
    for (const url of [h.server.url, b.url]) {
      const r = await gqlAt<unknown>(url, LOG_IN, { e: user.email, p: RIGHT });
      const error = r.errors?.[0] as { extensions?: { code?: string; retryAfterS?: number } } | undefined;
      assert.equal(error?.extensions?.code, 'RATE_LIMITED');
      const wait = error?.extensions?.retryAfterS ?? 0;
      assert.ok(wait > 250 && wait <= 300, `retryAfterS ${wait} within the 5-minute window`);
    }
  });

  test('keys are stored hashed, never as the email or the address', async () => {
    const user = await newUser(h, 'hashed');
    await gqlAt(h.server.url, LOG_IN, { e: user.email, p: 'wrong password' });
    const rows: Array<{ key_hash: string; failures: number }> = await h.db.dataSource.query(
      'SELECT key_hash, failures FROM login_failures ORDER BY key_hash',
    );
    const expected = [
      limiterKeyHash(`email:${user.email.toLowerCase()}`),
      limiterKeyHash('client:127.0.0.1'),
    ];
    assert.deepEqual(rows.map((r) => r.key_hash).sort(), expected.sort());
    assert.equal(JSON.stringify(rows).includes(user.email.toLowerCase()), false);
    assert.equal(JSON.stringify(rows).includes('127.0.0.1'), false);
  });

  test('the window expires: once it has passed, failures count from one again', async () => {
    const limiter = new LoginRateLimiter(db, { maxFailures: 3, windowMs: 60_000 });
    for (let i = 0; i < 3; i++) await limiter.fail(['k']);
    assert.ok((await limiter.retryAfterS(['k', 'other'])) > 0);
    assert.equal(await limiter.retryAfterS(['other']), 0);
    // Age the window past its end instead of sleeping through it.
    await h.db.dataSource.query(
      "UPDATE login_failures SET window_start = window_start - interval '61 seconds' WHERE key_hash = $1",
      [limiterKeyHash('k')],
    );
    assert.equal(await limiter.retryAfterS(['k']), 0);
    await limiter.fail(['k']);
    const [row] = await h.db.dataSource.query('SELECT failures FROM login_failures WHERE key_hash = $1', [
      limiterKeyHash('k'),
    ]);
    assert.equal(row.failures, 1, 'a new window opened');
    assert.equal(await limiter.retryAfterS(['k']), 0);
  });

  test('ended windows are deleted by a later failure (at most once a minute per process)', async () => {
    await h.db.dataSource.query(
      `INSERT INTO login_failures (key_hash, window_start, failures)
       VALUES ('old', now() - interval '2 minutes', 5), ('recent', now(), 2)`,
    );
    const limiter = new LoginRateLimiter(db, { maxFailures: 3, windowMs: 60_000 });
    await limiter.fail(['fresh']);
    const rows: Array<{ key_hash: string }> = await h.db.dataSource.query(
      'SELECT key_hash FROM login_failures ORDER BY key_hash',
    );
    assert.deepEqual(
      rows.map((r) => r.key_hash),
      [limiterKeyHash('fresh'), 'recent'].sort(),
    );
  });

  test('concurrent failures on two services all count (atomic upsert)', async () => {
    const one = new LoginRateLimiter(db, { maxFailures: 40, windowMs: 60_000 });
    const two = new LoginRateLimiter(db, { maxFailures: 40, windowMs: 60_000 });
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? one : two).fail(['burst'])));
    const [row] = await h.db.dataSource.query('SELECT failures FROM login_failures WHERE key_hash = $1', [
      limiterKeyHash('burst'),
    ]);
    assert.equal(row.failures, 40);
    assert.ok((await two.retryAfterS(['burst'])) > 0);
  });

  test('a successful log-in resets the account budget (on every process), not the address', async () => {
    const user = await newUser(h, 'reset');
    const limit = { maxFailures: 3, windowMs: 60_000 };
    const serviceA = new AuthService(db, () => undefined, 5000, limit);
    const serviceB = new AuthService(db, () => undefined, 5000, limit);
    const wrong = (s: AuthService, client: string) =>
      s.logIn(user.email, 'wrong password', client).then(
        () => 'OK',
        (e: { extensions?: { code?: string } }) => e.extensions?.code ?? 'ERROR',
      );
    // Two failures from each of two addresses: the email key reaches 3+ while each address stays under.
    assert.equal(await wrong(serviceA, 'a1'), 'UNAUTHENTICATED');
    assert.equal(await wrong(serviceB, 'a2'), 'UNAUTHENTICATED');
    assert.equal(await wrong(serviceA, 'a3'), 'UNAUTHENTICATED');
    assert.equal(await wrong(serviceB, 'a4'), 'RATE_LIMITED');
    // The window is still open: age only the email key so the right password gets through once.
    await h.db.dataSource.query(
      "UPDATE login_failures SET window_start = window_start - interval '61 seconds' WHERE key_hash = $1",
      [limiterKeyHash(`email:${user.email.toLowerCase()}`)],
    );
    await serviceA.logIn(user.email, RIGHT, 'a5');
    const [email] = await h.db.dataSource.query(
      'SELECT count(*)::int AS n FROM login_failures WHERE key_hash = $1',
      [limiterKeyHash(`email:${user.email.toLowerCase()}`)],
    );
    assert.equal(email.n, 0, 'success deleted the account key');
    // After the reset, the same account gets its full budget again, counted across both services.
    assert.equal(await wrong(serviceB, 'b1'), 'UNAUTHENTICATED');
    assert.equal(await wrong(serviceA, 'b2'), 'UNAUTHENTICATED');
    assert.equal(await wrong(serviceB, 'b3'), 'UNAUTHENTICATED');
    assert.equal(await wrong(serviceA, 'b4'), 'RATE_LIMITED');
    const [client] = await h.db.dataSource.query('SELECT failures FROM login_failures WHERE key_hash = $1', [
      limiterKeyHash('client:a1'),
    ]);
    assert.equal(client.failures, 1, 'success leaves address keys alone');
  });
});
