import { setMaxListeners } from 'node:events';
import { backoffDelay } from '@posterior/core';
import pg from 'pg';
import type { Logger } from '../common/logger.js';
import { settleWithin } from '../common/time.js';

/**
 * An EventTarget whose dispatches travel through PostgreSQL NOTIFY on one channel and come back
 * through this process's single LISTEN connection, so every API process connected to the database
 * sees every event, including its own (one path for local and remote subscribers alike).
 * NOTIFY payloads are capped near 8000 bytes: callers send ids and small rows, and split batches.
 */
export const NOTIFY_CHANNEL = 'posterior_events';
export const MAX_NOTIFY_BYTES = 7800;
/**
 * Least time between the starts of two NOTIFY statements of one process. A lone event goes out at
 * once; a steady stream (workers finishing trials) waits at most this long and rides in one
 * statement with its neighbours: each statement costs a transaction, a round trip and a wake-up of
 * every listening connection, which at 8 workers was most of a statement per trial.
 */
export const NOTIFY_GAP_MS = 4;

/** Sends each payload with pg_notify on `channel`, in order, in one statement. */
type Publish = (channel: string, payloads: readonly string[]) => Promise<unknown>;

/** One event waiting to go out: its topic, its detail, and whether `sequence` has numbered it. */
export interface OutboxItem {
  readonly t: string;
  d: unknown;
  sequenced: boolean;
}

/**
 * Runs before events go out, durably: gives the events of sequenced topics their numbers (see
 * pubsub.ts) by setting them in `d`. Returns the items to send: those it drops (their study is
 * gone) are left out. A throw keeps every item for the next attempt.
 */
export type Sequence = (items: readonly OutboxItem[]) => Promise<readonly OutboxItem[]>;

/**
 * Events waiting while the database cannot be reached: past this, the oldest are dropped (and
 * logged). A live API produces few events during an outage, since nothing commits.
 */
export const MAX_OUTBOX = 100_000;
const RETRY_MIN_MS = 200;
const RETRY_MAX_MS = 2000;

