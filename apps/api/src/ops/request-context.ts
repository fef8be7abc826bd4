import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { OpsMetrics } from './metrics.js';

export interface RequestContext {
  readonly requestId: string;
  readonly log: Logger;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** The current request's context (id and child logger), anywhere below the middleware. */
export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}

/** Runs `fn` with a request context, for work that does not start in HTTP (WebSocket operations). */
export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
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
  /** Paths logged at debug rather than info (probes and scrapes would drown the rest). */
  quietPaths?: readonly string[];
}

/**
 * Gives each HTTP request an id (`x-request-id`, echoed in the response), a child logger carrying
 * it (also in `res.locals.log`), and one JSON log line when the response finishes.
 */
export function requestLogging(options: RequestLoggingOptions): RequestHandler {
  const quiet = new Set(options.quietPaths ?? ['/healthz', '/readyz', '/metrics']);
  return (req: Request, res: Response, next: NextFunction) => {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    const log = options.logger.child({ reqId: requestId });
    res.setHeader('x-request-id', requestId);
    res.locals.requestId = requestId;
    res.locals.log = log;
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // req.route is set only for routes matched by a router; app-level middleware (Apollo at
      // /graphql) leaves it unset, so fall back to the mount path, never the raw URL.
      const route = routeLabel(req);
      options.metrics?.httpSeconds.observe(
        { method: req.method, route, status: `${Math.floor(res.statusCode / 100)}xx` },
        seconds,
      );
      const line = {
        method: req.method,
        url: req.originalUrl,
        status: res.statusCode,
        durationMs: Math.round(seconds * 1e4) / 10,
      };
      if (quiet.has(req.path)) log.debug(line, 'request');
      else log.info(line, 'request');
    });
    storage.run({ requestId, log }, () => next());
  };
}

function routeLabel(req: Request): string {
  const routePath: unknown = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof routePath === 'string') return `${req.baseUrl}${routePath}`;
  if (req.baseUrl) return req.baseUrl;
  const first = req.path.split('/')[1];
  return first === 'graphql' || first === 'healthz' || first === 'readyz' || first === 'metrics'
    ? `/${first}`
    : 'other';
}
