import { scopeSql } from '../authz/authorization.js';
import type { Caller } from '../authz/caller.js';
import {
  type Attribute,
  type AttributeValue,
  boundLogTail,
  type EnvironmentInput,
  MAX_NOTE_CHARS,
  mergeAttributes,
  validateAnnotation,
  validateEnvironment,
  validateTags,
} from '../common/annotations.js';
import { NotFoundError } from '../common/errors.js';
import type { TrialRecord } from '../common/trial-record.js';
import { isUuid } from '../common/validate.js';
import { Role } from '../db/index.js';
import { loadTrialAccess } from './trial-access.js';
import { publishTrial, type TrialDeps } from './trial-deps.js';
import { TRIAL_RETURNING, type TrialRow, trialRecord } from './trial-row.js';

/**
 * setTrialNote / setTrialTags / setTrialAttributes: annotations, settable on a trial in any state
 * (the terminal-trial trigger guards only state, value, params and finished_at). MEMBER or above,
 * checked before the input so an outsider learns nothing from its shape. Each change publishes an
 * ANNOTATED trial event (on the wire: the event of the trial's state with `annotated: true`), so open
 * pages update live.
 */
async function annotate(
  deps: TrialDeps,
  caller: Caller | null,
  trialId: string,
  column: 'note' | 'tags',
  validated: () => string | string[] | null,
): Promise<TrialRecord> {
  await loadTrialAccess(deps.db, caller, trialId, Role.MEMBER);
  const row = await deps.db.one<TrialRow>(
    `UPDATE trials SET ${column} = $2 WHERE id = $1 RETURNING ${TRIAL_RETURNING}`,
    [trialId, validated()],
  );
  if (row === null) throw new NotFoundError('trial');
  return announced(deps, trialRecord(row));
}

function announced(deps: TrialDeps, record: TrialRecord): TrialRecord {
  publishTrial(deps, 'ANNOTATED', record);
  return record;
}

export function setTrialNote(
  deps: TrialDeps,
  caller: Caller | null,
  trialId: string,
  note: string | null,
): Promise<TrialRecord> {
  return annotate(deps, caller, trialId, 'note', () => validateAnnotation('note', note, MAX_NOTE_CHARS));
}

export function setTrialTags(
  deps: TrialDeps,
  caller: Caller | null,
  trialId: string,
  tags: readonly string[],
): Promise<TrialRecord> {
  return annotate(deps, caller, trialId, 'tags', () => validateTags(tags));
}

/**
 * Sets some of a trial's attributes (a null value removes its key; `replace` drops the others
 * first). The merge reads and writes under the row's lock, so concurrent setters of different keys
 * (a worker and a person at the dashboard) both land.
 */
export async function setTrialAttributes(
  deps: TrialDeps,
  caller: Caller | null,
  trialId: string,
  changes: ReadonlyArray<{ key: string; value?: AttributeValue | null }>,
  replace: boolean,
): Promise<TrialRecord> {
  await loadTrialAccess(deps.db, caller, trialId, Role.MEMBER);
  const row = await deps.db.tx(async (sql) => {
    const current = await sql.one<{ attributes: Attribute[] }>(
      'SELECT attributes FROM trials WHERE id = $1 FOR UPDATE',
      [trialId],
    );
    if (current === null) throw new NotFoundError('trial');
    const next = mergeAttributes(current.attributes ?? [], changes, replace);
    return sql.one<TrialRow>(
      `UPDATE trials SET attributes = $2::jsonb WHERE id = $1 RETURNING ${TRIAL_RETURNING}`,
      [trialId, JSON.stringify(next)],
    );
  });
  if (row === null) throw new NotFoundError('trial');
  return announced(deps, trialRecord(row));
}

/**
 * What a worker tells with a result besides it (tellTrial `logTail`, `environment`): stored while the
 * trial is still RUNNING, just before the tell itself, so the tell's answer and event carry it. The
 * caller's access is the tell's (MEMBER or above). One statement, and none when neither is given; a
 * trial that is no longer RUNNING keeps what it has (an identical retry changes nothing).
 */
export async function recordRunInfo(
  deps: TrialDeps,
  caller: Caller | null,
  trialId: string,
  logTail: string | null | undefined,
  environment: EnvironmentInput | null | undefined,
): Promise<void> {
  const tail = boundLogTail(logTail);
  const env = validateEnvironment(environment);
  if (tail === null && env === null) return;
  if (caller === null || !isUuid(trialId)) return; // the tell answers why
  // Authorized inside the statement, like the tell's fast path: a caller without access changes
  // nothing here, and the tell that follows says why.
  const scope = scopeSql(caller, 's.team_id', '$4', Role.MEMBER);
  if (scope === null) return;
  await deps.db.one(
    `UPDATE trials t SET log_tail = COALESCE($2, t.log_tail), environment = COALESCE($3::jsonb, t.environment)
     FROM studies s WHERE t.id = $1 AND s.id = t.study_id AND t.state = 'RUNNING' AND ${scope.sql}
     RETURNING t.id`,
    [trialId, tail, env === null ? null : JSON.stringify(env), scope.value],
  );
}
