import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';
import type { RequestContext } from '../ops/index.js';

export interface RequestHandlerParts {
  /** Request id, timing, metrics and the log line (ops/request-context.ts `requestTracker`). */
  track: (req: IncomingMessage, res: ServerResponse) => RequestContext;
  /** Browser origins allowed to call the API with cookies (the dashboard). */
  isAllowedOrigin: (origin: string) => boolean;
  /** `/graphql` (graphql-http.ts). */
  graphql: (req: IncomingMessage, res: ServerResponse, request: RequestContext) => void;
  /** Everything else: probes, metrics, artifacts (rest-app.ts). */
  rest: (req: IncomingMessage, res: ServerResponse) => void;
}

/**
 * The API port's one request path. Every request, whatever its path or client, is tracked (id in
 * X-Request-Id, HTTP histogram, one log line) and gets the same CORS answer; then /graphql goes
 * to Apollo directly and the rest through Express. Credentials and the operation context are
 * read from the request further in, by the same functions for both (credentials.ts,
 * operation-context.ts).
 */
export function requestHandler(
  parts: RequestHandlerParts,
): (req: IncomingMessage, res: ServerResponse) => void {
  // Only the allowed origins get CORS headers (and their preflights a 204); any other request
  // passes on untouched, so a foreign page's preflight finds no permission.
  const corsFor = cors({
    origin: (origin, allow) =>
      allow(null, origin !== undefined && parts.isAllowedOrigin(origin) ? origin : false),
    credentials: true,
    methods: 'GET, POST, OPTIONS',
    allowedHeaders: 'authorization, content-type, x-filename, apollo-require-preflight',
  });
  return (req, res) => {
    const request = parts.track(req, res);
    if (req.headers.origin === undefined) route(req, res, request);
    else corsFor(req, res, () => route(req, res, request));
  };

  function route(req: IncomingMessage, res: ServerResponse, request: RequestContext): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    if ((q < 0 ? url : url.slice(0, q)) === '/graphql') parts.graphql(req, res, request);
    else parts.rest(req, res);
  }
}
