import { type AcquisitionSpec, evaluateAcquisition } from './acquisition.js';
import type { GpPosterior } from './gp.js';
import { minimizeLbfgsb } from './lbfgsb.js';
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
}

export interface AcquisitionResult {
  x: Float64Array;
  value: number;
}

export class AcquisitionObjective {
  private readonly dMean: Float64Array;
  private readonly dVar: Float64Array;
  constructor(
    readonly posterior: GpPosterior,
    readonly spec: AcquisitionSpec,
  ) {
    this.dMean = new Float64Array(posterior.dim);
    this.dVar = new Float64Array(posterior.dim);
  }

  /** Acquisition at count points (count x D row-major) into out (shape: count). */
  values(xs: Float64Array, count: number, out: Float64Array): void {
    const variance = new Float64Array(count);
    this.posterior.predictBatch(xs, count, out, variance);
    for (let i = 0; i < count; i++) {
      out[i] = evaluateAcquisition(this.spec, out[i] as number, variance[i] as number).value;
    }
  }

  value(x: ArrayLike<number>): number {
    const p = this.posterior.predict(x);
    return evaluateAcquisition(this.spec, p.mean, p.variance).value;
  }

  /** Acquisition at x and its gradient (shape: D; zero on categorical coordinates). */
  valueAndGradient(x: ArrayLike<number>, grad: Float64Array): number {
    const p = this.posterior.predict(x, this.dMean, this.dVar);
    const a = evaluateAcquisition(this.spec, p.mean, p.variance);
    for (let d = 0; d < grad.length; d++) {
      grad[d] = a.dMean * (this.dMean[d] ?? 0) + a.dVariance * (this.dVar[d] ?? 0);
    }
    return a.value;
  }
}

export function optimizeAcquisition(
  space: ParsedSearchSpace,
  objective: AcquisitionObjective,
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
  objective.values(cands, count, values);
  // Rank candidate indices (ties broken by index, so the order is deterministic) and only build
  // result objects for the few that seed local searches or are needed as fallbacks.
  const order = Array.from({ length: count }, (_, i) => i).sort(
    (a, b) => (values[b] as number) - (values[a] as number) || a - b,
  );
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
  for (const i of order) {
    const r = candidate(i);
    if (Number.isFinite(r.value) && !taken.has(space.key(r.x))) return r;
  }
  return null;
}

function exhaustive(
  space: ParsedSearchSpace,
  objective: AcquisitionObjective,
  taken: ReadonlySet<string>,
): AcquisitionResult | null {
  const dims = space.dims;
  const dim = dims.length;
  const idx = new Int32Array(dim);
  const x = new Float64Array(dim);
  let best: AcquisitionResult | null = null;
  for (let count = 0; count < space.cardinality; count++) {
    for (let d = 0; d < dim; d++) x[d] = dims[d]?.at(idx[d] ?? 0) ?? 0;
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
  objective: AcquisitionObjective,
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
      const result = minimizeLbfgsb(
        (z, grad) => {
          relaxed.forEach((i, k) => {
            trial[i] = z[k] ?? 0;
          });
          const v = objective.valueAndGradient(trial, fullGrad);
          relaxed.forEach((i, k) => {
            grad[k] = -(fullGrad[i] ?? 0);
          });
          return Number.isFinite(v) ? -v : Number.POSITIVE_INFINITY;
        },
        sub,
        {
          lower: new Float64Array(relaxed.length),
          upper: new Float64Array(relaxed.length).fill(1),
          maxIterations,
          pgtol: 1e-6,
          ftol: 1e-10,
        },
      );
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
