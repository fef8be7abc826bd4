import { callerUserId, decide, memberRoleSql, requireCaller, roleFor } from '../authz/authorization.js';
import type { Caller } from '../authz/caller.js';
import type { Sql } from '../common/db.js';
import { ConflictError, NotFoundError } from '../common/errors.js';
import { isUuid } from '../common/validate.js';
import type { Role, StudyState } from '../db/index.js';
import { TRIAL_COLUMNS, type TrialRow } from './trial-row.js';

/** A trial with the study fields its lifecycle decisions need, and the caller's role. */
export interface TrialAccess {
  trial: TrialRow;
  study: {
    teamId: string;
    state: StudyState;
    direction: 'MINIMIZE' | 'MAXIMIZE';
    objective: string;
    /** Every objective's name in study order (issue 17). */
    objectives: Array<{ name: string; direction: 'MINIMIZE' | 'MAXIMIZE' }>;
    constraints: Array<{ name: string }>;
    pruner: Record<string, unknown>;
    maxTrials: number;
    budgetUsed: number;
  };
  role: Role;
}

type TrialAccessRow = TrialRow & {
  team_id: string;
  study_state: StudyState;
  direction: 'MINIMIZE' | 'MAXIMIZE';
  objective: string;
  objectives: Array<{ name: string; direction: 'MINIMIZE' | 'MAXIMIZE' }> | null;
  study_constraints: Array<{ name: string }> | null;
  pruner: Record<string, unknown>;
  max_trials: number;
  budget_used: number;
  member_role: Role | null;
};

/**
 * The slow path of every trial mutation: loads the trial and its study and decides the caller's
 * access, throwing NOT_FOUND / FORBIDDEN. The fast paths authorize inside their one statement and
 * come here only when that matched nothing, to say why.
 */
export async function loadTrialAccess(
  sql: Sql,
  caller: Caller | null,
  trialId: string,
  min: Role,
): Promise<TrialAccess> {
  const c = requireCaller(caller);
  if (!isUuid(trialId)) throw new NotFoundError('trial');
  const row = await sql.one<TrialAccessRow>(
    `SELECT ${TRIAL_COLUMNS}, s.team_id, s.state AS study_state, s.direction, s.objective, s.objectives,
       s.constraints AS study_constraints, s.pruner, s.max_trials,
       s.budget_used, ${memberRoleSql('s.team_id', '$2')} AS member_role
     FROM trials t JOIN studies s ON s.id = t.study_id WHERE t.id = $1`,
    [trialId, callerUserId(c)],
  );
  const role = decide(row && roleFor(c, row.team_id, row.member_role), min, 'trial');
  if (row === null) throw new NotFoundError('trial');
  return {
    trial: row,
    study: {
      teamId: row.team_id,
      state: row.study_state,
      direction: row.direction,
      objective: row.objective,
      objectives: row.objectives?.length
        ? row.objectives
        : [{ name: row.objective, direction: row.direction }],
      constraints: row.study_constraints ?? [],
      pruner: row.pruner,
      maxTrials: row.max_trials,
      budgetUsed: row.budget_used,
    },
    role,
  };
}

/** CONFLICT for a change asked of a trial that already finished. */
export function finishedConflict(trial: TrialRow, what: string): ConflictError {
  const detail = trial.value === null ? '' : ` with value ${trial.value}`;
  return new ConflictError(`trial #${trial.number} is already ${trial.state}${detail}; it ${what}`);
}