export class PgEventTarget extends EventTarget {
  private client: pg.Client | null = null;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readonly ready: Promise<void>;
  /** Events not yet sent; see dispatchEvent. */
  private outbox: OutboxItem[] = [];
  private sending = false;
  /** Settles when the outbox is empty again (see flush). */
  private sent: Promise<void> = Promise.resolve();
  /** When the last NOTIFY statement started (performance.now()). */
  private lastSent = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly clientConfig: pg.ClientConfig,
    private readonly publish: Publish,
    private readonly logger: Logger,
    private readonly sequence: Sequence | null = null,
  ) {
    super();
    // Every subscription of a study adds a listener on one topic: hundreds are normal here.
    setMaxListeners(1_000_000, this);
    this.ready = this.connect();
  }

  /** Resolves once the LISTEN is in place: events published after this are seen here. */
  whenListening(): Promise<void> {
    return this.ready;
  }

  /**
   * Queues the event for NOTIFY. One statement is in flight at a time, at most one starts per
   * NOTIFY_GAP_MS, and everything queued meanwhile goes out packed into as few payloads as fit:
   * events keep their order (a trial's CLAIMED never arrives after its COMPLETE), and a busy
   * server sends one NOTIFY statement for many events instead of one transaction per event.
   */
  override dispatchEvent(event: Event): boolean {
    const detail = (event as CustomEvent<unknown>).detail;
    // Room for a sequence number added later.
    const bytes = Buffer.byteLength(JSON.stringify({ t: event.type, d: detail }));
    if (bytes > MAX_NOTIFY_BYTES - 48) {
      this.logger.error({ topic: event.type, bytes }, 'event too large for NOTIFY; dropped');
      return false;
    }
    this.outbox.push({ t: event.type, d: detail, sequenced: false });
    if (!this.sending) {
      this.sending = true;
      this.sent = new Promise((resolve) => setImmediate(resolve)).then(() => this.drain());
    }
    return true;
  }

  private async drain(): Promise<void> {
    let failures = 0;
    while (this.outbox.length > 0 && !this.closed) {
      // Timers count whole milliseconds and may fire a fraction early: check again after each.
      for (;;) {
        const wait = this.lastSent + NOTIFY_GAP_MS - performance.now();
        if (wait <= 0) break;
        await new Promise((resolve) => setTimeout(resolve, Math.ceil(wait)));
      }
      const items = this.outbox.splice(0, this.outbox.length);
      try {
        const sending = this.sequence ? await this.numbered(items) : items;
        // The gap is between NOTIFY statements: stamped after numbering, whose time varies with load.
        this.lastSent = performance.now();
        if (sending.length > 0) await this.publish(NOTIFY_CHANNEL, envelopesOf(sending));
        failures = 0;
      } catch (error) {
        // Not dropped (they used to be, silently for every subscriber): kept in order ahead of
        // anything queued since, and sent once the database answers again. Numbers already given
        // are kept, so a retry never renumbers an event a subscriber may have seen.
        failures += 1;
        this.outbox = items.concat(this.outbox);
        const excess = this.outbox.length - MAX_OUTBOX;
        if (excess > 0) {
          this.outbox.splice(0, excess);
          this.logger.error(
            { dropped: excess },
            'event outbox full while NOTIFY fails; oldest events dropped',
          );
        }
        const delay = backoffDelay(failures - 1, {
          minDelayMs: RETRY_MIN_MS,
          maxDelayMs: RETRY_MAX_MS,
          jitter: 'none',
        });
        this.logger.warn(
          { err: error, events: this.outbox.length, retryInMs: delay },
          'NOTIFY failed; events kept and retried',
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
    this.sending = false;
  }

  /** Numbers the items that are not yet (all in one durable statement); the ones to send. */
  private async numbered(items: OutboxItem[]): Promise<readonly OutboxItem[]> {
    const fresh = items.filter((item) => !item.sequenced);
    if (fresh.length === 0 || this.sequence === null) return items;
    const kept = new Set(await this.sequence(fresh));
    const numberedNow = new Set(fresh);
    for (const item of fresh) item.sequenced = true;
    return items.filter((item) => !numberedNow.has(item) || kept.has(item));
  }

  /**
   * Resolves once every event dispatched here has gone out, and every event any process had
   * published before the call has come back through LISTEN and been dispatched: shutdown runs this
   * before closing WebSockets, so their subscribers get what was committed before the drain.
   */
  async flush(timeoutMs = 2000): Promise<void> {
    // Bounded: with the database down, nothing more can arrive and shutdown must go on.
    await settleWithin(this.flushUnbounded(), timeoutMs);
  }

  private async flushUnbounded(): Promise<void> {
    await this.sent;
    const client = this.client;
    if (!client) return;
    // PostgreSQL sends a listener its notifications when the backend is idle, so one committed
    // before a query either precedes that query's answer or follows it at once, before the next
    // query is read: the second answer is behind it either way.
    await client.query('SELECT 1').catch(() => undefined);
    await client.query('SELECT 1').catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.clientConfig);
    client.on('notification', (message) => this.deliver(message.payload));
    client.on('error', (error) => {
      this.logger.warn({ err: error }, 'LISTEN connection lost; reconnecting');
      this.scheduleReconnect(client);
    });
    client.on('end', () => this.scheduleReconnect(client));
    await client.connect();
    await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
    if (this.closed) {
      await client.end();
      return;
    }
    this.client = client;
  }

  private scheduleReconnect(dead: pg.Client): void {
    if (this.closed || this.client !== dead || this.reconnectTimer) return;
    this.client = null;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect().catch((error: unknown) => {
        this.logger.error({ err: error }, 'LISTEN reconnect failed');
        if (!this.closed) this.reconnectTimer = setTimeout(() => this.retry(), 1000);
      });
    }, 200);
  }

  private retry(): void {
    this.reconnectTimer = null;
    this.connect().catch(() => {
      if (!this.closed) this.reconnectTimer = setTimeout(() => this.retry(), 1000);
    });
  }

  private deliver(raw: string | undefined): void {
    if (!raw) return;
    let parsed: { b?: unknown };
    try {
      parsed = JSON.parse(raw) as { b?: unknown };
    } catch {
      return;
    }
    if (!Array.isArray(parsed.b)) return;
    for (const item of parsed.b as Array<{ t?: unknown; d?: unknown }>) {
      if (typeof item.t === 'string') super.dispatchEvent(new CustomEvent(item.t, { detail: item.d }));
    }
  }
}

/** Items as NOTIFY payloads, in order, each under the size limit: {"b":[{"t":...,"d":...},...]}. */
function envelopesOf(items: readonly OutboxItem[]): string[] {
  const envelopes: string[] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const item of items) {
    const text = JSON.stringify({ t: item.t, d: item.d });
    const size = Buffer.byteLength(text) + 1;
    if (bytes + size > MAX_NOTIFY_BYTES - 16 && current.length > 0) {
      envelopes.push(`{"b":[${current.join(',')}]}`);
      current = [];
      bytes = 0;
    }
    current.push(text);
    bytes += size;
  }
  if (current.length > 0) envelopes.push(`{"b":[${current.join(',')}]}`);
  return envelopes;
}
