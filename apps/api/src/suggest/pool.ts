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
  /** Whose job it is (a team): threads go round the tenants with work waiting. */
  tenant: string;
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
  /** Tenant -> when a thread last took one of its jobs (a counter): the longest-unserved goes next. */
  private readonly lastServed = new Map<string, number>();
  private served = 0;
  /** Tenant -> jobs of it on threads now. */
  private readonly running = new Map<string, number>();

  constructor(
    private readonly script: URL,
    size = Math.max(1, Math.min(4, availableParallelism() - 1)),
  ) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  /**
   * Runs `task` on a thread. Tasks with the same `affinity` (a study id) go to the same thread
   * whenever it frees up within AFFINITY_WAIT_MS, so that thread's caches stay warm for them.
   *
   * Fair across `tenant`s (teams; default the affinity key): each tenant's jobs run in order, and
   * a free thread takes the oldest job of the tenant served longest ago, so a team with a hundred
   * queued GP asks delays another team's ask by at most one job per thread, not a hundred (issue
   * 12, item 10). With three threads or more, one tenant holds at most all but one of them.
   */
  run<T>(task: PoolTask, affinity?: string, tenant: string = affinity ?? ''): Promise<T> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    const home = affinity === undefined || this.slots.length < 2 ? -1 : homeSlot(affinity, this.slots.length);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        task,
        tenant,
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
          this.finished(job);
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
    if (job) this.finished(job);
    job?.reject(error);
    if (this.closed) return;
    const index = this.slots.indexOf(slot);
    if (index >= 0) {
      void slot.worker.terminate();
      this.slots[index] = this.spawn();
    }
    this.pump();
  }

  private finished(job: Job): void {
    const n = (this.running.get(job.tenant) ?? 1) - 1;
    if (n > 0) this.running.set(job.tenant, n);
    else this.running.delete(job.tenant);
  }

  /**
   * Hands queued jobs to idle threads, round the tenants: the tenant served longest ago first, its
   * oldest job, to its home thread when idle, to any idle thread once it has waited enough.
   */
  private pump(): void {
    if (this.closed) return;
    const now = performance.now();
    let nextSteal = Number.POSITIVE_INFINITY;
    // With three threads or more, one is always kept from any single tenant: another team's ask
    // finds it free instead of queueing behind long fits (with fewer, fairness is the turn order).
    const share = this.slots.length >= 3 ? this.slots.length - 1 : this.slots.length;
    for (;;) {
      if (!this.slots.some((s) => !s.job)) break;
      // Each waiting tenant's oldest job (the queue is in arrival order).
      const heads = new Map<string, number>();
      this.queue.forEach((job, i) => {
        if (!heads.has(job.tenant)) heads.set(job.tenant, i);
      });
      const tenants = [...heads.keys()].sort(
        (a, b) => (this.lastServed.get(a) ?? -1) - (this.lastServed.get(b) ?? -1),
      );
      let dispatched = false;
      for (const tenant of tenants) {
        if ((this.running.get(tenant) ?? 0) >= share) continue;
        const index = heads.get(tenant) ?? -1;
        const job = this.queue[index];
        if (!job) continue;
        const home = job.home >= 0 ? this.slots[job.home] : undefined;
        let slot: Slot | undefined;
        if (home && !home.job) slot = home;
        else if (!home || now - job.queuedAt >= AFFINITY_WAIT_MS) slot = this.slots.find((s) => !s.job);
        else nextSteal = Math.min(nextSteal, job.queuedAt + AFFINITY_WAIT_MS);
        if (!slot) continue;
        this.queue.splice(index, 1);
        slot.job = job;
        this.lastServed.set(tenant, ++this.served);
        this.running.set(tenant, (this.running.get(tenant) ?? 0) + 1);
        slot.worker.postMessage(job.task);
        dispatched = true;
        break;
      }
      if (!dispatched) break;
    }
    // Forget tenants with nothing queued or running, so the map does not grow without bound.
    if (this.lastServed.size > 1000)
      for (const tenant of this.lastServed.keys())
        if (!this.running.has(tenant) && !this.queue.some((j) => j.tenant === tenant))
          this.lastServed.delete(tenant);
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
