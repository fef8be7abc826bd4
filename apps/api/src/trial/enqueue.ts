import * as optimizer from '@posterior/optimizer';
import { callerUserId, decide, memberRoleSql, requireCaller, roleFor } from '../authz/authorization.js';
import type { Caller } from '../authz/caller.js';
import { ConflictError, NotFoundError } from '../common/errors.js';
import type { Params, TrialRecord } from '../common/trial-record.js';
import { isUuid } from '../common/validate.js';
import { Role, StudyState } from '../db/index.js';
import { optimizerInputError } from '../study/study.validation.js';
import { STUDY_COLUMNS, type StudyRow } from '../study/study-row.js';
import { publishTrial, type TrialDeps } from './trial-deps.js';
import { TRIAL_RETURNING, type TrialRow, trialRecord } from './trial-row.js';

/** Queues a WAITING trial with chosen params; asks hand it out before suggesting new ones. */
export async function enqueueTrial(
  deps: TrialDeps,
  caller: Caller | null,
  studyId: string,
  paramsInput: unknown,
): Promise<TrialRecord> {
  const c = requireCaller(caller);
  if (!isUuid(studyId)) throw new NotFoundError('study');
  const row = await deps.db.tx(async (sql) => {
    const study = await sql.one<StudyRow & { budget_used: number; member_role: Role | null }>(
      `SELECT ${STUDY_COLUMNS}, s.budget_used, ${memberRoleSql('s.team_id', '$2')} AS member_role
       FROM studies s WHERE s.id = $1 FOR NO KEY UPDATE OF s`,
      [studyId, callerUserId(c)],
    );
    decide(study && roleFor(c, study.team_id, study.member_role), Role.MEMBER, 'study');
    if (study === null) throw new NotFoundError('study');
    let params: Params;
    try {
      params = optimizer.parseSearchSpace(study.search_space).validateParams(paramsInput) as Params;
    } catch (error) {
      throw optimizerInputError(error, null, 'params') ?? error;
    }
    if (study.state === StudyState.DONE || study.state === StudyState.ARCHIVED) {
      throw new ConflictError(`study is ${study.state}; it takes no new trials`);
    }
    if (study.budget_used >= study.max_trials) {
      throw new ConflictError(`study has used its budget of ${study.max_trials} trials`);
    }
    const alloc = await sql.one<{ first: number }>(
      `UPDATE studies SET next_trial_number = next_trial_number + 1, budget_used = budget_used + 1
       WHERE id = $1 RETURNING next_trial_number - 1 AS first`,
      [studyId],
    );
    if (alloc === null) throw new NotFoundError('study');
    return sql.one<TrialRow>(
      `INSERT INTO trials (study_id, number, state, params) VALUES ($1, $2, 'WAITING', $3) RETURNING ${TRIAL_RETURNING}`,
      [studyId, alloc.first, JSON.stringify(params)],
    );
  });
  if (row === null) throw new Error('insert returned nothing');
  const trial = trialRecord(row);
  publishTrial(deps, 'CREATED', trial);
  return trial;
}
