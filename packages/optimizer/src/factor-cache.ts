import type { GpData, GpHyperparameters } from './gp.js';
import type { KernelKind } from './kernel.js';

/**
 * Cholesky factors of recent posteriors, by kernel and exact hyperparameters. Between refit
 * checkpoints a study's next posterior has the same hyperparameters and one more row of data, and a
 * posterior with pending trials extends the completed one: both reuse the factor and compute only
 * the new rows (O(n^2) instead of O(n^3)), with results identical to a fresh factorization.
 * Owned by whoever builds the posteriors (a sampler's ModelCache) and handed to GpPosterior.
 */
export interface FactorEntry {
  key: string;
  x: Float64Array;
  noiseScale: Float64Array | undefined;
  n: number;
  /** Factor of the first n rows, shape: n x n. */
  l: Float64Array;
}

export class FactorCache {
  private readonly entries: FactorEntry[] = [];

  constructor(private readonly limit = 4) {}

  /** The largest cached factor of a prefix of data's rows, under the same kernel and hyperparameters. */
  find(data: GpData, kernel: KernelKind, hyper: GpHyperparameters): FactorEntry | null {
    const key = factorKey(data, kernel, hyper);
    let best: FactorEntry | null = null;
    for (const e of this.entries) {
      if (e.key !== key || e.n > data.n || (best && best.n >= e.n)) continue;
      let same = true;
      for (let i = 0; i < e.n * data.dim; i++) {
        if (e.x[i] !== data.x[i]) {
          same = false;
          break;
        }
      }
      for (let i = 0; same && i < e.n; i++) {
        if ((e.noiseScale?.[i] ?? 1) !== (data.noiseScale?.[i] ?? 1)) same = false;
      }
      if (same) best = e;
    }
    return best;
  }

  /** Keeps l (shape: n x n), the exact factor of K for data, evicting the oldest beyond the limit. */
  remember(data: GpData, kernel: KernelKind, hyper: GpHyperparameters, l: Float64Array): void {
    this.entries.push({
      key: factorKey(data, kernel, hyper),
      x: data.x.slice(0, data.n * data.dim),
      noiseScale: data.noiseScale?.slice(0, data.n),
      n: data.n,
      l: l.slice(0, data.n * data.n),
    });
    if (this.entries.length > this.limit) this.entries.shift();
  }
}

function factorKey(data: GpData, kernel: KernelKind, hyper: GpHyperparameters): string {
  return [
    kernel,
    data.dim,
    ...data.categorical,
    ...hyper.invSqLengthscales,
    hyper.signalVar,
    hyper.noiseVar,
    ...(hyper.additive ? ['additive', ...hyper.additive] : []),
  ].join(',');
}
