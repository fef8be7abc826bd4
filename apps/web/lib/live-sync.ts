import type { Trial, TrialState } from './types.ts';

/**
 * What a live page tells its reader about its data:
 * - `connecting`: the socket is opening for the first time (data is as fresh as the first load);
 * - `syncing`: the socket is back and the page is refetching what it may have missed;
 * - `live`: connected and caught up, every change arrives as it happens;
 * - `stale`: the socket dropped; shown data may be behind until it reconnects or a poll lands;
 * - `polling`: the socket cannot be opened, so the page refetches on a timer instead.
 */
export type LiveStatus = 'connecting' | 'syncing' | 'live' | 'stale' | 'polling';

export type SocketState = 'connecting' | 'connected' | 'closed';

/** How long the socket may be down before the page falls back to polling. */
export const POLL_AFTER_MS = 3000;
/** How often a page polls while its socket is down. */
export const POLL_EVERY_MS = 4000;

/**
 * Folds the socket's states into the page's status and says when to refetch. The first `connected`
 * needs no refetch (a page subscribes before its first load, so the load covers everything before
 * it); every `connected` after a drop does, because graphql-ws resubscribes but the server does not
 * replay what was published while the socket was down.
 */
export class LiveTracker {
  status: LiveStatus = 'connecting';
  private connectedOnce = false;
  private droppedSince = false;
  private downSince: number | null;

  /**
   * `loadedFirst`: the page loaded before it could subscribe (it needed the load to know what to
   * subscribe to), so the first connect is a gap to fill too.
   */
  constructor(
    now: number,
    private readonly loadedFirst = false,
  ) {
    this.downSince = now;
  }

  /** Returns true when the page must refetch now. */
  socket(state: SocketState, now: number): boolean {
    if (state === 'connected') {
      const resync = this.connectedOnce ? this.droppedSince : this.loadedFirst;
      this.connectedOnce = true;
      this.droppedSince = false;
      this.downSince = null;
      this.status = resync ? 'syncing' : 'live';
      return resync;
    }
    if (this.connectedOnce) this.droppedSince = true;
    this.downSince ??= now;
    if (this.status !== 'polling') this.status = this.connectedOnce ? 'stale' : 'connecting';
    return false;
  }

  /** A refetch finished: the page equals the API as of that read. */
  synced(): void {
    if (this.status === 'syncing') this.status = 'live';
  }

  /** Whether the socket has been down long enough that the page should poll (checked on a timer). */
  shouldPoll(now: number): boolean {
    if (this.downSince === null || now - this.downSince < POLL_AFTER_MS) return false;
    this.status = 'polling';
    return true;
  }
}

const RANK: Record<TrialState, number> = { WAITING: 0, RUNNING: 1, COMPLETE: 2, PRUNED: 2, FAILED: 2 };

/**
 * The newer of two versions of one trial. A trial only moves forward (WAITING, RUNNING, then one
 * final state), so the one further along wins whichever arrived last: a refetch read before an
 * event must not undo it, and a late event must not undo a refetch.
 */
export function newerTrial(a: Trial | undefined, b: Trial): Trial {
  if (!a) return b;
  return RANK[b.state] >= RANK[a.state] ? b : a;
}

/** Merges a fresh read of a study's trials into what the page holds (trials are never deleted). */
export function mergeTrials(held: ReadonlyMap<string, Trial>, fresh: readonly Trial[]): Map<string, Trial> {
  const out = new Map(held);
  for (const t of fresh) out.set(t.id, newerTrial(out.get(t.id), t));
  return out;
}
