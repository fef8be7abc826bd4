import { type Request, Router } from 'express';
import { type OpsMetrics, opsMetrics, TRIAL_STATES } from './metrics.js';
import { createReadinessCheck, type OpsDataSource } from './readiness.js';
import { createTrialCounter, type TrialCounts } from './trial-counts.js';

export interface OpsRouterOptions {
  dataSource: OpsDataSource;
  /** Defaults to the process-wide `opsMetrics`. */
  metrics?: OpsMetrics;
  /** True while shutting down (the server's close() sets it): /readyz then answers 503. */
  isDraining?: () => boolean;
  /** The artifact store's health (see `ReadinessOptions.artifactStore`). */
  artifactStore?: () => Promise<{ ok: boolean; error?: string }>;
  /** Timeout of each readiness query (default 2000 ms). */
  readinessTimeoutMs?: number;
  /** Trials-by-state are re-read at most this often (default 5000 ms). */
  trialCountsIntervalMs?: number;
  /** Replaces the trials-by-state query (tests, or a schema with another table name). */
  countTrials?: () => Promise<TrialCounts>;
  /**
   * Who may read `/metrics` here (it carries per-tenant trial counts): default everyone (its own
   * listener); the API's listener passes a check (a token, or loopback only). Refused: 404.
   */
  metricsAllowed?: (req: Request) => boolean;
  /** Serve `/metrics` only (its own port): no probes. */
  metricsOnly?: boolean;
}

/**
 * `/healthz` (the process answers), `/readyz` (database reachable, migrations current, artifact
 * store writable, not draining) and `/metrics` (Prometheus text format). Mount it at the root, before auth: probes
 * and scrapers carry no credentials, and nothing here reveals user data.
 */
export function createOpsRouter(options: OpsRouterOptions): Router {
  const metrics = options.metrics ?? opsMetrics;
  const readiness = createReadinessCheck(options.dataSource, {
    timeoutMs: options.readinessTimeoutMs,
    isDraining: options.isDraining,
    artifactStore: options.artifactStore,
  });
  const countTrials =
    options.countTrials ??
    createTrialCounter(options.dataSource, { minIntervalMs: options.trialCountsIntervalMs });
  const started = Date.now();
  const router = Router();

  if (!options.metricsOnly)
    router.get('/healthz', (_req, res) => {
      res
        .set('cache-control', 'no-store')
        .json({ status: 'ok', uptimeS: Math.round((Date.now() - started) / 1000) });
    });

  if (!options.metricsOnly)
    router.get('/readyz', async (_req, res) => {
      const report = await readiness();
      res
        .status(report.ready ? 200 : 503)
        .set('cache-control', 'no-store')
        .json({ status: report.ready ? 'ready' : 'not ready', ...report });
    });

  router.get('/metrics', async (req, res, next) => {
    if (options.metricsAllowed && !options.metricsAllowed(req)) {
      next();
      return;
    }
    // The database being down must not blank the scrape: that is exactly when the rest matters.
    try {
      const counts = await countTrials();
      for (const state of TRIAL_STATES) metrics.trialsByState.set({ state }, counts[state] ?? 0);
    } catch {
      metrics.scrapeErrors.inc();
    }
    res.set('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  return router;
}
