import type { Direction } from '../config.js';

/**
 * Pareto dominance over any number of objectives. Points are rows of objective values; every
 * function takes per-objective directions (a missing direction means MINIMIZE) and works
 * internally on minimization (maximized objectives are negated), so callers never flip signs.
 */
export type ObjectiveVector = readonly number[];

/** The points as minimization rows: maximized objectives negated. */
export function toMinimization(
  points: ReadonlyArray<ObjectiveVector>,
  directions: readonly Direction[],
): number[][] {
  return points.map((p) => p.map((v, j) => (directions[j] === 'MAXIMIZE' ? -v : v)));
}

/** Whether a dominates b when minimizing every coordinate: no worse anywhere, better somewhere. */
export function dominates(a: ObjectiveVector, b: ObjectiveVector): boolean {
  let better = false;
  for (let j = 0; j < a.length; j++) {
    const x = a[j] as number;
    const y = b[j] as number;
    if (x > y) return false;
    if (x < y) better = true;
  }
  return better;
}

/**
 * Non-dominated sorting (Deb et al. 2002): ranks[i] is 0 for the Pareto front, 1 for the front of
 * the rest, and so on. O(k n^2) for n points and k objectives. Points with a NaN coordinate get
 * rank -1 (not comparable). Equal points share a rank.
 */
export function nonDominatedRanks(
  points: ReadonlyArray<ObjectiveVector>,
  directions: readonly Direction[],
): number[] {
  const rows = toMinimization(points, directions);
  const n = rows.length;
  const valid = rows.map((r) => r.every((v) => !Number.isNaN(v)));
  const dominatedBy = new Int32Array(n);
  const dominatesList: number[][] = rows.map(() => []);
  for (let i = 0; i < n; i++) {
    if (!valid[i]) continue;
    for (let j = i + 1; j < n; j++) {
      if (!valid[j]) continue;
      const a = rows[i] as number[];
      const b = rows[j] as number[];
      if (dominates(a, b)) {
        dominatesList[i]?.push(j);
        dominatedBy[j] = (dominatedBy[j] as number) + 1;
      } else if (dominates(b, a)) {
        dominatesList[j]?.push(i);
        dominatedBy[i] = (dominatedBy[i] as number) + 1;
      }
    }
  }
  const ranks = new Array<number>(n).fill(-1);
  let current = [];
  for (let i = 0; i < n; i++) if (valid[i] && dominatedBy[i] === 0) current.push(i);
  for (let rank = 0; current.length > 0; rank++) {
    const next: number[] = [];
    for (const i of current) {
      ranks[i] = rank;
      for (const j of dominatesList[i] ?? []) {
        dominatedBy[j] = (dominatedBy[j] as number) - 1;
        if (dominatedBy[j] === 0) next.push(j);
      }
    }
    current = next;
  }
  return ranks;
}

/** Indices of the non-dominated points (rank 0), in input order. */
export function paretoFrontIndices(
  points: ReadonlyArray<ObjectiveVector>,
  directions: readonly Direction[],
): number[] {
  const rows = toMinimization(points, directions);
  const out: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const a = rows[i] as number[];
    if (a.some((v) => Number.isNaN(v))) continue;
    let dominated = false;
    for (let j = 0; j < rows.length && !dominated; j++) {
      const b = rows[j] as number[];
      if (j !== i && !b.some((v) => Number.isNaN(v)) && dominates(b, a)) dominated = true;
    }
    if (!dominated) out.push(i);
  }
  return out;
}

/** Minimization rows of the front with duplicates removed: what hypervolume code consumes. */
export function uniqueFront(rows: ReadonlyArray<ObjectiveVector>): number[][] {
  const all = rows.map((r) => [...r]);
  const idx = paretoFrontIndices(all, []);
  const seen = new Set<string>();
  const out: number[][] = [];
  for (const i of idx) {
    const r = all[i] as number[];
    const key = r.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(r);
  }
  return out;
}
