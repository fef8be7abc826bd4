import { type ChildProcess, fork } from 'node:child_process';
import type { EventListener, WorkerSummary } from './events.js';
import type { ObjectiveSpec } from './objective-loader.js';
import type { ChildConfig, ChildMessage, ParentMessage } from './pool-protocol.js';
import { defaultWorkerId } from './worker.js';

export interface PoolOptions {
  /** The API, or several replicas (failover between them). */
  readonly url: string | readonly string[];
  readonly token: string | undefined;
  readonly studyId: string;
  readonly objective: ObjectiveSpec;
  readonly concurrency: number;
  readonly onEvent?: EventListener;
  readonly drain?: AbortSignal;
  readonly hardStop?: AbortSignal;
  readonly maxTrialsPerWorker?: number;
  readonly pollMs?: number;
  readonly heartbeatMs?: number;
  readonly apiRetryWindowMs?: number;
  readonly checkpointRetryWindowMs?: number;
  /** See `WorkerOptions.progress`. */
  readonly progress?: boolean;
  /** Replacements per slot for processes that crash (default 3). */
  readonly maxRestarts?: number;
}

export interface PoolSummary {
  readonly workers: readonly WorkerSummary[];
  /** One line per process that ended without a summary (crash, kill, load error). */
  readonly failures: readonly string[];
}

/**
 * Runs `concurrency` worker processes on one study. Each is a full worker loop; the parent only
 * relays stop requests and events. Children get their own process group so a terminal Ctrl-C
 * reaches the parent alone, which then decides between draining and a hard stop.
 */
export async function runWorkerPool(options: PoolOptions): Promise<PoolSummary> {
  const childPath = new URL('./child.js', import.meta.url);
  const workers: WorkerSummary[] = [];
  const failures: string[] = [];
  const children: (ChildProcess | undefined)[] = [];

  const broadcast = (message: ParentMessage) => {
    for (const child of children) if (child?.connected) child.send(message);
  };
  const onDrain = () => broadcast({ type: 'drain' });
  const onHard = () => broadcast({ type: 'hard-stop' });
  options.drain?.addEventListener('abort', onDrain, { once: true });
  options.hardStop?.addEventListener('abort', onHard, { once: true });

  const stopping = () => options.drain?.aborted === true || options.hardStop?.aborted === true;

  /** One child's run: a summary, an error it reported, or a crash (no word before exiting). */
  const runChild = (slot: number): Promise<{ summary?: WorkerSummary; error?: string; crash?: string }> => {
    const child = fork(childPath, [], { detached: true, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children[slot] = child;
    const config: ChildConfig = {
      url: typeof options.url === 'string' ? options.url : [...options.url],
      token: options.token,
      studyId: options.studyId,
      objective: options.objective,
      slot,
      workerId: `${defaultWorkerId()}-${slot}`,
      ...(options.maxTrialsPerWorker === undefined ? {} : { maxTrials: options.maxTrialsPerWorker }),
      ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
      ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
      ...(options.apiRetryWindowMs === undefined ? {} : { apiRetryWindowMs: options.apiRetryWindowMs }),
      ...(options.checkpointRetryWindowMs === undefined
        ? {}
        : { checkpointRetryWindowMs: options.checkpointRetryWindowMs }),
      ...(options.progress === undefined ? {} : { progress: options.progress }),
    };
    return new Promise((resolve) => {
      let summary: WorkerSummary | undefined;
      let error: string | undefined;
      child.on('message', (raw: unknown) => {
        const message = raw as ChildMessage;
        if (message.type === 'event') options.onEvent?.(message.event);
        else if (message.type === 'done') summary = message.summary;
        else error = message.message;
      });
      child.on('error', (e) => {
        error ??= e.message;
      });
      child.on('exit', (code, signal) => {
        if (summary) resolve({ summary });
        else if (error !== undefined) resolve({ error });
        else resolve({ crash: `exited with ${signal ?? `code ${code}`}` });
      });
      child.send({ type: 'start', config } satisfies ParentMessage);
      if (options.drain?.aborted) child.send({ type: 'drain' } satisfies ParentMessage);
      if (options.hardStop?.aborted) child.send({ type: 'hard-stop' } satisfies ParentMessage);
    });
  };

  // A crashed process (out of memory in a training step, a native fault) is replaced so the study
  // keeps its concurrency; its trial is left to the stale reaper. Reported errors are not retried:
  // they repeat (bad objective, study not found).
  const maxRestarts = options.maxRestarts ?? 3;
  const runs = Array.from({ length: options.concurrency }, async (_, slot) => {
    for (let restarts = 0; ; restarts++) {
      const outcome = await runChild(slot);
      if (outcome.summary) {
        workers.push(outcome.summary);
        return;
      }
      if (outcome.crash !== undefined && !stopping() && restarts < maxRestarts) {
        options.onEvent?.({
          type: 'log',
          slot,
          level: 'warn',
          message: `worker process ${slot} ${outcome.crash}; starting a new one (its trial goes to the stale reaper)`,
        });
        continue;
      }
      failures.push(`worker ${slot}: ${outcome.error ?? outcome.crash}`);
      return;
    }
  });
  try {
    await Promise.all(runs);
  } finally {
    options.drain?.removeEventListener('abort', onDrain);
    options.hardStop?.removeEventListener('abort', onHard);
  }
  return { workers, failures };
}
