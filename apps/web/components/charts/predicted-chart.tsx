'use client';

import { useMemo } from 'react';
import { predictedTooltip } from '../../lib/chart-tooltips';
import { formatNumber } from '../../lib/format';
import { buildPredicted } from '../../lib/predicted';
import type { Trial } from '../../lib/types';
import { ChartCard, ChartEmpty } from './chart-card';
import { axisStyle, EChart, type EChartsOption, tooltipStyle, useChartColors } from './echart';

export function PredictedChart({
  trials,
  objective,
  loading,
}: {
  trials: readonly Trial[];
  objective: string;
  loading?: boolean;
}) {
  const c = useChartColors();
  const data = useMemo(() => buildPredicted(trials), [trials]);
  const option = useMemo<EChartsOption>(() => {
    const ax = axisStyle(c);
    const [lo, hi] = data.range ?? [0, 1];
    const bars = data.points
      .filter((p) => p.std !== null)
      .map((p) => [
        p.predicted,
        p.predicted - 1.96 * (p.std ?? 0),
        p.predicted + 1.96 * (p.std ?? 0),
        p.actual,
      ]);
    return {
      grid: { left: 56, right: 20, top: 30, bottom: 44 },
      tooltip: {
        trigger: 'item',
        ...tooltipStyle(c),
        formatter: predictedTooltip,
      },
      xAxis: {
        type: 'value',
        name: `predicted ${objective}`,
        nameLocation: 'middle',
        nameGap: 26,
        min: lo,
        max: hi,
        ...ax,
        axisLabel: { ...ax.axisLabel, formatter: (v: number) => formatNumber(v, 3) },
      },
      yAxis: {
        type: 'value',
        name: `actual ${objective}`,
        min: lo,
        max: hi,
        ...ax,
        axisLabel: { ...ax.axisLabel, formatter: (v: number) => formatNumber(v, 3) },
      },
      series: [
        {
          name: 'y = x',
          type: 'line',
          data: [
            [lo, lo],
            [hi, hi],
          ],
          symbol: 'none',
          silent: true,
          lineStyle: { color: c.faint, type: 'dashed' },
        },
        {
          name: '95% interval',
          type: 'custom',
          silent: true,
          data: bars,
          renderItem: (_params, api) => {
            const x = Number(api.value(0));
            const top = api.coord([x, Number(api.value(2))]);
            const bottom = api.coord([x, Number(api.value(1))]);
            return {
              type: 'line',
              shape: { x1: top[0] ?? 0, y1: top[1] ?? 0, x2: bottom[0] ?? 0, y2: bottom[1] ?? 0 },
              style: { stroke: c.lineFaint, lineWidth: 1 },
            };
          },
        },
        {
          name: 'Trials',
          type: 'scatter',
          data: data.points.map((p) => [p.predicted, p.actual, p.number, p.std ?? 0]),
          symbolSize: data.points.length > 2000 ? 3 : 7,
          itemStyle: { color: c.accent, opacity: 0.8 },
        },
      ],
    };
  }, [c, data, objective]);
  return (
    <ChartCard
      id="predicted"
      title="Predicted vs actual"
      description={
        data.points.length ? (
          <>
            {data.points.length} model-suggested trials · RMSE {formatNumber(data.rmse, 3)} · r{' '}
            {formatNumber(data.correlation, 3)}
            {data.coverage !== null ? ` · ${(data.coverage * 100).toFixed(0)}% inside the 95% band` : ''}
          </>
        ) : (
          'What the GP predicted when it suggested a trial, against the outcome'
        )
      }
      loading={loading}
      height={300}
      exportName="predicted-vs-actual.png"
      empty={
        data.points.length === 0 ? (
          <ChartEmpty title="No model-suggested trials yet">
            The first trials are quasi-random; once the GP suggests trials and they complete, they show up
            here.
          </ChartEmpty>
        ) : undefined
      }
    >
      {(register) => (
        <EChart
          option={option}
          height={300}
          label={`Predicted versus actual ${objective} for ${data.points.length} trials`}
          onInstance={register}
        />
      )}
    </ChartCard>
  );
}
