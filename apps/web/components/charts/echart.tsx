'use client';

import type { ECharts, EChartsOption } from 'echarts';
import { type CSSProperties, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { guardChartOption } from '../../lib/chart-text';
import { THEME_EVENT } from '../ui/theme-toggle';
// A static import, so the charting code downloads with the page's first scripts rather than after
// hydration asks for it: on the study page the first chart waited for this chunk.
import { echarts } from './echarts-setup';

export type { EChartsOption };
export type ChartInstance = ECharts;

export interface ChartColors {
  text: string;
  muted: string;
  faint: string;
  grid: string;
  bg: string;
  accent: string;
  good: string;
  bad: string;
  warn: string;
  info: string;
  lineFaint: string;
  series: string[];
}

function readColors(): ChartColors {
  const s = getComputedStyle(document.documentElement);
  const v = (name: string) => s.getPropertyValue(name).trim();
  return {
    text: v('--text'),
    muted: v('--text-muted'),
    faint: v('--text-faint'),
    grid: v('--chart-grid'),
    bg: v('--bg-elev'),
    accent: v('--accent'),
    good: v('--good'),
    bad: v('--bad'),
    warn: v('--warn'),
    info: v('--info'),
    lineFaint: v('--chart-faint'),
    series: ['--chart-1', '--chart-2', '--chart-3', '--chart-4', '--chart-5', '--chart-6'].map(v),
  };
}

const FALLBACK: ChartColors = {
  text: '#e6e9f2',
  muted: '#9aa3b8',
  faint: '#6b7489',
  grid: '#222a38',
  bg: '#151a24',
  accent: '#8b7dff',
  good: '#3ecf8e',
  bad: '#ff6b78',
  warn: '#f2b441',
  info: '#5ea6ff',
  lineFaint: 'rgba(154,163,184,0.2)',
  series: ['#8b7dff', '#2dd4bf', '#ff8a5b', '#5ea6ff', '#f472b6', '#a3d13a'],
};

/** The colors of the current theme, read once per theme: one object, so memoized options keep. */
let themeColors: ChartColors | null = null;

function subscribeTheme(onChange: () => void): () => void {
  const on = () => {
    themeColors = null;
    onChange();
  };
  window.addEventListener(THEME_EVENT, on);
  return () => window.removeEventListener(THEME_EVENT, on);
}

/**
 * Theme colors from the CSS variables, refreshed when the theme toggles. Read during the first
 * render, not in an effect: a chart first drawn in fallback colors was built and drawn twice.
 */
export function useChartColors(): ChartColors {
  return useSyncExternalStore(
    subscribeTheme,
    () => {
      themeColors ??= readColors();
      return themeColors;
    },
    () => FALLBACK,
  );
}

/** Axis styling shared by every chart. */
export function axisStyle(c: ChartColors) {
  return {
    axisLine: { onZero: false, lineStyle: { color: c.grid } },
    axisTick: { lineStyle: { color: c.grid } },
    axisLabel: { color: c.muted, fontSize: 11 },
    splitLine: { lineStyle: { color: c.grid } },
    nameTextStyle: { color: c.muted, fontSize: 11 },
  };
}

/** The x axis of a metric over training steps (learning curves, a trial's metrics, compare). */
export function stepAxis(c: ChartColors, nameGap = 20) {
  return {
    type: 'value' as const,
    name: 'step',
    nameLocation: 'middle' as const,
    nameGap,
    minInterval: 1,
    ...axisStyle(c),
    splitLine: { show: false },
  };
}

/**
 * How every chart draws a trial that breaks a constraint: a hollow grey mark (the legend shows the
 * same hollow symbol), so feasible and infeasible trials read apart without relying on color alone.
 */
export function infeasibleStyle(c: ChartColors) {
  return { color: 'transparent', borderColor: c.muted, borderWidth: 1.5, opacity: 0.9 };
}

export function tooltipStyle(c: ChartColors) {
  return {
    backgroundColor: c.bg,
    borderColor: c.grid,
    textStyle: { color: c.text, fontSize: 12 },
    extraCssText: 'box-shadow: 0 4px 16px rgba(0,0,0,.25); border-radius: 8px;',
  };
}

export interface EChartProps {
  option: EChartsOption;
  height: number;
  /** Accessible name of the chart (role="img"). */
  label: string;
  /** Replace the whole option instead of merging (default true). */
  notMerge?: boolean;
  /**
   * Top-level keys drawn over `option` (each replaces option's key of that name). When only the patch
   * changes, it is merged into the chart in place (an axis switched to log scale) instead of rebuilding
   * every series. Give each key in full: echarts rebuilds a component whose type changes from it alone.
   */
  patch?: EChartsOption;
  /** With notMerge=false: components replaced wholesale (matched by id), e.g. ['series']. */
  replaceMerge?: string[];
  onClick?: (params: { data: unknown; seriesName?: string; dataIndex: number }) => void;
  onInstance?: (chart: ChartInstance | null) => void;
  style?: CSSProperties;
  /** Extra attributes for tests and benchmarks (e.g. the last live point drawn). */
  dataAttrs?: Record<string, string>;
}

/**
 * A thin React wrapper over one echarts instance (canvas renderer), resized with its container. The
 * only place the dashboard creates a chart (a unit test holds every chart to it), so every option
 * goes through `guardChartOption`.
 */
export function EChart({
  option,
  height,
  label,
  notMerge = true,
  patch,
  replaceMerge,
  onClick,
  onInstance,
  style,
  dataAttrs,
}: EChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [chart, setChart] = useState<ChartInstance | null>(null);
  const clickRef = useRef(onClick);
  clickRef.current = onClick;
  const [ready, setReady] = useState(false);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const c = echarts.init(el, null, { renderer: 'canvas' });
    // The browser tests open every tooltip through the instance (tests/e2e/xss.test.mjs).
    (el as HTMLElement & { __posteriorChart?: ChartInstance }).__posteriorChart = c;
    c.on('click', (p) => {
      const params = p as { data: unknown; seriesName?: string; dataIndex: number };
      clickRef.current?.(params);
    });
    // The observer also reports the size the chart was created at: a resize then would lay out and
    // draw the whole chart once more for nothing (a long frame on a busy page load).
    const ro = new ResizeObserver(() => {
      if (el.clientWidth !== c.getWidth() || el.clientHeight !== c.getHeight()) c.resize();
    });
    ro.observe(el);
    setChart(c);
    onInstance?.(c);
    return () => {
      ro.disconnect();
      onInstance?.(null);
      c.dispose();
      setChart(null);
    };
  }, [onInstance]);

  const patchRef = useRef(patch);
  patchRef.current = patch;
  /** The patch the chart shows, so a render that changed only `option` does not merge it again. */
  const drawnPatch = useRef<EChartsOption | undefined>(undefined);

  // biome-ignore lint/correctness/useExhaustiveDependencies: replaceMerge is a constant per chart; the patch is read from its ref
  useEffect(() => {
    if (!chart) return;
    // Every option passes the tooltip guard: user strings in a tooltip render as text (lib/chart-text).
    chart.setOption(
      guardChartOption({ aria: { enabled: true }, animation: false, ...option, ...patchRef.current }),
      {
        notMerge,
        lazyUpdate: true,
        ...(replaceMerge ? { replaceMerge } : {}),
      },
    );
    drawnPatch.current = patchRef.current;
    setReady(true);
  }, [chart, option, notMerge]);

  useEffect(() => {
    if (!chart || !patch || drawnPatch.current === patch) return;
    chart.setOption(guardChartOption(patch), { notMerge: false, lazyUpdate: true });
    drawnPatch.current = patch;
  }, [chart, patch]);

  return (
    <div
      className="chart"
      style={{ height, ...style }}
      role="img"
      aria-label={label}
      data-ready={ready ? 'true' : 'false'}
      {...dataAttrs}
    >
      <div ref={ref} className="chart-canvas" />
    </div>
  );
}

/** Saves a chart as a PNG at 2x, on the card's background. */
export function exportPng(chart: ChartInstance, fileName: string): void {
  const bg = getComputedStyle(document.documentElement).getPropertyValue('--bg-elev').trim() || '#ffffff';
  const url = chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: bg });
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
}
