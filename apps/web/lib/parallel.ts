import { categoriesOf, isNumericParam, paramNames, specFor } from './params.ts';
import type { Direction, SearchSpace, Trial } from './types.ts';

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
}

/** Parallel coordinates over COMPLETE trials: one axis per parameter plus the objective. */
export function buildParallel(
  space: SearchSpace,
  trials: readonly Trial[],
  objective: string,
  direction: Direction,
): ParallelData {
  const done = trials.filter((t) => t.state === 'COMPLETE' && t.value !== null && Number.isFinite(t.value));
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
    row.push(value, t.number);
    return row;
  });
  return { axes, rows, valueRange: rows.length ? [lo, hi] : null, objectiveDim };
}
