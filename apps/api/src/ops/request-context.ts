import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { OpsMetrics } from './metrics.js';

export interface RequestContext {
  readonly requestId: string;
  readonly log: Logger;
}

// A caller-supplied id (proxy, load balancer, client) is kept when it is short and plain, so one id
// follows a request through nginx, the API and the logs; anything else is replaced.
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && ACCEPTABLE_ID.test(value) ? value : randomUUID();
}

export interface RequestLoggingOptions {
  logger: Logger;
  metrics?: OpsMetrics;
  /**
   * Paths whose answered requests log at debug rather than info: probes and scrapes would drown
   * the rest, and so would /graphql, where a worker loop makes hundreds of requests a second.
   * Failures (5xx) and slow requests are logged at warn whatever the path; 4xx at info.
   */
  quietPaths?: readonly string[];
  /** A request taking at least this long logs at warn (default 1000 ms). */
  slowMs?: number;
  /** Milliseconds on a monotonic clock (default `performance.now`); tests pass their own. */
  clock?: () => number;
}

/**
 * A request's id (a caller's own when acceptable, else a new one) and a logger carrying it. The
 * child logger is made on first use: most requests never log at an enabled level, and a pino child
 * per request would cost more than everything else here.
 */
export function requestContextFor(req: IncomingMessage, logger: Logger): RequestContext {
  const requestId = requestIdFrom(req.headers['x-request-id']);
  let child: Logger | undefined;
  return {
    requestId,
    get log() {
      child ??= logger.child({ reqId: requestId });
      return child;
    },
  };
}

/** Paths whose requests share a route label; anything else is `other` (no label per raw URL). */
const KNOWN_ROUTES = new Set(['graphql', 'artifacts', 'healthz', 'readyz', 'metrics']);

/**
 * Gives each HTTP request an id (`x-request-id`, echoed in the response), a child logger carrying
 * it (also in `res.locals.log` under Express), and one JSON log line when the response finishes.
 * Works as Express middleware and around a plain `http.createServer` handler:
 * `(req, res) => handle(req, res, () => ...)`; the API's server uses `requestTracker` directly.
 */
export function requestLogging(
  options: RequestLoggingOptions,
): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  const track = requestTracker(options);
  return (req, res, next) => {
    track(req, res);
    // No AsyncLocalStorage around `next`: on Node 20 it turns on promise hooks for every promise the
    // request makes, a measurable share of the API's CPU (docs/PERFORMANCE.md) with nothing reading it.
    next();
  };
}

/** What `requestLogging` does for one request, returning the request's id and logger. */
export function requestTracker(
  options: RequestLoggingOptions,
): (req: IncomingMessage, res: ServerResponse) => RequestContext {
  const quiet = new Set(options.quietPaths ?? ['/healthz', '/readyz', '/metrics']);
  const slowSeconds = (options.slowMs ?? 1000) / 1000;
  const clock = options.clock ?? (() => performance.now());
  const { logger } = options;
  return (req, res) => {
    const context = requestContextFor(req, logger);
    const { requestId } = context;
    res.setHeader('x-request-id', requestId);
    const locals = (res as Partial<Response>).locals;
    if (locals) {
      locals.requestId = requestId;
      locals.log = context.log;
    }
    // Read now: Express rewrites req.url while a mounted router runs.
    const url = (req as Partial<Request>).originalUrl ?? req.url ?? '/';
    const path = url.split('?')[0] ?? '/';
    const started = clock();
    res.on('finish', () => {
      const seconds = (clock() - started) / 1000;
      options.metrics?.httpSeconds.observe(
        {
          method: req.method ?? 'GET',
          route: routeLabel(req, path),
          status: `${Math.floor(res.statusCode / 100)}xx`,
        },
        seconds,
      );
      const level =
        res.statusCode >= 500 || seconds >= slowSeconds
          ? 'warn'
          : res.statusCode >= 400 || !quiet.has(path)
            ? 'info'
            : 'debug';
      if (!logger.isLevelEnabled(level)) return;
      context.log[level](
        { method: req.method, url, status: res.statusCode, durationMs: Math.round(seconds * 1e4) / 10 },
        'request',
      );
    });
    return context;
  };
}

function routeLabel(req: IncomingMessage, path: string): string {
  // A route matched by an Express router names itself; the mount path or the first segment
  // otherwise, never the raw URL (one series per trial id would grow without bound).
  const routePath: unknown = ((req as Partial<Request>).route as { path?: unknown } | undefined)?.path;
  if (typeof routePath === 'string') return `${(req as Partial<Request>).baseUrl ?? ''}${routePath}`;
  const first = path.split('/')[1] ?? '';
  return KNOWN_ROUTES.has(first) ? `/${first}` : 'other';
}
