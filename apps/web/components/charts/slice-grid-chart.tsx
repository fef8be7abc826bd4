'use client';

import { useMemo } from 'react';
import { buildSliceGrid } from '../../lib/hpo-plots';
import { sliceGridTooltip } from '../../lib/hpo-tooltips';
import { isInfeasible } from '../../lib/pareto';
import { selectedNumbers } from '../../lib/selection';
import type { SearchSpace, Trial } from '../../lib/types';
import { useSelection } from '../study/selection';
import { ChartCard, ChartEmpty } from './chart-card';
import {
  axisStyle,
  EChart,
  type EChartsOption,
  infeasibleStyle,
  tooltipStyle,
  useChartColors,
} from './echart';

const COLUMNS = 3;
/** Height of one panel: its plot, the failed strip under it, and the axis name. */
const PLOT_H = 150;
const STRIP_H = 12;
const PANEL_H = PLOT_H + STRIP_H + 62;

/**
 * The slice plot as a grid: the objective against every parameter at once (axes over the search
 * space), failed trials in a strip under each panel rather than on the value axis, the selected
 * trials ringed.
 */
export function SliceGridChart({
  space,
  trials,
  objective,
  loading,
  constrained = false,
}: {
  space: SearchSpace;
  trials: readonly Trial[];
  objective: string;
  loading?: boolean;
  /** Infeasible trials hollow and grey, with a legend. */
  constrained?: boolean;
}) {
  const c = useChartColors();
  const { ids } = useSelection();
  const panels = useMemo(() => buildSliceGrid(space, trials), [space, trials]);
  const picked = useMemo(() => selectedNumbers(trials, ids), [trials, ids]);
  const infeasible = useMemo(
    () => new Set(constrained ? trials.filter(isInfeasible).map((t) => t.number) : []),
    [constrained, trials],
  );
  const anyFailed = panels.some((p) => p.failed.length > 0);
  const rows = Math.ceil(panels.length / COLUMNS);
  const height = Math.max(1, rows) * PANEL_H + 20 + (constrained ? 18 : 0);
  const option = useMemo<EChartsOption>(() => {
    const ax = axisStyle(c);
    const grid: object[] = [];
    const xAxis: object[] = [];
    const yAxis: object[] = [];
    const series: object[] = [];
    const names = panels.map((p) => p.param);
    panels.forEach((p, i) => {
      const col = i % COLUMNS;
      const row = Math.floor(i / COLUMNS);
      const left = `${(col * 100) / COLUMNS + 5}%`;
      const width = `${100 / COLUMNS - 7}%`;
      const top = row * PANEL_H + (infeasible.size ? 44 : 26);
      const main = grid.length;
      grid.push({ left, width, top, height: PLOT_H });
      const xBase =
        p.axis.type === 'category'
          ? { type: 'category', data: p.axis.categories }
          : { type: p.axis.type, min: p.axis.min, max: p.axis.max };
      const axisName = { name: p.param, nameLocation: 'middle', nameGap: anyFailed ? 40 : 24 };
      xAxis.push({
        gridIndex: main,
        ...xBase,
        ...ax,
        splitLine: { show: false },
        ...(anyFailed ? { axisLabel: { show: false } } : axisName),
      });
      yAxis.push({ gridIndex: main, type: 'value', scale: true, ...ax, name: col === 0 ? objective : '' });
      const xi = xAxis.length - 1;
      const yi = yAxis.length - 1;
      series.push({
        id: `points:${i}`,
        name: objective,
        type: 'scatter',
        xAxisIndex: xi,
        yAxisIndex: yi,
        data: infeasible.size ? p.points.filter((q) => !infeasible.has(q[2])) : p.points,
        symbolSize: p.points.length > 1500 ? 3 : 5,
        itemStyle: { color: c.series[0], opacity: 0.6 },
      });
      if (infeasible.size) {
        series.push({
          id: `infeasible:${i}`,
          name: 'Infeasible',
          type: 'scatter',
          xAxisIndex: xi,
          yAxisIndex: yi,
          data: p.points.filter((q) => infeasible.has(q[2])),
          symbolSize: 6,
          itemStyle: infeasibleStyle(c),
        });
      }
      series.push({
        id: `selected:${i}`,
        name: 'Selected',
        type: 'scatter',
        xAxisIndex: xi,
        yAxisIndex: yi,
        data: picked.size ? p.points.filter((q) => picked.has(q[2])) : [],
        symbolSize: 9,
        itemStyle: { color: 'transparent', borderColor: c.accent, borderWidth: 2 },
        z: 4,
      });
      if (anyFailed) {
        const strip = grid.length;
        grid.push({ left, width, top: top + PLOT_H + 4, height: STRIP_H });
        xAxis.push({ gridIndex: strip, ...xBase, ...ax, ...axisName, splitLine: { show: false } });
        yAxis.push({
          gridIndex: strip,
          type: 'category',
          data: ['failed'],
          ...ax,
          axisTick: { show: false },
          splitLine: { show: false },
          axisLabel: { ...ax.axisLabel, show: col === 0, fontSize: 10 },
        });
        series.push({
          id: `failed:${i}`,
          name: 'Failed',
          type: 'scatter',
          xAxisIndex: xAxis.length - 1,
          yAxisIndex: yAxis.length - 1,
          data: p.failed.map(([v, n]) => [v, 'failed', n]),
          symbol: 'diamond',
          symbolSize: 6,
          itemStyle: { color: c.bad, opacity: 0.8 },
        });
      }
    });
    return {
      grid,
      xAxis,
      yAxis,
      series,
      ...(infeasible.size
        ? {
            legend: {
              data: [objective, 'Infeasible'],
              top: 0,
              right: 0,
              textStyle: { color: c.muted, fontSize: 11 },
              itemWidth: 14,
              itemHeight: 8,
            },
          }
        : {}),
      tooltip: { trigger: 'item', ...tooltipStyle(c), formatter: sliceGridTooltip(objective, names) },
    } as EChartsOption;
  }, [c, panels, picked, objective, anyFailed, infeasible]);
  const complete = panels[0]?.points.length ?? 0;
  return (
    <ChartCard
      id="slice-grid"
      title="Slice plots"
      description={`${objective} against each parameter over its search space${anyFailed ? '; failed trials in the strip under each panel' : ''}`}
      loading={loading}
      height={height}
      exportName="slice-grid.png"
      empty={
        panels.length === 0 || panels.every((p) => p.points.length === 0 && p.failed.length === 0) ? (
          <ChartEmpty title="Needs finished trials">Points appear once trials finish.</ChartEmpty>
        ) : undefined
      }
    >
      {(register) => (
        <EChart
          option={option}
          height={height}
          label={`Slice plots of ${objective} against ${panels.map((p) => p.param).join(', ')}, ${complete} complete trials`}
          onInstance={register}
          dataAttrs={{ 'data-panels': String(panels.length), 'data-infeasible': String(infeasible.size) }}
        />
      )}
    </ChartCard>
  );
}
