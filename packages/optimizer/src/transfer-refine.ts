import type { Observations } from './model.js';
import type { AcquisitionFunction } from './optimize-acquisition.js';
import type { ParsedSearchSpace } from './search-space.js';
import type { TransferModel } from './transfer.js';

/**
 * Local refinement of a confirmed transfer (`warmStartRefine`, docs/DESIGN.md 6e).
 *
 * Measured on the warmstart bench (branin): the guarded transfer model lines the source up with the
 * target (learned shift 0.097 against the true 0.1) and finds the basin within ten trials, but its
 * unwarped model then creeps towards the optimum in steps of 1e-3, and the study's own GP that takes
 * over at 20 trials spends the next twenty re-exploring the corners the source had ruled out (its
 * data all lie in one basin, so its constant prior mean calls every corner promising). Once the
 * target's own trials confirm the source's map, the study's own GP is therefore searched only in a
 * box around its best trial: the source has already done the global search.
 */

/** Half-width of the refinement box, unit-cube coordinates of each continuous parameter. */
export const REFINE_HALF_WIDTH = 0.1;
/**
 * The box must hold this many times D + 1 of the study's trials: enough local data for the study's
 * GP to model the basin. Measured: with D + 1 the refinement started before that GP could model a
 * 6-D basin and hartmann6 (source's best enqueued) was worse at 20 trials (20 seeds, p = 0.016).
 */
const REFINE_MIN_TRIALS_PER_DIM = 2;
/** The source must rate the study's best trial (moved by its shift) among its best this share of trials. */
const TOP_SHARE = 0.25;

/**
 * The refinement box (continuous dims only: [lo, hi] per coordinate; other dims keep their whole
 * range) when the transfer is confirmed, else null. Confirmed: some source with a positive scale
 * sharing every continuous target parameter either has its best trial, moved by its learned shift,
 * inside the unit cube and within the box around the study's best observation, or rates that
 * observation (moved back by the shift) among its best TOP_SHARE of trials by its posterior mean (a
 * second basin of the same value, which the source's best trial does not point to); and the box
 * holds at least REFINE_MIN_TRIALS_PER_DIM (D + 1) of the study's observations.
 */
export function refineBox(
  model: TransferModel,
  space: ParsedSearchSpace,
  obs: Observations,
  halfWidth = REFINE_HALF_WIDTH,
): { lo: Float64Array; hi: Float64Array } | null {
  const dim = space.dimension;
  if (obs.n === 0) return null;
  let row = 0;
  for (let i = 1; i < obs.n; i++) if ((obs.g[i] ?? 0) > (obs.g[row] ?? 0)) row = i;
  const best = obs.x.subarray(row * dim, (row + 1) * dim);
  const continuous = space.dims.map((d) => d.kind === 'continuous');
  let near = false;
  model.sources.forEach((m, s) => {
    if (near || !((model.scales[s] ?? 0) > 0)) return;
    if (continuous.some((c, i) => c && !m.dims.includes(i))) return;
    const src = m.posterior.data;
    const sd = m.dims.length;
    const shift = model.shifts[s];
    const z = new Float64Array(sd);
    for (let j = 0; j < sd; j++) z[j] = (best[m.dims[j] ?? 0] ?? 0) - (shift?.[j] ?? 0);
    const sorted = Array.from(src.y.subarray(0, src.n)).sort((p, q) => q - p);
    const bar = sorted[Math.max(0, Math.ceil(TOP_SHARE * src.n) - 1)] ?? Number.POSITIVE_INFINITY;
    let top = 0;
    for (let i = 1; i < src.n; i++) if ((src.y[i] ?? 0) > (src.y[top] ?? 0)) top = i;
    let atBest = true;
    for (let j = 0; j < sd; j++) {
      const d = m.dims[j] ?? 0;
      if (!continuous[d]) continue;
      const mapped = (src.x[top * sd + j] ?? 0) + (shift?.[j] ?? 0);
      if (mapped < 0 || mapped > 1 || Math.abs(mapped - (best[d] ?? 0)) > halfWidth) atBest = false;
    }
    near = atBest || m.posterior.predict(z).mean >= bar;
  });
  if (!near) return null;
  const lo = new Float64Array(dim);
  const hi = new Float64Array(dim).fill(1);
  for (let d = 0; d < dim; d++) {
    if (!continuous[d]) continue;
    lo[d] = Math.max(0, (best[d] ?? 0) - halfWidth);
    hi[d] = Math.min(1, (best[d] ?? 0) + halfWidth);
  }
  let inBox = 0;
  for (let i = 0; i < obs.n; i++) {
    let inside = true;
    for (let d = 0; d < dim; d++) {
      const v = obs.x[i * dim + d] ?? 0;
      if (v < (lo[d] ?? 0) || v > (hi[d] ?? 1)) inside = false;
    }
    if (inside) inBox++;
  }
  return inBox >= REFINE_MIN_TRIALS_PER_DIM * (dim + 1) ? { lo, hi } : null;
}

/**
 * An acquisition restricted to a box: the search sees the unit cube, each point u of it standing for
 * lo + u (hi - lo) (dims with lo = 0 and hi = 1, the non-continuous ones, pass through unchanged).
 */
export class BoxAcquisition implements AcquisitionFunction {
  private readonly scratch: Float64Array;
  constructor(
    readonly inner: AcquisitionFunction,
    readonly lo: Float64Array,
    readonly hi: Float64Array,
  ) {
    this.scratch = new Float64Array(lo.length);
  }

  toBox(u: ArrayLike<number>, out: Float64Array = new Float64Array(this.lo.length)): Float64Array {
    for (let d = 0; d < out.length; d++) {
      const a = this.lo[d] ?? 0;
      out[d] = a + (u[d] ?? 0) * ((this.hi[d] ?? 1) - a);
    }
    return out;
  }

  /** The unit point standing for x (clamped into the box). */
  fromBox(x: ArrayLike<number>): Float64Array {
    const out = new Float64Array(this.lo.length);
    for (let d = 0; d < out.length; d++) {
      const a = this.lo[d] ?? 0;
      const w = (this.hi[d] ?? 1) - a;
      out[d] = w > 0 ? Math.min(1, Math.max(0, ((x[d] ?? 0) - a) / w)) : 0;
    }
    return out;
  }

  private mapRows(xs: Float64Array, count: number): Float64Array {
    const dim = this.lo.length;
    const out = new Float64Array(count * dim);
    for (let i = 0; i < count; i++) {
      this.toBox(xs.subarray(i * dim, (i + 1) * dim), out.subarray(i * dim, (i + 1) * dim));
    }
    return out;
  }

  values(xs: Float64Array, count: number, out: Float64Array): void {
    this.inner.values(this.mapRows(xs, count), count, out);
  }

  upperBounds(xs: Float64Array, count: number, out: Float64Array): void {
    this.inner.upperBounds(this.mapRows(xs, count), count, out);
  }

  value(u: ArrayLike<number>): number {
    return this.inner.value(this.toBox(u, this.scratch));
  }

  valueAndGradient(u: ArrayLike<number>, grad: Float64Array): number {
    const v = this.inner.valueAndGradient(this.toBox(u, this.scratch), grad);
    for (let d = 0; d < grad.length; d++) grad[d] = (grad[d] ?? 0) * ((this.hi[d] ?? 1) - (this.lo[d] ?? 0));
    return v;
  }
}
