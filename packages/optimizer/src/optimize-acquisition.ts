import { type Acquisition, type AcquisitionSpec, acquisitionOf } from './acquisition.js';
import type { GpPosterior } from './gp.js';
import { minimizeLbfgsb, type ObjectiveWithGradient, type SplitObjective } from './lbfgsb.js';
import { SobolSequence } from './qmc.js';
import type { Rng } from './rng.js';
import type { ParsedSearchSpace } from './search-space.js';

/**
 * Maximizes an acquisition over the search space:
 * 1. a finite space of at most EXHAUSTIVE_LIMIT points is enumerated;
 * 2. otherwise QMC candidates (plus the incumbents) are scored and the best few seed local searches
 *    that alternate bounded quasi-Newton steps on the continuous coordinates (and on grids too fine
 *    to enumerate, relaxed then rounded) with exact coordinate sweeps over categorical and small
 *    grid coordinates.
 * Points whose key is in `taken` (evaluated or running) are never returned.
 */
const EXHAUSTIVE_LIMIT = 4096;
/** Grids with more values than this are optimized relaxed, then rounded and polished by neighbours. */
const SWEEP_LIMIT = 32;

export interface AcquisitionOptimizerOptions {
  candidates: number;
  localStarts: number;
  maxIterations: number;
  /**
   * Skip the exact O(n^2) scoring of candidates whose cheap upper bound cannot reach the best
   * 4 * localStarts (default true). The ranking of those is the same either way.
   */
  screening?: boolean;
}

export interface AcquisitionResult {
  x: Float64Array;
  value: number;
}

/** What the search needs of an acquisition: AcquisitionObjective, or multiobjective/acquisition.ts. */
export interface AcquisitionFunction {
  /** Acquisition at count points (count x D row-major) into out (shape: count). */
  values(xs: Float64Array, count: number, out: Float64Array): void;
  /** Upper bounds of the acquisition at count points into out (used when screening is on). */
  upperBounds(xs: Float64Array, count: number, out: Float64Array): void;
  /**
   * Optional: values() except that a point whose value is certainly below `cutoff` may get
   * -Infinity instead (screening then spends less on candidates it would reject anyway).
   */
  valuesAbove?(xs: Float64Array, count: number, out: Float64Array, cutoff: number): void;
  value(x: ArrayLike<number>): number;
  /** Acquisition at x and its gradient (shape: D; zero on categorical coordinates). */
  valueAndGradient(x: ArrayLike<number>, grad: Float64Array): number;
  /**
   * Optional, both or neither: valueAndGradient split in two, so the local search pays for a
   * gradient only where its line search accepts a point. valueForGradient(x) is
   * valueAndGradient(x)'s value, bit for bit; gradientAtLast(grad) writes the gradient at the point
   * of the latest valueForGradient() call (the same bits as valueAndGradient's).
   */
  valueForGradient?(x: ArrayLike<number>): number;
  gradientAtLast?(grad: Float64Array): void;
}

export class AcquisitionObjective implements AcquisitionFunction {
  private readonly dMean: Float64Array;
  private readonly dVar: Float64Array;
  private variance = new Float64Array(0);
  private readonly acquisition: Acquisition;
  /**
   * The latest single point evaluated, with its posterior and acquisition value. value() there is
   * answered from it: the local search evaluates each start again as L-BFGS-B's first point, and its
   * result once more after snapping it to the space. The posterior's kept state (predictForGradient)
   * is this point's while its keptStamp is lastStamp; gradientAtLast() restores it otherwise.
   */
  private readonly lastX: Float64Array;
  private hasLast = false;
  private lastMean = 0;
  private lastVariance = 0;
  private lastValue = 0;
  private lastStamp = -1;
  /** spec.observationNoise: added to every posterior variance. */
  private readonly extra: number;
  constructor(
    readonly posterior: GpPosterior,
    readonly spec: AcquisitionSpec,
  ) {
    this.extra = spec.observationNoise ?? 0;
    this.acquisition = acquisitionOf(spec);
    this.dMean = new Float64Array(posterior.dim);
    this.dVar = new Float64Array(posterior.dim);
    this.lastX = new Float64Array(posterior.dim);
  }

