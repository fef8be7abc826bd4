import type { Trial } from './types.ts';

export interface PredictedPoint {
  trialId: string;
  number: number;
  predicted: number;
  std: number | null;
  actual: number;
}

export interface PredictedData {
  points: PredictedPoint[];
  /** Shared [min, max] of both axes (for the y = x diagonal). */
  range: [number, number] | null;
  rmse: number | null;
  /** Pearson correlation of predicted and actual. */
  correlation: number | null;
  /** Share of points inside the 95% interval (mean ± 1.96 std), among points with a std. */
  coverage: number | null;
}

/** Model-suggested COMPLETE trials: what the GP predicted at suggestion time versus what happened. */
export function buildPredicted(trials: readonly Trial[]): PredictedData {
  const points: PredictedPoint[] = [];
  for (const t of trials) {
    const m = t.suggestion?.mean;
    if (t.state !== 'COMPLETE' || t.value === null || !Number.isFinite(t.value)) continue;
    if (m === null || m === undefined || !Number.isFinite(m)) continue;
    const s = t.suggestion?.std;
    points.push({
      trialId: t.id,
      number: t.number,
      predicted: m,
      std: s !== null && s !== undefined && Number.isFinite(s) ? s : null,
      actual: t.value,
    });
  }
  if (points.length === 0) return { points, range: null, rmse: null, correlation: null, coverage: null };
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  let se = 0;
  let sp = 0;
  let sa = 0;
  let inside = 0;
  let withStd = 0;
  for (const p of points) {
    lo = Math.min(lo, p.predicted, p.actual);
    hi = Math.max(hi, p.predicted, p.actual);
    se += (p.predicted - p.actual) ** 2;
    sp += p.predicted;
    sa += p.actual;
    if (p.std !== null) {
      withStd++;
      if (Math.abs(p.actual - p.predicted) <= 1.96 * p.std) inside++;
    }
  }
  const n = points.length;
  const mp = sp / n;
  const ma = sa / n;
  let cov = 0;
  let vp = 0;
  let va = 0;
  for (const p of points) {
    cov += (p.predicted - mp) * (p.actual - ma);
    vp += (p.predicted - mp) ** 2;
    va += (p.actual - ma) ** 2;
  }
  const pad = (hi - lo || 1) * 0.05;
  return {
    points,
    range: [lo - pad, hi + pad],
    rmse: Math.sqrt(se / n),
    correlation: n > 1 && vp > 0 && va > 0 ? cov / Math.sqrt(vp * va) : null,
    coverage: withStd > 0 ? inside / withStd : null,
  };
}
