import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { type ApolloServer, HeaderMap } from '@apollo/server';
import type { Logger } from '../common/logger.js';
import type { RequestContext } from '../ops/index.js';
import type { Context } from './context.js';
import { answerError } from './http-errors.js';
import { MAX_RESPONSE_BYTES, responseTooLarge } from './limits.js';

export interface GraphqlHttpOptions {
  apollo: ApolloServer<Context>;
  maxBodyBytes: number;
  /** Failures outside GraphQL execution (which formatError logs) are logged here. */
  logger: Logger;
  /** Builds the operation's context (called by Apollo once the request is valid). */
  context: (req: IncomingMessage, res: ServerResponse, request: RequestContext) => Promise<Context>;
}

export type GraphqlHttpHandler = (req: IncomingMessage, res: ServerResponse, request: RequestContext) => void;

/**
 * `/graphql` over HTTP, every request (any client, any method) straight into Apollo: the body is
 * read and parsed here, not by Express's router, body parser and `res.send` (which hashes every
 * response for an ETag nobody sends back on a POST). That cut the server's CPU per ask/tell by
 * about a third (A/B runs of `npm run bench -- api --only askTell`). CORS, the request id and log
 * line, and credentials are the same code as for every other path (request-handler.ts).
 *
 * The body rules are body-parser's `json()` ones: JSON by media type, UTF-8, gzip/deflate/br
 * decoded, an empty body is `{}`, only an object or array at the top; bodies of other types reach
 * Apollo as no body (it then answers 400, or refuses them as possible CSRF).
 */
export function graphqlOverHttp(options: GraphqlHttpOptions): GraphqlHttpHandler {
  const { maxBodyBytes, logger } = options;
  return (req, res, request) => {
    const h = req.headers;
    const hasBody = h['transfer-encoding'] !== undefined || h['content-length'] !== undefined;
    const type = mediaType(h['content-type']);
    if (!hasBody || type.name !== 'application/json') {
      if (hasBody) req.resume();
      run(undefined);
      return;
    }
    if (type.charset !== undefined && type.charset !== 'utf-8') {
      drainAndFail(req, res, 415);
      return;
    }
    const encoding = (h['content-encoding'] ?? 'identity').toLowerCase();
    const declared = h['content-length'] === undefined ? 0 : Number(h['content-length']);
    if (encoding === 'identity' && declared > maxBodyBytes) {
      drainAndFail(req, res, 413);
      return;
    }
    const source = decoded(req, encoding);
    if (source === null) {
      drainAndFail(req, res, 415);
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let refused = false;
    source.on('data', (chunk: Buffer) => {
      if (refused) return;
      received += chunk.length;
      if (received > maxBodyBytes) {
        refused = true;
        answerError(res, 413);
        return;
      }
      chunks.push(chunk);
    });
    source.on('error', () => {
      if (refused) return;
      refused = true;
      // A corrupt compressed body is the client's; a reset connection has nobody to answer.
      if (source !== req && !req.destroyed) answerError(res, 400);
      else res.destroy();
    });
    source.on('end', () => {
      if (refused) return;
      const body = parseJson(
        (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString('utf8'),
      );
      if (body === MALFORMED) answerError(res, 400);
      else run(body);
    });

    function run(body: unknown): void {
      void execute(options, req, res, request, body).catch((error: unknown) => {
        logger.error({ err: error }, 'request failed');
        if (!res.headersSent) answerError(res, 500);
        else res.destroy();
      });
    }
  };
}

async function execute(
  { apollo, context }: GraphqlHttpOptions,
  req: IncomingMessage,
  res: ServerResponse,
  request: RequestContext,
  body: unknown,
): Promise<void> {
  const response = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: {
      method: (req.method ?? 'GET').toUpperCase(),
      headers: apolloHeaders(req),
      search: searchOf(req.url),
      body,
    },
    context: () => context(req, res, request),
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

/**
 * The headers Apollo reads: content-type and accept (content negotiation), and the two that
 * satisfy its CSRF prevention. No plugin here reads others, and the context reads `req` itself.
 * An accept of JSON or anything is what no accept means (JSON): leaving it out spares a content
 * negotiation per request.
 */
const APOLLO_HEADERS = ['content-type', 'apollo-require-preflight', 'x-apollo-operation-name'] as const;

function apolloHeaders(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const name of APOLLO_HEADERS) {
    const value = req.headers[name];
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const accept = req.headers.accept;
  if (accept !== undefined && accept !== '*/*' && accept !== 'application/json')
    headers.set('accept', accept);
  return headers;
}

function searchOf(url: string | undefined): string {
  const i = url?.indexOf('?') ?? -1;
  return url === undefined || i < 0 ? '' : url.slice(i);
}

function mediaType(header: string | undefined): { name: string; charset: string | undefined } {
  if (header === undefined) return { name: '', charset: undefined };
  const [name = '', ...params] = header.split(';');
  let charset: string | undefined;
  for (const param of params) {
    const m = /^\s*charset\s*=\s*"?([^";\s]*)"?\s*$/i.exec(param);
    if (m) charset = m[1]?.toLowerCase();
  }
  return { name: name.trim().toLowerCase(), charset };
}

function decoded(req: IncomingMessage, encoding: string): Readable | null {
  const decoder =
    encoding === 'identity'
      ? null
      : encoding === 'gzip'
        ? createGunzip()
        : encoding === 'deflate'
          ? createInflate()
          : encoding === 'br'
            ? createBrotliDecompress()
            : undefined;
  if (decoder === undefined) return null;
  if (decoder === null) return req;
  req.on('error', (error) => decoder.destroy(error));
  return req.pipe(decoder);
}

const MALFORMED = Symbol('malformed');

/** body-parser's strict JSON: empty is `{}`, and only an object or an array at the top. */
function parseJson(text: string): unknown {
  const trimmed = text.trimStart();
  if (trimmed === '') return {};
  if (trimmed[0] !== '{' && trimmed[0] !== '[') return MALFORMED;
  try {
    return JSON.parse(text);
  } catch {
    return MALFORMED;
  }
}

function drainAndFail(req: IncomingMessage, res: ServerResponse, status: number): void {
  answerError(res, status);
  req.resume();
}
