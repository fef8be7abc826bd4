'use client';

import { useMemo } from 'react';
import { formatNumber } from '../../lib/format';
import { buildParallel } from '../../lib/parallel';
import type { Direction, SearchSpace, Trial } from '../../lib/types';
import { ChartCard, ChartEmpty } from './chart-card';
import { EChart, type EChartsOption, useChartColors } from './echart';

export function ParallelChart({
  space,
  trials,
  objective,
  direction,
  loading,
}: {
  space: SearchSpace;
  trials: readonly Trial[];
  objective: string;
  direction: Direction;
  loading?: boolean;
}) {
  const c = useChartColors();
  const data = useMemo(
    () => buildParallel(space, trials, objective, direction),
    [space, trials, objective, direction],
  );
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
    return {
      // Room right of the objective axis for its tick labels and, beyond them, the color bar's handle
      // labels (the best and worst values): at 90 px the two overlapped ("308.129" over "300").
      parallel: { left: 40, right: 130, top: 36, bottom: 24, parallelAxisDefault: axisCommon },
      parallelAxis: data.axes.map((a) =>
        a.type === 'category'
          ? { dim: a.dim, name: a.name, type: 'category' as const, data: a.categories ?? [] }
          : { dim: a.dim, name: a.name, type: a.type, scale: true },
      ),
      visualMap: {
        type: 'continuous',
        dimension: data.objectiveDim,
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
          data: data.rows,
          lineStyle: { width: 1, opacity: many ? 0.18 : 0.5 },
          emphasis: { lineStyle: { width: 2, opacity: 1 } },
          progressive: 800,
          smooth: false,
        },
      ],
    };
  }, [c, data, direction]);
  return (
    <ChartCard
      id="parallel"
      title="Parallel coordinates"
      description="Each line is a complete trial; drag along an axis to filter"
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
      {(register) => (
        <EChart
          option={option}
          height={340}
          label={`Parallel coordinates of ${data.axes.length - 1} parameters and ${objective} over ${data.rows.length} trials`}
          onInstance={register}
        />
      )}
    </ChartCard>
  );
}
