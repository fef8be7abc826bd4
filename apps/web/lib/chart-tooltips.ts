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
