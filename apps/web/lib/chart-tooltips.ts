import { type TooltipFormatter, tooltipFormatter, tooltipHtml } from './chart-text.ts';
import { formatNumber } from './format.ts';

/**
 * The dashboard's tooltip formatters, built with `tooltipHtml` so that the user strings they show
 * (objective, parameter and series names, categorical choices) are text, never markup.
 */

interface SeriesPoint<D> {
  seriesName: string;
  data: D;
}

/** Convergence plot: one trial's value (or "no value" for a failed trial). */
export const convergenceTooltip: TooltipFormatter = tooltipFormatter((p: unknown) => {
  const q = p as SeriesPoint<[number, number]>;
  const v = q.seriesName === 'Failed' ? 'no value' : formatNumber(q.data[1], 5);
  return tooltipHtml`Trial #${q.data[0]}<br/>${q.seriesName}: <b>${v}</b>`;
});

/** Learning curves: one trial's metric at one step. */
export const learningCurveTooltip: TooltipFormatter = tooltipFormatter((p: unknown) => {
  const q = p as SeriesPoint<[number, number]>;
  return tooltipHtml`${q.seriesName}<br/>step ${q.data[0]}: <b>${formatNumber(q.data[1], 5)}</b>`;
});

/** Predicted versus actual: the GP's prediction for a trial, its 95% interval and the actual value. */
export const predictedTooltip: TooltipFormatter = tooltipFormatter((p: unknown) => {
  const q = p as SeriesPoint<[number, number, number, number]>;
  if (q.seriesName !== 'Trials') return '';
  return tooltipHtml`Trial #${q.data[2]}<br/>predicted ${formatNumber(q.data[0], 4)} ± ${formatNumber(1.96 * q.data[3], 3)}<br/>actual <b>${formatNumber(q.data[1], 4)}</b>`;
});

/**
 * The Pareto views: one trial's value for every objective (names are user strings: text), and
 * whether it is on the front or breaks a constraint. Data: [x, y, trial number].
 */
export function paretoTooltip(
  objectives: readonly string[],
  valuesOf: (trialNumber: number) => readonly number[] | undefined,
): TooltipFormatter {
  return tooltipFormatter((p: unknown) => {
    const q = p as SeriesPoint<[number, number, number]>;
    const n = q.data?.[2];
    if (typeof n !== 'number') return '';
    const values = valuesOf(n) ?? [];
    const rows = objectives.reduce(
      (acc, name, j) => tooltipHtml`${acc}<br/>${name}: <b>${formatNumber(values[j], 5)}</b>`,
      tooltipHtml``,
    );
    return tooltipHtml`Trial #${n} · ${q.seriesName}${rows}`;
  });
}

/** The hypervolume chart: the hypervolume after one trial. Data: [trial number, hypervolume]. */
export const hypervolumeTooltip: TooltipFormatter = tooltipFormatter((p: unknown) => {
  const q = p as SeriesPoint<[number, number]>;
  return tooltipHtml`After trial #${q.data[0]}<br/>hypervolume <b>${formatNumber(q.data[1], 5)}</b>`;
});
