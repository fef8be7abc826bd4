import { baseUrl, Endpoints } from './endpoints.js';
import { PosteriorError } from './errors.js';
import {
  abortError,
  certainlyUndelivered,
  defaultRetryPolicy,
  type RetryHooks,
  type RetryPolicy,
  withRetry,
} from './retry.js';
import { obj } from './wire.js';

export interface TransportOptions {
  /**
   * Base URL of the API, e.g. `http://localhost:4000` (a trailing `/graphql` is accepted); or
   * several replicas' (an array or comma-separated), tried in turn when one cannot be reached.
   */
  readonly url: string | readonly string[];
  readonly token?: string | undefined;
  readonly retry?: Partial<RetryPolicy> | undefined;
  readonly onRetry?: RetryHooks['onRetry'];
  /** Defaults to the global fetch (Node 18+, browsers). */
  readonly fetch?: typeof fetch | undefined;
  /** Per-attempt timeout: a hung connection counts as a network error and is retried. */
  readonly timeoutMs?: number | undefined;
}

export interface RequestOptions {
  readonly signal?: AbortSignal | undefined;
}

/**
 * How a request may be retried. `idempotent` (default): on any retryable failure, since repeating
 * it cannot do the work twice. `once`: a mutation that would be done twice (create a study, team
 * or token): retried only when it certainly never reached the server (connection refused, name
 * not resolved); a failure after that surfaces to the caller, who can look before trying again.
 */
export type Delivery = 'idempotent' | 'once';

export { baseUrl };

export function websocketUrl(url: string): string {
  return `${baseUrl(url).replace(/^http/, 'ws')}/graphql`;
}

/** HTTP plumbing shared by GraphQL and artifact requests: auth header, timeouts, retries. */
export class Transport {
  readonly endpoints: Endpoints;
  token: string | undefined;
  private readonly policy: RetryPolicy;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: TransportOptions) {
    this.endpoints = new Endpoints(options.url);
    this.token = options.token;
    this.policy = { ...defaultRetryPolicy, ...options.retry };
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** The replica requests go to now. */
  get base(): string {
    return this.endpoints.current;
  }

  authHeaders(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }

  /** One HTTP exchange with retries on network errors and 5xx; `read` interprets the response. */
  async send<T>(
    path: string,
    init: RequestInit,
    read: (response: Response) => Promise<T>,
    options: RequestOptions = {},
    delivery: Delivery = 'idempotent',
  ): Promise<T> {
    return withRetry(
      async () => {
        const response = await this.fetchOnce(path, init, options.signal);
        return read(response);
      },
      this.policy,
      {
        signal: options.signal,
        onRetry: this.options.onRetry,
        ...(delivery === 'once' ? { shouldRetry: certainlyUndelivered } : {}),
      },
    );
  }

  private async fetchOnce(
    path: string,
    init: RequestInit,
    signal: AbortSignal | undefined,
  ): Promise<Response> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 30_000);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const base = this.base;
    try {
      return await this.fetchImpl(`${base}${path}`, {
        ...init,
        headers: { ...this.authHeaders(), ...(init.headers as Record<string, string> | undefined) },
        signal: combined,
      });
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      const detail = describeNetworkError(error);
      // The retry (the SDK's own, or the caller's) goes to the next replica, if there is one.
      this.endpoints.failover(base);
      throw new PosteriorError('NETWORK_ERROR', `API unreachable at ${base}: ${detail}`, { cause: error });
    }
  }

  /** Executes a GraphQL document and returns `data[field]` (the field of the single operation). */
  graphql(
    query: string,
    variables: Record<string, unknown>,
    field: string,
    options?: RequestOptions,
    delivery: Delivery = 'idempotent',
  ): Promise<unknown> {
    const body = JSON.stringify({ query, variables });
    const init: RequestInit = { method: 'POST', headers: { 'content-type': 'application/json' }, body };
    return this.send('/graphql', init, async (response) => readGraphQL(response, field), options, delivery);
  }

  /**
   * For a document of several mutation fields run in order: `data` whole, plus the errors of the
   * fields named in `tolerate` (first element of their path). Any other error is thrown as by
   * `graphql` (and retried when retryable), since it concerns the whole request or its first field.
   */
  graphqlFields(
    query: string,
    variables: Record<string, unknown>,
    tolerate: readonly string[],
    options?: RequestOptions,
    delivery: Delivery = 'idempotent',
  ): Promise<{ data: Record<string, unknown> | null; errors: PosteriorError[] }> {
    const body = JSON.stringify({ query, variables });
    const init: RequestInit = { method: 'POST', headers: { 'content-type': 'application/json' }, body };
    return this.send(
      '/graphql',
      init,
      async (response) => readGraphQLFields(response, tolerate),
      options,
      delivery,
    );
  }
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    if (cause instanceof Error && cause.message) return cause.message;
    if (error.name === 'TimeoutError') return 'request timed out';
    return error.message;
  }
  return String(error);
}

async function readGraphQLFields(
  response: Response,
  tolerate: readonly string[],
): Promise<{ data: Record<string, unknown> | null; errors: PosteriorError[] }> {
  const o = await readBody(response);
  const raw = Array.isArray(o.errors) ? (o.errors as unknown[]) : [];
  const errors = raw.map((e) => graphQLError(e, response.status));
  const fatal = errors.find((e) => typeof e.path?.[0] !== 'string' || !tolerate.includes(e.path[0]));
  if (fatal) throw fatal;
  if (errors.length === 0 && !response.ok) {
    throw new PosteriorError('HTTP_ERROR', `HTTP ${response.status}`, { status: response.status });
  }
  const data = o.data === null || o.data === undefined ? null : obj(o.data, 'GraphQL data');
  return { data, errors };
}

async function readGraphQL(response: Response, field: string): Promise<unknown> {
  const o = await readBody(response);
  const errors = Array.isArray(o.errors) ? o.errors : [];
  const first: unknown = errors[0];
  if (first !== undefined) throw graphQLError(first, response.status);
  if (!response.ok) {
    throw new PosteriorError('HTTP_ERROR', `HTTP ${response.status}`, { status: response.status });
  }
  const data = obj(o.data, 'GraphQL data');
  if (!(field in data)) throw new PosteriorError('BAD_RESPONSE', `response has no field ${field}`);
  return data[field];
}

/** The response's JSON object; a body that is not JSON (a proxy's error page) as an HTTP error. */
async function readBody(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const code = response.status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'HTTP_ERROR';
    throw new PosteriorError(code, `HTTP ${response.status}: ${text.slice(0, 200)}`, {
      status: response.status,
    });
  }
  return obj(body, 'GraphQL response');
}

export function graphQLError(raw: unknown, status?: number): PosteriorError {
  const e = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const message = typeof e.message === 'string' ? e.message : 'GraphQL error';
  const ext =
    typeof e.extensions === 'object' && e.extensions !== null
      ? (e.extensions as Record<string, unknown>)
      : {};
  let code = typeof ext.code === 'string' ? ext.code : 'INTERNAL_SERVER_ERROR';
  // Validation/parse failures are caller bugs: never retry them even though they lack a user code.
  if (code === 'GRAPHQL_VALIDATION_FAILED' || code === 'GRAPHQL_PARSE_FAILED') code = 'BAD_REQUEST';
  const path = Array.isArray(e.path) ? (e.path as (string | number)[]) : undefined;
  const field = typeof ext.field === 'string' ? ext.field : undefined;
  return new PosteriorError(code, message, { status, path, field });
}
