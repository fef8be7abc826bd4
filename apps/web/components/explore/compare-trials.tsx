'use client';

import Link from 'next/link';
import { useMemo, useState } from 'react';
import { comparedMetrics, compareRows } from '../../lib/compare';
import { formatNumber, formatParam } from '../../lib/format';
import type { CurveStore } from '../../lib/learning-curves';
import type { Trial } from '../../lib/types';
import {
  axisStyle,
  type ChartColors,
  EChart,
  type EChartsOption,
  stepAxis,
  tooltipStyle,
  useChartColors,
} from '../charts/echart';
import { StateBadge } from '../ui/states';

export interface CompareTrialsProps {
  trials: readonly Trial[];
  /** How many trials are selected (more than are compared when above the cap). */
  selectedCount: number;
  params: readonly string[];
  objective: string;
  store: CurveStore;
  curvesVersion: number;
  trialHref: (id: string) => string;
  onClose: () => void;
}

/**
 * Selected trials side by side (issue 15 item 5): a table of their parameters with the rows that
 * differ emphasized, and every metric any of them reported as overlaid curves, one color per trial.
 */
export function CompareTrials(props: CompareTrialsProps) {
  const { trials, params, objective, store, curvesVersion } = props;
  const c = useChartColors();
  const [onlyDiffering, setOnlyDiffering] = useState(false);
  const rows = useMemo(() => compareRows(trials, params, objective), [trials, params, objective]);
  const shown = onlyDiffering ? rows.filter((r) => r.differs) : rows;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the version signals new points
  const metrics = useMemo(
    () => comparedMetrics(trials, store.metricNames(), (id, m) => store.has(id, m), objective),
    [trials, store, objective, curvesVersion],
  );
  // eight distinguishable colors (compare shows at most eight trials)
  const palette = [...c.series, c.bad, c.text];
  const color = (i: number) => palette[i % palette.length] ?? c.accent;
  const differing = rows.filter((r) => r.differs).length;
  return (
    <section className="card" aria-labelledby="compare-title" id="compare">
      <div className="card-head">
        <div>
          <h2 id="compare-title">Compare trials</h2>
          <div className="desc">
            {trials.length} trials
            {props.selectedCount > trials.length
              ? ` (the first ${trials.length} of ${props.selectedCount} selected)`
              : ''}{' '}
            · {differing} of {rows.length} rows differ
          </div>
        </div>
        <div className="card-actions">
          <label className="check">
            <input
              type="checkbox"
              checked={onlyDiffering}
              onChange={(e) => setOnlyDiffering(e.target.checked)}
            />
            Only differences
          </label>
          <button type="button" className="btn btn-sm" onClick={props.onClose}>
            Close compare
          </button>
        </div>
      </div>
      <div className="table-wrap">
        <table className="data compare" aria-label="Compared trials">
          <thead>
            <tr>
              <th scope="col">Field</th>
              {trials.map((t, i) => (
                <th key={t.id} scope="col" className="num">
                  <span className="swatch" style={{ background: color(i) }} aria-hidden="true" />
                  <Link prefetch={false} href={props.trialHref(t.id)}>
                    #{t.number}
                  </Link>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr
                key={r.name}
                className={r.differs ? 'differs' : undefined}
                data-differs={r.differs ? 'true' : 'false'}
              >
                <th scope="row" className="mono">
                  {r.name}
                  {r.differs ? <span className="sr-only"> (differs)</span> : null}
                </th>
                {r.values.map((v, i) => (
                  <td key={trials[i]?.id ?? i} className="num mono">
                    {r.name === 'state' && typeof v === 'string' ? (
                      <StateBadge state={v as Trial['state']} />
                    ) : typeof v === 'number' || v === null ? (
                      formatNumber(v, 5)
                    ) : (
                      formatParam(v)
                    )}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {metrics.length === 0 ? (
        <div className="card-body muted">None of these trials reported a metric.</div>
      ) : (
        <div className="compare-curves">
          {metrics.map((m) => (
            <CompareCurve
              key={m}
              metric={m}
              trials={trials}
              store={store}
              version={curvesVersion}
              colors={trials.map((_, i) => color(i)).join(',')}
              c={c}
            />
          ))}
        </div>
      )}
    </section>
  );
}

function CompareCurve({
  metric,
  trials,
  store,
  version,
  colors,
  c,
}: {
  metric: string;
  trials: readonly Trial[];
  store: CurveStore;
  version: number;
  /** One color per trial, comma-separated (a string, so the chart's option memo keeps). */
  colors: string;
  c: ChartColors;
}) {
  // biome-ignore lint/correctness/useExhaustiveDependencies: the version signals new points
  const option = useMemo<EChartsOption>(() => {
    const axis = axisStyle(c);
    const palette = colors.split(',');
    return {
      grid: { left: 52, right: 16, top: 12, bottom: 30 },
      tooltip: { trigger: 'axis', ...tooltipStyle(c), valueFormatter: (v) => formatNumber(Number(v), 5) },
      xAxis: stepAxis(c),
      yAxis: { type: 'value', scale: true, ...axis },
      series: trials.map((t, i) => ({
        name: `#${t.number}`,
        type: 'line' as const,
        data: store.curve(t.id, metric),
        showSymbol: false,
        lineStyle: { width: 2, color: palette[i] },
        itemStyle: { color: palette[i] },
      })),
    };
  }, [metric, trials, store, version, colors, c]);
  return (
    <figure className="compare-curve">
      <figcaption className="mono">{metric}</figcaption>
      <EChart
        option={option}
        height={210}
        label={`${metric} of trials ${trials.map((t) => `#${t.number}`).join(', ')} overlaid`}
        dataAttrs={{ 'data-metric': metric, 'data-series': String(trials.length) }}
      />
    </figure>
  );
}
