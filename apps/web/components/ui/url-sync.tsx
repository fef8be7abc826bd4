'use client';

import { usePathname, useSearchParams } from 'next/navigation';
import { useLayoutEffect } from 'react';
import { urlStore } from '../../lib/client/use-url-query';

/**
 * The one reader of `useSearchParams`: tells the URL store when the router moved to a URL (a Link,
 * router.push). Controls read the store instead, so a history change re-renders this, not the page.
 */
export function UrlSync() {
  const query = useSearchParams().toString();
  const path = usePathname();
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-sync whenever the router's URL changes
  useLayoutEffect(() => {
    urlStore()?.sync();
  }, [query, path]);
  return null;
}
