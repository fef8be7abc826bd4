import { requireCaller, scopeSql } from '../authz/authorization.js';
import type { Caller } from '../authz/caller.js';
import { NotFoundError } from '../common/errors.js';
import { isUuid } from '../common/validate.js';
import { Role, StudyState, TrialState } from '../db/index.js';
import { opsMetrics } from '../ops/index.js';
import { loadTrialAccess } from './trial-access.js';
import type { TrialDeps } from './trial-deps.js';

/** Refreshes a RUNNING trial's heartbeat; true when the worker should stop (trial or study over). */
export async function heartbeat(deps: TrialDeps, caller: Caller | null, trialId: string): Promise<boolean> {
  const c = requireCaller(caller);
  opsMetrics.heartbeats.inc();
  if (!isUuid(trialId)) throw new NotFoundError('trial');
  const scope = scopeSql(c, 's.team_id', '$2', Role.MEMBER);
  if (scope) {
    // Fast path: authorize and refresh in one statement (a lost heartbeat is harmless).
    const row = await deps.db.telemetry.one<{ study_state: StudyState }>(
      `UPDATE trials t SET heartbeat_at = now() FROM studies s
       WHERE t.id = $1 AND s.id = t.study_id AND t.state = 'RUNNING' AND ${scope.sql}
       RETURNING s.state AS study_state`,
      [trialId, scope.value],
    );
    if (row) return row.study_state === StudyState.DONE || row.study_state === StudyState.ARCHIVED;
  }
  // Not running, not found, or not allowed: the slow path answers which.
  const { trial, study } = await loadTrialAccess(deps.db, caller, trialId, Role.MEMBER);
  if (trial.state !== TrialState.RUNNING) return true;
  const row = await deps.db.one<{ id: string }>(
    "UPDATE trials SET heartbeat_at = now() WHERE id = $1 AND state = 'RUNNING' RETURNING id",
    [trialId],
  );
  return row === null || study.state === StudyState.DONE || study.state === StudyState.ARCHIVED;
}
