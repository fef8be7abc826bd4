import { type NextRequest, NextResponse } from 'next/server';
import { contentSecurityPolicy, newNonce, PAGE_SECURITY_HEADERS } from './lib/csp';
import { publicApiUrl } from './lib/public-env';

/**
 * Every page gets a fresh script nonce and the strict CSP (lib/csp.ts). Next reads the nonce from
 * the request's Content-Security-Policy header and puts it on its scripts; the root layout reads
 * `x-nonce` for its own. Route handlers (the API proxy, artifacts) set their own headers.
 */
export function proxy(request: NextRequest): NextResponse {
  const nonce = newNonce();
  const csp = contentSecurityPolicy({
    nonce,
    dev: process.env.NODE_ENV === 'development',
    apiOrigin: publicApiUrl,
  });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('Content-Security-Policy', csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('Content-Security-Policy', csp);
  for (const [name, value] of Object.entries(PAGE_SECURITY_HEADERS)) response.headers.set(name, value);
  return response;
}

export const config = {
  matcher: [
    {
      // Pages only: not the API proxy, artifacts, Next's static files or the icon.
      source: '/((?!graphql|artifacts|_next/static|_next/image|favicon.ico|icon.svg).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
