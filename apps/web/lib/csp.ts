/**
 * The dashboard's Content-Security-Policy, one function for every page (proxy.ts) so that the
 * policy is tested in one place. Scripts run only with the per-request nonce (Next puts it on its
 * own scripts; the root layout on its two inline ones) or when loaded by such a script
 * ('strict-dynamic'): an injected <script> or inline handler does not run even if markup slipped
 * through. Charts draw on canvas; PNG export and downloads use data: and blob: URLs. Inline styles
 * stay allowed: React's style attributes need them, and they cannot run script.
 */
export interface CspOptions {
  nonce: string;
  /** The development server evaluates code for hot reloading. */
  dev?: boolean;
  /** NEXT_PUBLIC_API_URL: the API the browser calls directly, when configured (else same origin only). */
  apiOrigin?: string | undefined;
}

/** A fresh nonce: 128 random bits, base64. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/** The API origin and its WebSocket twin, for connect-src. */
function apiSources(apiOrigin: string | undefined): string[] {
  if (!apiOrigin) return [];
  try {
    const u = new URL(apiOrigin);
    const ws = `${u.protocol === 'https:' ? 'wss' : 'ws'}://${u.host}`;
    return [u.origin, ws];
  } catch {
    return [];
  }
}

export function contentSecurityPolicy({ nonce, dev = false, apiOrigin }: CspOptions): string {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(nonce))
    throw new Error('nonce: expected at least 16 base64 characters');
  const directives: Array<[string, ...string[]]> = [
    ['default-src', "'self'"],
    ['script-src', "'self'", `'nonce-${nonce}'`, "'strict-dynamic'", ...(dev ? ["'unsafe-eval'"] : [])],
    ['style-src', "'self'", "'unsafe-inline'"],
    ['img-src', "'self'", 'data:', 'blob:'],
    ['font-src', "'self'"],
    // 'self' covers ws(s):// to this origin (the graphql-ws proxy) in CSP Level 3 browsers.
    ['connect-src', "'self'", ...apiSources(apiOrigin)],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'self'"],
    ['frame-ancestors', "'none'"],
    ['frame-src', "'none'"],
    ['worker-src', "'self'", 'blob:'],
    ['manifest-src', "'self'"],
  ];
  return directives.map((d) => d.join(' ')).join('; ');
}

/** Headers every dashboard page carries besides the CSP. */
export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

/**
 * Artifacts are files users uploaded, served from this origin: never a document that can run
 * anything or be framed, whatever its content type says.
 */
export const ARTIFACT_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'";
