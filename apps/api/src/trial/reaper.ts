import type { TrialRecord } from '../common/trial-record.js';
import { opsMetrics } from '../ops/index.js';
import type { TrialEventType } from '../pubsub/pubsub.js';
import { insertRetryCopy } from './retry-copy.js';
import { endStudyIfSpent } from './study-done.js';
import { publishTrial, type TrialDeps } from './trial-deps.js';
import { TRIAL_COLUMNS, type TrialRow, trialRecord } from './trial-row.js';

/**
 * Seconds beyond a study's heartbeat timeout granted after an outage: the SDK retries a failed
 * heartbeat with backoff of up to 5 s, so a worker's first heartbeat after the database comes
 * back can land that much later than the outage's end.
 */
export const OUTAGE_EXTRA_GRACE_S = 5;

/**
 * What this process knows about its own reach to the database: whether its last reaper round
 * failed (the database was down, restarting, or unreachable from here) and when PostgreSQL last
 * started. `recoveredAt` is the database's clock when it became reachable again: the first
 * successful round after a failed one, or a PostgreSQL start seen to be newer than the one before
 * (a restart between two rounds). Heartbeats could not land before it, so that time must not
 * count against them. A process starting up knows of no outage.
 */
export class ReaperClock {
  private failing = false;
  private postmasterStart: number | null = null;
  recoveredAt: Date | null = null;

  /** A round failed: the next successful one marks the end of an outage. */
  failed(): void {
    this.failing = true;
  }

  /** A round reached the database: `now` and `pg_postmaster_start_time()` by its clock. */
  reached(now: Date, postmasterStart: Date): void {
    const started = postmasterStart.getTime();
    let recovered: Date | null = null;
    if (this.failing) recovered = now;
    else if (this.postmasterStart !== null && started > this.postmasterStart) recovered = postmasterStart;
    if (recovered && (this.recoveredAt === null || recovered > this.recoveredAt))
      this.recoveredAt = recovered;
    this.postmasterStart = started;
    this.failing = false;
  }
}

/**
 * Fails RUNNING trials whose heartbeat is older than their study's timeout and enqueues a
 * WAITING copy for those with retries left. SKIP LOCKED lets every API process run this.
 * Returns how many trials it failed.
 *
 * Outage grace (issue 13): a heartbeat counts as no older than the moment the database last
 * became reachable again, so time during which heartbeats could not land is never held against a
 * live worker: for `heartbeatTimeoutS + OUTAGE_EXTRA_GRACE_S` after `clock.recoveredAt`, nothing
 * is reaped (see ReaperClock for how an outage is recognized).
 */
export async function reapStaleTrials(
  deps: TrialDeps,
  clock: ReaperClock = new ReaperClock(),
): Promise<number> {
  const events: Array<[TrialEventType, TrialRecord]> = [];
  const studies = new Set<string>();
  try {
    await deps.db.tx(async (sql) => {
      const seen = await sql.one<{ now: Date; started: Date }>(
        'SELECT now() AS now, pg_postmaster_start_time() AS started',
      );
      if (seen) clock.reached(seen.now, seen.started);
      const failed = await sql.rows<TrialRow & { retry_failed: number }>(
        `WITH stale AS (
           SELECT t.id FROM trials t JOIN studies s ON s.id = t.study_id
           WHERE t.state = 'RUNNING'
             AND COALESCE(t.heartbeat_at, t.started_at) < now() - make_interval(secs => s.heartbeat_timeout_s)
             AND ($1::timestamptz IS NULL
               OR $1::timestamptz < now() - make_interval(secs => s.heartbeat_timeout_s + $2))
           LIMIT 500 FOR UPDATE OF t SKIP LOCKED)
         UPDATE trials t SET state = 'FAILED', error = 'stale', finished_at = now()
         FROM stale, studies s WHERE t.id = stale.id AND s.id = t.study_id
         RETURNING ${TRIAL_COLUMNS}, s.retry_failed`,
        [clock.recoveredAt, OUTAGE_EXTRA_GRACE_S],
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
  } catch (error) {
    clock.failed();
    throw error;
  }
  for (const studyId of studies) await endStudyIfSpent(deps, studyId);
  for (const [type, trial] of events) publishTrial(deps, type, trial);
  const failed = events.filter((e) => e[0] === 'FAILED').length;
  if (failed > 0) {
    deps.logger.info({ failed }, 'reaped stale trials');
    opsMetrics.staleTrials.inc(failed);
  }
  return failed;
}
