import { type TooltipFormatter, tooltipFormatter, tooltipHtml } from './chart-text.ts';
import { formatNumber } from './format.ts';

/** Tooltips of the contour, EDF and slice grid (user strings as text, never markup). */

const fmt = (v: unknown) => (typeof v === 'number' ? formatNumber(v, 4) : String(v));

/** A trial on the contour: [x, y, objective, number]. */
export function contourTooltip(x: string, y: string, objective: string): TooltipFormatter {
  return tooltipFormatter((p: unknown) => {
    const d = (p as { data: unknown[]; seriesType?: string }).data;
    if (!Array.isArray(d) || d.length !== 4) return '';
    return tooltipHtml`Trial #${d[3]}<br/>${x} = ${fmt(d[0])}<br/>${y} = ${fmt(d[1])}<br/>${objective}: <b>${fmt(d[2])}</b>`;
  });
}

/** A step of the EDF: [value, fraction]. */
export function edfTooltip(objective: string): TooltipFormatter {
  return tooltipFormatter((p: unknown) => {
    const d = (p as { data: [number, number] }).data;
    return tooltipHtml`${Math.round(d[1] * 100)}% of trials have ${objective} ≤ <b>${fmt(d[0])}</b>`;
  });
}

/** A point of a slice panel: [param value, objective, number], or a failed trial [param value, 0, number]. */
export function sliceGridTooltip(objective: string, params: readonly string[]): TooltipFormatter {
  return tooltipFormatter((p: unknown) => {
    const q = p as { data: unknown[]; seriesName: string; seriesId?: string };
    const panel = Number(String(q.seriesId ?? '').split(':')[1]);
    const param = params[panel] ?? '';
    const d = q.data;
    if (q.seriesName === 'Failed') return tooltipHtml`Trial #${d[2]} failed<br/>${param} = ${fmt(d[0])}`;
    return tooltipHtml`Trial #${d[2]}<br/>${param} = ${fmt(d[0])}<br/>${objective}: <b>${fmt(d[1])}</b>`;
  });
}
