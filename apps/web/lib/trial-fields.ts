// What the trials query, the column chooser and the CSV export read from a trial: its own fields, its
// params, and the last reported value of each metric. One place, so the three agree on names.
import { type CsvOutcomeStudy, csvCell, csvOutcomeCells, csvOutcomeColumns, csvText } from '@posterior/core';
import { durationMs } from './format.ts';
import {
  evaluate,
  parseQuery,
  type QueryNode,
  type QueryValue,
  type Resolve,
  type ResolvedValue,
} from './trial-query.ts';
import type { Trial } from './types.ts';

/** The last reported value of a metric for a trial (null when it reported none). */
export type LastMetric = (trialId: string, metric: string) => number | null;

/** Trial fields a query and the CSV can name, before params and metrics. */
export const TRIAL_FIELDS = ['number', 'state', 'value', 'worker', 'error', 'duration_s'] as const;

function field(t: Trial, name: string, now: number): QueryValue | undefined {
  switch (name) {
    case 'number':
      return t.number;
    case 'state':
      return t.state;
    case 'value':
      return t.value;
    case 'worker':
      return t.workerId;
    case 'error':
      return t.error;
    case 'duration_s': {
      const ms = durationMs(t.startedAt, t.finishedAt, now);
      return ms === null ? null : ms / 1000;
    }
    default:
      return undefined;
  }
}

/**
 * The annotations (issue 15 item 8): `note`, and `tags` (alias `tag`, so `tag = "x"` reads naturally)
 * as a list; the pruner's `prune_step` and `prune_reason`. Query names only, not CSV columns: the
 * export's columns are `posterior export`'s.
 */
function annotation(t: Trial, name: string): ResolvedValue | undefined {
  if (name === 'note') return t.note ?? null;
  if (name === 'tags' || name === 'tag') return t.tags ?? [];
  if (name === 'prune_step') return t.pruneStep ?? null;
  if (name === 'prune_reason') return t.pruneReason ?? null;
  return undefined;
}

/** A trial's user attribute by key (undefined when it has none of that key). */
export function attributeOf(t: Trial, key: string): QueryValue | undefined {
  for (const a of t.attributes ?? []) if (a.key === key) return a.value;
  return undefined;
}

/** Every attribute key of these trials, sorted (the column chooser offers each). */
export function attributeKeys(trials: readonly Trial[]): string[] {
  const keys = new Set<string>();
  for (const t of trials) for (const a of t.attributes ?? []) keys.add(a.key);
  return [...keys].sort((a, b) => a.localeCompare(b));
}

/**
 * A multi-objective or constrained study's names (issue 17): each objective's and constraint's name
 * reads the trial's told value, and `feasible` whether it keeps every constraint.
 */
export interface OutcomeNames {
  objectives: readonly string[];
  constraints: readonly string[];
}

function outcome(t: Trial, name: string, names: OutcomeNames | undefined): QueryValue | undefined {
  if (!names) return undefined;
  const o = names.objectives.indexOf(name);
  if (o >= 0) return t.values?.[o] ?? (o === 0 ? t.value : null) ?? undefined;
  const c = names.constraints.indexOf(name);
  if (c >= 0) return t.constraints?.[c] ?? undefined;
  if (name === 'feasible' && names.constraints.length > 0) return t.feasible ?? undefined;
  return undefined;
}

/**
 * Looks names up on one trial: `params.x` / `p.x`, `metrics.x` / `m.x`, `attr.x` / `attrs.x` /
 * `a.x`, the objective's name (its value), each objective's and constraint's name and `feasible`
 * (given `names`), then a field, a param, a metric, an attribute, in that order.
 */
export function trialResolver(
  t: Trial,
  objective: string,
  lastMetric: LastMetric,
  now = Date.now(),
  names?: OutcomeNames,
): Resolve {
  const metric = (m: string): QueryValue | undefined => {
    const v = lastMetric(t.id, m);
    return v === null ? undefined : v;
  };
  // own keys only: a query naming `constructor` must not reach Object.prototype
  const param = (p: string): QueryValue | undefined => (Object.hasOwn(t.params, p) ? t.params[p] : undefined);
  return (name) => {
    const dot = name.indexOf('.');
    if (dot > 0) {
      const head = name.slice(0, dot);
      const rest = name.slice(dot + 1);
      if (head === 'params' || head === 'p') return param(rest);
      if (head === 'metrics' || head === 'm') return metric(rest);
      if (head === 'attr' || head === 'attrs' || head === 'a') return attributeOf(t, rest);
    }
    if (name === objective && t.value !== null) return t.value;
    const told = outcome(t, name, names);
    if (told !== undefined) return told;
    const a = annotation(t, name);
    if (a !== undefined) return a;
    const f = field(t, name, now);
    if (f !== undefined) return f;
    if (Object.hasOwn(t.params, name)) return param(name);
    return metric(name) ?? attributeOf(t, name);
  };
}

export interface QueryResult {
  trials: Trial[];
  /** Why the query could not be read (then every trial is returned). */
  error: { message: string; at: number } | null;
}

/** The trials a query keeps (all of them when it is empty or does not parse). */
export function filterTrials(
  trials: readonly Trial[],
  query: string,
  objective: string,
  lastMetric: LastMetric,
  now = Date.now(),
  names?: OutcomeNames,
): QueryResult {
  let tree: QueryNode | null;
  try {
    tree = parseQuery(query);
  } catch (e) {
    const at = typeof (e as { at?: unknown }).at === 'number' ? (e as { at: number }).at : 0;
    return { trials: [...trials], error: { message: (e as Error).message, at } };
  }
  if (!tree) return { trials: [...trials], error: null };
  const node = tree;
  return {
    trials: trials.filter((t) => evaluate(node, trialResolver(t, objective, lastMetric, now, names))),
    error: null,
  };
}

export interface CsvColumn {
  /** Header in the file: a field, `param:<name>` shown as the name, or `metric:<name>`. */
  header: string;
  get: (t: Trial) => QueryValue | undefined;
}

/**
 * Columns of the export, as core's `trialsCsv` (`posterior export`, `Study.trialsExport`) names them:
 * the fields, a multi-objective or constrained study's outcome columns (core's csvOutcomeColumns:
 * `value_<objective>`, `constraint_<name>`, `feasible`), the params, then the metrics (last values).
 */
export function csvColumns(
  params: readonly string[],
  metrics: readonly string[],
  lastMetric: LastMetric,
  now = Date.now(),
  study: CsvOutcomeStudy = {},
): CsvColumn[] {
  return [
    ...TRIAL_FIELDS.map((f) => ({ header: f, get: (t: Trial) => field(t, f, now) })),
    { header: 'started_at', get: (t: Trial) => t.startedAt },
    { header: 'finished_at', get: (t: Trial) => t.finishedAt },
    ...csvOutcomeColumns(study).map((header, i) => ({
      header,
      get: (t: Trial) => csvOutcomeCells(study, t)[i],
    })),
    ...params.map((p) => ({
      header: `params.${p}`,
      get: (t: Trial) => (Object.hasOwn(t.params, p) ? t.params[p] : undefined),
    })),
    ...metrics.map((m) => ({ header: `metrics.${m}`, get: (t: Trial) => lastMetric(t.id, m) })),
  ];
}

export function toCsv(trials: readonly Trial[], columns: readonly CsvColumn[]): string {
  return csvText(
    columns.map((c) => c.header),
    trials.map((t) => columns.map((c) => c.get(t))),
  );
}

export { csvCell };
