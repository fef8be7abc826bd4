import { decodeCursor, pageSize } from '../common/cursor.js';
import type { Sql } from '../common/db.js';
import { BadUserInputError } from '../common/errors.js';
import type { TrialRecord } from '../common/trial-record.js';
import type { TrialState } from '../db/index.js';
import { TrialSort } from '../graphql/enums.js';
import { toConnection, toTrial } from '../graphql/mapping.js';
import { type MetricPoint, TrialConnection, TrialEdge } from '../graphql/types.js';
import { type MetricRow, TRIAL_COLUMNS, type TrialRow, toMetricPoint, trialRecord } from './trial-row.js';

export const MAX_TRIALS_PAGE = 500;

const SORT_KEYS: Record<TrialSort, string[]> = {
  [TrialSort.NUMBER_ASC]: ['t.number'],
  [TrialSort.NUMBER_DESC]: ['-t.number'],
  [TrialSort.VALUE_ASC]: ['(t.value IS NULL)', 'COALESCE(t.value, 0)', 't.number'],
  [TrialSort.VALUE_DESC]: ['(t.value IS NULL)', '-COALESCE(t.value, 0)', 't.number'],
};

export interface TrialListOptions {
  states: readonly TrialState[] | null;
  first: number | null | undefined;
  after: string | null | undefined;
  sort: TrialSort | null | undefined;
}

/** By id without authorization: for subscribers already authorized on the trial's study. */
export async function trialById(sql: Sql, trialId: string): Promise<TrialRecord | null> {
  const row = await sql.one<TrialRow>(`SELECT ${TRIAL_COLUMNS} FROM trials t WHERE t.id = $1`, [trialId]);
  return row && trialRecord(row);
}

/** A page of a study's trials (the caller is already authorized on the study). */
export async function listTrials(
  sql: Sql,
  studyId: string,
  options: TrialListOptions,
): Promise<TrialConnection> {
  const first = pageSize('first', options.first, 100, MAX_TRIALS_PAGE);
  const cursor = decodeCursor('after', options.after, studyId);
  const keys = SORT_KEYS[options.sort ?? TrialSort.NUMBER_ASC];
  const states = options.states && options.states.length > 0 ? options.states : null;
  if (cursor !== null) {
    // Forged cursors name a real trial of another study: refuse them rather than page from them.
    const own = await sql.one('SELECT 1 FROM trials WHERE id = $1 AND study_id = $2', [cursor, studyId]);
    if (own === null) throw new BadUserInputError('after', 'is a cursor of another list');
  }
  const after = `(${keys.join(', ')}) > (SELECT ${keys.map((k) => k.replaceAll('t.', 'c.')).join(', ')} FROM trials c WHERE c.id = $3 AND c.study_id = $1)`;
  const rows = await sql.rows<TrialRow>(
    `SELECT ${TRIAL_COLUMNS} FROM trials t
     WHERE t.study_id = $1 AND ($2::text[] IS NULL OR t.state = ANY($2::text[]))
       AND ($3::uuid IS NULL OR ${after})
     ORDER BY ${keys.join(', ')} LIMIT $4`,
    [studyId, states, cursor, first + 1],
  );
  const total = await sql.one<{ n: number }>(
    'SELECT count(*)::int AS n FROM trials t WHERE t.study_id = $1 AND ($2::text[] IS NULL OR t.state = ANY($2::text[]))',
    [studyId, states],
  );
  return toConnection(
    TrialConnection,
    TrialEdge,
    studyId,
    rows.slice(0, first).map((row) => toTrial(trialRecord(row))),
    rows.length > first,
    total?.n ?? 0,
  );
}

export async function trialMetrics(
  sql: Sql,
  trialId: string,
  name: string | null | undefined,
): Promise<MetricPoint[]> {
  const rows = await sql.rows<MetricRow>(
    `SELECT trial_id, name, step, value, time FROM metric_points
     WHERE trial_id = $1 AND ($2::text IS NULL OR name = $2) ORDER BY name, step`,
    [trialId, name ?? null],
  );
  return rows.map(toMetricPoint);
}

/**
 * Metrics of many trials at once (the per-request loader's fetch): one query per metric-name
 * filter. Keys are `trialId` or `trialId\u0000name`.
 */
export async function trialMetricsMany(
  sql: Sql,
  keys: readonly string[],
): Promise<Map<string, MetricPoint[]>> {
  const byName = new Map<string | null, string[]>();
  for (const key of keys) {
    const [trialId = '', name] = key.split('\u0000');
    const list = byName.get(name ?? null) ?? [];
    list.push(trialId);
    byName.set(name ?? null, list);
  }
  const out = new Map<string, MetricPoint[]>();
  for (const [name, trialIds] of byName) {
    const rows = await sql.rows<MetricRow>(
      `SELECT trial_id, name, step, value, time FROM metric_points
       WHERE trial_id = ANY($1::uuid[]) AND ($2::text IS NULL OR name = $2) ORDER BY trial_id, name, step`,
      [trialIds, name],
    );
    for (const row of rows) {
      const key = name === null ? row.trial_id : `${row.trial_id}\u0000${name}`;
      const list = out.get(key) ?? [];
      list.push(toMetricPoint(row));
      out.set(key, list);
    }
  }
  return out;
}
