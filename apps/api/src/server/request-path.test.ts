import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { type Harness, newUser, startHarness } from '../test-support/harness.js';

// One request path for every request (request-handler.ts): CORS, credentials and body rules are
// the same whether a request comes from a browser or a worker, and whatever its path.

const DASHBOARD = 'http://localhost:3000';
const ME = JSON.stringify({ query: '{ me { id } }' });

describe('the request path', () => {
  let h: Harness;
  let user: { token: string; email: string };

  before(async () => {
    h = await startHarness();
    user = await newUser(h, 'path');
  });
  after(() => h.close());

  test('an allowed origin gets CORS headers and its preflights a 204, on every path', async () => {
    for (const path of ['/graphql', '/artifacts']) {
      const preflight = await fetch(`${h.server.baseUrl}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin: DASHBOARD,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
      assert.equal(preflight.status, 204, path);
      assert.equal(preflight.headers.get('access-control-allow-origin'), DASHBOARD);
      assert.equal(preflight.headers.get('access-control-allow-credentials'), 'true');
      assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /authorization/);
      assert.match(preflight.headers.get('vary') ?? '', /Origin/);
    }
    const post = await fetch(h.server.url, {
      method: 'POST',
      headers: {
        origin: DASHBOARD,
        'content-type': 'application/json',
        authorization: `Bearer ${user.token}`,
      },
      body: ME,
    });
    assert.equal(post.status, 200);
    assert.equal(post.headers.get('access-control-allow-origin'), DASHBOARD);
  });

  test('any other origin gets no CORS permission, bearer or not', async () => {
    const preflight = await fetch(h.server.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    assert.notEqual(preflight.status, 204);
    const post = await fetch(h.server.url, {
      method: 'POST',
      headers: {
        origin: 'https://evil.example',
        'content-type': 'application/json',
        authorization: `Bearer ${user.token}`,
      },
      body: ME,
    });
    assert.equal(post.headers.get('access-control-allow-origin'), null);
  });

  test('the session cookie is a credential, and logging out expires it', async () => {
    const cookie = `other=1; posterior_session=${encodeURIComponent(user.token)}`;
    const me = await fetch(h.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: ME,
    });
    const body = (await me.json()) as { data?: { me: { id: string } | null } };
    assert.ok(body.data?.me?.id, JSON.stringify(body));

    const login = await fetch(h.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query:
          'mutation($e: String!) { logIn(email: $e, password: "correct horse battery", cookie: true) { token } }',
        variables: { e: user.email },
      }),
    });
    const set = login.headers.get('set-cookie') ?? '';
    assert.match(set, /^posterior_session=[^;]+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
    const session = /^posterior_session=([^;]+)/.exec(set)?.[1] ?? '';
    const out = await fetch(h.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `posterior_session=${session}` },
      body: JSON.stringify({ query: 'mutation { logOut }' }),
    });
    assert.deepEqual(await out.json(), { data: { logOut: true } });
    assert.match(
      out.headers.get('set-cookie') ?? '',
      /^posterior_session=; Path=\/; Expires=Thu, 01 Jan 1970/,
    );
  });

  test('bodies as body-parser takes them: gzip decoded, other types left to Apollo (CSRF refusal)', async () => {
    const zipped = await fetch(h.server.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'content-encoding': 'gzip',
        authorization: `Bearer ${user.token}`,
      },
      body: gzipSync(ME),
    });
    assert.equal(zipped.status, 200);
    assert.ok(((await zipped.json()) as { data?: { me: { id: string } | null } }).data?.me?.id);

    const plain = await fetch(h.server.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${user.token}` },
      body: ME,
    });
    assert.equal(plain.status, 400);
    assert.match(await plain.text(), /Cross-Site Request Forgery/);

    const latin = await fetch(h.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=latin1', authorization: `Bearer ${user.token}` },
      body: ME,
    });
    assert.equal(latin.status, 415);
    assert.match(await latin.text(), /malformed request/);
  });

  test('paths other than /graphql and the probes are Express 404s', async () => {
    assert.equal((await fetch(`${h.server.baseUrl}/nope`)).status, 404);
  });
});
