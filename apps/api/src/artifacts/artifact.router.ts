import express, { type NextFunction, type Request, type Response } from 'express';
import type { Caller } from '../authz/caller.js';
import { isCodedError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { type ArtifactService, ArtifactTooLargeError } from './artifact.service.js';
import { ArtifactStoreUnavailableError } from './artifact-store.js';

const STATUS: Record<string, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  CONFLICT: 409,
};

/**
 * Checkpoints over plain HTTP beside GraphQL: `POST /artifacts?trialId=` with the raw bytes as the
 * body and the display name in `X-Filename`, `GET /artifacts/:id` to download. Same bearer or
 * cookie auth as /graphql (the custom header on uploads also forces a CORS preflight, so a
 * cookie cannot be ridden cross-site).
 */
export function artifactRouter(
  artifacts: ArtifactService,
  authenticate: (req: Request) => Promise<Caller | null>,
  logger: Logger,
): express.Router {
  const router = express.Router();

  const fail = (res: Response, error: unknown): void => {
    if (error instanceof ArtifactTooLargeError) {
      res.status(413).json({ error: { code: 'PAYLOAD_TOO_LARGE', message: error.message } });
      return;
    }
    if (error instanceof ArtifactStoreUnavailableError) {
      // Said without the path; the log keeps the full error for operators.
      logger.warn({ err: error.cause ?? error }, 'artifact store unavailable');
      res
        .status(503)
        .set('Retry-After', '5')
        .json({ error: { code: error.code, message: error.message } });
      return;
    }
    if (isCodedError(error)) {
      res.status(STATUS[error.code] ?? 400).json({ error: { code: error.code, message: error.message } });
      return;
    }
    logger.error({ err: error }, 'artifact request failed');
    if (!res.headersSent)
      res.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'internal error' } });
    else res.destroy();
  };

  router.post('/', async (req: Request, res: Response, _next: NextFunction) => {
    try {
      const declared = Number(req.headers['content-length'] ?? Number.NaN);
      if (Number.isFinite(declared) && declared > artifacts.maxBytes)
        throw new ArtifactTooLargeError(artifacts.maxBytes);
      const filename = req.header('x-filename');
      if (filename === undefined) {
        res
          .status(400)
          .json({ error: { code: 'BAD_USER_INPUT', message: 'X-Filename: header is required' } });
        return;
      }
      const trialId = typeof req.query.trialId === 'string' ? req.query.trialId : null;
      let name = filename;
      try {
        name = decodeURIComponent(filename);
      } catch {
        // Not percent-encoded: use the raw header value.
      }
      const artifact = await artifacts.upload(
        await authenticate(req),
        trialId,
        name,
        req.header('content-type'),
        req,
      );
      res.status(201).json(artifact);
    } catch (error) {
      // Drain nothing more from a rejected upload.
      req.unpipe();
      res.setHeader('Connection', 'close');
      fail(res, error);
    }
  });

  router.get('/:id', async (req: Request<{ id: string }>, res: Response) => {
    try {
      const { artifact, stream } = await artifacts.open(await authenticate(req), req.params.id);
      res.setHeader('Content-Type', artifact.contentType);
      res.setHeader('Content-Length', String(artifact.sizeBytes));
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
      res.setHeader('ETag', `"${artifact.sha256}"`);
      res.setHeader(
        'Content-Disposition',
        `attachment; filename="${artifact.name.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(artifact.name)}`,
      );
      stream.on('error', (error) => fail(res, error));
      stream.pipe(res);
    } catch (error) {
      fail(res, error);
    }
  });

  return router;
}
