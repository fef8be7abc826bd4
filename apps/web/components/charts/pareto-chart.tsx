'use client';

import { useRouter } from 'next/navigation';
import { useMemo } from 'react';
import { paretoTooltip } from '../../lib/chart-tooltips';
import { useMediaQuery } from '../../lib/client/use-media-query';
import {
  directionTag,
  frontStepLine,
  type MarkKind,
  type PairCell,
  type ParetoView,
  pairPoints,
  pairwiseLayout,
} from '../../lib/pareto';
import { selectedNumbers } from '../../lib/selection';
import type { ReferencePoint, Trial } from '../../lib/types';
import { useSelection } from '../study/selection';
import { ChartCard, ChartEmpty } from './chart-card';
import {
  axisStyle,
  type ChartColors,
  EChart,
  type EChartsOption,
  infeasibleStyle,
  tooltipStyle,
  useChartColors,
} from './echart';

/** Series names: the legend's entries and what tests read back from the chart. */
export const PARETO_SERIES = {
  front: 'Pareto front',
  dominated: 'Dominated',
  infeasible: 'Infeasible',
} as const;

/** Drawn in this order: the front on top. */
const KINDS: readonly MarkKind[] = ['infeasible', 'feasible', 'front'];

const seriesName = (k: MarkKind) =>
  k === 'front'
    ? PARETO_SERIES.front
    : k === 'infeasible'
      ? PARETO_SERIES.infeasible
      : PARETO_SERIES.dominated;

function markStyle(k: MarkKind, c: ChartColors) {
  if (k === 'infeasible') return { symbolSize: 7, itemStyle: infeasibleStyle(c), z: 2 };
  if (k === 'front')
    return { symbolSize: 9, itemStyle: { color: c.good, borderColor: c.bg, borderWidth: 1 }, z: 4 };
  return { symbolSize: 6, itemStyle: { color: c.series[0], opacity: 0.55 }, z: 3 };
}

/** Height of one panel of the matrix (and of the 2-D plot's grid). */
const PANEL_H = 210;
const TOP = 40;
/** Between panels of the matrix: room for the axis name under one and the tick label atop the next. */
const GAP = 54;

export interface ParetoChartProps {
  view: ParetoView;
  referencePoint: ReferencePoint | null;
  trials: readonly Trial[];
  loading?: boolean;
  trialHref?: (id: string) => string;
}

/**
 * The Pareto front. Two objectives: every complete trial on one scatter, the front's step line
 * through the front (closed on the reference point when there is one), dominated trials faded and
 * infeasible ones hollow. Three or more: a scatter matrix of every pair of objectives (the front
 * in every panel is the trials on the full front, not each pair's own).
 */
