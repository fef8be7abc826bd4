'use client';

import { useMemo } from 'react';
import type { ParamEffect } from '../../lib/hpo-plots';
import type { ParamImportance } from '../../lib/types';
import { ChartCard, ChartEmpty } from './chart-card';
import { axisStyle, EChart, type EChartsOption, tooltipStyle, useChartColors } from './echart';

export function ImportanceChart({
  importance,
  source,
  loading,
  effects,
  objective = 'the objective',
}: {
  importance: readonly ParamImportance[];
  /** Where the numbers come from, shown to the reader. */
  source: 'model' | 'estimate';
  loading?: boolean;
  /** The sign of each parameter's effect: its bar's color and label. */
  effects?: ReadonlyMap<string, ParamEffect>;
  objective?: string;
}) {
  const c = useChartColors();
  const rows = useMemo(() => [...importance].reverse(), [importance]);
  const option = useMemo<EChartsOption>(() => {
    const ax = axisStyle(c);
    return {
      // room right of the bars for "42% ↑ better"
      grid: { left: 100, right: effects ? 120 : 48, top: 8, bottom: 24 },
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
          data: rows.map((r) => {
            const e = effects?.get(r.param);
            const color = e?.raising === 'better' ? c.good : e?.raising === 'worse' ? c.bad : c.accent;
            return { value: r.importance, itemStyle: { color } };
          }),
          barMaxWidth: 18,
          itemStyle: { color: c.accent, borderRadius: [0, 4, 4, 0] },
          label: {
            show: true,
            position: 'right',
            color: c.muted,
            fontSize: 11,
            formatter: (p) => {
              const pct = `${(Number(p.value) * 100).toFixed(0)}%`;
              const e = effects?.get(rows[p.dataIndex]?.param ?? '');
              return e ? `${pct} ${effectText(e)}` : pct;
            },
          },
        },
      ],
    };
  }, [c, rows, effects]);
  const height = Math.max(160, 36 + rows.length * 30);
  return (
    <ChartCard
      id="importance"
      title="Parameter importance"
      description={`${source === 'model' ? 'From the fitted GP (inverse lengthscales)' : 'Estimated from trial ranks (η² per parameter)'}${
        effects && effects.size > 0
          ? `; green: raising it improves ${objective}, red: raising it worsens ${objective} (rank correlation)`
          : ''
      }`}
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
          label={`Parameter importance: ${importance
            .map((p) => {
              const e = effects?.get(p.param);
              return `${p.param} ${(p.importance * 100).toFixed(0)}%${e ? ` ${effectText(e)}` : ''}`;
            })
            .join(', ')}`}
          onInstance={register}
        />
      )}
    </ChartCard>
  );
}

/** "↑ better" (raising the param improves the objective), "↑ worse", "best mid-range", "best gelu", or "mixed". */
export function effectText(e: ParamEffect): string {
  if (e.bestChoice !== null) return `best ${e.bestChoice}`;
  if (e.peaked) return 'best mid-range';
  if (e.raising === 'better') return '↑ better';
  if (e.raising === 'worse') return '↑ worse';
  return 'mixed';
}
