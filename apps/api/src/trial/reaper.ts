import { TRIAL_COLUMNS, type TrialRow, trialRecord } from '../graphql/mapping.js';
import { opsMetrics } from '../ops/index.js';
import type { TrialEventType } from '../pubsub/pubsub.js';
import { insertRetryCopy } from './retry-copy.js';
import { endStudyIfSpent } from './study-done.js';
import type { TrialRecord } from './trial.record.js';
import { publishTrial, type TrialDeps } from './trial-deps.js';

/**
 * Fails RUNNING trials whose heartbeat is older than their study's timeout and enqueues a
 * WAITING copy for those with retries left. SKIP LOCKED lets every API process run this.
 * Returns how many trials it failed.
 */
export async function reapStaleTrials(deps: TrialDeps): Promise<number> {
  const events: Array<[TrialEventType, TrialRecord]> = [];
  const studies = new Set<string>();
  await deps.db.tx(async (sql) => {
    const failed = await sql.rows<TrialRow & { retry_failed: number }>(
      `WITH stale AS (
         SELECT t.id FROM trials t JOIN studies s ON s.id = t.study_id
         WHERE t.state = 'RUNNING'
           AND COALESCE(t.heartbeat_at, t.started_at) < now() - make_interval(secs => s.heartbeat_timeout_s)
         LIMIT 500 FOR UPDATE OF t SKIP LOCKED)
       UPDATE trials t SET state = 'FAILED', error = 'stale', finished_at = now()
       FROM stale, studies s WHERE t.id = stale.id AND s.id = t.study_id
       RETURNING ${TRIAL_COLUMNS}, s.retry_failed`,
    );
    for (const trial of failed) {
      events.push(['FAILED', trialRecord(trial)]);
      studies.add(trial.study_id);
      if (trial.retry_failed <= 0) continue;
      const depth = await sql.one<{ n: number }>(
        `WITH RECURSIVE chain AS (
           SELECT id, retry_of FROM trials WHERE id = $1
           UNION ALL SELECT p.id, p.retry_of FROM trials p JOIN chain c ON p.id = c.retry_of)
         SELECT (count(*) - 1)::int AS n FROM chain`,
        [trial.id],
      );
      if ((depth?.n ?? 0) >= trial.retry_failed) continue;
      const copy = await insertRetryCopy(sql, trial);
      if (copy) events.push(['CREATED', trialRecord(copy)]);
    }
  });
  for (const studyId of studies) await endStudyIfSpent(deps, studyId);
  for (const [type, trial] of events) publishTrial(deps, type, trial);
  const failed = events.filter((e) => e[0] === 'FAILED').length;
  if (failed > 0) {
    deps.logger.info({ failed }, 'reaped stale trials');
    opsMetrics.staleTrials.inc(failed);
  }
  return failed;
}
