import { type CsvOutcomeStudy, trialsCsv } from '@posterior/core';
import type { Db } from '../common/db.js';
import { feasibleOf, valuesOf } from '../common/trial-record.js';
import type { TrialState } from '../db/index.js';

interface ExportRow {
  id: string;
  number: number;
  state: string;
  value: number | null;
  values: number[] | null;
  constraint_values: number[] | null;
  worker_id: string | null;
  error: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  params: Record<string, unknown>;
}

/**
 * `Study.trialsExport(format: CSV)`: the trials of a study as `posterior export` writes them (core's
 * `trialsCsv`: fields, a multi-objective or constrained study's `value_<objective>`,
 * `constraint_<name>` and `feasible`, `params.<name>` in the search space's order then any extra enqueued keys, and
 * with `metrics` each metric's last value as `metrics.<name>`), in two statements however many trials.
 * The caller already has read access to the study.
 */
export async function exportTrialsCsv(
  db: Db,
  studyId: string,
  searchSpaceNames: readonly string[],
  options: { state: TrialState | null; metrics: boolean; outcomes?: CsvOutcomeStudy },
): Promise<string> {
  const rows = await db.rows<ExportRow>(
    `SELECT id, number, state, value, "values", constraint_values, worker_id, error, started_at, finished_at, params
       FROM trials WHERE study_id = $1 AND ($2::text IS NULL OR state = $2) ORDER BY number`,
    [studyId, options.state],
  );
  const names = [...searchSpaceNames];
  const known = new Set(names);
  for (const r of rows)
    for (const k of Object.keys(r.params))
      if (!known.has(k)) {
        known.add(k);
        names.push(k);
      }
  let metrics: Parameters<typeof trialsCsv>[2];
  if (options.metrics) {
    // Each trial's point at its highest step, per metric.
    const points = await db.rows<{ trial_id: string; name: string; value: number }>(
      `SELECT DISTINCT ON (trial_id, name) trial_id, name, value FROM metric_points
        WHERE study_id = $1 ORDER BY trial_id, name, step DESC`,
      [studyId],
    );
    const byTrial = new Map<string, Map<string, { value: number }>>();
    const metricNames = new Set<string>();
    for (const p of points) {
      metricNames.add(p.name);
      const m = byTrial.get(p.trial_id) ?? new Map<string, { value: number }>();
      byTrial.set(p.trial_id, m);
      m.set(p.name, { value: p.value });
    }
    metrics = { names: [...metricNames].sort(), byTrial };
  }
  return trialsCsv(
    rows.map((r) => ({
      id: r.id,
      number: r.number,
      state: r.state,
      value: r.value,
      values: valuesOf(r),
      constraints: r.constraint_values,
      feasible: feasibleOf(r),
      workerId: r.worker_id,
      error: r.error,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      params: r.params,
    })),
    names,
    metrics,
    options.outcomes,
  );
}
