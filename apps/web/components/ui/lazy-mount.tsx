'use client';

import { type ReactNode, useEffect, useRef, useState } from 'react';
import { ChartSkeleton } from './states';

/**
 * Mounts its children only once they come near the viewport: the charts below the fold then cost
 * nothing while the study page loads, which keeps the first screen responsive on large studies.
 */
export function LazyMount({
  children,
  minHeight,
  label,
  enabled = true,
  onMount,
}: {
  children: ReactNode;
  minHeight: number;
  label: string;
  /**
   * False while the content above is still loading: its final height is unknown, so a placeholder
   * that looks near the viewport now would mount a chart that ends up far below it.
   */
  enabled?: boolean;
  /** Called once when the children mount (e.g. to start fetching what only they show). */
  onMount?: () => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [visible, setVisible] = useState(false);
  const onMountRef = useRef(onMount);
  onMountRef.current = onMount;
  useEffect(() => {
    if (visible) onMountRef.current?.();
  }, [visible]);
  useEffect(() => {
    const el = ref.current;
    if (!el || visible || !enabled) return;
    if (typeof IntersectionObserver === 'undefined') {
      setVisible(true);
      return;
    }
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) setVisible(true);
      },
      { rootMargin: '300px 0px' },
    );
    io.observe(el);
    return () => io.disconnect();
  }, [visible, enabled]);
  if (visible) return <>{children}</>;
  return (
    <div
      ref={ref}
      className="card"
      style={{ minHeight, position: 'relative' }}
      role="status"
      aria-label={`${label} (loads when scrolled into view)`}
    >
      <ChartSkeleton />
    </div>
  );
}
