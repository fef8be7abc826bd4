/**
 * Per-request batching for field resolvers: every `load(key)` made in the same tick becomes one
 * `fetch(keys)` call, so a page of 500 trials asking for their metrics costs one query, not 500.
 * Identical keys within one batch share a result; nothing is cached beyond the batch, so a
 * long-lived subscription context never serves stale rows.
 */
export class BatchLoader<K, V> {
  private pending: Array<{ key: K; resolve: (value: V) => void; reject: (error: unknown) => void }> = [];
  private readonly cache = new Map<K, Promise<V>>();

  constructor(
    private readonly fetch: (keys: readonly K[]) => Promise<Map<K, V>>,
    private readonly fallback: V,
  ) {}

  load(key: K): Promise<V> {
    const hit = this.cache.get(key);
    if (hit) return hit;
    // A key asked again in the same tick joins the pending entry instead of a second fetch.
    const promise = new Promise<V>((resolve, reject) => {
      if (this.pending.length === 0) process.nextTick(() => void this.dispatch());
      this.pending.push({ key, resolve, reject });
    });
    this.cache.set(key, promise);
    return promise;
  }

  private async dispatch(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.cache.clear();
    try {
      const found = await this.fetch([...new Set(batch.map((entry) => entry.key))]);
      for (const entry of batch) entry.resolve(found.get(entry.key) ?? this.fallback);
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }
}
