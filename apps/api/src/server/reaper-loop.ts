import type { Logger } from '../common/logger.js';
import type { TrialService } from '../trial/trial.service.js';

/**
 * Looks for stale RUNNING trials every `intervalMs` (0: never), one round at a time; a failed round
 * (the database down) is logged and the next one simply tries again. Returns what stops it.
 */
export function startReaper(trials: TrialService, logger: Logger, intervalMs: number): () => void {
  if (intervalMs <= 0) return () => undefined;
  let reaping = false;
  const timer = setInterval(() => {
    if (reaping) return;
    reaping = true;
    trials
      .reapStale()
      .catch((error: unknown) => logger.error({ err: error }, 'reaper failed'))
      .finally(() => {
        reaping = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
