'use client';

import { useCallback, useEffect, useMemo, useRef } from 'react';
import { formatNumber } from '../../lib/format';
import { numericAxis } from '../../lib/hpo-plots';
import { buildParallel } from '../../lib/parallel';
import { type AxisIntervals, rowsInIntervals, selectedNumbers } from '../../lib/selection';
import type { Objective, SearchSpace, Trial, TrialsOverSpace } from '../../lib/types';
import { useSelection } from '../study/selection';
import { ChartCard, ChartEmpty } from './chart-card';
import { type ChartInstance, EChart, type EChartsOption, useChartColors } from './echart';

export function ParallelChart({
  space,
  trials,
  objective,
  direction,
  loading,
  objectives,
}: TrialsOverSpace & { objectives?: readonly Objective[] }) {
  const c = useChartColors();
  const data = useMemo(
    () => buildParallel(space, trials, objective, direction, objectives),
    [space, trials, objective, direction, objectives],
  );
  // The page's linked selection: its lines drawn over the others; brushing an axis selects.
  const selection = useSelection();
  const picked = useMemo(() => selectedNumbers(trials, selection.ids), [trials, selection.ids]);
  // A selection brushed here is already drawn by echarts (the other lines fade): no overlay, and no
  // new option, which would wipe the brushed ranges.
  const overlay = selection.source === 'parallel' || picked.size === 0 ? null : picked;
  const option = useMemo<EChartsOption>(() => {
    const many = data.rows.length > 1500;
    const axisCommon = {
      nameTextStyle: { color: c.text, fontSize: 11, fontWeight: 600 as const },
      axisLine: { lineStyle: { color: c.faint } },
      axisTick: { lineStyle: { color: c.faint } },
      axisLabel: {
        color: c.muted,
        fontSize: 10,
        formatter: (v: number | string) => (typeof v === 'number' ? formatNumber(v, 3) : String(v)),
      },
    };
    const [lo, hi] = data.valueRange ?? [0, 1];
    const infeasibleRows = data.rows.filter((r) => data.infeasible.has(Number(r[r.length - 1])));
    return {
      ...(infeasibleRows.length
        ? {
            legend: {
              data: ['Infeasible'],
              bottom: 0,
              left: 40,
              textStyle: { color: c.muted, fontSize: 11 },
              itemWidth: 18,
              itemHeight: 8,
            },
          }
        : {}),
      // Room right of the objective axis for its tick labels and, beyond them, the color bar's handle
      // labels (the best and worst values): at 90 px the two overlapped ("308.129" over "300").
      parallel: {
        left: 40,
        right: 130,
        top: 36,
        bottom: infeasibleRows.length ? 44 : 24,
        parallelAxisDefault: axisCommon,
      },
      parallelAxis: data.axes.map((a) =>
        a.type === 'category'
          ? {
              id: `axis-${a.dim}`,
              dim: a.dim,
              name: a.name,
              type: 'category' as const,
              data: a.categories ?? [],
            }
          : {
              id: `axis-${a.dim}`,
              dim: a.dim,
              name: a.name,
              type: a.type,
              // a parameter's axis spans its search space (the objectives', their values)
              ...(a.dim >= data.objectiveDim ? { scale: true } : spaceBounds(space, a.name, trials)),
            },
      ),
      visualMap: {
        type: 'continuous',
        dimension: data.objectiveDim,
        // the value colors the trials; the selection overlay keeps the accent color
        seriesIndex: 0,
        min: lo,
        max: hi === lo ? lo + 1 : hi,
        inverse: direction === 'MAXIMIZE',
        right: 4,
        top: 36,
        bottom: 24,
        itemHeight: 120,
        calculable: true,
        precision: 3,
        text: [direction === 'MINIMIZE' ? 'worse' : 'better', direction === 'MINIMIZE' ? 'better' : 'worse'],
        textStyle: { color: c.muted, fontSize: 10 },
        inRange: { color: [c.good, c.series[1] ?? c.info, c.series[0] ?? c.accent, c.warn] },
      },
      series: [
        {
          type: 'parallel',
          name: 'Feasible',
          data: infeasibleRows.length
            ? data.rows.filter((r) => !data.infeasible.has(Number(r[r.length - 1])))
            : data.rows,
          lineStyle: { width: 1, opacity: overlay && overlay.size > 0 ? 0.12 : many ? 0.18 : 0.5 },
          emphasis: { lineStyle: { width: 2, opacity: 1 } },
          inactiveOpacity: 0.05,
          progressive: 800,
          smooth: false,
        },
        // constrained studies: trials that break a constraint, grey and dashed, outside the color scale
        ...(infeasibleRows.length
          ? [
              {
                id: 'infeasible',
                name: 'Infeasible',
                type: 'parallel' as const,
                data: infeasibleRows,
                lineStyle: { width: 1, opacity: 0.55, color: c.muted, type: 'dashed' as const },
                inactiveOpacity: 0.05,
                smooth: false,
              },
            ]
          : []),
        // the selection made elsewhere (a brush on this chart already highlights its own lines)
        ...(overlay && overlay.size > 0
          ? [
              {
                id: 'selected',
                type: 'parallel' as const,
                data: data.rows.filter((r) => overlay.has(Number(r[r.length - 1]))),
                lineStyle: { width: 2, opacity: 0.95, color: c.accent },
                silent: true,
                z: 3,
              },
            ]
          : []),
      ],
    };
  }, [c, data, direction, overlay, space, trials]);
  // a new option clears echarts' brushed ranges: forget ours too
  const ranges = useRef(new Map<number, AxisIntervals>());
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset on every new option
  useEffect(() => {
    ranges.current = new Map();
  }, [option]);
  const rowsRef = useRef(data);
  rowsRef.current = data;
  const trialsRef = useRef(trials);
  trialsRef.current = trials;
  const selectRef = useRef(selection.select);
  selectRef.current = selection.select;
  const registerRef = useRef<((chart: ChartInstance | null) => void) | null>(null);
  const onInstance = useCallback((chart: ChartInstance | null) => {
    registerRef.current?.(chart);
    if (!chart) return;
    // echarts reports one axis's ranges per event: keep every axis's, a row must pass them all
    chart.on('axisareaselected', (e: unknown) => {
      const ev = e as { parallelAxisId?: string; intervals?: Array<[number, number]> };
      const dim = Number(String(ev.parallelAxisId ?? '').replace(/^axis-/, ''));
      if (!Number.isInteger(dim)) return;
      ranges.current.set(dim, ev.intervals ?? []);
      const d = rowsRef.current;
      const cats = new Map(d.axes.filter((a) => a.categories).map((a) => [a.dim, a.categories ?? []]));
      const numbers = new Set(rowsInIntervals(d.rows, ranges.current, cats));
      const anyRange = [...ranges.current.values()].some((iv) => iv.length > 0);
      const ids = trialsRef.current.filter((t) => numbers.has(t.number)).map((t) => t.id);
      // brushing that matches nothing still selects nothing; clearing every range clears the selection
      selectRef.current(anyRange ? ids : [], 'parallel');
    });
  }, []);
  return (
    <ChartCard
      id="parallel"
      title="Parallel coordinates"
      description={`Each line is a complete trial; drag along an axis to select trials on every view${data.infeasible.size ? '; infeasible trials grey and dashed' : ''}`}
      loading={loading}
      height={340}
      exportName="parallel-coordinates.png"
      empty={
        data.rows.length === 0 ? (
          <ChartEmpty title="Needs complete trials">
            Lines appear once trials complete with a value.
          </ChartEmpty>
        ) : undefined
      }
    >
      {(register) => {
        registerRef.current = register;
        return (
          <EChart
            option={option}
            height={340}
            label={`Parallel coordinates of ${data.objectiveDim} parameters and ${(objectives?.length ?? 0) > 1 ? (objectives ?? []).map((o) => o.name).join(', ') : objective} over ${data.rows.length} trials`}
            onInstance={onInstance}
            dataAttrs={{
              'data-selected': String(picked.size),
              'data-infeasible': String(data.infeasible.size),
            }}
          />
        );
      }}
    </ChartCard>
  );
}

function spaceBounds(space: SearchSpace, name: string, trials: readonly Trial[]) {
  const a = numericAxis(space, name, trials);
  return a ? { min: a.min, max: a.max } : { scale: true };
}
