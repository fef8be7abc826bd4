import { categoriesOf, isNumericParam, specFor } from './params.ts';
import type { SearchSpace, Trial } from './types.ts';

export interface SliceData {
  param: string;
  axis: 'value' | 'log' | 'category';
  categories: string[];
  /** [param value (or category index), objective value, trial number] for COMPLETE trials. */
  points: Array<[number | string, number, number]>;
}

/** Objective value against one parameter for every COMPLETE trial. */
export function buildSlice(space: SearchSpace, trials: readonly Trial[], param: string): SliceData {
  const done = trials.filter((t) => t.state === 'COMPLETE' && t.value !== null && Number.isFinite(t.value));
  const spec = specFor(space, param);
  const numeric = isNumericParam(space, param, done);
  const axis = !numeric ? 'category' : spec && spec.type !== 'categorical' && spec.log ? 'log' : 'value';
  const categories = numeric ? [] : categoriesOf(spec, param, done);
  const points: SliceData['points'] = [];
  for (const t of done) {
    const v = t.params[param];
    if (v === undefined) continue;
    if (numeric) {
      if (typeof v !== 'number' || (axis === 'log' && v <= 0)) continue;
      points.push([v, t.value ?? 0, t.number]);
    } else {
      points.push([String(v), t.value ?? 0, t.number]);
    }
  }
  return { param, axis, categories, points };
}
