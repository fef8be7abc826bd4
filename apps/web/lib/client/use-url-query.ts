'use client';

import { useCallback, useMemo, useSyncExternalStore } from 'react';
import { replaceSearch } from '../api/hooks';
import { patchQuery, pickKeys, UrlStore } from '../url-store.ts';

let store: UrlStore | null = null;

/** The page's one URL store (null on the server). */
export function urlStore(): UrlStore | null {
  if (typeof window === 'undefined') return null;
  if (!store) {
    const s = new UrlStore({
      query: () => window.location.search.replace(/^\?/, ''),
      path: () => window.location.pathname,
      // window.history.replaceState is what Next documents for this: it keeps useSearchParams in sync
      // (only <UrlSync> reads it, so the router's re-render is cheap).
      write: (q) => replaceSearch(new URLSearchParams(q)),
      // after the browser has painted the control's new state
      later: (fn) => requestAnimationFrame(() => setTimeout(fn, 0)),
    });
    window.addEventListener('popstate', () => s.sync(true));
    store = s;
  }
  return store;
}

const subscribe = (listener: () => void) => urlStore()?.subscribe(listener) ?? (() => {});
const serverQuery = () => '';

/** The current query including a change not written to the URL yet: the base of the next change. */
export function currentSearch(): URLSearchParams {
  return new URLSearchParams(urlStore()?.query ?? '');
}

export interface UrlQuery {
  /** The query the controls show (only the keys asked for, when keys were given). */
  params: URLSearchParams;
  /** Sets (or, with null or '', removes) keys and replaces the URL without a history entry. */
  patch: (changes: Record<string, string | null>) => void;
  /** Replaces the whole query. */
  replace: (next: URLSearchParams) => void;
}

function patch(changes: Record<string, string | null>): void {
  const s = urlStore();
  s?.set(patchQuery(s.query, changes));
}

function replace(next: URLSearchParams): void {
  urlStore()?.set(next.toString());
}

/**
 * URL-driven control state that answers a click at once. The URL stays the source of truth (links,
 * reloads and the back button see it), but the controls read it from a store of ours instead of
 * `useSearchParams`: Next re-renders every reader of that on each history change, which on a study
 * page with thousands of trials was slow per click (docs/PERFORMANCE.md), and a control driven only
 * by it could ignore a click until then. With `keys`, the component re-renders only when one of those
 * keys changes.
 */
export function useUrlQuery(keys?: readonly string[]): UrlQuery {
  const keyList = keys?.join('\n');
  const snapshot = useCallback(() => {
    const q = urlStore()?.query ?? '';
    return keyList === undefined ? q : pickKeys(q, keyList.split('\n'));
  }, [keyList]);
  const query = useSyncExternalStore(subscribe, snapshot, serverQuery);
  const params = useMemo(() => new URLSearchParams(query), [query]);
  return { params, patch, replace };
}

/** One URL key (null when absent): the component re-renders only when this key changes. */
export function useUrlParam(key: string): string | null {
  const snapshot = useCallback(() => new URLSearchParams(urlStore()?.query ?? '').get(key), [key]);
  return useSyncExternalStore(subscribe, snapshot, () => null);
}

/** Sets (or, with null or '', removes) URL keys; the URL is written after the next paint. */
export const patchUrl = patch;
