'use client';

import { useMemo } from 'react';
import { verticalMarker } from '../../lib/chart-marks';
import { formatNumber } from '../../lib/format';
import { BAND_Z, buildSurrogate } from '../../lib/surrogate';
import type { SurrogateSlice, Trial } from '../../lib/types';
import { LabelledSelect } from '../ui/labelled-select';
import { ChartCard, ChartEmpty } from './chart-card';
import { axisStyle, EChart, type EChartsOption, tooltipStyle, useChartColors } from './echart';

/** Legend name of the warm-start sources' trials: hollow diamonds, apart from the study's own dots. */
const SOURCE_SERIES = 'Source studies (warm start)';

export function SurrogateChart({
  slice,
  trials,
  params,
  param,
  onParam,
  objective,
  logX,
  loading,
  unavailable,
  samplerType = 'gp',
}: {
  slice: SurrogateSlice | null;
  trials: readonly Trial[];
  /** Numeric parameters the model can be sliced along. */
  params: readonly string[];
  param: string | null;
  onParam: (p: string) => void;
  objective: string;
  logX: boolean;
  loading?: boolean;
  /** Why there is no surrogate (shown as the empty state). */
  unavailable?: string | null;
  /** The study's sampler: other than `gp`, this model only describes the trials, it chose none of them. */
  samplerType?: string;
}) {
  const c = useChartColors();
  const data = useMemo(() => (slice ? buildSurrogate(slice, trials, { logX }) : null), [slice, trials, logX]);
  const option = useMemo<EChartsOption>(() => {
    if (!data) return {};
    const ax = axisStyle(c);
    const xAxis = {
      type: logX ? ('log' as const) : ('value' as const),
      scale: true,
      ...ax,
      splitLine: { show: false },
    };
    return {
      axisPointer: { link: [{ xAxisIndex: 'all' }] },
      grid: [
        { left: 60, right: 20, top: 30, height: '52%' },
        { left: 60, right: 20, top: '72%', bottom: 36 },
      ],
      legend: {
        top: 0,
        right: 0,
        data: [
          `95% band (±${BAND_Z}σ)`,
          'GP mean',
          'Observed trials',
          ...(data.sources.length > 0 ? [SOURCE_SERIES] : []),
          'Acquisition',
        ],
        textStyle: { color: c.muted, fontSize: 11 },
        itemWidth: 14,
        itemHeight: 8,
      },
      tooltip: { trigger: 'axis', ...tooltipStyle(c), valueFormatter: (v) => formatNumber(Number(v), 4) },
      xAxis: [
        { ...xAxis, gridIndex: 0, axisLabel: { show: false } },
        { ...xAxis, gridIndex: 1, name: data.param, nameLocation: 'middle', nameGap: 24 },
      ],
      yAxis: [
        { type: 'value', gridIndex: 0, name: objective, scale: true, ...ax },
        { type: 'value', gridIndex: 1, name: 'acquisition', scale: true, ...ax, splitNumber: 2 },
      ],
      series: [
        {
          name: 'lower',
          type: 'line',
          data: data.lower,
          stack: 'band',
          symbol: 'none',
          lineStyle: { opacity: 0 },
          tooltip: { show: false },
          silent: true,
        },
        {
          name: `95% band (±${BAND_Z}σ)`,
          type: 'line',
          data: data.band,
          stack: 'band',
          symbol: 'none',
          lineStyle: { opacity: 0 },
          areaStyle: { color: c.accent, opacity: 0.16 },
          itemStyle: { color: c.accent },
          tooltip: { show: false },
          silent: true,
        },
        {
          name: 'GP mean',
          type: 'line',
          data: data.mean,
          symbol: 'none',
          lineStyle: { color: c.accent, width: 2 },
          itemStyle: { color: c.accent },
        },
        {
          name: 'Observed trials',
          type: 'scatter',
          data: data.observed,
          symbolSize: data.observed.length > 2000 ? 3 : 6,
          itemStyle: { color: c.series[2], opacity: 0.8 },
          tooltip: { trigger: 'item' },
        },
        ...(data.sources.length > 0
          ? [
              {
                name: SOURCE_SERIES,
                type: 'scatter' as const,
                data: data.sources,
                symbol: 'diamond',
                symbolSize: 6,
                itemStyle: { color: 'transparent', borderColor: c.muted, borderWidth: 1 },
                tooltip: { trigger: 'item' as const },
              },
            ]
          : []),
        {
          name: 'Acquisition',
          type: 'line',
          xAxisIndex: 1,
          yAxisIndex: 1,
          data: data.acquisition,
          symbol: 'none',
          lineStyle: { color: c.good, width: 2 },
          itemStyle: { color: c.good },
          areaStyle: { color: c.good, opacity: 0.1 },
          markLine:
            data.argmax !== null
              ? verticalMarker(data.argmax, { label: 'next', color: c.good, labelColor: c.muted })
              : undefined,
        },
      ],
    };
  }, [c, data, objective, logX]);
  return (
    <ChartCard
      id="surrogate"
      title={samplerType === 'gp' ? 'GP surrogate' : 'Fitted model (not used by this study)'}
      description={
        samplerType === 'gp'
          ? 'What the Gaussian process believes along one parameter (others at the best trial): its mean with a 95% band, and below, its acquisition, log expected improvement: how much better than the best trial so far it expects a value here could be (on a log scale). The GP runs the highest point next.'
          : `This study's ${samplerType} sampler does not use a model: a Gaussian process is fit to its finished trials on demand to show the trend along one parameter (others at the best trial), with a 95% band. The lower panel is where a GP would look next (log expected improvement: how much it expects to beat the best trial, on a log scale).`
      }
      loading={loading}
      height={380}
      exportName={`surrogate-${param ?? 'param'}.png`}
      empty={
        !data ? (
          <ChartEmpty title="No surrogate yet">
            {unavailable ?? 'The GP view appears once the model has been fit.'}
          </ChartEmpty>
        ) : undefined
      }
      actions={
        params.length > 0 ? (
          <LabelledSelect
            id="gp-param"
            label="Surrogate parameter"
            value={param}
            options={params}
            onChange={onParam}
          />
        ) : null
      }
    >
      {(register) => (
        <EChart
          option={option}
          height={380}
          label={`GP surrogate along ${param ?? ''}: mean, uncertainty band, acquisition${data?.argmax !== null && data ? `, maximum at ${formatNumber(data.argmax)}` : ''}`}
          onInstance={register}
        />
      )}
    </ChartCard>
  );
}
