import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { artifactRouter } from '../artifacts/artifact.router.js';
import type { Caller } from '../authz/caller.js';
import type { Logger } from '../common/logger.js';
import { createOpsRouter, type OpsRouterOptions } from '../ops/index.js';
import type { Services } from './context.js';
import { credentialOfHeaders } from './credentials.js';
import { answerError, statusOf } from './http-errors.js';

export interface RestAppOptions {
  services: Services;
  logger: Logger;
  authenticate: (credential: string | null) => Promise<Caller | null>;
  /** Probes and metrics: see createOpsRouter. */
  ops: OpsRouterOptions;
}

/**
 * Everything on the API's port but /graphql: probes and metrics (before auth: they carry no
 * credentials) and artifact uploads and downloads. Express routes these; the request id, log
 * line and CORS come before, the same as for /graphql (request-handler.ts).
 */
export function restApp({ services, logger, authenticate, ops }: RestAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(createOpsRouter(ops));
  app.use(
    '/artifacts',
    artifactRouter(services.artifacts, (req) => authenticate(credentialOfHeaders(req.headers)), logger),
  );
  // Routing failures: a JSON answer with the right status, never a stack trace.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = statusOf(error);
    if (status === 500) logger.error({ err: error }, 'request failed');
    answerError(res, status);
  });
  return app;
}
