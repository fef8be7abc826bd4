import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ARTIFACT_CSP, contentSecurityPolicy, newNonce, PAGE_SECURITY_HEADERS } from './csp.ts';
import {
  browserResponseHeaders,
  isCrossSiteWrite,
  secureCookie,
  upstreamRequestHeaders,
} from './proxy-headers.ts';

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values];
    }),
  );
}

describe('page Content-Security-Policy', () => {
  const nonce = newNonce();
  const csp = directives(contentSecurityPolicy({ nonce }));

  it('runs only scripts with the request nonce (or loaded by them): no inline handlers, no eval', () => {
    assert.deepEqual(csp.get('script-src'), ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"]);
    for (const values of csp.values()) {
      assert.ok(!values.includes("'unsafe-eval'"));
      assert.ok(!values.includes('*'));
    }
    assert.ok(!csp.get('script-src')?.includes("'unsafe-inline'"));
  });

  it('forbids framing, plugins and base-URI tricks', () => {
    assert.deepEqual(csp.get('frame-ancestors'), ["'none'"]);
    assert.deepEqual(csp.get('object-src'), ["'none'"]);
    assert.deepEqual(csp.get('base-uri'), ["'none'"]);
    assert.deepEqual(csp.get('default-src'), ["'self'"]);
    assert.equal(PAGE_SECURITY_HEADERS['X-Content-Type-Options'], 'nosniff');
  });

  it('lets the charts export PNGs (data:, blob:) and the live socket connect to this origin', () => {
    assert.deepEqual(csp.get('img-src'), ["'self'", 'data:', 'blob:']);
    assert.deepEqual(csp.get('connect-src'), ["'self'"]);
    const direct = directives(contentSecurityPolicy({ nonce, apiOrigin: 'https://api.example.com/graphql' }));
    assert.deepEqual(direct.get('connect-src'), [
      "'self'",
      'https://api.example.com',
      'wss://api.example.com',
    ]);
  });

  it('a fresh nonce per request, and only base64 nonces', () => {
    assert.notEqual(newNonce(), newNonce());
    assert.match(newNonce(), /^[A-Za-z0-9+/]{22}==$/);
    assert.throws(() => contentSecurityPolicy({ nonce: "x' 'unsafe-inline" }));
    assert.ok(
      directives(contentSecurityPolicy({ nonce, dev: true }))
        .get('script-src')
        ?.includes("'unsafe-eval'"),
    );
  });
});

describe('API proxy headers', () => {
  it('artifacts: the strict artifact CSP, nosniff and a download, whatever the API sent', () => {
    const upstream = new Headers({
      'content-type': 'text/html',
      'content-security-policy': "default-src 'none'; sandbox",
      'x-powered-by': 'whatever',
      'content-length': '12',
    });
    const out = browserResponseHeaders(upstream, { kind: 'artifact', https: false });
    assert.equal(out.get('content-security-policy'), ARTIFACT_CSP);
    assert.match(ARTIFACT_CSP, /default-src 'none'/);
    assert.match(ARTIFACT_CSP, /sandbox/);
    assert.match(ARTIFACT_CSP, /frame-ancestors 'none'/);
    assert.equal(out.get('x-content-type-options'), 'nosniff');
    assert.equal(out.get('content-disposition'), 'attachment');
    assert.equal(out.get('content-type'), 'text/html');
    assert.equal(out.get('x-powered-by'), null);
    const named = browserResponseHeaders(
      new Headers({ 'content-disposition': 'attachment; filename="a.bin"' }),
      {
        kind: 'artifact',
        https: false,
      },
    );
    assert.equal(named.get('content-disposition'), 'attachment; filename="a.bin"');
  });

  it('graphql: nosniff and a CSP too; the session cookie passes, Secure behind HTTPS', () => {
    const upstream = new Headers({ 'content-type': 'application/json' });
    upstream.append('set-cookie', 'posterior_session=abc; Path=/; HttpOnly; SameSite=Lax');
    const plain = browserResponseHeaders(upstream, { kind: 'graphql', https: false });
    assert.deepEqual(plain.getSetCookie(), ['posterior_session=abc; Path=/; HttpOnly; SameSite=Lax']);
    assert.equal(plain.get('x-content-type-options'), 'nosniff');
    assert.match(plain.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    const secure = browserResponseHeaders(upstream, { kind: 'graphql', https: true });
    assert.deepEqual(secure.getSetCookie(), [
      'posterior_session=abc; Path=/; HttpOnly; SameSite=Lax; Secure',
    ]);
    assert.equal(secureCookie('a=b; Secure'), 'a=b; Secure');
  });

  it('forwards the client address and the cookie, nothing else of note', () => {
    const out = upstreamRequestHeaders(
      new Headers({
        cookie: 'posterior_session=abc',
        'x-forwarded-for': '203.0.113.9',
        'x-forwarded-proto': 'https',
        'x-real-ip': '1.2.3.4',
        host: 'dashboard.example',
      }),
    );
    assert.equal(out.get('cookie'), 'posterior_session=abc');
    assert.equal(out.get('x-forwarded-for'), '203.0.113.9');
    assert.equal(out.get('x-real-ip'), null);
    assert.equal(out.get('host'), null);
  });

  it('refuses writes from pages of other origins; reads and non-browser clients pass', () => {
    const from = (origin: string | null) =>
      new Headers({ host: 'dash.example:3000', ...(origin ? { origin } : {}) });
    assert.equal(isCrossSiteWrite('POST', from('http://evil.example')), true);
    assert.equal(isCrossSiteWrite('POST', from('http://dash.example:3001')), true);
    assert.equal(isCrossSiteWrite('POST', from('null')), true);
    assert.equal(isCrossSiteWrite('POST', from('http://dash.example:3000')), false);
    assert.equal(isCrossSiteWrite('POST', from(null)), false);
    assert.equal(isCrossSiteWrite('GET', from('http://evil.example')), false);
  });
});