  private varianceBuffer(count: number): Float64Array {
    if (this.variance.length < count) this.variance = new Float64Array(count);
    return this.variance;
  }

  /** Acquisition at count points (count x D row-major) into out (shape: count). */
  values(xs: Float64Array, count: number, out: Float64Array): void {
    const variance = this.varianceBuffer(count);
    this.posterior.predictBatch(xs, count, out, variance);
    for (let i = 0; i < count; i++) {
      out[i] = this.acquisition.value(out[i] as number, (variance[i] as number) + this.extra);
    }
  }

  /**
   * values(), except that points whose acquisition bound falls below cutoff partway through their
   * variance's triangular solve get -Infinity (GpPosterior.predictBatch with keep).
   */
  valuesAbove(xs: Float64Array, count: number, out: Float64Array, cutoff: number): void {
    const variance = this.varianceBuffer(count);
    const acquisition = this.acquisition;
    this.posterior.predictBatch(
      xs,
      count,
      out,
      variance,
      (mean, varUpper) => acquisition.upperBound(mean, varUpper + this.extra) >= cutoff,
    );
    for (let i = 0; i < count; i++) {
      const v = (variance[i] as number) + this.extra;
      out[i] = Number.isNaN(v) ? Number.NEGATIVE_INFINITY : acquisition.value(out[i] as number, v);
    }
  }

  /** Upper bounds of the acquisition at count points into out, O(n D) each (GpPosterior.screen). */
  upperBounds(xs: Float64Array, count: number, out: Float64Array): void {
    const variance = this.varianceBuffer(count);
    this.posterior.screen(xs, count, out, variance);
    for (let i = 0; i < count; i++) {
      out[i] = this.acquisition.upperBound(out[i] as number, (variance[i] as number) + this.extra);
    }
  }

  private isLast(x: ArrayLike<number>): boolean {
    if (!this.hasLast) return false;
    for (let d = 0; d < this.lastX.length; d++) if (x[d] !== this.lastX[d]) return false;
    return true;
  }

  /** predict(x) and predictForGradient(x) give the same bits, so value() keeps the gradient state too. */
  value(x: ArrayLike<number>): number {
    return this.valueForGradient(x);
  }

  valueForGradient(x: ArrayLike<number>): number {
    if (this.isLast(x)) return this.lastValue;
    const p = this.posterior.predictForGradient(x);
    this.lastStamp = this.posterior.keptStamp;
    for (let d = 0; d < this.lastX.length; d++) this.lastX[d] = x[d] as number;
    this.hasLast = true;
    this.lastMean = p.mean;
    this.lastVariance = p.variance + this.extra;
    // Acquisition.value is evaluate().value bit for bit.
    this.lastValue = this.acquisition.value(p.mean, this.lastVariance);
    return this.lastValue;
  }

  gradientAtLast(grad: Float64Array): void {
    // Another evaluation of the posterior since (another objective on it): redo this point's (same bits).
    if (this.posterior.keptStamp !== this.lastStamp) {
      this.posterior.predictForGradient(this.lastX);
      this.lastStamp = this.posterior.keptStamp;
    }
    this.posterior.gradientAtLast(this.dMean, this.dVar);
    const a = this.acquisition.evaluate(this.lastMean, this.lastVariance);
    for (let d = 0; d < grad.length; d++) {
      grad[d] = a.dMean * (this.dMean[d] ?? 0) + a.dVariance * (this.dVar[d] ?? 0);
    }
  }

  /** Acquisition at x and its gradient (shape: D; zero on categorical coordinates). */
  valueAndGradient(x: ArrayLike<number>, grad: Float64Array): number {
    const value = this.valueForGradient(x);
    this.gradientAtLast(grad);
    return value;
  }
}

