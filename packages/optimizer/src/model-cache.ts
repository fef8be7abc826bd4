import { FactorCache } from './factor-cache.js';
import type { FitResult } from './hyperparameters.js';
import type { TransferFit } from './transfer.js';
import type { CoregionalFit } from './transfer-coregional.js';

const FIT_CACHE_LIMIT = 256;
const WARM_START_LIMIT = 64;
const TRANSFER_FIT_LIMIT = 64;

/**
 * What a sampler remembers between suggestions, owned by its caller and passed down explicitly
 * (model.ts, posterior.ts), so nothing is kept in module state:
 * - fits: MAP hyperparameters by the content of the data they were fitted on (a recalled fit is the
 *   fit that would be recomputed, so it changes speed, not results);
 * - warmStarts: the latest fitted theta per model signature, for the opt-in `warmStart` option;
 * - factors: Cholesky factors that later posteriors extend (factor-cache.ts);
 * - transferFits: warm-start model fits (transfer.ts, transfer-coregional.ts) by the content of their
 *   data and sources.
 * A long-lived process (the API's suggest worker) keeps one for its lifetime; `processModelCache`
 * is the one the public entry points use when the caller gives none.
 */
export class ModelCache {
  private readonly fits = new Map<string, FitResult>();
  private readonly warm = new Map<string, Float64Array>();
  private readonly transfers = new Map<string, TransferFit>();
  private readonly coregional = new Map<string, CoregionalFit>();
  private readonly coregionalCv = new Map<string, number[]>();
  readonly factors = new FactorCache();

  /** The fit stored under key, now the most recently used; undefined when absent. */
  recallFit(key: string): FitResult | undefined {
    const hit = this.fits.get(key);
    if (hit) {
      this.fits.delete(key);
      this.fits.set(key, hit);
    }
    return hit;
  }

  rememberFit(key: string, result: FitResult): void {
    this.fits.set(key, result);
    if (this.fits.size > FIT_CACHE_LIMIT) dropOldest(this.fits);
  }

  recallTransferFit(key: string): TransferFit | undefined {
    return this.transfers.get(key);
  }

  rememberTransferFit(key: string, fit: TransferFit): void {
    this.transfers.set(key, fit);
    if (this.transfers.size > TRANSFER_FIT_LIMIT) dropOldest(this.transfers);
  }

  recallCoregionalFit(key: string): CoregionalFit | undefined {
    return this.coregional.get(key);
  }

  rememberCoregionalFit(key: string, fit: CoregionalFit): void {
    this.coregional.set(key, fit);
    if (this.coregional.size > TRANSFER_FIT_LIMIT) dropOldest(this.coregional);
  }

  recallCoregionalCv(key: string): number[] | undefined {
    return this.coregionalCv.get(key);
  }

  rememberCoregionalCv(key: string, scores: number[]): void {
    this.coregionalCv.set(key, scores);
    if (this.coregionalCv.size > TRANSFER_FIT_LIMIT) dropOldest(this.coregionalCv);
  }

  warmStart(signature: string): Float64Array | undefined {
    return this.warm.get(signature);
  }

  rememberWarmStart(signature: string, theta: Float64Array): void {
    this.warm.delete(signature);
    this.warm.set(signature, theta);
    if (this.warm.size > WARM_START_LIMIT) dropOldest(this.warm);
  }
}

function dropOldest<V>(map: Map<string, V>): void {
  const oldest = map.keys().next();
  if (!oldest.done) map.delete(oldest.value);
}

/** The cache of callers that keep none of their own (suggest(), recommend(), fitSurrogate()). */
export const processModelCache = new ModelCache();
