'use client';

import {
  createClient,
  type MetricPoint,
  type PosteriorClient,
  PosteriorError,
  type Sink,
  type TrialEvent,
  type Unsubscribe,
} from '@posterior/sdk';
import { earlyAwareFetch, SESSION_TOKEN_KEY as TOKEN_KEY } from '../early-requests';
import { publicApiUrl } from '../public-env';

let client: PosteriorClient | null = null;
let liveClient: Promise<PosteriorClient> | null = null;

/** Where the browser sends API traffic: the API directly when configured, else this origin (proxied). */
export function apiBase(): string {
  if (publicApiUrl) return publicApiUrl.replace(/\/$/, '');
  return typeof window === 'undefined' ? 'http://localhost:4000' : window.location.origin;
}

export function storedToken(): string | undefined {
  if (typeof window === 'undefined') return undefined;
  try {
    return window.localStorage.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function setSessionToken(token: string | undefined): void {
  try {
    if (token) window.localStorage.setItem(TOKEN_KEY, token);
    else window.localStorage.removeItem(TOKEN_KEY);
  } catch {
    // private mode: the session lasts for this page only
  }
  getClient().setToken(token);
  // The socket authenticated with the old token: drop it; the next subscription reconnects.
  const old = liveClient;
  liveClient = null;
  void old?.then((c) => (c === client ? undefined : c.close()));
}

/** The SDK client (one per tab): HTTP + one shared graphql-ws connection. */
export function getClient(): PosteriorClient {
  if (!client) {
    client = createClient({
      url: apiBase(),
      token: storedToken(),
      timeoutMs: 30_000,
      retry: { retries: 2 },
      fetch: earlyAwareFetch,
      webSocketImpl: typeof WebSocket === 'undefined' ? undefined : WebSocket,
      subscriptionRetryAttempts: 1_000,
    });
  }
  return client;
}

/**
 * The client that carries subscriptions. With the same-origin proxy (the default) HTTP goes through
 * the dashboard, but WebSockets go straight to the API, whose address the server tells us at run time.
 */
function getLiveClient(): Promise<PosteriorClient> {
  if (publicApiUrl) return Promise.resolve(getClient());
  if (!liveClient) {
    liveClient = fetch('/api-config', { cache: 'no-store' })
      .then((r) => r.json() as Promise<{ apiUrl: string }>)
      .then(({ apiUrl }) =>
        createClient({
          url: apiUrl,
          token: getClient().token,
          webSocketImpl: WebSocket,
          subscriptionRetryAttempts: 1_000,
        }),
      );
    liveClient.catch(() => {
      liveClient = null;
    });
  }
  return liveClient;
}

function subscribeVia(
  start: (c: PosteriorClient) => Unsubscribe,
  onError?: (e: PosteriorError) => void,
): Unsubscribe {
  let stop: Unsubscribe | null = null;
  let cancelled = false;
  getLiveClient().then(
    (c) => {
      if (!cancelled) stop = start(c);
    },
    (e: unknown) => onError?.(new PosteriorError('NETWORK_ERROR', `cannot open live updates: ${String(e)}`)),
  );
  return () => {
    cancelled = true;
    stop?.();
  };
}

/** Live trial events of a study (created, claimed, finished). */
export function subscribeTrialEvents(studyId: string, sink: Sink<TrialEvent>): Unsubscribe {
  return subscribeVia((c) => c.trialEvents(studyId, sink), sink.error);
}

/** Live metric points of a study, or of one trial. */
export function subscribeMetricPoints(
  studyId: string,
  trialId: string | null,
  sink: Sink<readonly MetricPoint[]>,
): Unsubscribe {
  return subscribeVia((c) => c.metricPoints(studyId, trialId, sink), sink.error);
}

/** The SDK's error plus the argument the API rejected (BAD_USER_INPUT's `extensions.field`). */
export class ApiError extends PosteriorError {
  readonly field: string | undefined;
  constructor(
    code: ConstructorParameters<typeof PosteriorError>[0],
    message: string,
    options: ConstructorParameters<typeof PosteriorError>[2],
    field: string | undefined,
  ) {
    super(code, message, options);
    this.field = field;
  }
}

/**
 * A GraphQL request for fields the SDK does not wrap (history, insights, members, tokens).
 * Errors become the SDK's PosteriorError, so pages handle one error type.
 */
export async function gql<T>(
  query: string,
  variables: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<T> {
  const token = getClient().token;
  let response: Response;
  try {
    response = await earlyAwareFetch(`${apiBase()}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
      credentials: 'include',
      signal,
    });
  } catch (e) {
    throw new PosteriorError(
      'NETWORK_ERROR',
      `cannot reach the API: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const text = await response.text();
  let body: {
    data?: T;
    errors?: Array<{
      message?: string;
      extensions?: { code?: string; field?: string };
      path?: (string | number)[];
    }>;
  };
  try {
    body = JSON.parse(text);
  } catch {
    throw new PosteriorError(
      response.status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'HTTP_ERROR',
      `HTTP ${response.status}`,
      {
        status: response.status,
      },
    );
  }
  const first = body.errors?.[0];
  if (first) {
    throw new ApiError(
      first.extensions?.code ?? 'INTERNAL_SERVER_ERROR',
      first.message ?? 'GraphQL error',
      {
        status: response.status,
        ...(first.path ? { path: first.path } : {}),
      },
      first.extensions?.field,
    );
  }
  if (!body.data) throw new PosteriorError('BAD_RESPONSE', 'empty GraphQL response');
  return body.data;
}

/** Authenticated GET of a binary resource (artifacts, reports) saved as a file download. */
export async function downloadUrl(path: string, fallbackName: string): Promise<void> {
  const token = getClient().token;
  const response = await fetch(`${apiBase()}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    credentials: 'include',
  });
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