export function optimizeAcquisition(
  space: ParsedSearchSpace,
  objective: AcquisitionFunction,
  rng: Rng,
  taken: ReadonlySet<string>,
  incumbents: readonly Float64Array[],
  options: AcquisitionOptimizerOptions,
): AcquisitionResult | null {
  if (space.cardinality <= EXHAUSTIVE_LIMIT) return exhaustive(space, objective, taken);
  const dim = space.dimension;
  const sobol = new SobolSequence(dim, rng);
  const count = options.candidates;
  const cands = new Float64Array(count * dim);
  const u = new Float64Array(dim);
  const x = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    sobol.point(i, u);
    cands.set(space.fromUnit(u, x), i * dim);
  }
  const values = new Float64Array(count);
  const byValue = (a: number, b: number): number => (values[b] as number) - (values[a] as number) || a - b;
  const need = 4 * options.localStarts;
  // Ranked candidate indices (ties broken by index, so the order is deterministic): the first
  // `need` exactly; the rest only if the fallback below asks for them.
  let order: number[];
  let complete: boolean;
  if (options.screening === false || count <= need) {
    objective.values(cands, count, values);
    order = Array.from({ length: count }, (_, i) => i).sort(byValue);
    complete = true;
  } else {
    order = screenCandidates(objective, cands, count, dim, need, values);
    complete = false;
  }
  const fullOrder = (): number[] => {
    if (!complete) {
      objective.values(cands, count, values);
      order = Array.from({ length: count }, (_, i) => i).sort(byValue);
      complete = true;
    }
    return order;
  };
  const scored: AcquisitionResult[] = incumbents.map((inc) => ({
    x: Float64Array.from(inc),
    value: objective.value(inc),
  }));
  const candidate = (i: number): AcquisitionResult => ({
    x: cands.slice(i * dim, (i + 1) * dim),
    value: values[i] as number,
  });
  const starts: Float64Array[] = [];
  const startKeys = new Set<string>();
  const pool = [...scored, ...order.slice(0, 4 * options.localStarts).map(candidate)].sort(
    (a, b) => b.value - a.value,
  );
  for (const s of pool) {
    if (starts.length >= options.localStarts) break;
    const key = space.key(s.x);
    if (startKeys.has(key)) continue;
    startKeys.add(key);
    starts.push(s.x);
  }
  // Always polish around the best observation: the acquisition maximum is often next to it.
  const first = incumbents[0];
  if (first && !startKeys.has(space.key(first))) starts.push(Float64Array.from(first));

  const results: AcquisitionResult[] = [];
  for (const start of starts) results.push(localSearch(space, objective, start, options.maxIterations));
  results.push(...pool);
  results.sort((a, b) => b.value - a.value);
  for (const r of results) {
    if (Number.isFinite(r.value) && !taken.has(space.key(r.x))) return r;
  }
  // Every good point is taken (a mostly evaluated discrete space): the best untaken candidate.
  for (const i of fullOrder()) {
    const r = candidate(i);
    if (Number.isFinite(r.value) && !taken.has(space.key(r.x))) return r;
  }
  return null;
}

/**
 * The `need` best candidates by exact acquisition, best first, ties by index: exactly the head of
 * the full ranking. Candidates are scored in decreasing order of their upper bound until the next
 * bound falls below the need-th best exact value; no unscored candidate can then enter the head,
 * and none can tie with it. Exact values land in `values` (unscored entries are left at 0).
 * Typically a tenth of the candidates is scored, so they come off a heap instead of a full sort.
 */
