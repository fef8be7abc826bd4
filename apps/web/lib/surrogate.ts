import { asNumber } from './params.ts';
import type { Direction, SurrogateSlice, Trial } from './types.ts';

export interface SurrogateChartData {
  param: string;
  /** [x, mean] */
  mean: Array<[number, number]>;
  /** Band as [x, lower] and [x, upper - lower] for a stacked area. */
  lower: Array<[number, number]>;
  band: Array<[number, number]>;
  /** [x, acquisition] */
  acquisition: Array<[number, number]>;
  /** [x, value, trial number] of COMPLETE trials. */
  observed: Array<[number, number, number]>;
  /** [x, value] of the warm-start source studies' completed trials (drawn apart from `observed`). */
  sources: Array<[number, number]>;
  /** x of the acquisition maximum (the next suggestion along this slice). */
  argmax: number | null;
  logX: boolean;
}

/** z for the two-sided 95% interval. */
export const BAND_Z = 1.96;

/** Shapes a surrogate slice from the API (mean, std, acquisition on a grid) and overlays observed trials. */
export function buildSurrogate(
  slice: SurrogateSlice,
  trials: readonly Trial[],
  options: { logX?: boolean; direction?: Direction } = {},
): SurrogateChartData {
  const n = Math.min(slice.x.length, slice.mean.length, slice.std.length);
  const mean: Array<[number, number]> = [];
  const lower: Array<[number, number]> = [];
  const band: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    const x = slice.x[i] ?? 0;
    const m = slice.mean[i] ?? 0;
    const s = Math.max(0, slice.std[i] ?? 0);
    mean.push([x, m]);
    lower.push([x, m - BAND_Z * s]);
    band.push([x, 2 * BAND_Z * s]);
  }
  const acquisition: Array<[number, number]> = [];
  let argmax: number | null = null;
  let best = Number.NEGATIVE_INFINITY;
  const na = Math.min(slice.x.length, slice.acquisition.length);
  for (let i = 0; i < na; i++) {
    const x = slice.x[i] ?? 0;
    const a = slice.acquisition[i] ?? 0;
    if (!Number.isFinite(a)) continue;
    acquisition.push([x, a]);
    if (a > best) {
      best = a;
      argmax = x;
    }
  }
  const observed: SurrogateChartData['observed'] = [];
  for (const t of trials) {
    if (t.state !== 'COMPLETE' || t.value === null || !Number.isFinite(t.value)) continue;
    const x = asNumber(t.params[slice.param]);
    if (x === null) continue;
    observed.push([x, t.value, t.number]);
  }
  return {
    param: slice.param,
    mean,
    lower,
    band,
    acquisition,
    observed,
    sources: (slice.sourcePoints ?? []).map((p): [number, number] => [p.x, p.value]),
    argmax,
    logX: options.logX === true,
  };
}
