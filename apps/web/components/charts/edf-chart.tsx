'use client';

import { useMemo } from 'react';
import { buildEdf } from '../../lib/hpo-plots';
import { edfTooltip } from '../../lib/hpo-tooltips';
import type { Direction, Trial } from '../../lib/types';
import { ChartCard, ChartEmpty } from './chart-card';
import { axisStyle, EChart, type EChartsOption, tooltipStyle, useChartColors } from './echart';

/** The empirical distribution of the objective: the share of complete trials at or below each value. */
export function EdfChart({
  trials,
  objective,
  direction,
  loading,
}: {
  trials: readonly Trial[];
  objective: string;
  direction: Direction;
  loading?: boolean;
}) {
  const c = useChartColors();
  const data = useMemo(() => buildEdf(trials), [trials]);
  const option = useMemo<EChartsOption>(() => {
    const ax = axisStyle(c);
    return {
      grid: { left: 56, right: 20, top: 30, bottom: 44 },
      tooltip: { trigger: 'item', ...tooltipStyle(c), formatter: edfTooltip(objective) },
      xAxis: { type: 'value', name: objective, nameLocation: 'middle', nameGap: 26, scale: true, ...ax },
      yAxis: {
        type: 'value',
        min: 0,
        max: 1,
        name: 'share of trials',
        ...ax,
        axisLabel: { ...ax.axisLabel, formatter: (v: number) => `${Math.round(v * 100)}%` },
      },
      series: [
        {
          type: 'line',
          step: 'end',
          data: data.length ? [[data[0]?.[0] ?? 0, 0], ...data] : [],
          showSymbol: data.length <= 60,
          symbolSize: 4,
          lineStyle: { color: c.accent, width: 2 },
          itemStyle: { color: c.accent },
          areaStyle: { color: c.accent, opacity: 0.08 },
        },
      ],
    };
  }, [c, data, objective]);
  return (
    <ChartCard
      id="edf"
      title="Distribution of results (EDF)"
      description={`Share of complete trials with ${objective} at or below each value; ${
        direction === 'MINIMIZE' ? 'a curve rising early' : 'a curve rising late'
      } means more good trials`}
      loading={loading}
      height={300}
      exportName="edf.png"
      empty={data.length === 0 ? <ChartEmpty title="Needs complete trials" /> : undefined}
    >
      {(register) => (
        <EChart
          option={option}
          height={300}
          label={`Empirical distribution of ${objective} over ${data.length} distinct values`}
          onInstance={register}
        />
      )}
    </ChartCard>
  );
}
