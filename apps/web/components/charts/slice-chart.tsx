'use client';

import { useMemo } from 'react';
import { sliceTooltip } from '../../lib/chart-tooltips';
import { numericAxis } from '../../lib/hpo-plots';
import { buildSlice } from '../../lib/slice';
import type { SearchSpace, Trial } from '../../lib/types';
import { LabelledSelect } from '../ui/labelled-select';
import { ChartCard, ChartEmpty } from './chart-card';
import { axisStyle, EChart, type EChartsOption, tooltipStyle, useChartColors } from './echart';

export interface SliceChartProps {
  space: SearchSpace;
  trials: readonly Trial[];
  params: readonly string[];
  param: string | null;
  onParam: (p: string) => void;
  objective: string;
  loading?: boolean;
}

export function SliceChart({ space, trials, params, param, onParam, objective, loading }: SliceChartProps) {
  const c = useChartColors();
  const chosen = param && params.includes(param) ? param : (params[0] ?? null);
  const data = useMemo(() => (chosen ? buildSlice(space, trials, chosen) : null), [space, trials, chosen]);
  const bounds = useMemo(() => (chosen ? numericAxis(space, chosen, trials) : null), [space, chosen, trials]);
  const option = useMemo<EChartsOption>(() => {
    const ax = axisStyle(c);
    if (!data) return {};
    const n = data.points.length;
    return {
      grid: { left: 56, right: 20, top: 16, bottom: 40 },
      tooltip: {
        trigger: 'item',
        ...tooltipStyle(c),
        formatter: sliceTooltip(data.param, objective),
      },
      xAxis:
        data.axis === 'category'
          ? {
              type: 'category',
              data: data.categories,
              name: data.param,
              nameLocation: 'middle',
              nameGap: 26,
              ...ax,
            }
          : {
              type: data.axis,
              name: data.param,
              nameLocation: 'middle',
              nameGap: 26,
              // the search space's range, not the sampled one
              ...(bounds ? { min: bounds.min, max: bounds.max } : { scale: true }),
              ...ax,
              splitLine: { show: false },
            },
      yAxis: { type: 'value', name: objective, scale: true, ...ax },
      visualMap: {
        show: false,
        type: 'continuous',
        dimension: 2,
        min: 0,
        max: Math.max(1, ...data.points.map((p) => p[2])),
        inRange: { color: [c.faint, c.accent] },
      },
      series: [
        {
          type: 'scatter',
          data: data.points,
          symbolSize: n > 2000 ? 3 : 6,
          large: n > 2000,
          itemStyle: { opacity: 0.75 },
          jitter: data.axis === 'category' ? 20 : 0,
        },
      ],
    };
  }, [c, data, objective, bounds]);
  return (
    <ChartCard
      id="slice"
      title="Slice plot"
      description={`${objective} against one parameter; later trials darker`}
      loading={loading}
      height={300}
      exportName={`slice-${chosen ?? 'param'}.png`}
      empty={
        !data || data.points.length === 0 ? (
          <ChartEmpty title="Needs complete trials">Points appear once trials complete.</ChartEmpty>
        ) : undefined
      }
      actions={
        params.length > 0 ? (
          <LabelledSelect
            id="slice-param"
            label="Slice parameter"
            value={chosen}
            options={params}
            onChange={onParam}
          />
        ) : null
      }
    >
      {(register) => (
        <EChart
          option={option}
          height={300}
          label={`Slice plot of ${objective} against ${chosen ?? ''}, ${data?.points.length ?? 0} trials`}
          onInstance={register}
        />
      )}
    </ChartCard>
  );
}