function screenCandidates(
  objective: AcquisitionFunction,
  cands: Float64Array,
  count: number,
  dim: number,
  need: number,
  values: Float64Array,
): number[] {
  const bound = new Float64Array(count);
  objective.upperBounds(cands, count, bound);
  const heap = new BoundHeap(bound);
  const B = 8;
  const chunk = new Float64Array(B * dim);
  const chunkValues = new Float64Array(B);
  const chunkIndex = new Int32Array(B);
  // The best `need` exact values so far, descending.
  const top: number[] = [];
  const scored: number[] = [];
  while (heap.size > 0) {
    const kth = top.length >= need ? (top[need - 1] as number) : Number.NEGATIVE_INFINITY;
    if ((bound[heap.peek()] as number) < kth) break;
    let m = 0;
    while (m < B && heap.size > 0) {
      const i = heap.pop();
      chunkIndex[m] = i;
      chunk.set(cands.subarray(i * dim, (i + 1) * dim), m * dim);
      m++;
    }
    // Below kth no candidate can enter the head: those may stay unfinished (-Infinity).
    if (objective.valuesAbove && kth > Number.NEGATIVE_INFINITY)
      objective.valuesAbove(chunk, m, chunkValues, kth);
    else objective.values(chunk, m, chunkValues);
    for (let b = 0; b < m; b++) {
      const i = chunkIndex[b] as number;
      const v = chunkValues[b] as number;
      values[i] = v;
      scored.push(i);
      if (top.length < need || v > (top[top.length - 1] as number)) {
        let at = top.length;
        while (at > 0 && (top[at - 1] as number) < v) at--;
        top.splice(at, 0, v);
        if (top.length > need) top.pop();
      }
    }
  }
  return scored.sort((a, b) => (values[b] as number) - (values[a] as number) || a - b).slice(0, need);
}

/**
 * Candidate indices by decreasing bound, ties by index (the order of a full sort), as a binary
 * max-heap: O(count) to build, O(log count) per candidate taken.
 */
class BoundHeap {
  private readonly items: Int32Array;
  size: number;
  constructor(private readonly bound: Float64Array) {
    this.size = bound.length;
    this.items = new Int32Array(this.size);
    for (let i = 0; i < this.size; i++) this.items[i] = i;
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  peek(): number {
    return this.items[0] as number;
  }

  pop(): number {
    const items = this.items;
    const top = items[0] as number;
    this.size--;
    if (this.size > 0) {
      items[0] = items[this.size] as number;
      this.siftDown(0);
    }
    return top;
  }

  /** Whether candidate a comes before candidate b. */
  private before(a: number, b: number): boolean {
    const ba = this.bound[a] as number;
    const bb = this.bound[b] as number;
    return ba > bb || (ba === bb && a < b);
  }

  private siftDown(at: number): void {
    const items = this.items;
    const size = this.size;
    let i = at;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) return;
      const r = l + 1;
      let c = l;
      if (r < size && this.before(items[r] as number, items[l] as number)) c = r;
      if (!this.before(items[c] as number, items[i] as number)) return;
      const t = items[i] as number;
      items[i] = items[c] as number;
      items[c] = t;
      i = c;
    }
  }
}

function exhaustive(
  space: ParsedSearchSpace,
  objective: AcquisitionFunction,
  taken: ReadonlySet<string>,
): AcquisitionResult | null {
  const dims = space.dims;
  const dim = dims.length;
  const idx = new Int32Array(dim);
  const x = new Float64Array(dim);
  let best: AcquisitionResult | null = null;
  for (let count = 0; count < space.cardinality; count++) {
    for (let d = 0; d < dim; d++) x[d] = dims[d]?.at(idx[d] ?? 0) ?? 0;
    // Conditional spaces: score the configuration's canonical point (x is rebuilt from idx each time).
    space.canonicalize(x);
    if (!taken.has(space.key(x))) {
      const value = objective.value(x);
      if (!best || value > best.value || (!Number.isFinite(best.value) && Number.isFinite(value))) {
        best = { x: Float64Array.from(x), value };
      }
    }
    for (let d = 0; d < dim; d++) {
      idx[d] = (idx[d] ?? 0) + 1;
      if ((idx[d] ?? 0) < (dims[d]?.size ?? 1)) break;
      idx[d] = 0;
    }
  }
  return best;
}

