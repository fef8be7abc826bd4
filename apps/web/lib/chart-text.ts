/**
 * The one path from user strings (study, parameter, objective, metric and choice names) to chart
 * tooltips. echarts draws axes, labels and legends on the canvas (text only), but an HTML tooltip's
 * formatter returns markup that becomes innerHTML: a parameter named `<img src=x onerror=...>` ran
 * in every member's browser. So a tooltip's markup is built only with the `tooltipHtml` template
 * (which escapes every interpolated value), and `guardChartOption`, applied by the one chart
 * component (components/charts/echart.tsx) to every option it draws, escapes whatever else a
 * formatter returns: a chart cannot put raw HTML into a tooltip.
 */

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** `s` as HTML text: markup characters become entities. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (ch) => ENTITIES[ch] ?? ch);
}

/** Tooltip markup made by `tooltipHtml` (its values escaped): the only markup a formatter may return. */
export class TooltipHtml {
  readonly html: string;
  /** Use `tooltipHtml`; the constructor is for this module. */
  constructor(html: string, token: typeof BUILDER) {
    if (token !== BUILDER) throw new TypeError('TooltipHtml is made with tooltipHtml`...`');
    this.html = html;
  }
  toString(): string {
    return this.html;
  }
}

const BUILDER: unique symbol = Symbol('tooltipHtml');

/**
 * Tooltip markup: the template's literal parts are markup written in code; every `${value}` is text
 * (escaped), except a nested `tooltipHtml` result.
 *
 *     tooltipHtml`Trial #${n}<br/>${param} = <b>${value}</b>`
 */
export function tooltipHtml(literals: TemplateStringsArray, ...values: readonly unknown[]): TooltipHtml {
  let out = literals[0] ?? '';
  values.forEach((v, i) => {
    out += v instanceof TooltipHtml ? v.html : escapeHtml(String(v ?? ''));
    out += literals[i + 1] ?? '';
  });
  return new TooltipHtml(out, BUILDER);
}

/** What a guarded tooltip shows for a formatter's return value. */
export function tooltipMarkup(value: unknown): string {
  if (value instanceof TooltipHtml) return value.html;
  if (value === null || value === undefined) return '';
  return escapeHtml(String(value));
}

type AnyFormatter = (...args: never[]) => unknown;
const GUARDED: unique symbol = Symbol('guardedFormatter');
/** A tooltip formatter as echarts takes it, whose answer went through `tooltipMarkup`. */
export type TooltipFormatter = ((...args: unknown[]) => string) & { readonly [GUARDED]?: true };

/**
 * A tooltip formatter for echarts from one that answers with `tooltipHtml` markup (anything else it
 * returns is shown as text). Wrapping twice changes nothing.
 */
export function tooltipFormatter(formatter: AnyFormatter): TooltipFormatter {
  if ((formatter as TooltipFormatter)[GUARDED]) return formatter as TooltipFormatter;
  const f = (...args: unknown[]) => tooltipMarkup((formatter as (...a: unknown[]) => unknown)(...args));
  return Object.assign(f, { [GUARDED]: true as const });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A tooltip option with its function formatter guarded (template strings: echarts escapes those). */
function guardTooltip(tooltip: unknown): unknown {
  if (!isRecord(tooltip) || typeof tooltip.formatter !== 'function') return tooltip;
  return { ...tooltip, formatter: tooltipFormatter(tooltip.formatter as AnyFormatter) };
}

function guardComponent(component: unknown): unknown {
  if (!isRecord(component) || !('tooltip' in component)) return component;
  return { ...component, tooltip: guardTooltip(component.tooltip) };
}

/**
 * The option with every tooltip formatter (top level, per series, per component) wrapped so that
 * only `tooltipHtml` markup renders as HTML and any other return value renders as text.
 */
export function guardChartOption<T extends object>(option: T): T {
  const out: Record<string, unknown> = { ...(option as Record<string, unknown>) };
  for (const [key, value] of Object.entries(out)) {
    if (key === 'tooltip') {
      out[key] = Array.isArray(value) ? value.map(guardTooltip) : guardTooltip(value);
    } else if (Array.isArray(value)) {
      out[key] = value.map(guardComponent);
    } else {
      out[key] = guardComponent(value);
    }
  }
  return out as T;
}
