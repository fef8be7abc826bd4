'use client';

import { useMemo } from 'react';
import { hypervolumeTooltip } from '../../lib/chart-tooltips';
import { formatNumber } from '../../lib/format';
import { hypervolumeSeries } from '../../lib/pareto';
import type { HypervolumePoint, ReferencePoint } from '../../lib/types';
import { ChartCard, ChartEmpty } from './chart-card';
import { axisStyle, EChart, type EChartsOption, tooltipStyle, useChartColors } from './echart';

export interface HypervolumeChartProps {
  history: readonly HypervolumePoint[];
  referencePoint: ReferencePoint | null;
  loading?: boolean;
}

/**
 * A multi-objective study's progress: the hypervolume of its feasible front against the reference
 * point after each complete trial (the API's history), as a step line. What the convergence plot's
 * best-so-far line is to a single objective.
 */
export function HypervolumeChart({ history, referencePoint, loading }: HypervolumeChartProps) {
  const c = useChartColors();
  const data = useMemo(() => hypervolumeSeries(history), [history]);
  const option = useMemo<EChartsOption>(() => {
    const ax = axisStyle(c);
    return {
      grid: { left: 64, right: 20, top: 24, bottom: 44 },
      tooltip: { trigger: 'item', ...tooltipStyle(c), formatter: hypervolumeTooltip },
      xAxis: {
        type: 'value',
        name: 'trial',
        nameLocation: 'middle',
        nameGap: 26,
        minInterval: 1,
        ...ax,
        splitLine: { show: false },
      },
      yAxis: { type: 'value', name: 'hypervolume', scale: true, ...ax },
      series: [
        {
          name: 'Hypervolume',
          type: 'line',
          step: 'end',
          data: data.points,
          showSymbol: data.points.length <= 200,
          symbolSize: 5,
          lineStyle: { color: c.good, width: 2 },
          itemStyle: { color: c.good },
          areaStyle: { color: c.good, opacity: 0.08 },
        },
      ],
    };
  }, [c, data]);
  const ref = referencePoint
    ? `(${referencePoint.values.map((v) => formatNumber(v, 4)).join(', ')}), ${referencePoint.source === 'STUDY' ? "the study's" : 'inferred from the trials'}`
    : null;
  return (
    <ChartCard
      id="hypervolume"
      title="Hypervolume"
      description={
        data.last ? (
          <>
            <b>{formatNumber(data.last.value, 5)}</b>, last raised by trial #{data.last.raisedAt}
            {ref ? <> · reference point {ref}</> : null}
          </>
        ) : (
          'The volume the feasible front dominates, after each complete trial'
        )
      }
      loading={loading}
      height={320}
      exportName="hypervolume.png"
      empty={
        data.points.length === 0 ? (
          <ChartEmpty title="No hypervolume yet">
            It grows from the first complete, feasible trial inside the reference point.
          </ChartEmpty>
        ) : undefined
      }
    >
      {(register) => (
        <EChart
          option={option}
          height={320}
          label={`Hypervolume over ${data.points.length} complete trials${data.last ? `, now ${formatNumber(data.last.value, 5)}` : ''}`}
          onInstance={register}
          dataAttrs={{
            'data-points': String(data.points.length),
            'data-last': data.last ? String(data.last.value) : '',
          }}
        />
      )}
    </ChartCard>
  );
}
