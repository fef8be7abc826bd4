import type { Sql } from '../common/db.js';
import { TRIAL_RETURNING, type TrialRow } from './trial-row.js';

/**
 * Inserts a WAITING copy of `trial` (same params and suggestion, `retry_of` set) under the next
 * trial number; null when the study is gone. A copy is a retry, so it does not count against
 * maxTrials. (Like every insert of a WAITING trial, it moves the study row's version, which tells the
 * claim fast path of every API process that a WAITING trial appeared: see ask-statements.ts.)
 */
export async function insertRetryCopy(
  sql: Sql,
  trial: Pick<TrialRow, 'id' | 'study_id' | 'params' | 'suggestion'>,
): Promise<TrialRow | null> {
  const alloc = await sql.one<{ first: number }>(
    `UPDATE studies SET next_trial_number = next_trial_number + 1 WHERE id = $1
     RETURNING next_trial_number - 1 AS first`,
    [trial.study_id],
  );
  if (alloc === null) return null;
  return sql.one<TrialRow>(
    `INSERT INTO trials (study_id, number, state, params, suggestion, retry_of)
     VALUES ($1, $2, 'WAITING', $3, $4, $5) RETURNING ${TRIAL_RETURNING}`,
    [
      trial.study_id,
      alloc.first,
      JSON.stringify(trial.params),
      trial.suggestion && JSON.stringify(trial.suggestion),
      trial.id,
    ],
  );
}
