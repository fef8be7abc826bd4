// Data of the standard HPO plots (issue 15 item 7): contour over a pair of parameters, the empirical
// distribution of the objective, the slice grid, and the sign of each parameter's effect. Axes stay
// inside the search space; failed trials are kept apart from the value axis.
import { asNumber, categoriesOf, isNumericParam, paramNames, specFor } from './params.ts';
import type { Direction, SearchSpace, Trial } from './types.ts';

const complete = (trials: readonly Trial[]) =>
  trials.filter((t) => t.state === 'COMPLETE' && t.value !== null && Number.isFinite(t.value));

export interface NumericAxis {
  name: string;
  type: 'value' | 'log';
  min: number;
  max: number;
}

/**
 * A numeric parameter's axis: the search space's bounds (so a plot never claims values the space
 * cannot produce), widened only if a trial lies outside them (an enqueued trial may); without a spec,
 * the trials' range. Null for categorical or unseen params.
 */
export function numericAxis(space: SearchSpace, name: string, trials: readonly Trial[]): NumericAxis | null {
  const spec = specFor(space, name);
  if (spec?.type === 'categorical') return null;
  const log = spec !== undefined && spec.log === true;
  let lo = spec ? spec.low : Number.POSITIVE_INFINITY;
  let hi = spec ? spec.high : Number.NEGATIVE_INFINITY;
  for (const t of trials) {
    const v = asNumber(t.params[name]);
    if (v === null || (log && v <= 0)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return null;
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo = log ? lo / 2 : lo - pad;
    hi = log ? hi * 2 : hi + pad;
  }
  return { name, type: log ? 'log' : 'value', min: lo, max: hi };
}

/** Numeric params a contour can pair (at least two distinct values among complete trials). */
export function contourParams(space: SearchSpace, trials: readonly Trial[]): string[] {
  const done = complete(trials);
  return paramNames(space, done).filter((n) => {
    if (!isNumericParam(space, n, done)) return false;
    const seen = new Set<number>();
    for (const t of done) {
      const v = asNumber(t.params[n]);
      if (v !== null) seen.add(v);
      if (seen.size > 1) return true;
    }
    return false;
  });
}

export interface ContourData {
  x: NumericAxis;
  y: NumericAxis;
  /** Grid cells: [x0, x1, y0, y1, interpolated objective]. */
  cells: Array<[number, number, number, number, number]>;
  /** The trials: [x, y, objective, trial number]. */
  points: Array<[number, number, number, number]>;
  zRange: [number, number];
}

const toUnit = (a: NumericAxis, v: number) =>
  a.type === 'log'
    ? (Math.log(v) - Math.log(a.min)) / (Math.log(a.max) - Math.log(a.min))
    : (v - a.min) / (a.max - a.min);
const fromUnit = (a: NumericAxis, u: number) =>
  a.type === 'log'
    ? Math.exp(Math.log(a.min) + u * (Math.log(a.max) - Math.log(a.min)))
    : a.min + u * (a.max - a.min);

/**
 * The objective over two numeric parameters: complete trials as points, and between them a surface
 * interpolated by inverse distance (squared) in the unit square of the two axes (log params on a log
 * scale). Null with fewer than 3 trials having both params.
 */
export function buildContour(
  space: SearchSpace,
  trials: readonly Trial[],
  xName: string,
  yName: string,
  resolution = 28,
): ContourData | null {
  const done = complete(trials);
  const x = numericAxis(space, xName, done);
  const y = numericAxis(space, yName, done);
  if (!x || !y || xName === yName) return null;
  const points: ContourData['points'] = [];
  for (const t of done) {
    const a = asNumber(t.params[xName]);
    const b = asNumber(t.params[yName]);
    if (a === null || b === null || (x.type === 'log' && a <= 0) || (y.type === 'log' && b <= 0)) continue;
    points.push([a, b, t.value ?? 0, t.number]);
  }
  if (points.length < 3) return null;
  const unit = points.map((p) => [toUnit(x, p[0]), toUnit(y, p[1]), p[2]] as const);
  let zMin = Number.POSITIVE_INFINITY;
  let zMax = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    if (p[2] < zMin) zMin = p[2];
    if (p[2] > zMax) zMax = p[2];
  }
  const cells: ContourData['cells'] = [];
  for (let i = 0; i < resolution; i++) {
    for (let j = 0; j < resolution; j++) {
      const ux = (i + 0.5) / resolution;
      const uy = (j + 0.5) / resolution;
      let num = 0;
      let den = 0;
      let exact: number | null = null;
      for (const [px, py, z] of unit) {
        const d2 = (px - ux) ** 2 + (py - uy) ** 2;
        if (d2 < 1e-12) {
          exact = z;
          break;
        }
        const w = 1 / (d2 * d2);
        num += w * z;
        den += w;
      }
      const z = exact ?? num / den;
      cells.push([
        fromUnit(x, i / resolution),
        fromUnit(x, (i + 1) / resolution),
        fromUnit(y, j / resolution),
        fromUnit(y, (j + 1) / resolution),
        z,
      ]);
    }
  }
  return { x, y, cells, points, zRange: [zMin, zMax] };
}

/**
 * The empirical distribution function of the objective over complete trials: [value, fraction of
 * trials at or below it], ascending, one point per distinct value.
 */
export function buildEdf(trials: readonly Trial[]): Array<[number, number]> {
  const values = complete(trials)
    .map((t) => t.value ?? 0)
    .sort((a, b) => a - b);
  const out: Array<[number, number]> = [];
  values.forEach((v, i) => {
    const f = (i + 1) / values.length;
    const last = out[out.length - 1];
    if (last && last[0] === v) last[1] = f;
    else out.push([v, f]);
  });
  return out;
}

