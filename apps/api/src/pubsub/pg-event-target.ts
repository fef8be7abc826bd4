import { setMaxListeners } from 'node:events';
import pg from 'pg';
import type { Logger } from '../common/logger.js';

/**
 * An EventTarget whose dispatches travel through PostgreSQL NOTIFY on one channel and come back
 * through this process's single LISTEN connection, so every API process connected to the database
 * sees every event, including its own (one path for local and remote subscribers alike).
 * NOTIFY payloads are capped near 8000 bytes: callers send ids and small rows, and split batches.
 */
export const NOTIFY_CHANNEL = 'posterior_events';
export const MAX_NOTIFY_BYTES = 7800;

type Publish = (channel: string, payload: string) => Promise<unknown>;

export class PgEventTarget extends EventTarget {
  private client: pg.Client | null = null;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readonly ready: Promise<void>;

  constructor(
    private readonly clientConfig: pg.ClientConfig,
    private readonly publish: Publish,
    private readonly logger: Logger,
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

  override dispatchEvent(event: Event): boolean {
    const detail = (event as CustomEvent<unknown>).detail;
    const payload = JSON.stringify({ t: event.type, d: detail });
    if (Buffer.byteLength(payload) > MAX_NOTIFY_BYTES) {
      this.logger.error({ topic: event.type, bytes: payload.length }, 'event too large for NOTIFY; dropped');
      return false;
    }
    this.publish(NOTIFY_CHANNEL, payload).catch((error: unknown) => {
      this.logger.error({ err: error, topic: event.type }, 'NOTIFY failed');
    });
    return true;
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
    let parsed: { t?: unknown; d?: unknown };
    try {
      parsed = JSON.parse(raw) as { t?: unknown; d?: unknown };
    } catch {
      return;
    }
    if (typeof parsed.t !== 'string') return;
    super.dispatchEvent(new CustomEvent(parsed.t, { detail: parsed.d }));
  }
}
