'use client';

import { type ReactNode, useCallback, useState } from 'react';
import { ChartSkeleton } from '../ui/states';
import { type ChartInstance, exportPng } from './echart';

export interface ChartCardProps {
  title: string;
  description?: ReactNode;
  /** Controls shown in the header (selects, toggles). */
  actions?: ReactNode;
  loading?: boolean;
  /** When set (and not loading), shown instead of the chart. */
  empty?: ReactNode;
  height: number;
  exportName?: string;
  children: (register: (c: ChartInstance | null) => void) => ReactNode;
  id?: string;
}

/** A chart's frame: title, controls, PNG export, and the loading skeleton / empty state in its place. */
export function ChartCard({
  title,
  description,
  actions,
  loading,
  empty,
  height,
  exportName,
  children,
  id,
}: ChartCardProps) {
  const [chart, setChart] = useState<ChartInstance | null>(null);
  const register = useCallback((c: ChartInstance | null) => setChart(c), []);
  const headingId = `${id ?? title.replace(/\W+/g, '-').toLowerCase()}-title`;
  const showChart = !loading && !empty;
  return (
    <section className="card" aria-labelledby={headingId} id={id}>
      <div className="card-head">
        <div>
          <h2 id={headingId}>{title}</h2>
          {description ? <div className="desc">{description}</div> : null}
        </div>
        <div className="card-actions">
          {actions}
          {exportName ? (
            <button
              type="button"
              className="btn btn-sm"
              disabled={!chart || !showChart}
              onClick={() => chart && exportPng(chart, exportName)}
              aria-label={`Export ${title} as PNG`}
              title={`Export ${title} as PNG`}
            >
              {/* the visible text is part of the accessible name (WCAG 2.5.3, label in name) */}
              PNG
            </button>
          ) : null}
        </div>
      </div>
      <div className="card-body">
        {loading ? (
          <div
            style={{ height, position: 'relative' }}
            role="status"
            aria-busy="true"
            aria-label={`Loading ${title}`}
          >
            <ChartSkeleton />
          </div>
        ) : empty ? (
          <div style={{ minHeight: height, display: 'grid', placeItems: 'center' }}>{empty}</div>
        ) : (
          children(register)
        )}
      </div>
    </section>
  );
}

export function ChartEmpty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty" role="status" style={{ padding: 20 }}>
      <h2 style={{ fontSize: 14 }}>{title}</h2>
      {children ? <p style={{ fontSize: 13, marginBottom: 0 }}>{children}</p> : null}
    </div>
  );
}
