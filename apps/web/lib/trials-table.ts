import { durationMs, formatParam } from './format.ts';
import { TRIAL_STATES, type Trial, type TrialState } from './types.ts';

export type SortDir = 'asc' | 'desc';

export interface TableQuery {
  states: TrialState[];
  /** Free text: matches trial number, worker, or a param rendered as "name=value". */
  text: string;
  /**
   * "number" | "state" | "value" | "duration" | "param:<name>" | "metric:<name>" | "attr:<key>";
   * multi-objective and constrained studies: "obj:<i>" (the i-th objective's value), "con:<i>" (the
   * i-th constraint's), "feasible".
   */
  sort: string;
  dir: SortDir;
  page: number;
  pageSize: number;
}

export const PAGE_SIZES = [25, 50, 100, 250] as const;
export const DEFAULT_QUERY: TableQuery = {
  states: [],
  text: '',
  sort: 'number',
  dir: 'desc',
  page: 1,
  pageSize: 50,
};

/** URL keys (prefixed so they can share the study page's query string with other controls). */
const K = { states: 'tstate', text: 'tq', sort: 'tsort', dir: 'tdir', page: 'tpage', size: 'tsize' } as const;

/** Every URL key the table reads (its component re-renders only when one of these changes). */
export const TABLE_KEYS: readonly string[] = Object.values(K);

export function parseTableQuery(sp: URLSearchParams): TableQuery {
  const states = (sp.get(K.states) ?? '')
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter((s): s is TrialState => (TRIAL_STATES as readonly string[]).includes(s));
  const page = Number.parseInt(sp.get(K.page) ?? '', 10);
  const size = Number.parseInt(sp.get(K.size) ?? '', 10);
  const dir = sp.get(K.dir);
  return {
    states,
    text: sp.get(K.text) ?? '',
    sort: sp.get(K.sort) || DEFAULT_QUERY.sort,
    dir: dir === 'asc' || dir === 'desc' ? dir : DEFAULT_QUERY.dir,
    page: Number.isFinite(page) && page > 0 ? page : 1,
    pageSize: (PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_QUERY.pageSize,
  };
}

/** Writes the query into `sp` (a copy), leaving defaults out so URLs stay short. */
export function writeTableQuery(sp: URLSearchParams, q: TableQuery): URLSearchParams {
  const out = new URLSearchParams(sp);
  const set = (k: string, v: string, def: string) => (v === def ? out.delete(k) : out.set(k, v));
  set(K.states, q.states.join(','), '');
  set(K.text, q.text, '');
  set(K.sort, q.sort, DEFAULT_QUERY.sort);
  set(K.dir, q.dir, DEFAULT_QUERY.dir);
  set(K.page, String(q.page), '1');
  set(K.size, String(q.pageSize), String(DEFAULT_QUERY.pageSize));
  return out;
}

function matchesText(t: Trial, text: string): boolean {
  if (!text) return true;
  const needle = text.toLowerCase();
  if (String(t.number) === needle || `#${t.number}` === needle) return true;
  if (t.workerId?.toLowerCase().includes(needle)) return true;
  for (const [k, v] of Object.entries(t.params)) {
    if (`${k}=${formatParam(v)}`.toLowerCase().includes(needle)) return true;
  }
  return false;
}

const STATE_ORDER: Record<TrialState, number> = { RUNNING: 0, WAITING: 1, COMPLETE: 2, PRUNED: 3, FAILED: 4 };

/**
 * A column's value that the table does not hold on the trial itself: a metric's last reported value
 * (`metric:<name>`), an attribute (`attr:<key>`). Undefined when the trial has none.
 */
export type ColumnValue = (t: Trial, column: string) => number | string | boolean | null | undefined;

/** Missing values last; numbers by value, then text (booleans as false < true). */
function cmpValues(va: unknown, vb: unknown): number {
  const missing = (v: unknown) =>
    v === undefined || v === null || (typeof v === 'number' && !Number.isFinite(v));
  if (missing(va)) return missing(vb) ? 0 : Number.POSITIVE_INFINITY;
  if (missing(vb)) return Number.NEGATIVE_INFINITY;
  if (typeof va === 'number' && typeof vb === 'number') return va - vb;
  if (typeof va === 'number') return -1;
  if (typeof vb === 'number') return 1;
  return String(va).localeCompare(String(vb));
}

function compare(a: Trial, b: Trial, sort: string, now: number, columnValue?: ColumnValue): number {
  if (sort === 'state') return STATE_ORDER[a.state] - STATE_ORDER[b.state] || a.number - b.number;
  if (sort === 'value') return cmpNullable(a.value, b.value) || a.number - b.number;
  if (sort === 'duration') {
    return cmpNullable(
      durationMs(a.startedAt, a.finishedAt, now),
      durationMs(b.startedAt, b.finishedAt, now),
    );
  }
  if (sort.startsWith('obj:') || sort.startsWith('con:')) {
    const i = Number(sort.slice(4));
    const list = (t: Trial) => (sort.startsWith('obj:') ? t.values : t.constraints);
    const at = (t: Trial) => list(t)?.[i] ?? (i === 0 && sort.startsWith('obj:') ? t.value : null);
    return cmpNullable(at(a), at(b)) || a.number - b.number;
  }
  if (sort === 'feasible') {
    // feasible before infeasible (ascending); trials not yet judged last either way
    const rank = (t: Trial) => (t.feasible === true ? 0 : t.feasible === false ? 1 : null);
    return cmpNullable(rank(a), rank(b)) || a.number - b.number;
  }
  if (sort.startsWith('param:')) {
    const name = sort.slice(6);
    const va = a.params[name];
    const vb = b.params[name];
    if (typeof va === 'number' && typeof vb === 'number') return va - vb;
    if (va === undefined) return vb === undefined ? 0 : 1;
    if (vb === undefined) return -1;
    return String(va).localeCompare(String(vb));
  }
  if ((sort.startsWith('metric:') || sort.startsWith('attr:')) && columnValue)
    return cmpValues(columnValue(a, sort), columnValue(b, sort));
  return a.number - b.number;
}

/** Missing values sort last whichever the direction (handled by the caller flipping only non-null). */
function cmpNullable(a: number | null, b: number | null): number {
  if (a === null || !Number.isFinite(a))
    return b === null || !Number.isFinite(b) ? 0 : Number.POSITIVE_INFINITY;
  if (b === null || !Number.isFinite(b)) return Number.NEGATIVE_INFINITY;
  return a - b;
}

export interface TablePage {
  rows: Trial[];
  total: number;
  pages: number;
  page: number;
}

export function applyTableQuery(
  trials: readonly Trial[],
  q: TableQuery,
  now = Date.now(),
  columnValue?: ColumnValue,
): TablePage {
  const filtered = trials.filter(
    (t) => (q.states.length === 0 || q.states.includes(t.state)) && matchesText(t, q.text.trim()),
  );
  const sign = q.dir === 'asc' ? 1 : -1;
  filtered.sort((a, b) => {
    const c = compare(a, b, q.sort, now, columnValue) || (q.sort.includes(':') ? a.number - b.number : 0);
    // keep missing values at the end in both directions
    if (c === Number.POSITIVE_INFINITY || c === Number.NEGATIVE_INFINITY) return c > 0 ? 1 : -1;
    return sign * c;
  });
  const pages = Math.max(1, Math.ceil(filtered.length / q.pageSize));
  const page = Math.min(q.page, pages);
  const start = (page - 1) * q.pageSize;
  return { rows: filtered.slice(start, start + q.pageSize), total: filtered.length, pages, page };
}
