import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Db } from '../common/db.js';
import type { ApiServer } from '../server/server.js';
import { type GqlResult, gqlAt, type Harness, newUser, startHarness } from '../test-support/harness.js';
import { bucketAddress } from './client-address.js';
import { LoginRateLimiter, limiterKeyHash } from './rate-limit.js';

const LOG_IN = 'mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { token } }';
const SIGN_UP = 'mutation($e: String!, $p: String!) { signUp(email: $e, password: $p) { token } }';
const RIGHT = 'correct horse battery';
const LIMIT = (maxFailures: number) => ({ maxFailures, windowMs: 60_000 });

/** A GraphQL POST that says it comes through a proxy for `forwardedFor`. */
async function gqlFrom(
  url: string,
  forwardedFor: string | null,
  query: string,
  variables: Record<string, unknown>,
): Promise<GqlResult> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(forwardedFor === null ? {} : { 'x-forwarded-for': forwardedFor }),
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GqlResult;
}

const codeOf = (r: GqlResult<unknown>) => r.errors?.[0]?.extensions?.code ?? 'OK';

describe('log-in and sign-up limits shared through PostgreSQL (issue 12, items 4 and 5)', () => {
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
  beforeEach(async () => {
    await h.db.dataSource.query('DELETE FROM login_failures');
  });

  test('two API processes share one budget: 5 failures on each, then both refuse', async () => {
    const user = await newUser(h, 'shared');
    const codes: string[] = [];
    for (let i = 0; i < 10; i++) {
      const url = i % 2 === 0 ? h.server.url : b.url;
      codes.push(codeOf(await gqlAt(url, LOG_IN, { e: user.email, p: 'wrong password' })));
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

  test('30 parallel wrong guesses: only the limit (10) get a password check, the rest are refused', async () => {
    const user = await newUser(h, 'burst');
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        gqlAt(i % 2 === 0 ? h.server.url : b.url, LOG_IN, { e: user.email, p: `wrong ${i}` }),
      ),
    );
    const codes = results.map(codeOf);
    // UNAUTHENTICATED is the answer of a verified guess; RATE_LIMITED never reached argon2.
    assert.equal(codes.filter((c) => c === 'UNAUTHENTICATED').length, 10, codes.join(' '));
    assert.equal(codes.filter((c) => c === 'RATE_LIMITED').length, 20, codes.join(' '));
  });

  test("an attacker's failures do not lock the owner out: the owner's own address still gets in", async () => {
    const owner = await newUser(h, 'owner');
    // Requests come from 127.0.0.1, the default trusted proxy: X-Forwarded-For names the client.
    const attacker = '203.0.113.5';
    for (let i = 0; i < 10; i++)
      assert.equal(
        codeOf(await gqlFrom(h.server.url, attacker, LOG_IN, { e: owner.email, p: 'guess' })),
        'UNAUTHENTICATED',
      );
    assert.equal(
      codeOf(await gqlFrom(h.server.url, attacker, LOG_IN, { e: owner.email, p: RIGHT })),
      'RATE_LIMITED',
    );
    const fromHome = await gqlFrom(h.server.url, '198.51.100.7', LOG_IN, { e: owner.email, p: RIGHT });
    assert.equal(codeOf(fromHome), 'OK', JSON.stringify(fromHome));
    // ...and from a new address of a proxy chain, the end client is the right-most untrusted hop.
    const chained = await gqlFrom(h.server.url, `${attacker}, 192.0.2.44`, LOG_IN, {
      e: owner.email,
      p: RIGHT,
    });
    assert.equal(codeOf(chained), 'OK', JSON.stringify(chained));
  });

  test('X-Forwarded-For is ignored unless the peer is a trusted proxy', async () => {
    const untrusting = await h.peer({ trustedProxies: ['10.0.0.0/8'] });
    const user = await newUser(h, 'spoof');
    const codes: string[] = [];
    // A client that rotates a forged X-Forwarded-For is still one address: 127.0.0.1.
    for (let i = 0; i < 11; i++)
      codes.push(codeOf(await gqlFrom(untrusting.url, `198.51.100.${i}`, LOG_IN, { e: user.email, p: 'x' })));
    assert.deepEqual(codes, [...Array(10).fill('UNAUTHENTICATED'), 'RATE_LIMITED']);
  });

  test('one address spraying many accounts is stopped by the per-address budget', async () => {
    const strict = await h.peer({ authLimits: { address: LIMIT(5) } });
    const users = await Promise.all(Array.from({ length: 3 }, (_, i) => newUser(h, `spray${i}`)));
    const codes: string[] = [];
    for (let i = 0; i < 7; i++) {
      const u = users[i % users.length];
      assert.ok(u);
      codes.push(codeOf(await gqlFrom(strict.url, '203.0.113.9', LOG_IN, { e: u.email, p: 'guess' })));
    }
    assert.deepEqual(codes, [...Array(5).fill('UNAUTHENTICATED'), 'RATE_LIMITED', 'RATE_LIMITED']);
    // Other addresses are not affected.
    const u = users[0];
    assert.ok(u);
    assert.equal(codeOf(await gqlFrom(strict.url, '203.0.113.10', LOG_IN, { e: u.email, p: RIGHT })), 'OK');
  });

  test('a successful log-in resets its account-and-address budget, and only refunds the address', async () => {
    const user = await newUser(h, 'reset');
    const from = '192.0.2.7';
    for (let i = 0; i < 3; i++) await gqlFrom(h.server.url, from, LOG_IN, { e: user.email, p: 'guess' });
    assert.equal(codeOf(await gqlFrom(h.server.url, from, LOG_IN, { e: user.email, p: RIGHT })), 'OK');
    const rows: Array<{ key_hash: string; failures: number }> = await h.db.dataSource.query(
      'SELECT key_hash, failures FROM login_failures',
    );
    const byKey = new Map(rows.map((r) => [r.key_hash, r.failures]));
    assert.equal(byKey.get(limiterKeyHash(`login:${from}:${user.email.toLowerCase()}`)), undefined);
    assert.equal(byKey.get(limiterKeyHash(`login:${from}`)), 3, 'the three failures stay on the address');
  });

  test('keys are stored hashed, never as the email or the address', async () => {
    const user = await newUser(h, 'hashed');
    await h.db.dataSource.query('DELETE FROM login_failures'); // the sign-up's own count
    await gqlAt(h.server.url, LOG_IN, { e: user.email, p: 'wrong password' });
    const rows: Array<{ key_hash: string }> = await h.db.dataSource.query(
      'SELECT key_hash FROM login_failures',
    );
    assert.deepEqual(
      rows.map((r) => r.key_hash).sort(),
      [
        limiterKeyHash(`login:127.0.0.1:${user.email.toLowerCase()}`),
        limiterKeyHash('login:127.0.0.1'),
      ].sort(),
    );
    assert.equal(JSON.stringify(rows).includes(user.email.toLowerCase()), false);
    assert.equal(JSON.stringify(rows).includes('127.0.0.1'), false);
  });

  test('the window expires: once it has passed, attempts count from one again', async () => {
    const limiter = new LoginRateLimiter(db, 60_000);
    const k = { key: 'k', limit: LIMIT(3) };
    for (let i = 0; i < 3; i++) assert.equal(await limiter.take([k]), 0);
    assert.ok((await limiter.take([k])) > 0);
    assert.ok((await limiter.retryAfterS([k])) > 0);
    await h.db.dataSource.query(
      "UPDATE login_failures SET window_start = window_start - interval '61 seconds' WHERE key_hash = $1",
      [limiterKeyHash('k')],
    );
    assert.equal(await limiter.retryAfterS([k]), 0);
    assert.equal(await limiter.take([k]), 0);
    const [row] = await h.db.dataSource.query('SELECT failures FROM login_failures WHERE key_hash = $1', [
      limiterKeyHash('k'),
    ]);
    assert.equal(row.failures, 1, 'a new window opened');
  });

  test('ended windows are deleted by a later attempt (at most once a minute per process)', async () => {
    await h.db.dataSource.query(
      `INSERT INTO login_failures (key_hash, window_start, failures)
       VALUES ('old', now() - interval '2 minutes', 5), ('recent', now(), 2)`,
    );
    const limiter = new LoginRateLimiter(db, 60_000);
    await limiter.take([{ key: 'fresh', limit: LIMIT(3) }]);
    const rows: Array<{ key_hash: string }> = await h.db.dataSource.query(
      'SELECT key_hash FROM login_failures ORDER BY key_hash',
    );
    assert.deepEqual(
      rows.map((r) => r.key_hash),
      [limiterKeyHash('fresh'), 'recent'].sort(),
    );
  });

  test('sign-ups are limited per client address', async () => {
    const strict = await h.peer({ authLimits: { signUpAddress: LIMIT(2) } });
    const codes: string[] = [];
    for (let i = 0; i < 3; i++)
      codes.push(
        codeOf(
          await gqlFrom(strict.url, '203.0.113.20', SIGN_UP, {
            e: `s${i}-${Date.now()}@example.com`,
            p: RIGHT,
          }),
        ),
      );
    assert.deepEqual(codes, ['OK', 'OK', 'RATE_LIMITED']);
    assert.equal(
      codeOf(
        await gqlFrom(strict.url, '203.0.113.21', SIGN_UP, { e: `t-${Date.now()}@example.com`, p: RIGHT }),
      ),
      'OK',
    );
  });

  test('common passwords are refused at sign-up', async () => {
    for (const p of ['password123', 'Password1', 'qwertyuiop', '12345678']) {
      const r = await gqlAt(h.server.url, SIGN_UP, { e: `c-${Date.now()}@example.com`, p });
      assert.equal(codeOf(r), 'BAD_USER_INPUT', p);
      assert.equal(r.errors?.[0]?.extensions?.field, 'password');
    }
  });
});

describe('client addresses for budgets', () => {
  test('IPv6 counts by /64, IPv4-mapped IPv6 as IPv4', () => {
    assert.equal(bucketAddress('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
    assert.equal(bucketAddress('2001:db8:1:2:ffff::1'), '2001:db8:1:2::/64');
    assert.equal(bucketAddress('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(bucketAddress('192.0.2.1'), '192.0.2.1');
  });
});
