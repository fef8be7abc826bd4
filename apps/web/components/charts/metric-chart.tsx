'use client';

import { useMemo } from 'react';
import { MARKER_LABEL_ROOM, verticalMarker } from '../../lib/chart-marks';
import { formatNumber } from '../../lib/format';
import { ChartCard } from './chart-card';
import { axisStyle, EChart, type EChartsOption, stepAxis, tooltipStyle, useChartColors } from './echart';

/** One metric of one trial against step. */
export function MetricChart({
  name,
  points,
  color = 0,
  loading,
  highlightStep,
}: {
  name: string;
  points: Array<[number, number]>;
  color?: number;
  loading?: boolean;
  highlightStep?: number | null;
}) {
  const c = useChartColors();
  const option = useMemo<EChartsOption>(() => {
    const ax = axisStyle(c);
    const col = c.series[color % c.series.length] ?? c.accent;
    return {
      grid: { left: 52, right: 16, top: MARKER_LABEL_ROOM, bottom: 32 },
      tooltip: { trigger: 'axis', ...tooltipStyle(c), valueFormatter: (v) => formatNumber(Number(v), 5) },
      xAxis: stepAxis(c),
      yAxis: { type: 'value', scale: true, ...ax },
      series: [
        {
          name,
          type: 'line',
          data: points,
          showSymbol: points.length < 60,
          symbolSize: 4,
          lineStyle: { color: col, width: 2 },
          itemStyle: { color: col },
          areaStyle: { color: col, opacity: 0.06 },
          markLine:
            highlightStep !== null && highlightStep !== undefined
              ? verticalMarker(highlightStep, { label: 'best', color: c.good, labelColor: c.muted })
              : undefined,
        },
      ],
    };
  }, [c, name, points, color, highlightStep]);
  const last = points[points.length - 1];
  return (
    <ChartCard
      id={`metric-${name}`}
      title={name}
      description={
        last ? `${points.length} steps · last ${formatNumber(last[1], 5)} at step ${last[0]}` : 'no points'
      }
      loading={loading}
      height={220}
      exportName={`${name}.png`}
    >
      {(register) => (
        <EChart
          option={option}
          height={220}
          label={`${name} by step, ${points.length} points`}
          onInstance={register}
          notMerge={false}
        />
      )}
    </ChartCard>
  );
}
