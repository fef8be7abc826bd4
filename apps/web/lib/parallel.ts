import { categoriesOf, isNumericParam, paramNames, specFor } from './params.ts';
import { isInfeasible, trialValues } from './pareto.ts';
import type { Direction, Objective, SearchSpace, Trial } from './types.ts';

/** ECharts' marker for a missing value. */
export const INACTIVE = '-';

export interface ParallelAxis {
  dim: number;
  name: string;
  type: 'value' | 'log' | 'category';
  categories?: string[];
}

export interface ParallelData {
  axes: ParallelAxis[];
  /** One row per COMPLETE trial: a value per param axis, then the objective, then the trial number. */
  rows: Array<Array<number | string>>;
  valueRange: [number, number] | null;
  objectiveDim: number;
  /** Trial numbers of rows that break a constraint (drawn grey, apart from the colored lines). */
  infeasible: ReadonlySet<number>;
}

/**
 * Parallel coordinates over COMPLETE trials: one axis per parameter plus the objective (colored by
 * it); a multi-objective study's other objectives get an axis each after the first.
 */
export function buildParallel(
  space: SearchSpace,
  trials: readonly Trial[],
  objective: string,
  direction: Direction,
  objectives: readonly Objective[] = [],
): ParallelData {
  const more = objectives.slice(1);
  const done = trials.filter(
    (t) =>
      t.state === 'COMPLETE' &&
      t.value !== null &&
      Number.isFinite(t.value) &&
      (more.length === 0 || trialValues(t, objectives.length) !== null),
  );
  const names = paramNames(space, done);
  const axes: ParallelAxis[] = names.map((name, dim) => {
    const spec = specFor(space, name);
    if (!isNumericParam(space, name, done)) {
      return { dim, name, type: 'category', categories: categoriesOf(spec, name, done) };
    }
    return { dim, name, type: spec && spec.type !== 'categorical' && spec.log ? 'log' : 'value' };
  });
  const objectiveDim = axes.length;
  axes.push({
    dim: objectiveDim,
    name: `${objective} (${direction === 'MINIMIZE' ? 'min' : 'max'})`,
    type: 'value',
  });
  for (const o of more)
    axes.push({
      dim: axes.length,
      name: `${o.name} (${o.direction === 'MINIMIZE' ? 'min' : 'max'})`,
      type: 'value',
    });
  const infeasible = new Set<number>();
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  const rows = done.map((t) => {
    const row: Array<number | string> = names.map((n, i) => {
      const v = t.params[n];
      // An inactive parameter of a conditional space (absent from params): ECharts' empty value, so
      // the line leaves that axis blank instead of drawing a 0 or an "undefined" category.
      if (v === undefined) return INACTIVE;
      if (axes[i]?.type === 'category') return String(v);
      return typeof v === 'number' ? v : Number.NaN;
    });
    const value = t.value ?? Number.NaN;
    if (value < lo) lo = value;
    if (value > hi) hi = value;
    row.push(value);
    if (more.length) row.push(...(trialValues(t, objectives.length) ?? []).slice(1));
    row.push(t.number);
    if (isInfeasible(t)) infeasible.add(t.number);
    return row;
  });
  return { axes, rows, valueRange: rows.length ? [lo, hi] : null, objectiveDim, infeasible };
}
