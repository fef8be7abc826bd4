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

interface Job {
  task: PoolTask;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
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

  constructor(
    private readonly script: URL,
    size = Math.max(1, Math.min(4, availableParallelism() - 1)),
  ) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  run<T>(task: PoolTask): Promise<T> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ task, resolve: resolve as (value: unknown) => void, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
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

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.job) continue;
      const job = this.queue.shift();
      if (!job) return;
      slot.job = job;
      slot.worker.postMessage(job.task);
    }
  }
}
