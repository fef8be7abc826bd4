import type { TrialTable, TrialTableInfoValue, TrialTableRow, TrialTableState } from '@posterior/core';
import type { Db } from '../common/db.js';
import { BadUserInputError } from '../common/errors.js';
import { feasibleOf, valuesOf } from '../common/trial-record.js';
import { TRIAL_INFO, TRIAL_INFO_COLUMNS, type TrialInfoColumn } from '../db/index.js';

/** Most trials one `trialTable` answer carries (a 10,000-trial study fits twice over). */
export const MAX_TRIAL_TABLE = 20_000;

export type { TrialTable, TrialTableRow } from '@posterior/core';

interface Row {
  id: string;
  number: number;
  state: TrialTableState;
  value: number | null;
  values: number[] | null;
  constraint_values: number[] | null;
  worker_id: string | null;
  started_ms: number | null;
  finished_ms: number | null;
  error: string | null;
  params: Record<string, unknown>;
  suggestion: {
    sampler?: string;
    mean?: number | null;
    std?: number | null;
    acquisition?: number | null;
  } | null;
  total: number;
  /** The informational columns, by column name. */
  [infoColumn: string]: unknown;
}

/**
 * The informational fields (TRIAL_INFO, beside the trial entity) ride after the suggestion, all but
 * those marked `inTable: false` (a log tail, an environment: too large to send for every trial).
 */
const TABLE_INFO = TRIAL_INFO_COLUMNS.filter(
  ([field]) => (TRIAL_INFO as Record<string, TrialInfoColumn>)[field]?.inTable !== false,
);
const INFO_FIELDS = TABLE_INFO.map(([field]) => field);
const INFO_SELECT = TABLE_INFO.map(([, column]) => `, ${column}`).join('');

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * Every trial of a study in one compact answer, ordered by number: the dashboard's study page reads
 * 10,000 trials in one request instead of twenty 500-trial pages of objects (parameter names are
 * sent once, not per trial). The caller must already have read access to the study.
 */
export async function loadTrialTable(
  db: Db,
  studyId: string,
  searchSpaceNames: readonly string[],
  limitInput: number | null | undefined,
): Promise<TrialTable> {
  const limit = limitInput ?? MAX_TRIAL_TABLE;
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_TRIAL_TABLE)
    throw new BadUserInputError('limit', `must be between 0 and ${MAX_TRIAL_TABLE}`);
  const rows = await db.rows<Row>(
    `SELECT id, number, state, value, "values", constraint_values, worker_id, error, params, suggestion${INFO_SELECT},
            (extract(epoch FROM started_at) * 1000)::float8 AS started_ms,
            (extract(epoch FROM finished_at) * 1000)::float8 AS finished_ms,
            count(*) OVER ()::int AS total
       FROM trials WHERE study_id = $1 ORDER BY number LIMIT $2`,
    [studyId, limit],
  );
  // the search space's names first (their order is the study's), then any extra enqueued keys
  const names = [...searchSpaceNames];
  const known = new Set(names);
  for (const r of rows)
    for (const k of Object.keys(r.params))
      if (!known.has(k)) {
        known.add(k);
        names.push(k);
      }
  const total =
    rows[0]?.total ??
    (await db.one<{ n: number }>('SELECT count(*)::int AS n FROM trials WHERE study_id = $1', [studyId]))
      ?.n ??
    0;
  return {
    total,
    params: names,
    info: INFO_FIELDS,
    rows: rows.map(
      (r): TrialTableRow => [
        r.id,
        r.number,
        r.state,
        r.value,
        r.worker_id,
        r.started_ms,
        r.finished_ms,
        r.error,
        names.map((n) => r.params[n] ?? null),
        r.suggestion
          ? [
              typeof r.suggestion.sampler === 'string' ? r.suggestion.sampler : '',
              num(r.suggestion.mean),
              num(r.suggestion.std),
              num(r.suggestion.acquisition),
            ]
          : null,
        valuesOf(r),
        r.constraint_values,
        feasibleOf(r),
        ...TABLE_INFO.map(([, column, empty]) => (r[column] ?? empty()) as TrialTableInfoValue),
      ],
    ),
  };
}
