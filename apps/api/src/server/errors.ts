import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import { isDatabaseUnavailable } from '../common/database-unavailable.js';
import type { Logger } from '../common/logger.js';

/** Codes a client may see; anything else is an internal failure and is masked. */
const PUBLIC_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'CONFLICT',
  'RATE_LIMITED',
  'EVENTS_EXPIRED',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * Apollo's formatError and the WebSocket path both go through here: typed errors pass with their
 * code; anything unexpected (a bug, a database error) is logged with its stack and reaches the
 * client as a bare INTERNAL_SERVER_ERROR.
 */
export function formatError(
  logger: Logger,
  formatted: GraphQLFormattedError,
  error: unknown,
): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && PUBLIC_CODES.has(code)) {
    const { stacktrace: _drop, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  // graphql-js coercion errors (a missing or mistyped argument) carry no code and no original error.
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (error instanceof GraphQLError && original === undefined) {
    return {
      message: formatted.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'BAD_USER_INPUT' },
    };
  }
  // The database being down is not a bug: say so (retryable), so a worker can tell it from one.
  if (isDatabaseUnavailable(original ?? error)) {
    logger.warn({ err: original ?? error, path: formatted.path }, 'database unavailable');
    return {
      message: 'database unavailable',
      path: formatted.path,
      extensions: { code: 'DATABASE_UNAVAILABLE' },
    };
  }
  logger.error({ err: original ?? error, path: formatted.path }, 'internal error in operation');
  return {
    message: 'internal server error',
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}
