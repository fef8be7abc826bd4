'use client';

import {
  createClient,
  dashboard,
  type MetricPoint,
  type PosteriorClient,
  PosteriorError,
  type Sink,
  type TrialEvent,
  type Unsubscribe,
} from '@posterior/sdk';
import { earlyAwareFetch, SIGNED_IN_KEY } from '../early-requests';
import { publicApiUrl } from '../public-env';

/**
 * The browser holds no credential. `logIn`/`signUp` go through the dashboard's /graphql proxy with
 * `cookie: true`, so the API sets its httpOnly, SameSite=Lax session cookie on this origin; every
 * later request (HTTP through the route handlers, the graphql-ws socket through server.mjs) carries
 * it, and page scripts can neither read nor send it anywhere else.
 */

let client: PosteriorClient | null = null;

/** Where the browser sends API traffic: the API directly when configured, else this origin (proxied). */
export function apiBase(): string {
  if (publicApiUrl) return publicApiUrl.replace(/\/$/, '');
  return typeof window === 'undefined' ? 'http://localhost:4000' : window.location.origin;
}

/** Cookies go with every request, also to NEXT_PUBLIC_API_URL when that is another origin. */
function withCookies(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  return earlyAwareFetch(input, { ...init, credentials: 'include' });
}

/**
 * Whether this browser was signed in when last seen: a hint (not a credential) that lets the page
 * start loading data while the session is confirmed, and the early requests fire.
 */
export function signedInHint(): boolean {
  if (typeof window === 'undefined') return false;
  try {
    return window.localStorage.getItem(SIGNED_IN_KEY) === '1';
  } catch {
    return false;
  }
}

export function setSignedInHint(signedIn: boolean): void {
  try {
    if (signedIn) window.localStorage.setItem(SIGNED_IN_KEY, '1');
    else window.localStorage.removeItem(SIGNED_IN_KEY);
    // Sessions from before cookies kept their secret here: never again.
    window.localStorage.removeItem('posterior.session');
  } catch {
    // private mode: no hint, the page just waits for the session check
  }
}

/** After logging in or out: the socket authenticated with the old cookie; the next one reconnects. */
function resetClient(): void {
  void client?.close();
  client = null;
}

/** The SDK client (one per tab): HTTP + one shared graphql-ws connection, both on the session cookie. */
export function getClient(): PosteriorClient {
  if (!client) {
    client = createClient({
      url: apiBase(),
      timeoutMs: 30_000,
      retry: { retries: 2 },
      fetch: withCookies,
      webSocketImpl: typeof WebSocket === 'undefined' ? undefined : WebSocket,
      subscriptionRetryAttempts: 1_000,
    });
  }
  return client;
}

/** Live trial events of a study (created, claimed, finished). */
export function subscribeTrialEvents(studyId: string, sink: Sink<TrialEvent>): Unsubscribe {
  return getClient().trialEvents(studyId, sink);
}

/** Changes of a study no trial event carries (its description): reread the study on each. */
export function subscribeStudyUpdates(studyId: string, onUpdate: () => void): Unsubscribe {
  return getClient().studyUpdates(studyId, { next: () => onUpdate() });
}

/** Live metric points of a study, or of one trial. */
export function subscribeMetricPoints(
  studyId: string,
  trialId: string | null,
  sink: Sink<readonly MetricPoint[]>,
): Unsubscribe {
  return getClient().metricPoints(studyId, trialId, sink);
}

/** Logs in through the dashboard's proxy: the session becomes an httpOnly cookie on this origin. */
export async function logIn(email: string, password: string): Promise<void> {
  await dashboard.cookieLogIn(getClient(), email, password);
  setSignedInHint(true);
  resetClient();
}

export async function signUp(email: string, password: string, name?: string): Promise<void> {
  await dashboard.cookieSignUp(getClient(), email, password, name ?? null);
  setSignedInHint(true);
  resetClient();
}

/** Ends the session on the server (which also clears the cookie); the hint goes either way. */
export async function logOut(): Promise<void> {
  try {
    await getClient().logOut();
  } finally {
    setSignedInHint(false);
    resetClient();
  }
}

/** Authenticated GET of a binary resource (artifacts, reports) saved as a file download. */
export async function downloadUrl(path: string, fallbackName: string): Promise<void> {
  const response = await fetch(`${apiBase()}${path}`, { credentials: 'include' });
  if (!response.ok)
    throw new PosteriorError(
      response.status === 404 ? 'NOT_FOUND' : 'HTTP_ERROR',
      `download failed (HTTP ${response.status})`,
    );
  const disposition = response.headers.get('content-disposition') ?? '';
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  saveBlob(await response.blob(), m?.[1] ? decodeURIComponent(m[1]) : fallbackName);
}

export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A message for people: what went wrong and what to do about it. */
export function describeError(e: unknown): { title: string; detail: string; code: string } {
  const code = e instanceof PosteriorError ? String(e.code) : 'UNKNOWN';
  const msg = e instanceof Error ? e.message : String(e);
  switch (code) {
    case 'UNAUTHENTICATED':
      return {
        code,
        title: 'You are signed out',
        detail: 'Your session has expired. Log in again to continue.',
      };
    case 'FORBIDDEN':
      return {
        code,
        title: 'Not allowed',
        detail: `Your role in this team does not allow this. Ask a team admin. (${msg})`,
      };
    case 'NOT_FOUND':
      return {
        code,
        title: 'Not found',
        detail: 'It does not exist, or it belongs to a team you are not a member of.',
      };
    case 'NETWORK_ERROR':
      return {
        code,
        title: 'Cannot reach the API',
        detail:
          'The Posterior API is not answering. Start it with `npx posterior serve` (or `npm start`) and retry.',
      };
    case 'BAD_USER_INPUT':
      return { code, title: 'Check the input', detail: msg };
    case 'CONFLICT':
      return { code, title: 'Conflict', detail: msg };
    default:
      return { code, title: 'Something went wrong', detail: msg };
  }
}
