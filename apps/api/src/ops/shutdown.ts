import type { Server } from 'node:http';
import type { Logger } from 'pino';

/** graphql-ws's `useServer(...)` result, or anything else that closes WebSocket clients. */
export interface Disposable {
  dispose(): void | Promise<void>;
}

export interface GracefulShutdownOptions {
  httpServer: Server;
  /** Closes every WebSocket (graphql-ws sends 1001 Going Away, so clients reconnect elsewhere). */
  webSockets?: Disposable;
  /** Run in order after connections are drained: Apollo's stop(), pubsub, DataSource.destroy(). */
  onDrained?: readonly (() => Promise<void> | void)[];
  /** Requests still running after this are cut (default 20 s; Kubernetes grants 45 s in infra/k8s). */
  timeoutMs?: number;
  logger?: Logger;
}

export interface GracefulShutdown {
  /** True from the first shutdown call on: /readyz answers 503 so load balancers stop routing here. */
  readonly draining: boolean;
  /** Idempotent: every call returns the same promise. */
  shutdown(reason: string): Promise<void>;
  /** SIGTERM/SIGINT start the shutdown; the process exits when it completes (1 if it failed). */
  installSignalHandlers(signals?: readonly NodeJS.Signals[]): void;
}

/**
 * Drain order: stop accepting, close idle keep-alive sockets, close WebSockets (their operations
 * end, subscriptions are released), wait for in-flight HTTP requests, then run the drained hooks.
 * Requests already running finish normally: a tell in progress is committed, not cut mid-way.
 */
export function createGracefulShutdown(options: GracefulShutdownOptions): GracefulShutdown {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const log = options.logger;
  let draining = false;
  let done: Promise<void> | undefined;

  async function run(reason: string): Promise<void> {
    draining = true;
    log?.info({ reason }, 'shutdown: draining');
    const server = options.httpServer;
    const httpClosed = new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });
    server.closeIdleConnections();
    if (options.webSockets) {
      try {
        await options.webSockets.dispose();
      } catch (error) {
        log?.warn({ err: error }, 'shutdown: closing WebSockets failed');
      }
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
      timer.unref();
    });
    // Keep-alive sockets that finish a request while draining are closed right away by Node once
    // close() was called, so only genuinely running requests hold this up.
    const outcome = await Promise.race([httpClosed.then(() => 'closed' as const), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      log?.warn({ timeoutMs }, 'shutdown: requests still running after the timeout; closing them');
      server.closeAllConnections();
      await httpClosed;
    }
    for (const hook of options.onDrained ?? []) {
      try {
        await hook();
      } catch (error) {
        log?.warn({ err: error }, 'shutdown: a drained hook failed');
      }
    }
    log?.info('shutdown: complete');
  }

  return {
    get draining() {
      return draining;
    },
    shutdown(reason) {
      done ??= run(reason);
      return done;
    },
    installSignalHandlers(signals = ['SIGTERM', 'SIGINT']) {
      for (const signal of signals) {
        process.once(signal, () => {
          this.shutdown(signal).then(
            () => process.exit(0),
            (error: unknown) => {
              log?.error({ err: error }, 'shutdown failed');
              process.exit(1);
            },
          );
        });
      }
    },
  };
}
