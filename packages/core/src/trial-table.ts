/**
 * `Study.trialTable`: every trial of a study in one compact JSON value (the dashboard's study page
 * reads 10,000 trials in one request; parameter names are sent once, not per trial). The API builds
 * it, the SDK hands it to clients: both use these types, so the row has one definition.
 */

/** A trial state as the table carries it (the GraphQL TrialState enum's names). */
export type TrialTableState = 'WAITING' | 'RUNNING' | 'COMPLETE' | 'PRUNED' | 'FAILED';

/** An informational field's value (a trial's note, tags, ...): a nullable scalar or a string list. */
export type TrialTableInfoValue =
  | string
  | number
  | boolean
  | null
  | string[]
  | Array<{ key: string; value: string | number | boolean }>;

/**
 * One trial: [id, number, state, value, workerId, startedAtMs, finishedAtMs, error, paramValues,
 * suggestion, values, constraints, feasible, ...infoValues], paramValues in the table's `params`
 * order (null where the trial lacks one), suggestion [sampler, mean, std, acquisition] or null;
 * values one per objective in study order (single-objective: [value]; null until told), constraints
 * one per constraint (null until told or without constraints), feasible (null until COMPLETE; true
 * without constraints), as the GraphQL Trial fields of those names; then one value per name in the
 * table's `info`.
 */
export type TrialTableRow = [
  id: string,
  number: number,
  state: TrialTableState,
  value: number | null,
  workerId: string | null,
  startedAtMs: number | null,
  finishedAtMs: number | null,
  error: string | null,
  paramValues: unknown[],
  suggestion: [sampler: string, mean: number | null, std: number | null, acquisition: number | null] | null,
  values: number[] | null,
  constraints: number[] | null,
  feasible: boolean | null,
  ...infoValues: TrialTableInfoValue[],
];

/** Where a row's informational values start (after `feasible`). */
export const TRIAL_TABLE_INFO_START = 13;

export interface TrialTable {
  /** Trials in the study (the table holds the first `limit` of them by number). */
  total: number;
  /** Parameter names: the order of every row's paramValues. */
  params: string[];
  /**
   * The trial's informational fields (GraphQL `Trial` field names) the rows carry after their
   * suggestion, in this order: a new informational field reaches the table without a change to it.
   */
  info: string[];
  rows: TrialTableRow[];
}
