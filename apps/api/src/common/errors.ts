import { GraphQLError } from 'graphql';

/**
 * One subclass per condition, each with a literal `extensions.code` (docs/DESIGN.md section 5). Services
 * throw these; anything else that escapes a resolver is masked as INTERNAL_SERVER_ERROR by the
 * server's error formatter so no stack trace or SQL reaches a client.
 */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'EVENTS_EXPIRED';

abstract class CodedError extends GraphQLError {
  abstract readonly code: ErrorCode;
}

export class UnauthenticatedError extends CodedError {
  readonly code = 'UNAUTHENTICATED';
  constructor(message = 'authentication required') {
    super(message, { extensions: { code: 'UNAUTHENTICATED' } });
  }
}

export class ForbiddenError extends CodedError {
  readonly code = 'FORBIDDEN';
  constructor(message = 'not allowed') {
    super(message, { extensions: { code: 'FORBIDDEN' } });
  }
}

export class NotFoundError extends CodedError {
  readonly code = 'NOT_FOUND';
  constructor(what: string) {
    super(`${what} not found`, { extensions: { code: 'NOT_FOUND' } });
  }
}

/** `field` is the input path the message is about (e.g. `input.searchSpace[2].low`). */
export class BadUserInputError extends CodedError {
  readonly code = 'BAD_USER_INPUT';
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`, { extensions: { code: 'BAD_USER_INPUT', field } });
    this.field = field;
  }
}

export class ConflictError extends CodedError {
  readonly code = 'CONFLICT';
  constructor(message: string) {
    super(message, { extensions: { code: 'CONFLICT' } });
  }
}

/** trialEvents(afterSeq:) asked for events the log no longer holds: refetch, then subscribe anew. */
export class EventsExpiredError extends CodedError {
  readonly code = 'EVENTS_EXPIRED';
  constructor(message: string) {
    super(message, { extensions: { code: 'EVENTS_EXPIRED' } });
  }
}

export class RateLimitedError extends CodedError {
  readonly code = 'RATE_LIMITED';
  constructor(retryAfterS: number, message = `too many attempts; retry in ${retryAfterS} s`) {
    super(message, {
      extensions: { code: 'RATE_LIMITED', retryAfterS },
    });
  }
}

export function isCodedError(error: unknown): error is CodedError {
  return error instanceof CodedError;
}

/**
 * A definite "no": the caller is unknown or may not see or do this. Anything else a check throws
 * (a lost connection, a pool timeout) says nothing about the caller's rights.
 */
export function isAccessDenial(error: unknown): boolean {
  return (
    isCodedError(error) &&
    (error.code === 'UNAUTHENTICATED' || error.code === 'FORBIDDEN' || error.code === 'NOT_FOUND')
  );
}
