import type { MetricPoint } from './types.ts';

interface Curve {
  steps: number[];
  values: number[];
}

/**
 * Accumulates metric points as they stream in (idempotent on (trial, name, step), tolerant of
 * out-of-order steps) and hands out chart-ready arrays. `version` changes whenever data changes, so
 * a chart can skip redraws.
 */
export class CurveStore {
  private readonly curves = new Map<string, Map<string, Curve>>();
  private readonly names = new Set<string>();
  private count = 0;
  version = 0;
  /** The newest point added, used by the live-latency benchmark. */
  lastPoint: MetricPoint | null = null;

  get size(): number {
    return this.count;
  }

  metricNames(): string[] {
    return [...this.names].sort();
  }

  trialIds(): string[] {
    return [...this.curves.keys()];
  }

  add(points: readonly MetricPoint[]): boolean {
    let changed = false;
    for (const p of points) {
      if (!Number.isFinite(p.step)) continue;
      let byName = this.curves.get(p.trialId);
      if (!byName) {
        byName = new Map();
        this.curves.set(p.trialId, byName);
      }
      let c = byName.get(p.name);
      if (!c) {
        c = { steps: [], values: [] };
        byName.set(p.name, c);
        this.names.add(p.name);
      }
      const n = c.steps.length;
      const lastStep = n > 0 ? c.steps[n - 1] : undefined;
      if (lastStep === undefined || p.step > lastStep) {
        c.steps.push(p.step);
        c.values.push(p.value);
        this.count++;
      } else {
        // binary search for the step
        let lo = 0;
        let hi = n;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          const s = c.steps[mid];
          if (s !== undefined && s < p.step) lo = mid + 1;
          else hi = mid;
        }
        if (c.steps[lo] === p.step) {
          if (c.values[lo] === p.value) continue;
          c.values[lo] = p.value;
        } else {
          c.steps.splice(lo, 0, p.step);
          c.values.splice(lo, 0, p.value);
          this.count++;
        }
      }
      changed = true;
      this.lastPoint = p;
    }
    if (changed) this.version++;
    return changed;
  }

  /** The value a trial reported last (at its highest step) for `name`, or null. */
  last(trialId: string, name: string): number | null {
    const c = this.curves.get(trialId)?.get(name);
    const v = c?.values[c.values.length - 1];
    return v === undefined ? null : v;
  }

  has(trialId: string, name: string): boolean {
    return (this.curves.get(trialId)?.get(name)?.steps.length ?? 0) > 0;
  }

  curve(trialId: string, name: string): Array<[number, number]> {
    const c = this.curves.get(trialId)?.get(name);
    if (!c) return [];
    const out: Array<[number, number]> = new Array(c.steps.length);
    for (let i = 0; i < c.steps.length; i++) out[i] = [c.steps[i] ?? 0, c.values[i] ?? 0];
    return out;
  }

  /** A curve's value at `step`, linear between reported steps; null outside its steps. */
  valueAt(trialId: string, name: string, step: number): number | null {
    const c = this.curves.get(trialId)?.get(name);
    if (!c || c.steps.length === 0) return null;
    const n = c.steps.length;
    const first = c.steps[0] ?? 0;
    const last = c.steps[n - 1] ?? 0;
    if (step < first || step > last) return null;
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if ((c.steps[mid] ?? 0) <= step) lo = mid;
      else hi = mid;
    }
    const s0 = c.steps[lo] ?? 0;
    const s1 = c.steps[hi] ?? 0;
    const v0 = c.values[lo] ?? 0;
    const v1 = c.values[hi] ?? 0;
    return s1 === s0 ? v0 : v0 + ((v1 - v0) * (step - s0)) / (s1 - s0);
  }

  /**
   * The trial among `trialIds` whose curve of `name` passes closest to (step, value), if within
   * `tolerance` (in value units): what the pointer is on, so a grey curve can be named.
   */
  nearest(
    name: string,
    step: number,
    value: number,
    tolerance: number,
    trialIds: Iterable<string>,
  ): string | null {
    let best: string | null = null;
    let bestDistance = tolerance;
    for (const id of trialIds) {
      const v = this.valueAt(id, name, step);
      if (v === null) continue;
      const d = Math.abs(v - value);
      if (d <= bestDistance) {
        bestDistance = d;
        best = id;
      }
    }
    return best;
  }

  /**
   * Every curve of `name` except `exclude`, concatenated into one polyline with a gap (null) between
   * trials. One series with 200,000 points draws far faster than 10,000 series.
   */
  merged(name: string, exclude: ReadonlySet<string> = new Set()): Array<[number, number] | [null, null]> {
    const out: Array<[number, number] | [null, null]> = [];
    for (const [trialId, byName] of this.curves) {
      if (exclude.has(trialId)) continue;
      const c = byName.get(name);
      if (!c || c.steps.length === 0) continue;
      for (let i = 0; i < c.steps.length; i++) out.push([c.steps[i] ?? 0, c.values[i] ?? 0]);
      out.push([null, null]);
    }
    return out;
  }

  /**
   * `merged` as one flat typed array (x0, y0, x1, y1, …, NaN, NaN between curves) and how many curves it
   * holds. echarts deep-copies array data on every setOption but takes a typed array as is: with
   * 200,000 points that copy was most of the cost of each redraw.
   */
  mergedFlat(name: string, exclude: ReadonlySet<string> = new Set()): { data: Float64Array; curves: number } {
    let points = 0;
    let curves = 0;
    for (const [trialId, byName] of this.curves) {
      const c = byName.get(name);
      if (exclude.has(trialId) || !c || c.steps.length === 0) continue;
      points += c.steps.length;
      curves++;
    }
    const data = new Float64Array((points + curves) * 2);
    let i = 0;
    for (const [trialId, byName] of this.curves) {
      const c = byName.get(name);
      if (exclude.has(trialId) || !c || c.steps.length === 0) continue;
      for (let k = 0; k < c.steps.length; k++) {
        data[i++] = c.steps[k] ?? 0;
        data[i++] = c.values[k] ?? 0;
      }
      data[i++] = Number.NaN;
      data[i++] = Number.NaN;
    }
    return { data, curves };
  }
}

/** The metric to show first: the study objective if present, otherwise the first name. */
export function defaultMetric(names: readonly string[], objective: string): string | null {
  if (names.includes(objective)) return objective;
  return names[0] ?? null;
}
