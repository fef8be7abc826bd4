import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * The HTTP half of a graceful shutdown, for a server that also carries WebSockets.
 *
 * Apollo's drain plugin ends every socket without a request in flight the moment the drain starts,
 * upgraded WebSockets included, with no close frame: their subscribers lose the events committed
 * just before (events are not replayed) and see an abnormal close. This drain leaves upgraded
 * sockets alone, so the server can flush its events and close them with 1001 afterwards; it only
 * stops accepting connections and waits for, then ends, plain HTTP ones.
 */
export class HttpDrain {
  /** Plain HTTP sockets and how many of their requests are unanswered. */
  private readonly requests = new Map<Socket, number>();
  /** Every socket still open, upgraded ones included (for the final cut). */
  private readonly open = new Set<Socket>();
  private stopping = false;
  private settled: (() => void) | null = null;

  constructor(private readonly server: Server) {
    server.on('connection', (socket: Socket) => {
      this.requests.set(socket, 0);
      this.open.add(socket);
      socket.once('close', () => {
        this.requests.delete(socket);
        this.open.delete(socket);
        this.checkSettled();
      });
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const socket = req.socket;
      this.requests.set(socket, (this.requests.get(socket) ?? 0) + 1);
      // 'close' rather than 'finish': an aborted request must not hold the drain open.
      res.once('close', () => {
        if (!this.requests.has(socket)) return;
        const pending = (this.requests.get(socket) ?? 1) - 1;
        this.requests.set(socket, pending);
        if (this.stopping && pending === 0) socket.end();
      });
    });
    server.on('upgrade', (req: IncomingMessage) => {
      this.requests.delete(req.socket);
      this.checkSettled();
    });
  }

  /**
   * Stops accepting connections and ends idle HTTP connections at once, busy ones as their last
   * request is answered. Resolves true once no plain HTTP connection is left, or false when
   * `graceMs` ran out first and the stragglers were destroyed. WebSockets stay open.
   */
  async stop(graceMs: number): Promise<boolean> {
    this.stopping = true;
    // The callback form would wait for the WebSockets too; 'close' is awaited in `closed()`.
    this.server.close();
    for (const [socket, pending] of this.requests) if (pending === 0) socket.end();
    if (this.requests.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      new Promise<true>((resolve) => {
        this.settled = () => resolve(true);
      }),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), graceMs);
      }),
    ]);
    clearTimeout(timer);
    this.settled = null;
    if (!drained) for (const socket of this.requests.keys()) socket.destroy();
    return drained;
  }

  /**
   * Waits up to `graceMs` for every socket (WebSockets included, once asked to close) to be gone,
   * then destroys what is left: a client that never answers a close frame does not hold the
   * process.
   */
  async closed(graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    while (this.open.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const socket of this.open) socket.destroy();
  }

  private checkSettled(): void {
    if (this.settled && this.requests.size === 0) this.settled();
  }
}
