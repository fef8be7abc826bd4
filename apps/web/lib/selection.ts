// The study page's linked selection (issue 15 item 4): a set of trial ids picked by a brush on the
// convergence plot, a brush on the parallel axes, or the trials table's row boxes, and shown on every
// view. Pure helpers; the React state lives in components/study/selection.tsx.
import type { Trial } from './types.ts';

/** Where the current selection came from (each view says so, and a new brush replaces the old). */
export type SelectionSource = 'convergence' | 'zoom' | 'parallel' | 'table' | 'compare';

export interface Selection {
  ids: ReadonlySet<string>;
  source: SelectionSource | null;
}

export const EMPTY_SELECTION: Selection = { ids: new Set(), source: null };

/**
 * Trials inside a brushed rectangle of the convergence plot (trial number on x, value on y). Only
 * trials drawn on the value axis can be in it (failed trials sit in their own strip).
 */
export function trialsInBox(
  trials: readonly Trial[],
  box: { x: readonly [number, number]; y: readonly [number, number] },
): string[] {
  const [x0, x1] = box.x[0] <= box.x[1] ? box.x : [box.x[1], box.x[0]];
  const [y0, y1] = box.y[0] <= box.y[1] ? box.y : [box.y[1], box.y[0]];
  const out: string[] = [];
  for (const t of trials) {
    if ((t.state !== 'COMPLETE' && t.state !== 'PRUNED') || t.value === null || !Number.isFinite(t.value))
      continue;
    if (t.number >= x0 && t.number <= x1 && t.value >= y0 && t.value <= y1) out.push(t.id);
  }
  return out;
}

/** Adds or removes one id (a table row's box). */
export function toggleId(ids: ReadonlySet<string>, id: string): Set<string> {
  const next = new Set(ids);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
}

/** The selected trials in trial order (what compare shows). */
export function selectedTrials(trials: readonly Trial[], ids: ReadonlySet<string>): Trial[] {
  if (ids.size === 0) return [];
  return trials.filter((t) => ids.has(t.id)).sort((a, b) => a.number - b.number);
}

/** A brushed range on one parallel axis: [low, high] values, or category indexes on a category axis. */
export type AxisIntervals = ReadonlyArray<readonly [number, number]>;

/**
 * The parallel-coordinates rows inside every brushed axis range (a row must pass each brushed axis,
 * as echarts draws it): their trial numbers. Rows end with [objective, trial number]; `categories`
 * gives a category axis's order (its intervals are indexes into it).
 */
export function rowsInIntervals(
  rows: ReadonlyArray<ReadonlyArray<number | string>>,
  intervalsByDim: ReadonlyMap<number, AxisIntervals>,
  categories: ReadonlyMap<number, readonly string[]> = new Map(),
): number[] {
  const active = [...intervalsByDim].filter(([, iv]) => iv.length > 0);
  if (active.length === 0) return [];
  const out: number[] = [];
  for (const row of rows) {
    const ok = active.every(([dim, iv]) => {
      const raw = row[dim];
      const cats = categories.get(dim);
      const v = cats ? cats.indexOf(String(raw)) : typeof raw === 'number' ? raw : Number.NaN;
      return iv.some(([a, b]) => v >= Math.min(a, b) && v <= Math.max(a, b));
    });
    const n = row[row.length - 1];
    if (ok && typeof n === 'number') out.push(n);
  }
  return out;
}

/** The trial numbers of the selected trials (charts key their points by number). */
export function selectedNumbers(trials: readonly Trial[], ids: ReadonlySet<string>): Set<number> {
  const out = new Set<number>();
  if (ids.size === 0) return out;
  for (const t of trials) if (ids.has(t.id)) out.add(t.number);
  return out;
}

/**
 * The finished trials whose number lies in a zoom window of the trial axis (`[from, to]`, either
 * order): what a zoom on the convergence plot selects. Failed trials count (their strip zooms too).
 */
export function trialsInRange(trials: readonly Trial[], from: number, to: number): string[] {
  const [lo, hi] = from <= to ? [from, to] : [to, from];
  const out: string[] = [];
  for (const t of trials) {
    if (t.state !== 'COMPLETE' && t.state !== 'PRUNED' && t.state !== 'FAILED') continue;
    if (t.number >= lo && t.number <= hi) out.push(t.id);
  }
  return out;
}
