/**
 * One error type for everything the SDK can fail with. GraphQL errors keep the server's
 * `extensions.code`; transport failures get client-side codes so callers can branch on one field.
 */
export type GraphQLErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  /** Too many requests (a login's attempts, a client's rate): wait before trying again. */
  | 'RATE_LIMITED';

export type ClientErrorCode =
  /** The request never got an HTTP answer (refused, reset, DNS, timeout). */
  | 'NETWORK_ERROR'
  /** The server answered with a status the SDK cannot interpret as GraphQL. */
  | 'HTTP_ERROR'
  /** The server failed internally (5xx, or a GraphQL error coded INTERNAL_SERVER_ERROR). */
  | 'INTERNAL_SERVER_ERROR'
  /** The API is up but cannot reach its PostgreSQL (restart, outage): retryable. */
  | 'DATABASE_UNAVAILABLE'
  /** The answer was not the JSON shape the operation expects. */
  | 'BAD_RESPONSE'
  /** The caller's AbortSignal fired. */
  | 'ABORTED';

// `string & {}` keeps autocompletion of the known codes while accepting codes the server adds later.
export type PosteriorErrorCode = GraphQLErrorCode | ClientErrorCode | (string & {});

export interface PosteriorErrorOptions {
  readonly status?: number;
  readonly path?: readonly (string | number)[];
  /** The input the API rejected (BAD_USER_INPUT's `extensions.field`, e.g. `input.searchSpace[2].low`). */
  readonly field?: string | undefined;
  readonly cause?: unknown;
}

const USER_ERROR_CODES: ReadonlySet<string> = new Set<GraphQLErrorCode | 'BAD_REQUEST'>([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'CONFLICT',
  'BAD_REQUEST',
]);

export class PosteriorError extends Error {
  override name = 'PosteriorError';
  readonly code: PosteriorErrorCode;
  readonly status: number | undefined;
  readonly path: readonly (string | number)[] | undefined;
  /** The input the API rejected, when it names one (BAD_USER_INPUT). */
  readonly field: string | undefined;

  constructor(code: PosteriorErrorCode, message: string, options: PosteriorErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.path = options.path;
    this.field = options.field;
  }

  /**
   * Worth trying again: the request may not have reached a healthy server. User errors
   * (bad input, auth, not found, conflicts) are never retryable: repeating them cannot help.
   */
  get retryable(): boolean {
    if (
      this.code === 'NETWORK_ERROR' ||
      this.code === 'INTERNAL_SERVER_ERROR' ||
      this.code === 'DATABASE_UNAVAILABLE'
    )
      return true;
    // 503 says "not now" by definition: a typed one (ARTIFACT_STORE_UNAVAILABLE, ...) as well.
    if (this.status === 503 && !USER_ERROR_CODES.has(this.code)) return true;
    return (
      this.code === 'HTTP_ERROR' && this.status !== undefined && (this.status >= 500 || this.status === 429)
    );
  }
}

export function isPosteriorError(error: unknown, code?: PosteriorErrorCode): error is PosteriorError {
  return error instanceof PosteriorError && (code === undefined || error.code === code);
}
