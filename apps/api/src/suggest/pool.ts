import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * A small pool of worker threads for CPU-heavy optimizer calls (GP fits, acquisition search), so
 * one study's fit never stalls other requests, heartbeats or subscriptions on the event loop.
 * Tasks are plain JSON-able messages; each worker runs one task at a time.
 */
export interface PoolTask {
  kind: string;
}

/**
 * How long a task waits for its home thread before any idle thread may take it. Each thread keeps
 * its own caches (a study's fitted GP hyperparameters above all): a suggestion on the thread that
 * served the study before skips a refit costing tens of milliseconds, more than this wait.
 */
export const AFFINITY_WAIT_MS = 25;

interface Job {
  task: PoolTask;
  /** The thread this job prefers (see AFFINITY_WAIT_MS), or -1 for any. */
  home: number;
  queuedAt: number;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** A stable thread index for an affinity key (FNV-1a: cheap, and spreads similar ids). */
export function homeSlot(key: string, size: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % size;
}

interface Slot {
  worker: Worker;
  job: Job | null;
}

/** A task failure reported by the worker, carrying the optimizer error's class name. */
export class WorkerTaskError extends Error {
  constructor(
    message: string,
    readonly errorName: string,
    readonly path: string | null,
  ) {
    super(message);
  }
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private closed = false;
  /** Set while a re-pump is scheduled for jobs waiting on a busy home thread. */
  private stealTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly script: URL,
    size = Math.max(1, Math.min(4, availableParallelism() - 1)),
  ) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  /**
   * Runs `task` on a thread. Tasks with the same `affinity` (a study id) go to the same thread
   * whenever it frees up within AFFINITY_WAIT_MS, so that thread's caches stay warm for them.
   */
  run<T>(task: PoolTask, affinity?: string): Promise<T> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    const home = affinity === undefined || this.slots.length < 2 ? -1 : homeSlot(affinity, this.slots.length);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        task,
        home,
        queuedAt: performance.now(),
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.stealTimer) clearTimeout(this.stealTimer);
    for (const job of this.queue.splice(0)) job.reject(new Error('worker pool is closed'));
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private spawn(): Slot {
    const worker = new Worker(this.script);
    worker.unref();
    const slot: Slot = { worker, job: null };
    worker.on(
      'message',
      (message: { ok: boolean; result?: unknown; error?: string; name?: string; path?: string }) => {
        const job = slot.job;
        slot.job = null;
        if (job) {
          if (message.ok) job.resolve(message.result);
          else
            job.reject(
              new WorkerTaskError(
                message.error ?? 'task failed',
                message.name ?? 'Error',
                message.path ?? null,
              ),
            );
        }
        this.pump();
      },
    );
    worker.on('error', (error) => this.replace(slot, error));
    worker.on('exit', (code) => {
      if (!this.closed) this.replace(slot, new Error(`suggestion worker exited with code ${code}`));
    });
    return slot;
  }

  private replace(slot: Slot, error: Error): void {
    const job = slot.job;
    slot.job = null;
    job?.reject(error);
    if (this.closed) return;
    const index = this.slots.indexOf(slot);
    if (index >= 0) {
      void slot.worker.terminate();
      this.slots[index] = this.spawn();
    }
    this.pump();
  }

  /** Hands queued jobs, oldest first, to idle threads: home threads first, any once waited enough. */
  private pump(): void {
    if (this.closed) return;
    const now = performance.now();
    let nextSteal = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.queue.length; ) {
      const job = this.queue[i] as Job;
      const home = job.home >= 0 ? this.slots[job.home] : undefined;
      let slot: Slot | undefined;
      if (home && !home.job) slot = home;
      else if (!home || now - job.queuedAt >= AFFINITY_WAIT_MS) slot = this.slots.find((s) => !s.job);
      else nextSteal = Math.min(nextSteal, job.queuedAt + AFFINITY_WAIT_MS);
      if (!slot) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      slot.job = job;
      slot.worker.postMessage(job.task);
    }
    if (nextSteal < Number.POSITIVE_INFINITY && !this.stealTimer && this.slots.some((s) => !s.job)) {
      this.stealTimer = setTimeout(
        () => {
          this.stealTimer = null;
          this.pump();
        },
        Math.max(1, Math.ceil(nextSteal - now)),
      );
      this.stealTimer.unref();
    }
  }
}
