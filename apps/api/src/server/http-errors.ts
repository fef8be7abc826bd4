import type { ServerResponse } from 'node:http';

/**
 * The JSON answer to a request that failed outside GraphQL execution (a body too large or not
 * JSON, an unexpected failure): the status, a one-line message and a code, never a stack trace.
 * The same for /graphql and for the Express routes' error handler.
 */
export function answerError(res: ServerResponse, status: number): void {
  if (res.headersSent) return;
  const code = status >= 400 && status < 500 ? status : 500;
  const message =
    code === 413 ? 'request body too large' : code === 500 ? 'internal server error' : 'malformed request';
  const text = JSON.stringify({
    errors: [{ message, extensions: { code: code === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }],
  });
  res.writeHead(code, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    // The rest of an oversized body is not read; the client must not reuse the connection.
    ...(code === 413 ? { connection: 'close' } : {}),
  });
  res.end(text);
}

/** The status an error thrown by Express or its body-reading middleware asks for (else 500). */
export function statusOf(error: unknown): number {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
}
