'use client';

import { useEffect } from 'react';

/**
 * Sets the tab's title from data a client page loads (a study's name), and keeps it: Next writes the
 * route's static metadata title when its streamed metadata lands, possibly after this page has loaded.
 */
export function useDocumentTitle(title: string | null): void {
  useEffect(() => {
    if (!title) return;
    const apply = () => {
      if (document.title !== title) document.title = title;
    };
    apply();
    const observer = new MutationObserver(apply);
    observer.observe(document.head, { subtree: true, childList: true, characterData: true });
    return () => observer.disconnect();
  }, [title]);
}