export interface SlicePanel {
  param: string;
  /** Numeric axis (inside the search space), or the categories. */
  axis: NumericAxis | { name: string; type: 'category'; categories: string[] };
  /** [param value or category, objective, trial number] of complete trials. */
  points: Array<[number | string, number, number]>;
  /** [param value or category, trial number] of failed trials: drawn in a strip, never on the value axis. */
  failed: Array<[number | string, number]>;
}

/** One slice panel per parameter: the objective against it, with failed trials kept apart. */
export function buildSliceGrid(space: SearchSpace, trials: readonly Trial[]): SlicePanel[] {
  const done = complete(trials);
  const failed = trials.filter((t) => t.state === 'FAILED');
  return paramNames(space, trials).map((name) => {
    const numeric = isNumericParam(space, name, trials);
    const axis = numeric ? numericAxis(space, name, trials) : null;
    const categorical = !numeric || !axis;
    const along = (t: Trial): number | string | null => {
      const v = t.params[name];
      if (v === undefined) return null;
      if (categorical) return String(v);
      const n = asNumber(v);
      return n === null || (axis?.type === 'log' && n <= 0) ? null : n;
    };
    const points: SlicePanel['points'] = [];
    for (const t of done) {
      const v = along(t);
      if (v !== null) points.push([v, t.value ?? 0, t.number]);
    }
    const failedAt: SlicePanel['failed'] = [];
    for (const t of failed) {
      const v = along(t);
      if (v !== null) failedAt.push([v, t.number]);
    }
    return {
      param: name,
      axis:
        categorical || !axis
          ? { name, type: 'category' as const, categories: categoriesOf(specFor(space, name), name, trials) }
          : axis,
      points,
      failed: failedAt,
    };
  });
}

function ranks(values: readonly number[]): number[] {
  const idx = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(values.length).fill(0);
  let i = 0;
  while (i < idx.length) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1]?.[0] === idx[i]?.[0]) j++;
    for (let k = i; k <= j; k++) {
      const e = idx[k];
      if (e) r[e[1]] = (i + j) / 2;
    }
    i = j + 1;
  }
  return r;
}

function spearman(xs: readonly number[], ys: readonly number[]): number {
  const rx = ranks(xs);
  const ry = ranks(ys);
  const n = xs.length;
  const mx = rx.reduce((a, b) => a + b, 0) / n;
  const my = ry.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (rx[i] ?? 0) - mx;
    const dy = (ry[i] ?? 0) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

export interface ParamEffect {
  /** Spearman rank correlation of the param with the objective (numeric params). */
  rho: number | null;
  /** Raising the param makes the objective better or worse; null when the trend is weak or unclear. */
  raising: 'better' | 'worse' | null;
  /** The objective is best inside the range (the trend turns: opposite signs in the two halves). */
  peaked: boolean;
  /** A categorical param's best choice by mean objective. */
  bestChoice: string | null;
}

/** Above this |rho| in each half (with opposite signs) a parameter's trend is said to turn. */
const TURN = 0.3;

/** Whether the objective falls then rises (or rises then falls) along x: a best value inside. */
function turns(xs: readonly number[], ys: readonly number[]): boolean {
  if (xs.length < 8) return false;
  const order = xs.map((x, i) => [x, ys[i] ?? 0] as const).sort((a, b) => a[0] - b[0]);
  const half = Math.floor(order.length / 2);
  const lo = order.slice(0, half);
  const hi = order.slice(half);
  const a = spearman(
    lo.map((p) => p[0]),
    lo.map((p) => p[1]),
  );
  const b = spearman(
    hi.map((p) => p[0]),
    hi.map((p) => p[1]),
  );
  return Math.sign(a) !== Math.sign(b) && Math.abs(a) >= TURN && Math.abs(b) >= TURN;
}

/** Below this |rho| a parameter's trend is called unclear. */
const WEAK = 0.15;

/** The direction of each parameter's effect on the objective (needs 4 complete trials). */
export function paramEffects(
  space: SearchSpace,
  trials: readonly Trial[],
  direction: Direction,
): Map<string, ParamEffect> {
  const done = complete(trials);
  const out = new Map<string, ParamEffect>();
  if (done.length < 4) return out;
  for (const name of paramNames(space, done)) {
    if (isNumericParam(space, name, done)) {
      const xs: number[] = [];
      const ys: number[] = [];
      for (const t of done) {
        const v = asNumber(t.params[name]);
        if (v !== null) {
          xs.push(v);
          ys.push(t.value ?? 0);
        }
      }
      const rho = xs.length >= 4 ? spearman(xs, ys) : 0;
      const peaked = turns(xs, ys);
      const lowers = rho < 0;
      const raising =
        peaked || Math.abs(rho) < WEAK ? null : (direction === 'MINIMIZE') === lowers ? 'better' : 'worse';
      out.set(name, { rho, raising, peaked, bestChoice: null });
    } else {
      const groups = new Map<string, { sum: number; n: number }>();
      for (const t of done) {
        const k = String(t.params[name]);
        const g = groups.get(k) ?? { sum: 0, n: 0 };
        g.sum += t.value ?? 0;
        g.n++;
        groups.set(k, g);
      }
      let best: string | null = null;
      let bestMean = 0;
      for (const [k, g] of groups) {
        const m = g.sum / g.n;
        if (best === null || (direction === 'MINIMIZE' ? m < bestMean : m > bestMean)) {
          best = k;
          bestMean = m;
        }
      }
      out.set(name, { rho: null, raising: null, peaked: false, bestChoice: groups.size > 1 ? best : null });
    }
  }
  return out;
}
