/**
 * Client-side group commit: requests arriving while earlier batches are in flight wait and then
 * go out together as one batch (one statement, one commit, one WAL flush), so throughput grows
 * with concurrency instead of paying a flush per request. At most `maxInFlight` batches run at
 * once; requests are served in arrival order. The one batching mechanism of the write paths:
 * asks (one group per study, one batch at a time) and tells (beyond 8 in flight).
 */
export class GroupCommit<I, O> {
  private queue: Array<{ item: I; resolve: (out: O) => void; reject: (error: unknown) => void }> = [];
  private inFlight = 0;

  constructor(
    private readonly run: (items: readonly I[]) => Promise<O[]>,
    private readonly maxInFlight = 1,
    private readonly maxBatch = 500,
    /** Called whenever the last batch in flight ends with nothing queued (a keyed owner forgets the group). */
    private readonly onIdle: () => void = () => undefined,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight += 1;
      this.run(batch.map((entry) => entry.item))
        .then(
          (outs) => {
            batch.forEach((entry, i) => {
              const out = outs[i];
              if (out === undefined) entry.reject(new Error('group commit: no result for a request'));
              else entry.resolve(out);
            });
          },
          (error: unknown) => {
            for (const entry of batch) entry.reject(error);
          },
        )
        .finally(() => {
          this.inFlight -= 1;
          this.pump();
          if (this.inFlight === 0 && this.queue.length === 0) this.onIdle();
        });
    }
  }
}
