import { isActive } from '@posterior/core';
import type { Params } from '@posterior/optimizer';
import type { Sql } from '../common/db.js';
import type { Observation } from './compute.js';

export interface StudyHistory {
  /** What the model learns from, in trial-number order (the order is part of determinism). */
  observed: Observation[];
  /** RUNNING and WAITING trials: points already taken whose values are not known yet. */
  pending: Params[];
}

/**
 * The history a sampler sees: COMPLETE trials by their value, PRUNED trials by the last value of the
 * study's objective metric they reported (as Optuna's samplers treat them). Pruned trials must
 * count: they are the evidence that a region is poor; left out, a GP keeps proposing the very
 * configurations the pruner just stopped, as a 30-trial demo study with a median pruner showed.
 * A pruned trial is flagged: its early-epoch value is an upper bound of its result, which the GP caps
 * at the worst completed value so that it marks the region as poor without stretching the scale.
 * FAILED trials (and pruned ones that reported nothing) go in with a NaN value: the optimizer counts
 * their points as tried, so a configuration that fails every time is not proposed again, and learns
 * nothing from them.
 */
export async function loadStudyHistory(
  sql: Sql,
  studyId: string,
  objective: string,
  objectiveIndex = 0,
): Promise<StudyHistory> {
  type Row = {
    state: string;
    params: Params;
    value: number | null;
    values: number[] | null;
    constraint_values: number[] | null;
  };
  // Another objective of a multi-objective study (the insights' `objective` argument): its told
  // value, a pruned trial's else its last report of that objective's metric (`value` is the first's).
  const rows =
    objectiveIndex === 0
      ? await sql.rows<Row>(
          `SELECT t.state, t.params, t."values", t.constraint_values,
            CASE WHEN t.state = 'PRUNED' THEN COALESCE(t.value,
              (SELECT m.value FROM metric_points m WHERE m.trial_id = t.id AND m.name = $2
               ORDER BY m.step DESC LIMIT 1))
            ELSE t.value END AS value
     FROM trials t
     WHERE t.study_id = $1
     ORDER BY t.number`,
          [studyId, objective],
        )
      : await sql.rows<Row>(
          `SELECT t.state, t.params, t."values", t.constraint_values,
            CASE WHEN t.state = 'PRUNED' THEN COALESCE(t."values"[$3::int],
              (SELECT m.value FROM metric_points m WHERE m.trial_id = t.id AND m.name = $2
               ORDER BY m.step DESC LIMIT 1))
            ELSE t."values"[$3::int] END AS value
     FROM trials t
     WHERE t.study_id = $1
     ORDER BY t.number`,
          [studyId, objective, objectiveIndex + 1],
        );
  const observed: Observation[] = [];
  const pending: Params[] = [];
  for (const row of rows) {
    if (isActive(row.state)) pending.push(row.params);
    else
      observed.push({
        params: row.params,
        value: row.value ?? Number.NaN,
        // Multi-objective and constrained studies (issue 17); absent for plain ones, as before.
        ...(row.values !== null && row.values.length > 1 ? { values: row.values } : {}),
        ...(row.constraint_values !== null ? { constraints: row.constraint_values } : {}),
        ...(row.state === 'PRUNED' ? { pruned: true } : {}),
      });
  }
  return { observed, pending };
}
