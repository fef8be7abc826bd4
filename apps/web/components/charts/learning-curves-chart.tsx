'use client';

import { isActive } from '@posterior/core';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { learningCurveTooltip } from '../../lib/chart-tooltips';
import { type CurveStore, defaultMetric } from '../../lib/learning-curves';
import type { LiveStatus } from '../../lib/live-sync';
import { selectedTrials } from '../../lib/selection';
import { allPositive, smoothFlat, smoothPoints } from '../../lib/smoothing';
import type { Trial } from '../../lib/types';
import { useSelection } from '../study/selection';
import { LabelledSelect } from '../ui/labelled-select';
import { LiveIndicator } from '../ui/live-indicator';
import { ChartCard, ChartEmpty } from './chart-card';
import {
  axisStyle,
  type ChartInstance,
  EChart,
  type EChartsOption,
  stepAxis,
  tooltipStyle,
  useChartColors,
} from './echart';

const MAX_HIGHLIGHT = 10;
/** Smoothing weights offered (TensorBoard's debiased EMA; 0 is off). */
export const SMOOTHING = ['0', '0.6', '0.8', '0.9', '0.95'] as const;

export interface LearningCurvesChartProps {
  store: CurveStore;
  /** The store's version: a new value redraws. */
  version: number;
  /** Bumped when the bulk history load completes (the grey background is rebuilt then). */
  baseVersion: number;
  trials: readonly Trial[];
  objective: string;
  metric: string | null;
  onMetric: (m: string) => void;
  loading?: boolean;
  /** False while the history of curves is still loading. */
  complete?: boolean;
  live: LiveStatus | 'finished';
  /** Drawn in its own colour, over the grey finished curves. */
  bestTrialId?: string | null;
  /** Where a click on a curve goes. */
  trialHref?: (id: string) => string;
  /** A log y axis (when every value is > 0). */
  logY?: boolean;
  onLogY?: (v: boolean) => void;
  /** EMA smoothing weight, 0 (off) to 0.95. */
  smoothing?: number;
  onSmoothing?: (w: number) => void;
}

/**
 * Learning curves: finished trials as one grey gapped polyline (fast with 200,000 points), running
 * trials in color, updated as metric points stream in over the subscription.
 */
