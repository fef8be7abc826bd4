import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ApolloServer, HeaderMap } from '@apollo/server';
import type { Express, Request, Response } from 'express';
import type { Logger } from '../common/logger.js';
import type { Context } from './context.js';
import { MAX_RESPONSE_BYTES, responseTooLarge } from './limits.js';

export interface GraphqlFastPathOptions {
  apollo: ApolloServer<Context>;
  /** The Express app, whose request/response prototypes a resolver gets if it asks for `ctx.http`. */
  app: Express;
  maxBodyBytes: number;
  /** Failures outside GraphQL execution (which formatError logs) are logged here. */
  logger: Logger;
  /** Builds the operation's context; `http` is resolved lazily (only cookie-setting resolvers read it). */
  context: (req: IncomingMessage, http: () => { req: Request; res: Response }) => Promise<Context>;
}

const JSON_TYPE = /^application\/json\s*(;\s*charset=utf-8\s*)?$/i;

/**
 * POST /graphql from API clients (SDK, workers, CLI: a bearer `Authorization` header, no cookie,
 * no browser `Origin`) straight into Apollo, without Express's router, body parser and `res.send`
 * (which hashes every response for an ETag nobody sends back on a POST). With Apollo's
 * cache-control plugin off, that cut the server's CPU per ask/tell by about a third (A/B runs of
 * `npm run bench -- api --only askTell`). Returns false for anything else, which Express then serves as
 * before: browsers (CORS, cookies), compressed or non-JSON bodies, and every other path.
 */
export function graphqlFastPath(
  options: GraphqlFastPathOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { apollo, app, maxBodyBytes } = options;
  return (req, res) => {
    const h = req.headers;
    if (
      req.method !== 'POST' ||
      req.url !== '/graphql' ||
      h.authorization === undefined ||
      h.cookie !== undefined ||
      h.origin !== undefined ||
      h['content-encoding'] !== undefined ||
      h['content-type'] === undefined ||
      !JSON_TYPE.test(h['content-type'])
    ) {
      return false;
    }
    const declared = h['content-length'] === undefined ? 0 : Number(h['content-length']);
    if (declared > maxBodyBytes) {
      fail(res, 413, 'request body too large');
      req.resume();
      return true;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      received += chunk.length;
      if (received > maxBodyBytes) {
        refused = true;
        fail(res, 413, 'request body too large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => {
      refused = true;
      res.destroy();
    });
    req.on('end', () => {
      if (refused) return;
      let body: unknown;
      try {
        body = JSON.parse(
          (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString('utf8'),
        );
      } catch {
        fail(res, 400, 'malformed request');
        return;
      }
      void execute(options, req, res, body).catch((error: unknown) => {
        options.logger.error({ err: error }, 'request failed');
        if (!res.headersSent) fail(res, 500, 'internal server error');
        else res.destroy();
      });
    });
    return true;
  };

  // Express's own per-request setup (what its `init` middleware does), run only when a resolver
  // needs the Express API (`res.cookie`), which client requests on this path hardly ever do.
  function expressView(req: IncomingMessage, res: ServerResponse): { req: Request; res: Response } {
    const r = req as Request;
    const s = res as Response;
    if (Object.getPrototypeOf(req) !== app.request) {
      Object.setPrototypeOf(req, app.request);
      Object.setPrototypeOf(res, app.response);
      (r as { res: Response }).res = s;
      (s as { req: Request }).req = r;
      s.locals = Object.create(null) as Response['locals'];
    }
    return { req: r, res: s };
  }

  async function execute(
    { context }: GraphqlFastPathOptions,
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
  ): Promise<void> {
    // Apollo reads two headers of a POST: content-type (checked above to be JSON, which also
    // satisfies its CSRF rule) and accept. The context reads `req` itself; no plugin here reads
    // headers. An accept of JSON or anything is what no accept means (JSON): leaving it out spares
    // a content negotiation per request.
    const headers = new HeaderMap([['content-type', req.headers['content-type'] ?? 'application/json']]);
    const accept = req.headers.accept;
    if (accept !== undefined && accept !== '*/*' && accept !== 'application/json')
      headers.set('accept', accept);
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: 'POST', headers, search: '', body },
      context: () => context(req, () => expressView(req, res)),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      let text = response.body.string;
      // Cheap first: the UTF-8 size is at most 4 bytes per UTF-16 unit.
      if (text.length > MAX_RESPONSE_BYTES / 4 && Buffer.byteLength(text) > MAX_RESPONSE_BYTES)
        text = responseTooLarge();
      res.setHeader('content-length', Buffer.byteLength(text));
      res.end(text);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }
}

/** The same answers as the Express error handler gives for body and routing failures. */
function fail(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) return;
  const code = status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST';
  const text = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    // The rest of an oversized body is not read; the client must not reuse the connection.
    ...(status === 413 ? { connection: 'close' } : {}),
  });
  res.end(text);
}
