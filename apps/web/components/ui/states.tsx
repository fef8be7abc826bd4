'use client';

import Link from 'next/link';
import type { ReactNode } from 'react';
import { describeError } from '../../lib/api/client';

export function StateBadge({ state }: { state: string }) {
  return <span className={`badge badge-${state}`}>{state.toLowerCase()}</span>;
}

export function EmptyState({
  title,
  children,
  action,
  icon = '◇',
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
  icon?: string;
}) {
  return (
    <div className="empty" role="status">
      <div className="icon" aria-hidden="true">
        {icon}
      </div>
      <h2>{title}</h2>
      {children ? <p>{children}</p> : null}
      {action}
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const d = describeError(error);
  return (
    <div className="empty" role="alert">
      <div className="icon" aria-hidden="true">
        ⚠
      </div>
      <h2>{d.title}</h2>
      <p>{d.detail}</p>
      <div className="row" style={{ justifyContent: 'center' }}>
        {onRetry && d.code !== 'NOT_FOUND' ? (
          <button type="button" className="btn" onClick={onRetry}>
            Try again
          </button>
        ) : null}
        {d.code === 'NOT_FOUND' || d.code === 'FORBIDDEN' ? (
          <Link prefetch={false} className="btn btn-primary" href="/">
            Go to your studies
          </Link>
        ) : null}
        {d.code === 'UNAUTHENTICATED' ? (
          <Link prefetch={false} className="btn btn-primary" href="/login">
            Log in
          </Link>
        ) : null}
      </div>
    </div>
  );
}

export function InlineError({ error }: { error: unknown }) {
  if (!error) return null;
  const d = describeError(error);
  return (
    <div className="alert alert-error" role="alert">
      <strong>{d.title}.</strong> {d.detail}
    </div>
  );
}

export function Skeleton({
  width = '100%',
  height = 14,
}: {
  width?: number | string;
  height?: number | string;
}) {
  return <span className="skeleton" style={{ display: 'block', width, height }} aria-hidden="true" />;
}

export function PageSkeleton({ label = 'Loading' }: { label?: string }) {
  return (
    <div className="stack" aria-busy="true" role="status" aria-label={label}>
      <Skeleton width={280} height={26} />
      <Skeleton width={180} height={14} />
      <div className="grid-2">
        <div className="card" style={{ height: 300, position: 'relative' }}>
          <ChartSkeleton />
        </div>
        <div className="card" style={{ height: 300, position: 'relative' }}>
          <ChartSkeleton />
        </div>
      </div>
    </div>
  );
}

const BARS = [38, 62, 45, 80, 55, 70, 40, 66, 52, 74, 48, 60];
export function ChartSkeleton() {
  return (
    <div className="skeleton-chart" aria-hidden="true">
      {BARS.map((h, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: static decoration
        <span key={i} className="skeleton" style={{ height: `${h}%` }} />
      ))}
    </div>
  );
}

export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <span id={id} className="field-error" role="alert">
      {message}
    </span>
  );
}
