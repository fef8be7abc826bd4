'use client';

import { useCallback, useEffect, useRef, useState } from 'react';

export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

export interface AsyncOptions {
  /** Refetch this often while the tab is visible, keeping what is shown until the answer lands. */
  refreshMs?: number;
}

/** Runs `fn` when `key` changes (and on reload); stale answers of an older key are dropped. */
export function useAsync<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  key: string | null,
  options: AsyncOptions = {},
): AsyncState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(key !== null);
  const [tick, setTick] = useState(0);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick is the reload trigger
  useEffect(() => {
    if (key === null) return;
    const ctl = new AbortController();
    setLoading(true);
    setError(undefined);
    fnRef.current(ctl.signal).then(
      (v) => {
        if (ctl.signal.aborted) return;
        setData(v);
        setLoading(false);
      },
      (e: unknown) => {
        if (ctl.signal.aborted) return;
        setError(e);
        setLoading(false);
      },
    );
    return () => ctl.abort();
  }, [key, tick]);
  const refreshMs = options.refreshMs;
  useEffect(() => {
    if (key === null || !refreshMs) return;
    let ctl: AbortController | null = null;
    const timer = setInterval(() => {
      if (document.visibilityState !== 'visible' || ctl !== null) return;
      const mine = new AbortController();
      ctl = mine;
      fnRef
        .current(mine.signal)
        .then(
          (v) => {
            if (!mine.signal.aborted) setData(v);
          },
          () => {
            // a failed refresh keeps what is shown; the next one tries again
          },
        )
        .finally(() => {
          if (ctl === mine) ctl = null;
        });
    }, refreshMs);
    return () => {
      clearInterval(timer);
      ctl?.abort();
    };
  }, [key, refreshMs]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}

/** Updates URL search params without a navigation entry (filters, sorting, chart choices). */
export function replaceSearch(next: URLSearchParams): void {
  const qs = next.toString();
  const url = `${window.location.pathname}${qs ? `?${qs}` : ''}${window.location.hash}`;
  // state must not be Next's own history state, or the router ignores the change (no re-render).
  window.history.replaceState(null, '', url);
}