function localSearch(
  space: ParsedSearchSpace,
  objective: AcquisitionFunction,
  start: Float64Array,
  maxIterations: number,
): AcquisitionResult {
  const dims = space.dims;
  const relaxed: number[] = [];
  const swept: number[] = [];
  dims.forEach((d, i) => {
    if (d.kind === 'continuous' || (d.kind === 'grid' && d.size > SWEEP_LIMIT)) relaxed.push(i);
    else if (d.size > 1) swept.push(i);
  });
  const x = Float64Array.from(start);
  let value = objective.value(x);
  const fullGrad = new Float64Array(dims.length);
  for (let round = 0; round < 3; round++) {
    const before = value;
    if (relaxed.length > 0) {
      const sub = Float64Array.from(relaxed, (i) => x[i] ?? 0);
      const trial = Float64Array.from(x);
      const result = minimizeLbfgsb(relaxedObjective(objective, relaxed, trial, fullGrad), sub, {
        lower: new Float64Array(relaxed.length),
        upper: new Float64Array(relaxed.length).fill(1),
        maxIterations,
        pgtol: 1e-6,
        ftol: 1e-10,
        // Unit-cube coordinates: steps below 1e-9 change no suggestion.
        xtol: 1e-9,
      });
      relaxed.forEach((i, k) => {
        trial[i] = result.x[k] ?? 0;
      });
      space.snap(trial);
      const v = objective.value(trial);
      if (v > value) {
        x.set(trial);
        value = v;
      }
      // Rounded grid coordinates: try the neighbouring grid values.
      for (const i of relaxed) {
        const d = dims[i];
        if (d?.kind !== 'grid') continue;
        const k = d.index(x[i] ?? 0);
        for (const step of [-2, -1, 1, 2]) {
          const kk = k + step;
          if (kk < 0 || kk >= d.size) continue;
          const old = x[i] ?? 0;
          x[i] = d.at(kk);
          const vv = objective.value(x);
          if (vv > value) value = vv;
          else x[i] = old;
        }
      }
    }
    for (const i of swept) {
      const d = dims[i];
      if (!d) continue;
      let bestCoord = x[i] ?? 0;
      for (let k = 0; k < d.size; k++) {
        x[i] = d.at(k);
        const v = objective.value(x);
        if (v > value) {
          value = v;
          bestCoord = x[i] ?? 0;
        }
      }
      x[i] = bestCoord;
    }
    if (!(value > before + 1e-12 * Math.abs(before)) || swept.length === 0) break;
  }
  return { x, value };
}

/**
 * The local search's L-BFGS-B objective: minus the acquisition in the relaxed coordinates z (the
 * others stay at trial's values), +Infinity where the acquisition is not finite. Split (value, then
 * the gradient on demand) when the acquisition offers it.
 */
function relaxedObjective(
  objective: AcquisitionFunction,
  relaxed: readonly number[],
  trial: Float64Array,
  fullGrad: Float64Array,
): ObjectiveWithGradient | SplitObjective {
  const place = (z: Float64Array): Float64Array => {
    for (let k = 0; k < relaxed.length; k++) trial[relaxed[k] as number] = z[k] ?? 0;
    return trial;
  };
  const pick = (grad: Float64Array): void => {
    for (let k = 0; k < relaxed.length; k++) grad[k] = -(fullGrad[relaxed[k] as number] ?? 0);
  };
  const { valueForGradient, gradientAtLast } = objective;
  if (valueForGradient && gradientAtLast) {
    return {
      value: (z) => {
        const v = valueForGradient.call(objective, place(z));
        return Number.isFinite(v) ? -v : Number.POSITIVE_INFINITY;
      },
      gradient: (grad) => {
        gradientAtLast.call(objective, fullGrad);
        pick(grad);
      },
    };
  }
  return (z, grad) => {
    const v = objective.valueAndGradient(place(z), fullGrad);
    pick(grad);
    return Number.isFinite(v) ? -v : Number.POSITIVE_INFINITY;
  };
}
