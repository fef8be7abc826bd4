import type { Caller } from '../authz/caller.js';
import { RateLimitedError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';

/** Whose budget a socket counts against: the user (all their sessions), or the API token. */
function principal(caller: Caller): string {
  return caller.kind === 'user' ? `user:${caller.userId}` : `token:${caller.tokenId}`;
}

/** graphql-ws close codes: the client must not reconnect with the same credential. */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FORBIDDEN = 4403;
/**
 * 1013 Try Again Later: a check could not be made (the database unreachable, a pool error). The
 * graphql-ws client treats 4500 and 1011 as fatal and never reconnects after them; 1013 it retries,
 * so a hiccup costs a reconnect instead of a subscriber that is gone for good.
 */
export const CLOSE_TRY_AGAIN = 1013;
/** A caller already holds as many sockets as it may (graphql-ws's "too many requests" code). */
export const CLOSE_TOO_MANY = 4429;

/**
 * Per user (or API token), per API process: a bound on what one caller can hold open, so one
 * member cannot exhaust a replica's memory or file descriptors for every team (issue 12, Low).
 */
export interface LiveLimits {
  socketsPerCaller: number;
  subscriptionsPerCaller: number;
}

// Generous for people (a dashboard with many tabs, the 200-subscriber bench on one token), and
// still a bound: without one, a single member could hold thousands of sockets on every replica.
export const DEFAULT_LIVE_LIMITS: LiveLimits = { socketsPerCaller: 250, subscriptionsPerCaller: 1000 };

/** What a WebSocket authenticated with, kept for as long as it stays open. */
export interface LiveCredential {
  caller: Caller;
  /** sha256 of the secret, as stored in sessions.token_hash / api_tokens.token_hash. */
  hash: string;
  /** Epoch ms (Infinity for API tokens). */
  expiresAt: number;
}

/** Per-socket handle given to subscription resolvers. */
export interface LiveSubscriptionScope {
  /** Records that this socket streams a study's events; call the result when that stream ends. */
  watch(studyId: string): () => void;
  /** Closes the socket with CLOSE_TRY_AGAIN: a check failed for a reason other than a denial. */
  tryAgainLater(reason: string): void;
  /**
   * Counts one more subscription against the socket's caller; throws RATE_LIMITED when it already
   * holds `subscriptionsPerCaller`. Call the result when the subscription ends.
   */
  admitSubscription(): () => void;
}

export interface LiveConnectionsOptions {
  /** Which of these credential hashes still authenticate (unexpired session, unrevoked token). */
  stillValid(hashes: readonly string[]): Promise<Set<string>>;
  /**
   * Whether the caller may still read the study (after a membership change): false only for a
   * definite denial; a failed lookup rejects (the socket is then asked to reconnect, not refused).
   */
  canRead(caller: Caller, studyId: string): Promise<boolean>;
  /**
   * Who an API token's socket authenticates as now (its role follows its creator's membership),
   * or null when it no longer authenticates (the creator left the team). A failed lookup rejects.
   * Without it, token sockets are left to the periodic re-check.
   */
  reauthenticate?(credential: LiveCredential): Promise<Caller | null>;
  logger: Logger;
  /**
   * How often every open socket's credential is checked against the database: the backstop for a
   * lost revocation notice and for sessions ended outside the API. Default 30 s; 0 disables.
   */
  recheckMs?: number;
  limits?: Partial<LiveLimits>;
}

interface Entry {
  credential: LiveCredential;
  /** Subscriptions admitted and not yet ended. */
  subscriptions: number;
  close: (code: number, reason: string) => void;
  /** Study id -> open subscriptions on it. */
  studies: Map<string, number>;
  expiryTimer: NodeJS.Timeout | null;
}

/** setTimeout's largest delay; a longer session is caught by a later re-arm or the periodic check. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The open graphql-ws sockets of this process and the credentials they authenticated with, so a
 * socket stops streaming as soon as its credential does not authenticate any more: revoked or logged
 * out on any replica (announced through the pubsub), expired while connected (a timer), or removed
 * from the team of a study it streams (re-checked on membership changes).
 */
export class LiveConnections {
  private readonly entries = new Map<object, Entry>();
  private readonly recheckTimer: NodeJS.Timeout | null;
  private rechecking = false;
  /** Checks waiting for streams to open (`whenStreaming`). */
  private readonly streamWaiters = new Set<() => void>();
  readonly limits: LiveLimits;

  constructor(private readonly options: LiveConnectionsOptions) {
    this.limits = { ...DEFAULT_LIVE_LIMITS, ...options.limits };
    const every = options.recheckMs ?? 30_000;
    this.recheckTimer = every > 0 ? setInterval(() => void this.recheck(), every) : null;
    this.recheckTimer?.unref();
  }

  get size(): number {
    return this.entries.size;
  }

  /** How many subscription streams this process's sockets hold open on `studyId`. */
  streamsOn(studyId: string): number {
    let n = 0;
    for (const entry of this.entries.values()) n += entry.studies.get(studyId) ?? 0;
    return n;
  }

  /**
   * Resolves once this process's sockets hold at least `count` streams on `studyId`: each is then
   * listening, and gets every event published from here on (a readiness signal, for tests).
   */
  whenStreaming(studyId: string, count = 1): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.streamsOn(studyId) < count) return;
        this.streamWaiters.delete(check);
        resolve();
      };
      this.streamWaiters.add(check);
      check();
    });
  }

  add(socket: object, credential: LiveCredential, close: (code: number, reason: string) => void): void {
    const entry: Entry = { credential, close, subscriptions: 0, studies: new Map(), expiryTimer: null };
    this.entries.set(socket, entry);
    this.armExpiry(socket, entry);
  }

  /** Whether `caller` may open one more socket here (see LiveLimits). */
  admitSocket(caller: Caller): boolean {
    return this.entriesOf(caller).length < this.limits.socketsPerCaller;
  }

  private entriesOf(caller: Caller): Entry[] {
    const key = principal(caller);
    return [...this.entries.values()].filter((e) => principal(e.credential.caller) === key);
  }

  remove(socket: object): void {
    const entry = this.entries.get(socket);
    if (!entry) return;
    if (entry.expiryTimer) clearTimeout(entry.expiryTimer);
    this.entries.delete(socket);
  }

  scope(socket: object): LiveSubscriptionScope {
    return {
      watch: (studyId) => {
        const studies = this.entries.get(socket)?.studies;
        if (!studies) return () => undefined;
        studies.set(studyId, (studies.get(studyId) ?? 0) + 1);
        for (const check of [...this.streamWaiters]) check();
        let released = false;
        return () => {
          if (released) return;
          released = true;
          const n = (studies.get(studyId) ?? 1) - 1;
          if (n > 0) studies.set(studyId, n);
          else studies.delete(studyId);
        };
      },
      admitSubscription: () => {
        const entry = this.entries.get(socket);
        if (!entry) return () => undefined;
        const held = this.entriesOf(entry.credential.caller).reduce((n, e) => n + e.subscriptions, 0);
        if (held >= this.limits.subscriptionsPerCaller)
          throw new RateLimitedError(
            0,
            `at most ${this.limits.subscriptionsPerCaller} open subscriptions per user or token`,
          );
        entry.subscriptions++;
        let released = false;
        return () => {
          if (released) return;
          released = true;
          entry.subscriptions--;
        };
      },
      tryAgainLater: (reason) => {
        const entry = this.entries.get(socket);
        if (entry) this.closeEntry(socket, entry, CLOSE_TRY_AGAIN, reason);
      },
    };
  }

  /** Closes every socket that authenticated with one of these credentials; returns how many. */
  revoke(hashes: readonly string[]): number {
    if (hashes.length === 0) return 0;
    const gone = new Set(hashes);
    let closed = 0;
    for (const [socket, entry] of this.entries) {
      if (!gone.has(entry.credential.hash)) continue;
      this.closeEntry(socket, entry, CLOSE_UNAUTHORIZED, 'credential revoked or logged out');
      closed++;
    }
    return closed;
  }

  /** The caller a socket authenticated as (updated when its token's creator changes role). */
  callerOf(socket: object): Caller | null {
    return this.entries.get(socket)?.credential.caller ?? null;
  }

  /**
   * A user's role in a team changed or ended: sockets that lost a study they stream are closed, and
   * sockets of API tokens the user created take the user's new role (or are closed with 4401 when
   * the user left the token's team).
   */
  async membershipChanged(userId: string): Promise<void> {
    const tokens = [...this.entries].filter(
      ([, e]) => e.credential.caller.kind === 'token' && e.credential.caller.createdBy === userId,
    );
    const reauthenticate = this.options.reauthenticate;
    if (reauthenticate) {
      for (const [socket, entry] of tokens) {
        let now: Caller | null;
        try {
          now = await reauthenticate(entry.credential);
        } catch (error) {
          this.options.logger.warn(
            { err: error },
            'live token re-check failed; asking the client to reconnect',
          );
          if (this.entries.get(socket) === entry)
            this.closeEntry(socket, entry, CLOSE_TRY_AGAIN, 'credential check unavailable; reconnect');
          continue;
        }
        if (this.entries.get(socket) !== entry) continue;
        if (now === null) this.closeEntry(socket, entry, CLOSE_UNAUTHORIZED, "token's creator left the team");
        else entry.credential = { ...entry.credential, caller: now };
      }
    }
    const affected = [...this.entries].filter(
      ([, e]) => e.credential.caller.kind === 'user' && e.credential.caller.userId === userId,
    );
    for (const [socket, entry] of affected) {
      for (const studyId of [...entry.studies.keys()]) {
        let allowed: boolean;
        try {
          allowed = await this.options.canRead(entry.credential.caller, studyId);
        } catch (error) {
          // Unknown is not "denied": 4403 would end the client for good. It reconnects instead and
          // its subscribe-time access check decides.
          this.options.logger.warn(
            { err: error },
            'live access check failed; asking the client to reconnect',
          );
          if (this.entries.get(socket) === entry)
            this.closeEntry(socket, entry, CLOSE_TRY_AGAIN, 'access check unavailable; reconnect');
          break;
        }
        if (!allowed && this.entries.get(socket) === entry) {
          this.closeEntry(socket, entry, CLOSE_FORBIDDEN, `no longer allowed to read study ${studyId}`);
          break;
        }
      }
    }
  }

  /** Checks every open socket's credential against the database and closes those that lapsed. */
  async recheck(): Promise<void> {
    if (this.rechecking || this.entries.size === 0) return;
    this.rechecking = true;
    try {
      const hashes = [...new Set([...this.entries.values()].map((e) => e.credential.hash))];
      const valid = await this.options.stillValid(hashes);
      this.revoke(hashes.filter((hash) => !valid.has(hash)));
    } catch (error) {
      this.options.logger.warn({ err: error }, 'live credential check failed');
    } finally {
      this.rechecking = false;
    }
  }

  close(): void {
    if (this.recheckTimer) clearInterval(this.recheckTimer);
    for (const entry of this.entries.values()) if (entry.expiryTimer) clearTimeout(entry.expiryTimer);
    this.entries.clear();
  }

  private armExpiry(socket: object, entry: Entry): void {
    const left = entry.credential.expiresAt - Date.now();
    if (!Number.isFinite(left)) return;
    if (left <= 0) {
      this.closeEntry(socket, entry, CLOSE_UNAUTHORIZED, 'session expired');
      return;
    }
    entry.expiryTimer = setTimeout(
      () => {
        entry.expiryTimer = null;
        if (this.entries.get(socket) === entry) this.armExpiry(socket, entry);
      },
      Math.min(left, MAX_TIMER_MS),
    );
    entry.expiryTimer.unref();
  }

  private closeEntry(socket: object, entry: Entry, code: number, reason: string): void {
    this.remove(socket);
    try {
      entry.close(code, reason);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'closing a live socket failed');
    }
  }
}
