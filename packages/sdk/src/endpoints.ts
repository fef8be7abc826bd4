import { PosteriorError } from './errors.js';

/** Strips a trailing `/graphql` and slashes so artifact and WebSocket URLs derive from one base. */
export function baseUrl(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/graphql$/, '');
}

/**
 * One URL, or several (an array, or a comma-separated string as in `POSTERIOR_API_URL`), as the
 * distinct base URLs of API replicas, in the caller's order.
 */
export function parseApiUrls(urls: string | readonly string[]): string[] {
  const list = (typeof urls === 'string' ? [urls] : urls).flatMap((u) => u.split(','));
  const bases = [
    ...new Set(
      list
        .map((u) => u.trim())
        .filter((u) => u !== '')
        .map(baseUrl),
    ),
  ];
  if (bases.length === 0) throw new PosteriorError('BAD_USER_INPUT', 'no API URL given');
  return bases;
}

/**
 * The API replicas a client may use: requests go to the current one, and a request that cannot
 * reach it moves the client on to the next (round robin), so a dead replica costs one failed
 * attempt rather than the whole retry budget. Stays on a replica while it answers.
 */
export class Endpoints {
  readonly all: readonly string[];
  private index = 0;

  constructor(urls: string | readonly string[]) {
    this.all = parseApiUrls(urls);
  }

  get current(): string {
    return this.all[this.index] ?? this.all[0] ?? '';
  }

  /**
   * `failed` could not be reached: move past it unless another request already did (many requests
   * failing on the same replica at once must advance one step, not skip the healthy one).
   */
  failover(failed: string): void {
    if (this.all.length > 1 && this.current === failed) this.index = (this.index + 1) % this.all.length;
  }

  /**
   * A URL chooser for a socket that reconnects by itself (graphql-ws calls it before each
   * connection): the current replica first, then, since a reconnect means the socket dropped or
   * could not open, the next one each time.
   */
  reconnectingChooser(): () => string {
    let connections = 0;
    return () => {
      if (connections++ > 0) this.failover(this.current);
      return this.current;
    };
  }
}
