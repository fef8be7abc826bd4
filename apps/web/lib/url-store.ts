/**
 * The URL query as an external store (see lib/client/use-url-query.ts for the React side).
 *
 * Controls write here, the store notifies only its subscribers (each reads a few keys), and the URL is
 * written once after the next paint. Next's router is told about the write (window.history.replaceState
 * is documented to sync useSearchParams), but nothing on a busy page waits for its re-render.
 */

/** What the store needs from the browser (injected, so the logic runs under node:test). */
export interface UrlHost {
  /** The current URL's query string, without '?'. */
  query(): string;
  /** The current URL's path (a write made for one page must not land on another). */
  path(): string;
  /** Replaces the URL's query without a history entry. */
  write(query: string): void;
  /** Runs `fn` soon, after the browser has painted. */
  later(fn: () => void): void;
}

export class UrlStore {
  private current: string;
  /** The path the unwritten change was made on; null when the URL is up to date. */
  private pendingPath: string | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly host: UrlHost) {
    this.current = host.query();
  }

  /** The query controls show: the URL's, or a change not written to it yet. */
  get query(): string {
    return this.current;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Shows `query` at once and writes it to the URL after the next paint (quick changes: one write). */
  set(query: string): void {
    if (query === this.current) return;
    this.current = query;
    if (this.pendingPath === null) {
      this.pendingPath = this.host.path();
      this.host.later(() => this.flush());
    }
    this.notify();
  }

  /**
   * The URL may have changed without us: back/forward (`force`: it wins over an unwritten change) or the
   * router (it may still report a URL from before our unwritten change, which must not undo it).
   */
  sync(force = false): void {
    if (this.pendingPath !== null && !force) return;
    this.pendingPath = null;
    this.adopt(this.host.query());
  }

  private flush(): void {
    const path = this.pendingPath;
    if (path === null) return; // cancelled by a forced sync
    this.pendingPath = null;
    // navigated away meanwhile: the change belonged to the old page
    if (this.host.path() !== path) this.adopt(this.host.query());
    else if (this.host.query() !== this.current) this.host.write(this.current);
  }

  private adopt(query: string): void {
    if (query === this.current) return;
    this.current = query;
    this.notify();
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }
}

/**
 * The entries of `query` under `keys`, as a query string: a stable snapshot that changes only when one of
 * these keys does (so a component re-renders only for the keys it reads).
 */
export function pickKeys(query: string, keys: readonly string[]): string {
  const all = new URLSearchParams(query);
  const out = new URLSearchParams();
  for (const [k, v] of all) if (keys.includes(k)) out.append(k, v);
  return out.toString();
}

/** `query` with `changes` applied: null or '' removes a key. */
export function patchQuery(query: string, changes: Readonly<Record<string, string | null>>): string {
  const next = new URLSearchParams(query);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === '') next.delete(k);
    else next.set(k, v);
  }
  return next.toString();
}
