// View models of multi-objective and constrained studies (issue 17 item 3): each trial's objective
// vector and feasibility, which complete trials are on the Pareto front, the step line of a 2-D
// front, the layout of the pairwise scatter matrix for 3 or more objectives, and the hypervolume
// history. Pure and typed; the charts in components/charts only draw what these return.
import { dominates, satisfiesConstraints } from '@posterior/core';
import type { Direction, HypervolumePoint, Objective, Study, Trial } from './types.ts';

/** A study's objectives: its own list, or its one objective (an older API, a fixture). */
export function objectivesOf(study: Pick<Study, 'objective' | 'direction'> & Partial<Study>): Objective[] {
  return study.objectives && study.objectives.length > 0
    ? study.objectives
    : [{ name: study.objective, direction: study.direction }];
}

/**
 * A trial's value for each of `k` objectives (study order), or null when it has not got one finite
 * value per objective. A single-objective trial without `values` (older API) reads `value`.
 */
export function trialValues(t: Trial, k: number): number[] | null {
  const vs = t.values;
  if (vs && vs.length === k) return vs.every((v) => Number.isFinite(v)) ? [...vs] : null;
  if (k === 1 && t.value !== null && Number.isFinite(t.value)) return [t.value];
  return null;
}

/**
 * Whether a trial is known to break a constraint: the API's `feasible` when it says, else a told
 * constraint value above 0. Trials without constraint values (running, pruned early, a study
 * without constraints) are not infeasible.
 */
export function isInfeasible(t: Trial): boolean {
  if (t.feasible === false) return true;
  if (t.feasible === true) return false;
  return !satisfiesConstraints(t.constraints);
}

/** A COMPLETE trial with a value per objective, as the Pareto views draw it. */
export interface ParetoPoint {
  id: string;
  number: number;
  values: number[];
  /** Told constraint values (null: none, or the study has no constraints). */
  constraints: readonly number[] | null;
  feasible: boolean;
  onFront: boolean;
}

export interface ParetoView {
  objectives: Objective[];
  /** Every COMPLETE trial with all its values, in trial-number order. */
  points: ParetoPoint[];
  /** The front: feasible, non-dominated points, sorted by the first objective (then the second). */
  front: ParetoPoint[];
  frontIds: ReadonlySet<string>;
  feasibleCount: number;
  infeasibleCount: number;
}

/**
 * The Pareto view of a study's trials: COMPLETE trials with a finite value per objective, and among
 * the feasible ones those no other feasible one dominates (equal points are all on the front, as in
 * the API's `paretoFront`). O(k n^2): the study page holds at most a few thousand complete trials
 * of a multi-objective study, and this runs once per change of the trial list.
 */
export function buildParetoView(trials: readonly Trial[], objectives: readonly Objective[]): ParetoView {
  const k = objectives.length;
  const directions = objectives.map((o) => o.direction);
  const points: ParetoPoint[] = [];
  for (const t of [...trials].sort((a, b) => a.number - b.number)) {
    if (t.state !== 'COMPLETE') continue;
    const values = trialValues(t, k);
    if (!values) continue;
    points.push({
      id: t.id,
      number: t.number,
      values,
      constraints: t.constraints ?? null,
      feasible: !isInfeasible(t),
      onFront: false,
    });
  }
  const feasible = points.filter((p) => p.feasible);
  for (const p of feasible) {
    p.onFront = !feasible.some((q) => q !== p && dominates(q.values, p.values, directions));
  }
  const front = feasible
    .filter((p) => p.onFront)
    .sort((a, b) => {
      for (let j = 0; j < k; j++) {
        const d = (a.values[j] as number) - (b.values[j] as number);
        if (d !== 0) return d;
      }
      return a.number - b.number;
    });
  return {
    objectives: [...objectives],
    points,
    front,
    frontIds: new Set(front.map((p) => p.id)),
    feasibleCount: feasible.length,
    infeasibleCount: points.length - feasible.length,
  };
}

/**
 * The step line of a 2-D front (the boundary of what it dominates), through every front point in
 * order of the first objective: from each point across to the next point's first value at its own
 * second value, then to the next point. Given a reference point, the line starts at its second value
 * above the first point and ends at its first value beside the last one, so the area it closes with
 * the reference point is the hypervolume. Works for any pair of directions.
 */
