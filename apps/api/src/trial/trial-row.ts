import { feasibleOf, type SuggestionRecord, type TrialRecord, valuesOf } from '../common/trial-record.js';
import { TRIAL_INFO_COLUMNS, type TrialInfo, type TrialInfoRow, type TrialState } from '../db/index.js';
import { MetricPoint } from '../graphql/types.js';

/**
 * Trial and metric rows as the trial services select them (snake_case, as in the migrations), and
 * the one place they turn into records and GraphQL objects. Column lists live beside the row
 * types so a query and its mapping cannot drift apart; the informational columns (`TRIAL_INFO`,
 * beside the trial entity) are added to both from that one list.
 */
export interface TrialRow extends TrialInfoRow {
  id: string;
  study_id: string;
  number: number;
  state: TrialState;
  params: Record<string, number | string | boolean>;
  value: number | null;
  values: number[] | null;
  constraint_values: number[] | null;
  suggestion: Record<string, unknown> | null;
  worker_id: string | null;
  error: string | null;
  retry_of: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  heartbeat_at: Date | null;
}
export const TRIAL_COLUMNS = [
  't.id, t.study_id, t.number, t.state, t.params, t.value, t."values", t.constraint_values, t.suggestion, t.worker_id, t.error, t.retry_of',
  't.created_at, t.started_at, t.finished_at, t.heartbeat_at',
  ...TRIAL_INFO_COLUMNS.map(([, column]) => `t.${column}`),
].join(', ');
/** The same columns for RETURNING clauses, where the table alias is not in scope. */
export const TRIAL_RETURNING = TRIAL_COLUMNS.replaceAll('t.', '');

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

function suggestionRecord(raw: Record<string, unknown> | null): SuggestionRecord | null {
  if (raw === null) return null;
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return {
    sampler: str(raw.sampler) ?? 'unknown',
    phase: str(raw.phase) ?? 'model',
    mean: num(raw.mean),
    std: num(raw.std),
    acquisition: num(raw.acquisition),
    acquisitionName: str(raw.acquisitionName),
    means: nums(raw.means),
    stds: nums(raw.stds),
    feasibility: num(raw.feasibility),
  };
}

function nums(v: unknown): number[] | null {
  return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x))
    ? (v as number[])
    : null;
}

export function trialRecord(row: TrialRow): TrialRecord {
  const record: Omit<TrialRecord, keyof TrialInfo> = {
    id: row.id,
    studyId: row.study_id,
    number: row.number,
    state: row.state,
    params: row.params,
    value: row.value,
    values: valuesOf(row),
    constraints: row.constraint_values,
    feasible: feasibleOf(row),
    suggestion: suggestionRecord(row.suggestion),
    workerId: row.worker_id,
    error: row.error,
    retryOf: row.retry_of,
    createdAt: row.created_at.toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    heartbeatAt: iso(row.heartbeat_at),
  };
  // A loop over a short constant list (two fields today): asks and tells stay cheap.
  for (const [field, column, empty] of TRIAL_INFO_COLUMNS)
    (record as unknown as Record<string, unknown>)[field] =
      (row as unknown as Record<string, unknown>)[column] ?? empty();
  return record as TrialRecord;
}

export interface MetricRow {
  trial_id: string;
  name: string;
  step: number;
  value: number;
  time: Date;
}

export function toMetricPoint(row: MetricRow): MetricPoint {
  return Object.assign(new MetricPoint(), {
    trialId: row.trial_id,
    name: row.name,
    step: row.step,
    value: row.value,
    time: row.time,
  });
}
