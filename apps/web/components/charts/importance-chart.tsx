'use client';

import { useMemo } from 'react';
import type { ParamImportance } from '../../lib/types';
import { ChartCard, ChartEmpty } from './chart-card';
import { axisStyle, EChart, type EChartsOption, tooltipStyle, useChartColors } from './echart';

export function ImportanceChart({
  importance,
  source,
  loading,
}: {
  importance: readonly ParamImportance[];
  /** Where the numbers come from, shown to the reader. */
  source: 'model' | 'estimate';
  loading?: boolean;
}) {
  const c = useChartColors();
  const rows = useMemo(() => [...importance].reverse(), [importance]);
  const option = useMemo<EChartsOption>(() => {
    const ax = axisStyle(c);
    return {
      grid: { left: 100, right: 48, top: 8, bottom: 24 },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        ...tooltipStyle(c),
        valueFormatter: (v) => `${(Number(v) * 100).toFixed(1)}%`,
      },
      xAxis: {
        type: 'value',
        max: 1,
        ...ax,
        axisLabel: { ...ax.axisLabel, formatter: (v: number) => `${Math.round(v * 100)}%` },
      },
      yAxis: {
        type: 'category',
        data: rows.map((r) => r.param),
        ...ax,
        axisTick: { show: false },
        axisLabel: { color: c.text, fontSize: 12 },
      },
      series: [
        {
          type: 'bar',
          data: rows.map((r) => r.importance),
          barMaxWidth: 18,
          itemStyle: { color: c.accent, borderRadius: [0, 4, 4, 0] },
          label: {
            show: true,
            position: 'right',
            color: c.muted,
            fontSize: 11,
            formatter: (p) => `${(Number(p.value) * 100).toFixed(0)}%`,
          },
        },
      ],
    };
  }, [c, rows]);
  const height = Math.max(160, 36 + rows.length * 30);
  return (
    <ChartCard
      id="importance"
      title="Parameter importance"
      description={
        source === 'model'
          ? 'From the fitted GP (inverse lengthscales)'
          : 'Estimated from trial ranks (η² per parameter)'
      }
      loading={loading}
      height={height}
      exportName="importance.png"
      empty={
        importance.length === 0 ? (
          <ChartEmpty title="Not enough data">Importance needs at least 4 complete trials.</ChartEmpty>
        ) : undefined
      }
    >
      {(register) => (
        <EChart
          option={option}
          height={height}
          label={`Parameter importance: ${importance.map((p) => `${p.param} ${(p.importance * 100).toFixed(0)}%`).join(', ')}`}
          onInstance={register}
        />
      )}
    </ChartCard>
  );
}