export function ParetoChart({ view, referencePoint, trials, loading, trialHref }: ParetoChartProps) {
  const c = useChartColors();
  const router = useRouter();
  const narrow = useMediaQuery('(max-width: 640px)');
  const { ids } = useSelection();
  const picked = useMemo(() => selectedNumbers(trials, ids), [trials, ids]);
  const k = view.objectives.length;
  const layout = useMemo(() => pairwiseLayout(k, narrow ? 1 : k - 1), [k, narrow]);
  const height = k === 2 ? 380 : layout.rows * (PANEL_H + GAP) + TOP + 8;
  const byNumber = useMemo(() => new Map(view.points.map((p) => [p.number, p])), [view.points]);
  const option = useMemo<EChartsOption>(() => {
    const ax = axisStyle(c);
    const names = view.objectives.map((o) => `${o.name} (${directionTag(o.direction)})`);
    const grid: object[] = [];
    const xAxis: object[] = [];
    const yAxis: object[] = [];
    const series: object[] = [];
    const cells: PairCell[] =
      k === 2 ? [{ x: 0, y: 1, row: 0, col: 0, xName: true, yName: true }] : layout.cells;
    const cols = k === 2 ? 1 : layout.cols;
    cells.forEach((cell, i) => {
      if (k === 2) grid.push({ left: 64, right: 24, top: TOP, bottom: 48 });
      else {
        const w = 100 / cols;
        const top = TOP + cell.row * (PANEL_H + GAP);
        grid.push(
          narrow
            ? { left: 64, right: 20, top, height: PANEL_H }
            : { left: `${cell.col * w + 7}%`, width: `${w - 10}%`, top, height: PANEL_H },
        );
      }
      xAxis.push({
        gridIndex: i,
        type: 'value',
        scale: true,
        ...ax,
        splitLine: { show: false },
        name: cell.xName ? names[cell.x] : '',
        nameLocation: 'middle',
        nameGap: 26,
      });
      yAxis.push({
        gridIndex: i,
        type: 'value',
        scale: true,
        ...ax,
        name: cell.yName ? names[cell.y] : '',
        nameLocation: 'middle',
        nameGap: 46,
      });
      for (const kind of KINDS) {
        series.push({
          id: `${kind}:${i}`,
          name: seriesName(kind),
          type: 'scatter',
          xAxisIndex: i,
          yAxisIndex: i,
          data: pairPoints(view, cell.x, cell.y, kind),
          ...markStyle(kind, c),
        });
      }
      if (picked.size > 0) {
        series.push({
          id: `selected:${i}`,
          name: 'Selected',
          type: 'scatter',
          xAxisIndex: i,
          yAxisIndex: i,
          data: view.points
            .filter((p) => picked.has(p.number))
            .map((p) => [p.values[cell.x], p.values[cell.y], p.number]),
          symbolSize: 13,
          itemStyle: { color: 'transparent', borderColor: c.accent, borderWidth: 2 },
          z: 6,
        });
      }
    });
    if (k === 2) {
      const o0 = view.objectives[0];
      const o1 = view.objectives[1];
      const ref = referencePoint?.values;
      if (o0 && o1) {
        series.push({
          id: 'front-line',
          name: PARETO_SERIES.front,
          type: 'line',
          data: frontStepLine(
            view.front.map((p) => p.values),
            [o0.direction, o1.direction],
            ref && ref.length === 2 ? [ref[0] as number, ref[1] as number] : null,
          ),
          showSymbol: false,
          silent: true,
          lineStyle: { color: c.good, width: 2 },
          itemStyle: { color: c.good },
          z: 3,
        });
      }
      if (ref && ref.length === 2 && view.front.length > 0) {
        series.push({
          id: 'reference',
          name: 'Reference point',
          type: 'scatter',
          data: [[ref[0], ref[1]]],
          symbol: 'rect',
          symbolSize: 8,
          silent: true,
          itemStyle: { color: 'transparent', borderColor: c.faint, borderWidth: 1.5 },
          z: 2,
        });
      }
    }
    return {
      grid,
      xAxis,
      yAxis,
      series,
      legend: {
        top: 0,
        right: 0,
        textStyle: { color: c.muted, fontSize: 11 },
        itemWidth: 14,
        itemHeight: 8,
        data: [
          PARETO_SERIES.front,
          PARETO_SERIES.dominated,
          ...(view.infeasibleCount > 0 ? [PARETO_SERIES.infeasible] : []),
          ...(k === 2 && referencePoint && view.front.length > 0 ? ['Reference point'] : []),
        ],
      },
      tooltip: {
        trigger: 'item',
        ...tooltipStyle(c),
        formatter: paretoTooltip(
          view.objectives.map((o) => o.name),
          (n) => byNumber.get(n)?.values,
        ),
      },
    } as EChartsOption;
  }, [c, view, k, layout, narrow, referencePoint, picked, byNumber]);
  const frontNumbers = view.front.map((p) => p.number).join(',');
  const infeasibleNumbers = view.points
    .filter((p) => !p.feasible)
    .map((p) => p.number)
    .join(',');
  return (
    <ChartCard
      id="pareto"
      title="Pareto front"
      description={
        view.front.length > 0 ? (
          <>
            <b>{view.front.length}</b> trial{view.front.length === 1 ? '' : 's'} on the front of{' '}
            {view.points.length} complete
            {view.infeasibleCount > 0 ? ` (${view.infeasibleCount} infeasible, hollow)` : ''}
            {k > 2 ? '; every pair of objectives' : ''}
          </>
        ) : (
          'The trials no other feasible trial beats on every objective'
        )
      }
      loading={loading}
      height={height}
      exportName="pareto-front.png"
      empty={
        view.points.length === 0 ? (
          <ChartEmpty title="No complete trials yet">
            The front appears once trials complete with a value for every objective.
          </ChartEmpty>
        ) : undefined
      }
    >
      {(register) => (
        <EChart
          option={option}
          height={height}
          label={`Pareto front of ${view.objectives.map((o) => o.name).join(', ')}: ${view.front.length} of ${view.points.length} complete trials on the front${view.infeasibleCount ? `, ${view.infeasibleCount} infeasible` : ''}`}
          onInstance={register}
          onClick={(p) => {
            const d = p.data as [number, number, number] | undefined;
            const id = typeof d?.[2] === 'number' ? byNumber.get(d[2])?.id : undefined;
            if (id && trialHref) router.push(trialHref(id));
          }}
          dataAttrs={{
            'data-objectives': String(k),
            'data-panels': String(k === 2 ? 1 : layout.cells.length),
            'data-points': String(view.points.length),
            'data-front': frontNumbers,
            'data-infeasible': infeasibleNumbers,
          }}
        />
      )}
    </ChartCard>
  );
}
