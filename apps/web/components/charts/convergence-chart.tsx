'use client';

import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { convergenceTooltip } from '../../lib/chart-tooltips';
import { buildConvergence } from '../../lib/convergence';
import { formatNumber } from '../../lib/format';
import { selectedNumbers, trialsInBox, trialsInRange } from '../../lib/selection';
import type { Direction, Trial } from '../../lib/types';
import { useSelection } from '../study/selection';
import { ChartCard, ChartEmpty } from './chart-card';
import {
  axisStyle,
  type ChartInstance,
  EChart,
  type EChartsOption,
  infeasibleStyle,
  tooltipStyle,
  useChartColors,
} from './echart';

/** Points per series above which it is drawn in echarts' large mode. */
const LARGE_ABOVE = 300;

export interface ConvergenceChartProps {
  trials: readonly Trial[];
  direction: Direction;
  objective: string;
  loading?: boolean;
  logScale: boolean;
  onLogScale: (v: boolean) => void;
  /** Builds a link to a trial; clicking a point opens it. */
  trialHref?: (id: string) => string;
}

/** Every trial's value and the best so far; pruned and failed trials marked; optional log y axis. */
export function ConvergenceChart({
  trials,
  direction,
  objective,
  loading,
  logScale,
  onLogScale,
  trialHref,
}: ConvergenceChartProps) {
  const c = useChartColors();
  const router = useRouter();
  const data = useMemo(() => buildConvergence(trials, direction), [trials, direction]);
  // The page's linked selection: ringed here; a brushed rectangle selects the trials inside it.
  const selection = useSelection();
  const picked = useMemo(() => selectedNumbers(trials, selection.ids), [trials, selection.ids]);
  const [brushing, setBrushing] = useState(false);
  // The zoom window (percent of the trial axis): kept across redraws (a new selection redraws the
  // plot, which must not reset the zoom that made it).
  const zoomRef = useRef<{ start: number; end: number } | null>(null);
  const axisMaxRef = useRef(1);
  const useLog = logScale && data.logPossible;
  // Above a few hundred points a scatter draws all its symbols as one path ("large" mode): one symbol
  // object per point made the first draw and the log toggle several times slower (docs/PERFORMANCE.md;
  // no per-point hover highlight then; tooltips and clicks still work).
  const dense = trials.length > 2000;
  // Failed trials have no value: they get a strip of their own under the plot, on the same trial axis.
  const strip = data.failed.length > 0;
  const option = useMemo<EChartsOption>(() => {
    const ax = axisStyle(c);
    let last = 0;
    for (const series of [data.complete, data.infeasible, data.pruned, data.failed])
      for (const p of series) if (p[0] > last) last = p[0];
    const xRange = { min: 0, max: Math.max(1, last) };
    axisMaxRef.current = xRange.max;
    return {
      grid: strip
        ? [
            { left: 56, right: 20, top: 36, bottom: 84 },
            { left: 56, right: 20, height: 16, bottom: 60 },
          ]
        : { left: 56, right: 20, top: 36, bottom: 56 },
      legend: { top: 0, right: 0, textStyle: { color: c.muted, fontSize: 11 }, itemWidth: 14, itemHeight: 8 },
      tooltip: {
        trigger: 'item',
        ...tooltipStyle(c),
        formatter: convergenceTooltip,
      },
      dataZoom: [
        { type: 'inside', xAxisIndex: strip ? [0, 1] : 0, filterMode: 'none', ...(zoomRef.current ?? {}) },
        {
          ...(zoomRef.current ?? {}),
          type: 'slider',
          xAxisIndex: strip ? [0, 1] : 0,
          height: 16,
          bottom: 8,
          borderColor: c.grid,
          textStyle: { color: c.muted },
          filterMode: 'none',
        },
      ],
      xAxis: [
        {
          type: 'value',
          name: strip ? '' : 'trial',
          nameLocation: 'middle',
          nameGap: 24,
          minInterval: 1,
          ...xRange,
          ...ax,
          // with the failed strip below, the trial numbers are read on its axis
          ...(strip ? { axisLabel: { show: false } } : {}),
          splitLine: { show: false },
        },
        ...(strip
          ? [
              {
                type: 'value' as const,
                gridIndex: 1,
                name: 'trial',
                nameLocation: 'middle' as const,
                nameGap: 24,
                minInterval: 1,
                ...xRange,
                ...ax,
                splitLine: { show: false },
              },
            ]
          : []),
      ],
      series: [
        {
          name: 'Complete',
          type: 'scatter',
          data: data.complete,
          symbolSize: dense ? 3 : 6,
          large: true,
          largeThreshold: LARGE_ABOVE,
          itemStyle: { color: c.series[0], opacity: 0.65 },
        },
        // constrained studies: trials that break a constraint, hollow and grey (never the best)
        ...(data.infeasible.length > 0
          ? [
              {
                name: 'Infeasible',
                type: 'scatter' as const,
                data: data.infeasible,
                symbolSize: dense ? 4 : 7,
                large: true,
                largeThreshold: LARGE_ABOVE,
                itemStyle: infeasibleStyle(c),
              },
            ]
          : []),
        {
          name: 'Pruned',
          type: 'scatter',
          data: data.pruned,
          symbol: 'triangle',
          symbolSize: dense ? 4 : 7,
          large: true,
          largeThreshold: LARGE_ABOVE,
          itemStyle: { color: c.warn, opacity: 0.75 },
        },
        {
          name: 'Failed',
          type: 'scatter',
          data: data.failed,
          ...(strip ? { xAxisIndex: 1, yAxisIndex: 1 } : {}),
          symbol: 'diamond',
          symbolSize: dense ? 4 : 7,
          large: true,
          largeThreshold: LARGE_ABOVE,
          itemStyle: { color: c.bad, opacity: 0.8 },
        },
        {
          name: 'Best so far',
          type: 'line',
          step: 'end',
          data: data.best,
          showSymbol: false,
          lineStyle: { color: c.good, width: 2 },
          itemStyle: { color: c.good },
          z: 5,
        },
        ...(picked.size > 0
          ? [
              {
                id: 'selected',
                name: 'Selected',
                type: 'scatter' as const,
                data: [...data.complete, ...data.infeasible, ...data.pruned].filter((p) => picked.has(p[0])),
                symbolSize: 11,
                itemStyle: { color: 'transparent', borderColor: c.accent, borderWidth: 2 },
                z: 6,
              },
            ]
          : []),
      ],
      // Drawn only while "Brush to select" is on (the cursor is taken below); cleared after each brush.
      brush: {
        xAxisIndex: 0,
        yAxisIndex: 0,
        brushMode: 'single',
        transformable: false,
        throttleType: 'debounce',
        brushStyle: { borderWidth: 1, color: 'rgba(120,120,220,0.15)', borderColor: c.accent },
        outOfBrush: { colorAlpha: 0.4 },
      },
    };
  }, [c, data, dense, strip, picked]);
  const chartRef = useRef<ChartInstance | null>(null);
  const registerRef = useRef<((chart: ChartInstance | null) => void) | null>(null);
  const trialsRef = useRef(trials);
  trialsRef.current = trials;
  const selectRef = useRef(selection.select);
  selectRef.current = selection.select;
  const sourceRef = useRef(selection.source);
  sourceRef.current = selection.source;
  // Stable: EChart re-creates its instance when onInstance changes.
  const onInstance = useCallback((chart: ChartInstance | null) => {
    registerRef.current?.(chart);
    chartRef.current = chart;
    if (!chart) return;
    chart.on('brushEnd', (e: unknown) => {
      const area = (e as { areas?: Array<{ coordRange?: [[number, number], [number, number]] }> }).areas?.[0];
      if (!area?.coordRange) return;
      const [x, y] = area.coordRange;
      selectRef.current(trialsInBox(trialsRef.current, { x, y }), 'convergence');
      chart.dispatchAction({ type: 'brush', areas: [] });
      setBrushing(false);
    });
    // A zoom (wheel, pinch or the slider) selects the trials in its window on every view; zooming
    // all the way out clears a selection a zoom made. Settled zooms only (the slider fires per frame).
    let timer: ReturnType<typeof setTimeout> | null = null;
    chart.on('datazoom', () => {
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        const dz = (chart.getOption() as { dataZoom?: Array<Record<string, unknown>> }).dataZoom?.[0];
        const start = Number(dz?.start ?? 0);
        const end = Number(dz?.end ?? 100);
        if (start <= 0 && end >= 100) {
          zoomRef.current = null;
          if (sourceRef.current === 'zoom') selectRef.current([], 'zoom');
          return;
        }
        zoomRef.current = { start, end };
        // the trial axis runs from 0 to the last trial drawn (xRange above)
        const max = axisMaxRef.current;
        const from = (start / 100) * max;
        const to = (end / 100) * max;
        const lo = Math.ceil(from);
        const hi = Math.floor(to);
        // a window between two trial numbers holds no trial
        selectRef.current(lo <= hi ? trialsInRange(trialsRef.current, lo, hi) : [], 'zoom');
      }, 200);
    });
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the option redraw resets the cursor, so take it again
  useEffect(() => {
    chartRef.current?.dispatchAction({
      type: 'takeGlobalCursor',
      key: 'brush',
      brushOption: { brushType: brushing ? 'rect' : false, brushMode: 'single' },
    });
  }, [brushing, option]);
  // The log toggle only swaps the y axis in place: no rebuild of the series or the other components.
  const yAxis = useMemo<EChartsOption>(() => {
    const main = {
      type: useLog ? ('log' as const) : ('value' as const),
      name: objective,
      scale: true,
      ...axisStyle(c),
    };
    if (!strip) return { yAxis: main };
    const failedRow = {
      type: 'category' as const,
      gridIndex: 1,
      data: ['failed'],
      ...axisStyle(c),
      axisTick: { show: false },
      splitLine: { show: false },
    };
    return { yAxis: [main, failedRow] };
  }, [c, useLog, objective, strip]);
  const done = data.complete.length + data.infeasible.length + data.pruned.length + data.failed.length;
  return (
    <ChartCard
      id="convergence"
      title="Convergence"
      description={
        data.bestTrial ? (
          <>
            Best {data.infeasible.length > 0 ? 'feasible ' : ''}
            {objective}: <b>{formatNumber(data.bestTrial.value, 5)}</b> at trial #{data.bestTrial.number}
          </>
        ) : (
          `Every trial's ${objective} and the best so far`
        )
      }
      loading={loading}
      height={320}
      exportName="convergence.png"
      empty={
        done === 0 ? (
          <ChartEmpty title="No finished trials yet">
            Points appear here as soon as a worker finishes a trial. Start one with{' '}
            <code>npx posterior worker --study …</code>.
          </ChartEmpty>
        ) : undefined
      }
      actions={
        <>
          <button
            type="button"
            className={`btn btn-sm${brushing ? ' btn-active' : ''}`}
            aria-pressed={brushing}
            title="Drag a rectangle over points to select those trials on every view"
            onClick={() => setBrushing((b) => !b)}
          >
            Brush to select
          </button>
          <label className="check" title={data.logPossible ? undefined : 'Log scale needs every value > 0'}>
            <input
              type="checkbox"
              checked={useLog}
              disabled={!data.logPossible}
              onChange={(e) => onLogScale(e.target.checked)}
            />
            Log scale
          </label>
        </>
      }
    >
      {(register) => {
        registerRef.current = register;
        return (
          <EChart
            option={option}
            patch={yAxis}
            height={320}
            label={`Convergence plot of ${objective}: ${data.complete.length} complete${data.infeasible.length ? ` feasible, ${data.infeasible.length} infeasible` : ''}, ${data.pruned.length} pruned, ${data.failed.length} failed trials`}
            onInstance={onInstance}
            onClick={(p) => {
              const d = p.data as [number, number] | undefined;
              const id = d ? data.idByNumber.get(d[0]) : undefined;
              if (id && trialHref) router.push(trialHref(id));
            }}
            dataAttrs={{
              'data-points': String(done),
              'data-infeasible': String(data.infeasible.length),
              'data-selected': String(picked.size),
            }}
          />
        );
      }}
    </ChartCard>
  );
}
