'use client';

import { useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { replaceSearch } from '../api/hooks';
import { type PendingQuery, pendingQuery } from '../url-query.ts';

/** The query string of the latest change not yet written to the URL (see `writeSoon`). */
let unwritten: string | null = null;

/**
 * Writes the URL after the browser has painted the control's new state: Next's patched
 * `history.replaceState` re-renders every reader of the search params synchronously, which on a
 * study page with thousands of trials would hold the click's own feedback back. Changes made
 * meanwhile are folded into one write.
 */
function writeSoon(next: URLSearchParams): void {
  const first = unwritten === null;
  unwritten = next.toString();
  if (!first) return;
  requestAnimationFrame(() =>
    setTimeout(() => {
      const value = unwritten;
      unwritten = null;
      if (value !== null) replaceSearch(new URLSearchParams(value));
    }, 0),
  );
}

/** The current query including a change not written to the URL yet: the base of the next change. */
export function currentSearch(): URLSearchParams {
  return new URLSearchParams(unwritten ?? window.location.search);
}

export interface UrlQuery {
  /** The query the controls show: the URL, or the change just made while the router catches up. */
  params: URLSearchParams;
  /** Sets (or, with null or '', removes) keys and replaces the URL without a history entry. */
  patch: (changes: Record<string, string | null>) => void;
  /** Replaces the whole query. */
  replace: (next: URLSearchParams) => void;
}

/**
 * URL-driven control state that answers a click at once. The URL stays the source of truth (links,
 * reloads and the back button see it), but Next reports a history change to `useSearchParams` only
 * after re-rendering every reader of it, which a busy page (thousands of trials, charts drawing) can
 * delay; a control driven only by `useSearchParams` would ignore the click until then (the e2e once
 * saw a checkbox click "not change state"). The query set here is shown until the router reports it,
 * or reports a URL that nobody set here (a navigation wins).
 */
export function useUrlQuery(): UrlQuery {
  const sp = useSearchParams();
  const url = sp.toString();
  const [pending, setPending] = useState<PendingQuery | null>(null);
  const shown = pendingQuery(url, pending);
  // caught up: forget the pending query, so a later navigation back to an old URL is not overridden
  useEffect(() => {
    if (pending && url === pending.value) setPending(null);
  }, [url, pending]);
  const params = useMemo(() => new URLSearchParams(shown), [shown]);

  const replace = useCallback(
    (next: URLSearchParams) => {
      const value = next.toString();
      setPending((prev) => ({
        value,
        // the URLs the router may still report on its way to `value`: stale, not a navigation
        stale: [...(prev && prev.value !== url ? [...prev.stale, prev.value] : []), url],
      }));
      writeSoon(next);
    },
    [url],
  );
  const patch = useCallback(
    (changes: Record<string, string | null>) => {
      // `sp` may lag behind the URL, and the URL behind the latest change
      const next = currentSearch();
      for (const [k, v] of Object.entries(changes)) {
        if (v === null || v === '') next.delete(k);
        else next.set(k, v);
      }
      replace(next);
    },
    [replace],
  );
  return { params, patch, replace };
}
