// Comparing trials side by side (issue 15 item 5): which parameters differ, and which metrics any of
// them reported.
import type { ParamValue, Trial } from './types.ts';

export interface CompareRow {
  name: string;
  values: Array<ParamValue | null | undefined>;
  /** Not every trial has the same value here: the row to look at. */
  differs: boolean;
}

const same = (a: ParamValue | null | undefined, b: ParamValue | null | undefined) =>
  a === b || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b));

/** One row per param (in `names` order) plus the objective value, state and worker rows first. */
export function compareRows(
  trials: readonly Trial[],
  names: readonly string[],
  objective: string,
): CompareRow[] {
  const row = (name: string, values: CompareRow['values']): CompareRow => ({
    name,
    values,
    differs: values.some((v) => !same(v, values[0])),
  });
  return [
    row(
      'state',
      trials.map((t) => t.state),
    ),
    row(
      objective,
      trials.map((t) => t.value),
    ),
    ...names.map((n) =>
      row(
        n,
        trials.map((t) => t.params[n]),
      ),
    ),
  ];
}

/** Metric names any of the trials reported, the objective first. */
export function comparedMetrics(
  trials: readonly Trial[],
  metricNames: readonly string[],
  hasCurve: (trialId: string, metric: string) => boolean,
  objective: string,
): string[] {
  const names = metricNames.filter((m) => trials.some((t) => hasCurve(t.id, m)));
  return names.sort((a, b) => (a === objective ? -1 : b === objective ? 1 : a.localeCompare(b)));
}
