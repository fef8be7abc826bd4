import type { Caller } from '../authz/caller.js';
import { ConflictError } from '../common/errors.js';
import type { TrialRecord } from '../common/trial-record.js';
import { Role, TrialState } from '../db/index.js';
import type { TrialEventType } from '../pubsub/pubsub.js';
import { insertRetryCopy } from './retry-copy.js';
import { finishedConflict, loadTrialAccess } from './trial-access.js';
import { publishTrial, type TrialDeps } from './trial-deps.js';
import { TRIAL_COLUMNS, TRIAL_RETURNING, type TrialRow, trialRecord } from './trial-row.js';

/** The error a released trial carries, as the runner's tell+enqueue hand-back used to set. */
export const RELEASED_ERROR = 'interrupted';

/**
 * releaseTrial: a worker gives back a RUNNING trial it will not finish (SIGTERM, hard stop). The
 * trial is FAILED ('interrupted') and a WAITING copy with the same params takes its place, in one
 * transaction. The copy is a retry (`retryOf`), so like the stale reaper's retries it does not
 * count against maxTrials: a hand-back at the budget still works, and the study still ends with
 * exactly maxTrials trials that were not retried away. Unlike the reaper it ignores `retryFailed`:
 * an interruption is not the params' failure.
 *
 * Idempotent for a retried request: a trial already FAILED with a copy answers that copy.
 */
export async function releaseTrial(
  deps: TrialDeps,
  caller: Caller | null,
  trialId: string,
): Promise<TrialRecord> {
  const events: Array<[TrialEventType, TrialRecord]> = [];
  const copy = await deps.db.tx(async (sql) => {
    // Authorizes (NOT_FOUND for outsiders, FORBIDDEN below MEMBER) before anything is locked.
    await loadTrialAccess(sql, caller, trialId, Role.MEMBER);
    // Locked: a concurrent tell, reaper or second release waits here, then sees the outcome.
    const trial = await sql.one<TrialRow>(
      `SELECT ${TRIAL_COLUMNS} FROM trials t WHERE t.id = $1 FOR UPDATE`,
      [trialId],
    );
    if (trial === null) throw new ConflictError('trial was deleted');
    const existing = await sql.one<TrialRow>(
      `SELECT ${TRIAL_COLUMNS} FROM trials t WHERE t.retry_of = $1 ORDER BY t.number LIMIT 1`,
      [trialId],
    );
    if (trial.state === TrialState.FAILED && existing !== null) return existing;
    if (trial.state === TrialState.WAITING) {
      throw new ConflictError(`trial #${trial.number} is WAITING; only a RUNNING trial can be released`);
    }
    if (trial.state !== TrialState.RUNNING) throw finishedConflict(trial, 'cannot be released');
    const failed = await sql.one<TrialRow>(
      `UPDATE trials SET state = 'FAILED', error = $2, finished_at = now()
       WHERE id = $1 AND state = 'RUNNING' RETURNING ${TRIAL_RETURNING}`,
      [trialId, RELEASED_ERROR],
    );
    if (failed === null) throw new ConflictError(`trial #${trial.number} changed while being released`);
    // budget_used stays: the copy is a retry.
    const inserted = await insertRetryCopy(sql, trial);
    if (inserted === null) throw new ConflictError('study was deleted');
    events.push(['FAILED', trialRecord(failed)], ['CREATED', trialRecord(inserted)]);
    return inserted;
  });
  if (copy === null) throw new Error('release returned nothing');
  for (const [type, trial] of events) publishTrial(deps, type, trial);
  return trialRecord(copy);
}
