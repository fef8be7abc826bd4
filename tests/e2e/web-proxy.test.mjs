// The dashboard's same-origin proxy against a stand-in API that records what it receives (issue 12):
// apps/web/server.mjs and the route handlers forward the end client's address in X-Forwarded-For
// (a client's own value is replaced unless WEB_TRUST_PROXY=true), pass the session cookie both
// ways (Secure behind HTTPS), forward the WebSocket upgrade at /graphql only from this origin, and
// serve artifacts with a strict CSP, nosniff and as attachments even when the API sends none (at
// 88a3a25 the artifact proxy dropped the API's CSP and nosniff headers).
// Run: npm run build && node --test tests/e2e/web-proxy.test.mjs
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, waitFor } from '../scale/lib/procs.mjs';
import { webDir } from './stack.mjs';

const distDir = process.env.WEB_DIST_DIR || '.next';
const why = existsSync(join(webDir, distDir, 'BUILD_ID')) ? null : `the dashboard is not built (${distDir})`;
if (why && process.env.CI) throw new Error(`web proxy test cannot run in CI: ${why}`);

/** A stand-in API: records each request's headers; answers GraphQL, an HTML artifact, and upgrades. */
async function fakeApi() {
  const seen = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers });
    req.resume();
    if (req.url.startsWith('/artifacts/')) {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<script>window.__xss=1</script>');
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/json',
      'set-cookie': 'posterior_session=pss_x; Path=/; HttpOnly; SameSite=Lax',
      'x-powered-by': 'fake',
    });
    res.end(JSON.stringify({ data: { me: null } }));
  });
  server.on('upgrade', (req, socket) => {
    seen.push({ method: 'UPGRADE', url: req.url, headers: req.headers });
    socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((r) => server.close(r)) };
}

async function startWeb(apiUrl, env = {}) {
  const port = await freePort();
  const proc = spawn(process.execPath, [join(webDir, 'server.mjs'), '-p', String(port), '-H', '127.0.0.1'], {
    cwd: webDir,
    env: { ...process.env, API_URL: apiUrl, NEXT_DIST_DIR: distDir, NEXT_TELEMETRY_DISABLED: '1', ...env },
    stdio: 'ignore',
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/login`).catch(() => null))?.ok, {
    timeoutMs: 60_000,
    what: `the dashboard on ${url}`,
  });
  return {
    url,
    stop() {
      try {
        process.kill(-proc.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    },
  };
}

function upgrade(url, headers) {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/graphql`, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        ...headers,
      },
    });
    req.on('response', (r) => {
      r.resume();
      resolve(r.statusCode);
    });
    req.on('upgrade', (_r, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on('error', reject);
    req.end();
  });
}

const LOOPBACK = /^(::ffff:)?127\.0\.0\.1$/;

describe('the dashboard proxy', { skip: why ?? false, timeout: 180_000 }, () => {
  let api;
  let web;
  let trusted;
  before(async () => {
    api = await fakeApi();
    web = await startWeb(api.url);
    trusted = await startWeb(api.url, { WEB_TRUST_PROXY: 'true' });
  });
  after(async () => {
    web?.stop();
    trusted?.stop();
    await api?.close();
  });

  const last = () => api.seen[api.seen.length - 1];

  it('GraphQL: the client address is the socket, not what the client claims; the cookie passes both ways', async () => {
    const res = await fetch(`${web.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-forwarded-for': '6.6.6.6',
        'x-forwarded-proto': 'https',
        cookie: 'posterior_session=pss_in',
      },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    assert.equal(res.status, 200);
    const got = last().headers;
    assert.match(got['x-forwarded-for'], LOOPBACK);
    assert.equal(got['x-forwarded-proto'], 'http');
    assert.equal(got.cookie, 'posterior_session=pss_in');
    assert.deepEqual(res.headers.getSetCookie(), ['posterior_session=pss_x; Path=/; HttpOnly; SameSite=Lax']);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('x-powered-by'), null);
  });

  it('behind a trusted proxy: its X-Forwarded-For is kept with the peer appended, and HTTPS cookies are Secure', async () => {
    const res = await fetch(`${trusted.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-forwarded-for': '203.0.113.7',
        'x-forwarded-proto': 'https',
      },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    const got = last().headers;
    assert.match(got['x-forwarded-for'], /^203\.0\.113\.7, (::ffff:)?127\.0\.0\.1$/);
    assert.deepEqual(res.headers.getSetCookie(), [
      'posterior_session=pss_x; Path=/; HttpOnly; SameSite=Lax; Secure',
    ]);
  });

  it('artifacts: a strict CSP, nosniff and an attachment even when the API sends none', async () => {
    const res = await fetch(`${web.url}/artifacts/0b8f5e0c-3d7a-4c1e-9a51-2f6d8e4b7c10`, {
      headers: { cookie: 'posterior_session=pss_in' },
    });
    assert.equal(res.status, 200);
    assert.equal(
      res.headers.get('content-security-policy'),
      "default-src 'none'; sandbox; frame-ancestors 'none'",
    );
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('content-disposition'), 'attachment');
    assert.match(last().headers['x-forwarded-for'], LOOPBACK);
  });

  it('WebSocket: forwarded from this origin with the cookie and the client address; refused from others', async () => {
    const origin = new URL(web.url).origin;
    assert.equal(
      await upgrade(web.url, { origin: 'http://evil.example', cookie: 'posterior_session=pss_in' }),
      403,
    );
    assert.equal(
      await upgrade(web.url, { cookie: 'posterior_session=pss_in' }),
      403,
      'no Origin: not a page',
    );
    const before = api.seen.length;
    assert.equal(
      await upgrade(web.url, { origin, cookie: 'posterior_session=pss_in', 'x-forwarded-for': '6.6.6.6' }),
      101,
    );
    const got = api.seen.slice(before).find((r) => r.method === 'UPGRADE');
    assert.ok(got, 'the API saw the upgrade');
    assert.equal(got.url, '/graphql');
    assert.equal(got.headers.cookie, 'posterior_session=pss_in');
    assert.match(got.headers['x-forwarded-for'], LOOPBACK);
    assert.equal(got.headers.host, new URL(api.url).host);
  });

  it('pages: the nonce CSP and security headers', async () => {
    const res = await fetch(`${web.url}/login`);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    const again = await fetch(`${web.url}/login`);
    assert.notEqual(again.headers.get('content-security-policy'), csp, 'a fresh nonce per response');
  });
});

if (why) console.log(`# skipped: ${why}`);
