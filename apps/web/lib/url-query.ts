/** A query set by a control that the router has not reported yet (see use-url-query.ts). */
export interface PendingQuery {
  /** The query string set. */
  value: string;
  /** Query strings the router may still report before `value` (the URL at each change). */
  stale: readonly string[];
}

/**
 * The query string controls should show, given the one the router reports: the pending one while the
 * router still reports a URL from before the change, else the router's (it caught up, or a navigation
 * happened that is not ours).
 */
export function pendingQuery(routerQuery: string, pending: PendingQuery | null): string {
  if (!pending || routerQuery === pending.value) return routerQuery;
  return pending.stale.includes(routerQuery) ? pending.value : routerQuery;
}