export function LearningCurvesChart({
  store,
  version,
  baseVersion,
  trials,
  objective,
  metric,
  onMetric,
  loading,
  complete = true,
  live,
  bestTrialId = null,
  trialHref,
  logY = false,
  onLogY,
  smoothing = 0,
  onSmoothing,
}: LearningCurvesChartProps) {
  const selection = useSelection();
  const c = useChartColors();
  const router = useRouter();
  // The finished curve under the pointer (one grey polyline cannot name its trials by itself).
  const [hovered, setHovered] = useState<string | null>(null);
  const chartRef = useRef<ChartInstance | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version signals store mutation
  const names = useMemo(() => store.metricNames(), [store, version]);
  const chosen = metric && names.includes(metric) ? metric : defaultMetric(names, objective);
  const running = useMemo(
    () => trials.filter((t) => t.state === 'RUNNING').sort((a, b) => a.number - b.number),
    [trials],
  );
  const runningKey = running.map((t) => t.id).join(',');
  // The grey background (every finished trial, up to 200,000 points) is the expensive part: rebuild it
  // when the running set, the metric or the bulk load changes, and otherwise at most once a second.
  const [bgTick, setBgTick] = useState(0);
  const lastBg = useRef({ version: -1, at: 0 });
  useEffect(() => {
    if (lastBg.current.version === version) return;
    const wait = Math.max(0, 1000 - (Date.now() - lastBg.current.at));
    const timer = setTimeout(() => setBgTick((t) => t + 1), wait);
    return () => clearTimeout(timer);
  }, [version]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: rebuilt on the triggers above only
  const background = useMemo(() => {
    lastBg.current = { version: store.version, at: Date.now() };
    if (!chosen) return { data: new Float64Array(0), curves: 0 };
    const exclude = new Set(runningKey ? runningKey.split(',') : []);
    if (bestTrialId) exclude.add(bestTrialId);
    return store.mergedFlat(chosen, exclude);
  }, [store, chosen, runningKey, baseVersion, bgTick, bestTrialId]);
  const smoothedBackground = useMemo(
    () => (smoothing > 0 ? smoothFlat(background.data, smoothing) : background.data),
    [background, smoothing],
  );
  const canLog = useMemo(() => allPositive(background.data), [background]);
  const useLog = logY && canLog;
  const picked = useMemo(
    () =>
      selectedTrials(trials, selection.ids)
        .filter((t) => t.state !== 'RUNNING' && t.id !== bestTrialId)
        .slice(0, MAX_HIGHLIGHT),
    [trials, selection.ids, bestTrialId],
  );
  const numberOf = useMemo(() => new Map(trials.map((t) => [t.id, t.number])), [trials]);
  const finishedIds = useMemo(() => trials.filter((t) => !isActive(t.state)).map((t) => t.id), [trials]);
  const highlighted = running.slice(0, MAX_HIGHLIGHT);
  const finishedCount = background.curves;
  // biome-ignore lint/correctness/useExhaustiveDependencies: version signals store mutation
  const option = useMemo<EChartsOption>(() => {
    const ax = axisStyle(c);
    const series: NonNullable<EChartsOption['series']> = [
      {
        id: 'finished',
        name: 'Finished trials',
        type: 'line',
        // a typed array: echarts takes it without the deep copy it makes of array data
        data: smoothedBackground as unknown as number[],
        showSymbol: false,
        connectNulls: false,
        silent: true,
        // Fewer curves can afford to be darker; thousands blend into a density.
        lineStyle: {
          color: c.muted,
          width: 1,
          opacity: Math.min(0.6, Math.max(0.08, 2.5 / Math.sqrt(finishedCount + 1))),
        },
        itemStyle: { color: c.faint },
        emphasis: { disabled: true },
      },
    ];
    const sm = (points: Array<[number, number]>) =>
      smoothing > 0 ? smoothPoints(points, smoothing) : points;
    picked.forEach((t, i) => {
      if (!chosen) return;
      series.push({
        id: `sel-${t.id}`,
        name: `#${t.number} (selected)`,
        type: 'line',
        data: sm(store.curve(t.id, chosen)),
        showSymbol: false,
        lineStyle: { width: 2, color: c.series[(i + 3) % c.series.length], type: 'dashed' },
        itemStyle: { color: c.series[(i + 3) % c.series.length] },
        z: 3,
      });
    });
    const best = bestTrialId && chosen ? sm(store.curve(bestTrialId, chosen)) : [];
    if (best.length > 0 && bestTrialId) {
      series.push({
        id: 'best',
        name: `#${numberOf.get(bestTrialId) ?? '?'} (best)`,
        type: 'line',
        data: best,
        showSymbol: false,
        lineStyle: { width: 2.5, color: c.good },
        itemStyle: { color: c.good },
        z: 4,
      });
    }
    if (hovered && chosen && hovered !== bestTrialId) {
      series.push({
        id: 'hovered',
        name: `#${numberOf.get(hovered) ?? '?'}`,
        type: 'line',
        data: sm(store.curve(hovered, chosen)),
        showSymbol: true,
        symbolSize: 3,
        lineStyle: { width: 2, color: c.text },
        itemStyle: { color: c.text },
        z: 6,
      });
    }
    highlighted.forEach((t, i) => {
      series.push({
        id: `run-${t.id}`,
        name: `#${t.number} (running)`,
        type: 'line',
        data: chosen ? sm(store.curve(t.id, chosen)) : [],
        showSymbol: true,
        symbolSize: 4,
        lineStyle: { width: 2, color: c.series[i % c.series.length] },
        itemStyle: { color: c.series[i % c.series.length] },
      });
    });
    if (running.length > MAX_HIGHLIGHT && chosen) {
      const rest = new Set(running.slice(MAX_HIGHLIGHT).map((t) => t.id));
      const data: Array<[number, number] | [null, null]> = [];
      for (const id of rest) {
        data.push(...sm(store.curve(id, chosen)), [null, null]);
      }
      series.push({
        id: 'run-rest',
        name: 'Other running',
        type: 'line',
        data,
        showSymbol: false,
        lineStyle: { color: c.info, width: 1 },
      });
    }
    return {
      grid: { left: 56, right: 20, top: 36, bottom: 40 },
      legend: {
        top: 0,
        right: 0,
        // clear of the y axis's name: with selected and running trials the legend runs the full width
        left: 96,
        align: 'right',
        type: 'scroll',
        textStyle: { color: c.muted, fontSize: 11 },
        itemWidth: 14,
        itemHeight: 8,
      },
      tooltip: {
        trigger: 'item',
        ...tooltipStyle(c),
        formatter: learningCurveTooltip,
      },
      dataZoom: [{ type: 'inside', xAxisIndex: 0, filterMode: 'none' }],
      xAxis: stepAxis(c, 24),
      yAxis: { type: useLog ? 'log' : 'value', name: chosen ?? '', scale: true, ...ax },
      series,
    };
  }, [
    c,
    smoothedBackground,
    runningKey,
    chosen,
    version,
    store,
    finishedCount,
    bestTrialId,
    hovered,
    numberOf,
    smoothing,
    useLog,
    picked,
  ]);

  // Name the finished curve under the pointer; a click opens its trial.
  const finishedRef = useRef(finishedIds);
  finishedRef.current = finishedIds;
  const hoveredRef = useRef(hovered);
  hoveredRef.current = hovered;
  const chosenRef = useRef(chosen);
  chosenRef.current = chosen;
  const hrefRef = useRef(trialHref);
  hrefRef.current = trialHref;
  const registerRef = useRef<((chart: ChartInstance | null) => void) | null>(null);
  // Stable: EChart re-creates its instance when onInstance changes.
  const onInstance = useCallback(
    (chart: ChartInstance | null) => {
      registerRef.current?.(chart);
      chartRef.current = chart;
      if (!chart) return;
      const zr = chart.getZr();
      zr.on('mousemove', (e: { offsetX: number; offsetY: number }) => {
        if (!chart.containPixel({ gridIndex: 0 }, [e.offsetX, e.offsetY])) return setHovered(null);
        const at = chart.convertFromPixel({ gridIndex: 0 }, [e.offsetX, e.offsetY]) as number[];
        const near = chart.convertFromPixel({ gridIndex: 0 }, [e.offsetX, e.offsetY + 6]) as number[];
        const [step, value] = at;
        const metric = chosenRef.current;
        if (!metric || step === undefined || value === undefined || near[1] === undefined) return;
        const id = store.nearest(metric, step, value, Math.abs(near[1] - value), finishedRef.current);
        if (id !== hoveredRef.current) setHovered(id);
      });
      zr.on('globalout', () => setHovered(null));
      zr.on('click', () => {
        const id = hoveredRef.current;
        const href = hrefRef.current;
        if (id && href) router.push(href(id));
      });
    },
    [store, router],
  );
  const last = store.lastPoint;
  return (
    <ChartCard
      id="learning-curves"
      title="Learning curves"
      description={
        <span className="row" style={{ gap: 10 }}>
          <LiveIndicator status={live} />
          <span>
            {running.length} running · {store.size.toLocaleString('en-US')} points
          </span>
          {hovered ? (
            <span data-hovered-trial={numberOf.get(hovered)}>
              pointing at trial #{numberOf.get(hovered)} (click to open)
            </span>
          ) : null}
        </span>
      }
      loading={loading}
      height={320}
      exportName="learning-curves.png"
      empty={
        names.length === 0 ? (
          <ChartEmpty title="No metrics reported yet">
            Curves appear live as workers report metrics with{' '}
            <code>
              trial.report(step, {'{'} {objective}: … {'}'})
            </code>
            .
          </ChartEmpty>
        ) : undefined
      }
      actions={
        names.length > 0 ? (
          <>
            {onSmoothing ? (
              <label className="check" title="Exponential moving average of each curve (debiased)">
                Smooth
                <select
                  aria-label="Smoothing"
                  value={String(smoothing)}
                  onChange={(e) => onSmoothing(Number(e.target.value))}
                  style={{ height: 26 }}
                >
                  {SMOOTHING.map((w) => (
                    <option key={w} value={w}>
                      {w === '0' ? 'off' : w}
                    </option>
                  ))}
                </select>
              </label>
            ) : null}
            {onLogY ? (
              <label className="check" title={canLog ? undefined : 'Log scale needs every value > 0'}>
                <input
                  type="checkbox"
                  aria-label="Log y"
                  checked={useLog}
                  disabled={!canLog}
                  onChange={(e) => onLogY(e.target.checked)}
                />
                Log y
              </label>
            ) : null}
            <LabelledSelect
              id="lc-metric"
              label="Metric"
              value={chosen}
              options={names}
              onChange={onMetric}
            />
          </>
        ) : null
      }
    >
      {(register) => {
        registerRef.current = register;
        return (
          <EChart
            option={option}
            notMerge={false}
            replaceMerge={['series']}
            height={320}
            label={`Learning curves of ${chosen ?? 'metrics'} for ${store.trialIds().length} trials, ${running.length} running`}
            onInstance={onInstance}
            dataAttrs={{
              'data-version': String(version),
              'data-complete': loading || !complete ? 'false' : 'true',
              'data-last-point': last ? `${last.trialId}:${last.name}:${last.step}` : '',
            }}
          />
        );
      }}
    </ChartCard>
  );
}