export function frontStepLine(
  front: ReadonlyArray<readonly number[]>,
  directions: readonly [Direction, Direction],
  reference?: readonly [number, number] | null,
): Array<[number, number]> {
  const sx = directions[0] === 'MAXIMIZE' ? -1 : 1;
  const sy = directions[1] === 'MAXIMIZE' ? -1 : 1;
  // in minimization coordinates the front runs x ascending, y descending
  const pts = front
    .map((p) => [sx * (p[0] as number), sy * (p[1] as number)] as [number, number])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  // keep one point per x (the best y), dropping points a tie makes redundant
  const kept: Array<[number, number]> = [];
  for (const p of pts) {
    const last = kept[kept.length - 1];
    if (last && p[1] >= last[1]) continue;
    kept.push(p);
  }
  if (kept.length === 0) return [];
  const line: Array<[number, number]> = [];
  const first = kept[0] as [number, number];
  const ref = reference ? ([sx * reference[0], sy * reference[1]] as [number, number]) : null;
  if (ref && ref[1] > first[1]) line.push([first[0], ref[1]]);
  kept.forEach((p, i) => {
    const prev = kept[i - 1];
    if (prev) line.push([p[0], prev[1]]);
    line.push(p);
  });
  const last = kept[kept.length - 1] as [number, number];
  if (ref && ref[0] > last[0]) line.push([ref[0], last[1]]);
  return line.map(([x, y]) => [sx * x, sy * y]);
}

/** One panel of the pairwise scatter matrix: objective `x` across, objective `y` up. */
export interface PairCell {
  x: number;
  y: number;
  row: number;
  col: number;
  /** Whether this panel carries the axis names (the matrix's outer edge, or every panel when stacked). */
  xName: boolean;
  yName: boolean;
}

export interface PairLayout {
  rows: number;
  cols: number;
  cells: PairCell[];
}

/**
 * The panels of a scatter matrix over `k` objectives: every pair once, as the lower triangle of a
 * (k-1) x (k-1) grid (objective j across column j, objective i+1 up row i), axis names on the
 * bottom row and the left column. `columns` caps the grid's width (a phone gets 1): then the pairs
 * are laid out in reading order, each panel with both axis names.
 */
export function pairwiseLayout(k: number, columns = k - 1): PairLayout {
  if (k < 2) return { rows: 0, cols: 0, cells: [] };
  const n = k - 1;
  if (columns >= n) {
    const cells: PairCell[] = [];
    for (let row = 0; row < n; row++) {
      for (let col = 0; col <= row; col++) {
        cells.push({ x: col, y: row + 1, row, col, xName: row === n - 1, yName: col === 0 });
      }
    }
    return { rows: n, cols: n, cells };
  }
  const cols = Math.max(1, columns);
  const cells: PairCell[] = [];
  let i = 0;
  for (let y = 1; y < k; y++) {
    for (let x = 0; x < y; x++) {
      cells.push({ x, y, row: Math.floor(i / cols), col: i % cols, xName: true, yName: true });
      i++;
    }
  }
  return { rows: Math.ceil(cells.length / cols), cols, cells };
}

/** How a trial's mark is drawn: the front stands out, infeasible trials are hollow and grey. */
export type MarkKind = 'front' | 'feasible' | 'infeasible';

export function markKind(p: Pick<ParetoPoint, 'feasible' | 'onFront'>): MarkKind {
  if (!p.feasible) return 'infeasible';
  return p.onFront ? 'front' : 'feasible';
}

/** Points of one kind as [x value, y value, trial number] for one pair of objectives. */
export function pairPoints(
  view: ParetoView,
  x: number,
  y: number,
  kind: MarkKind,
): Array<[number, number, number]> {
  return view.points
    .filter((p) => markKind(p) === kind)
    .map((p) => [p.values[x] as number, p.values[y] as number, p.number]);
}

export interface HypervolumeSeries {
  /** [trial number, hypervolume] after each COMPLETE trial. */
  points: Array<[number, number]>;
  /** The last hypervolume and the trial that last raised it (null before any). */
  last: { value: number; raisedAt: number } | null;
}

/** The API's hypervolume history as a chart series, and the trial that last raised it. */
export function hypervolumeSeries(history: readonly HypervolumePoint[]): HypervolumeSeries {
  const sorted = [...history].sort((a, b) => a.trialNumber - b.trialNumber);
  const points = sorted
    .filter((h) => Number.isFinite(h.hypervolume))
    .map((h) => [h.trialNumber, h.hypervolume] as [number, number]);
  let last: HypervolumeSeries['last'] = null;
  for (const [n, v] of points) {
    if (last === null || v > last.value) last = { value: v, raisedAt: n };
    else last = { value: v, raisedAt: last.raisedAt };
  }
  return { points, last };
}

/** "min" / "max" after an objective's name, as axes and columns show it. */
export const directionTag = (d: Direction): string => (d === 'MINIMIZE' ? 'min' : 'max');
