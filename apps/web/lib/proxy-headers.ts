import { ARTIFACT_CSP } from './csp.ts';

/**
 * What the dashboard's API proxy (app/graphql, app/artifacts) passes on in each direction. Pure, so
 * the policy is tested without a server.
 */

/** Request headers the API sees. X-Forwarded-For/-Proto are set by server.mjs from the socket. */
const REQUEST_HEADERS = [
  'content-type',
  'authorization',
  'cookie',
  'accept',
  'x-filename',
  'apollo-require-preflight',
  'x-forwarded-for',
  'x-forwarded-proto',
  'user-agent',
];

const RESPONSE_HEADERS = ['content-type', 'content-disposition', 'content-length', 'cache-control', 'etag'];

export type ProxiedKind = 'graphql' | 'artifact';

export function upstreamRequestHeaders(incoming: Headers): Headers {
  const out = new Headers();
  for (const h of REQUEST_HEADERS) {
    const v = incoming.get(h);
    if (v) out.set(h, v);
  }
  return out;
}

/**
 * A state-changing request sent by a page of another site (its Origin names another host) is
 * refused: SameSite=Lax already keeps the cookie off cross-site POSTs; this holds even for a
 * same-site neighbour (another port or subdomain) and for browsers without SameSite.
 */
export function isCrossSiteWrite(method: string, headers: Headers): boolean {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return false;
  const origin = headers.get('origin');
  if (origin === null) return false; // not a browser page: scripts and CLIs send no Origin
  try {
    return new URL(origin).host !== headers.get('host');
  } catch {
    return true;
  }
}

/** Adds `Secure` to a Set-Cookie that lacks it (the dashboard is served over HTTPS). */
export function secureCookie(cookie: string): string {
  return /;\s*secure\s*(;|$)/i.test(cookie) ? cookie : `${cookie}; Secure`;
}

/**
 * Response headers for the browser: the API's content headers and cookies (made Secure behind
 * HTTPS), nosniff always, and for artifacts (user files on this origin) a CSP that forbids running,
 * framing or loading anything, plus a download disposition.
 */
export function browserResponseHeaders(
  upstream: Headers,
  { kind, https }: { kind: ProxiedKind; https: boolean },
): Headers {
  const out = new Headers();
  for (const h of RESPONSE_HEADERS) {
    const v = upstream.get(h);
    if (v) out.set(h, v);
  }
  for (const c of upstream.getSetCookie()) out.append('set-cookie', https ? secureCookie(c) : c);
  out.set('x-content-type-options', 'nosniff');
  out.set('referrer-policy', 'same-origin');
  if (kind === 'artifact') {
    out.set('content-security-policy', ARTIFACT_CSP);
    out.set('cross-origin-resource-policy', 'same-origin');
    out.set('x-frame-options', 'DENY');
    const disposition = upstream.get('content-disposition');
    if (!disposition?.toLowerCase().startsWith('attachment')) out.set('content-disposition', 'attachment');
  } else {
    out.set('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
  }
  return out;
}
