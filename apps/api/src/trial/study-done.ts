import { ACTIVE_TRIAL_STATES } from '@posterior/core';
import type { Sql } from '../common/db.js';
import { sqlList } from '../db/index.js';
import type { TrialDeps } from './trial-deps.js';

const ACTIVE = sqlList(ACTIVE_TRIAL_STATES);

/**
 * DONE once the budget is used (or, with `exhausted`, the search space has no point left) and
 * nothing is waiting or running; true when it changed.
 */
export async function markDoneIfSpent(sql: Sql, studyId: string, exhausted = false): Promise<boolean> {
  const row = await sql.one<{ id: string }>(
    `UPDATE studies s SET state = 'DONE', updated_at = now()
     WHERE s.id = $1 AND s.state = 'RUNNING' AND ($2 OR s.budget_used >= s.max_trials)
       AND NOT EXISTS (SELECT 1 FROM trials t WHERE t.study_id = s.id AND t.state IN (${ACTIVE}))
     RETURNING s.id`,
    [studyId, exhausted],
  );
  return row !== null;
}

/** markDoneIfSpent in its own statement, logging the transition. */
export async function endStudyIfSpent(
  deps: Pick<TrialDeps, 'db' | 'logger'>,
  studyId: string,
  exhausted = false,
): Promise<void> {
  if (await markDoneIfSpent(deps.db, studyId, exhausted)) {
    deps.logger.info({ studyId }, 'study budget spent: DONE');
  }
}
