'use client';

import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { EMPTY_SELECTION, type Selection, type SelectionSource } from '../../lib/selection';

export interface SelectionApi extends Selection {
  /** Replaces the selection (an empty list clears it). */
  select: (ids: Iterable<string>, source: SelectionSource) => void;
  clear: () => void;
}

const NONE: SelectionApi = { ...EMPTY_SELECTION, select: () => {}, clear: () => {} };
const SelectionContext = createContext<SelectionApi>(NONE);

/**
 * The study page's linked selection (issue 15 item 4): trials picked on any view are highlighted on
 * every other. Page state, not URL state: a brush can pick thousands of trials.
 */
export function SelectionProvider({ children }: { children: ReactNode }) {
  const [sel, setSel] = useState<Selection>(EMPTY_SELECTION);
  const select = useCallback((ids: Iterable<string>, source: SelectionSource) => {
    const set = new Set(ids);
    setSel(set.size === 0 ? EMPTY_SELECTION : { ids: set, source });
  }, []);
  const clear = useCallback(() => setSel(EMPTY_SELECTION), []);
  const api = useMemo(() => ({ ...sel, select, clear }), [sel, select, clear]);
  return <SelectionContext.Provider value={api}>{children}</SelectionContext.Provider>;
}

export function useSelection(): SelectionApi {
  return useContext(SelectionContext);
}

const SOURCE_TEXT: Record<SelectionSource, string> = {
  convergence: 'brushed on the convergence plot',
  zoom: 'zoomed on the convergence plot',
  parallel: 'brushed on the parallel axes',
  table: 'picked in the table',
  compare: 'compared',
};

/** "12 trials selected (brushed on …) · Compare · Clear": shown above the trials table. */
export function SelectionBar({ onCompare }: { onCompare?: () => void }) {
  const { ids, source, clear } = useSelection();
  if (ids.size === 0) return null;
  return (
    <div className="selection-bar" role="status" aria-label="Selection">
      <span>
        <b>{ids.size.toLocaleString('en-US')}</b> {ids.size === 1 ? 'trial' : 'trials'} selected
        {source ? <span className="muted"> ({SOURCE_TEXT[source]})</span> : null}
      </span>
      {onCompare ? (
        <button type="button" className="btn btn-sm" disabled={ids.size < 2} onClick={onCompare}>
          Compare selected
        </button>
      ) : null}
      <button type="button" className="btn btn-sm" onClick={clear}>
        Clear selection
      </button>
    </div>
  );
}
