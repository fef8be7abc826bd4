'use client';

import { useMemo } from 'react';
import { buildContour } from '../../lib/hpo-plots';
import { contourTooltip } from '../../lib/hpo-tooltips';
import { isInfeasible } from '../../lib/pareto';
import { selectedNumbers } from '../../lib/selection';
import type { Direction, SearchSpace, Trial } from '../../lib/types';
import { useSelection } from '../study/selection';
import { LabelledSelect } from '../ui/labelled-select';
import { ChartCard, ChartEmpty } from './chart-card';
import {
  axisStyle,
  EChart,
  type EChartsOption,
  infeasibleStyle,
  tooltipStyle,
  useChartColors,
} from './echart';

export interface ContourChartProps {
  space: SearchSpace;
  trials: readonly Trial[];
  /** Numeric params that can be paired. */
  params: readonly string[];
  x: string | null;
  y: string | null;
  onPair: (x: string, y: string) => void;
  objective: string;
  direction: Direction;
  loading?: boolean;
  /** Infeasible trials drawn apart (hollow, grey) with a legend. */
  constrained?: boolean;
}

type Api = {
  value: (dim: number) => number;
  coord: (p: [number, number]) => [number, number];
  visual: (key: 'color') => string;
};

/**
 * The objective over a chosen pair of parameters: complete trials as points over a surface interpolated
 * between them, in bands (a filled contour). Axes span the search space.
 */
export function ContourChart({
  space,
  trials,
  params,
  x,
  y,
  onPair,
  objective,
  direction,
  loading,
  constrained = false,
}: ContourChartProps) {
  const c = useChartColors();
  const { ids } = useSelection();
  const px = x && params.includes(x) ? x : (params[0] ?? null);
  const py = y && params.includes(y) && y !== px ? y : (params.find((p) => p !== px) ?? null);
  const data = useMemo(
    () => (px && py ? buildContour(space, trials, px, py) : null),
    [space, trials, px, py],
  );
  const picked = useMemo(() => selectedNumbers(trials, ids), [trials, ids]);
  const infeasible = useMemo(
    () => new Set(constrained ? trials.filter(isInfeasible).map((t) => t.number) : []),
    [constrained, trials],
  );
  const option = useMemo<EChartsOption>(() => {
    if (!data) return {};
    const ax = axisStyle(c);
    const [lo, hi] = data.zRange;
    const good = direction === 'MINIMIZE';
    const colors = [c.good, c.series[1] ?? c.info, c.series[0] ?? c.accent, c.warn];
    const axis = (a: typeof data.x) => ({
      type: a.type,
      name: a.name,
      min: a.min,
      max: a.max,
      nameLocation: 'middle' as const,
      nameGap: 26,
      ...ax,
      splitLine: { show: false },
    });
    return {
      grid: { left: 64, right: 150, top: infeasible.size ? 30 : 16, bottom: 44 },
      ...(infeasible.size
        ? {
            legend: {
              data: ['Trials', 'Infeasible'],
              top: 0,
              left: 64,
              textStyle: { color: c.muted, fontSize: 11 },
              itemWidth: 14,
              itemHeight: 8,
            },
          }
        : {}),
      tooltip: {
        trigger: 'item',
        ...tooltipStyle(c),
        formatter: contourTooltip(data.x.name, data.y.name, objective),
      },
      xAxis: axis(data.x),
      yAxis: { ...axis(data.y), nameGap: 46 },
      visualMap: {
        type: 'piecewise',
        seriesIndex: 0,
        dimension: 4,
        min: lo,
        max: hi === lo ? lo + 1 : hi,
        splitNumber: 7,
        precision: 2,
        right: 4,
        top: 'middle',
        align: 'left',
        itemWidth: 12,
        itemHeight: 10,
        textStyle: { color: c.muted, fontSize: 10 },
        inRange: { color: good ? colors : [...colors].reverse(), opacity: 0.8 },
      },
      series: [
        {
          type: 'custom',
          data: data.cells,
          silent: true,
          encode: { x: [0, 1], y: [2, 3] },
          renderItem: (_params: unknown, api: unknown) => {
            const a = api as Api;
            const p0 = a.coord([a.value(0), a.value(3)]);
            const p1 = a.coord([a.value(1), a.value(2)]);
            return {
              type: 'rect',
              shape: { x: p0[0], y: p0[1], width: p1[0] - p0[0] + 0.6, height: p1[1] - p0[1] + 0.6 },
              style: { fill: a.visual('color') },
            };
          },
        },
        {
          name: 'Trials',
          type: 'scatter',
          data: infeasible.size ? data.points.filter((p) => !infeasible.has(p[3])) : data.points,
          symbolSize: 6,
          itemStyle: { color: c.bg, borderColor: c.text, borderWidth: 1 },
          z: 3,
        },
        ...(infeasible.size
          ? [
              {
                name: 'Infeasible',
                type: 'scatter' as const,
                data: data.points.filter((p) => infeasible.has(p[3])),
                symbol: 'diamond',
                symbolSize: 8,
                // on the colored surface the grey outline alone gets lost: the theme's text color
                itemStyle: { ...infeasibleStyle(c), borderColor: c.text },
                z: 3,
              },
            ]
          : []),
        {
          id: 'selected',
          name: 'Selected',
          type: 'scatter',
          data: picked.size ? data.points.filter((p) => picked.has(p[3])) : [],
          symbolSize: 13,
          // the theme's text color: an accent ring got lost on the colored surface
          itemStyle: { color: 'transparent', borderColor: c.text, borderWidth: 2.5 },
          z: 4,
        },
      ],
    } as EChartsOption;
  }, [c, data, objective, direction, picked, infeasible]);
  return (
    <ChartCard
      id="contour"
      title="Contour"
      description={`${objective} between the trials, over two parameters`}
      loading={loading}
      height={340}
      exportName={`contour-${px ?? 'x'}-${py ?? 'y'}.png`}
      empty={
        params.length < 2 ? (
          <ChartEmpty title="Needs two numeric parameters">
            A contour pairs two numeric parameters.
          </ChartEmpty>
        ) : !data ? (
          <ChartEmpty title="Needs complete trials">The surface appears once 3 trials complete.</ChartEmpty>
        ) : undefined
      }
      actions={
        params.length >= 2 && px && py ? (
          <>
            <LabelledSelect
              id="contour-x"
              label="Contour x"
              value={px}
              options={params.filter((p) => p !== py)}
              onChange={(v) => onPair(v, py)}
            />
            <LabelledSelect
              id="contour-y"
              label="Contour y"
              value={py}
              options={params.filter((p) => p !== px)}
              onChange={(v) => onPair(px, v)}
            />
          </>
        ) : null
      }
    >
      {(register) => (
        <EChart
          option={option}
          height={340}
          label={`Contour of ${objective} over ${px ?? ''} and ${py ?? ''} from ${data?.points.length ?? 0} trials`}
          onInstance={register}
          dataAttrs={{ 'data-points': String(data?.points.length ?? 0) }}
        />
      )}
    </ChartCard>
  );
}
