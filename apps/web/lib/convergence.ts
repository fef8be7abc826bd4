import { isBetter } from '@posterior/core';
import { isInfeasible } from './pareto.ts';
import type { Direction, Trial } from './types.ts';

/** [trial number, value, trial index in the input] */
export type XY = [number, number];

export interface ConvergenceData {
  /** Finished trials with a value: [number, value] (feasible ones, in a constrained study). */
  complete: XY[];
  /** COMPLETE trials that break a constraint: drawn hollow, never the best. */
  infeasible: XY[];
  /** Pruned trials at their last known value (if any). */
  pruned: XY[];
  /**
   * Failed trials (and pruned without a value): [number, 0], drawn in a strip of their own under the
   * plot. Never on the value axis: at any value there they would read as results (below the best, as
   * the best results of a minimization).
   */
  failed: XY[];
  /** Best value so far, one point per trial that improved it, extended to the last trial. */
  best: XY[];
  /** Whether a log y axis is possible (every plotted value is > 0). */
  logPossible: boolean;
  /** Trial id by trial number, for click-through. */
  idByNumber: Map<number, string>;
  bestTrial: { number: number; value: number } | null;
}

/**
 * Shapes trials for the convergence plot: every trial's value and the running best of COMPLETE trials.
 * Only COMPLETE trials define the best; pruned values are intermediate and never count, nor do
 * infeasible trials (a constraint above 0).
 */
export function buildConvergence(trials: readonly Trial[], direction: Direction): ConvergenceData {
  const sorted = [...trials].sort((a, b) => a.number - b.number);
  const complete: XY[] = [];
  const infeasible: XY[] = [];
  const pruned: XY[] = [];
  const failedNumbers: number[] = [];
  const best: XY[] = [];
  const idByNumber = new Map<number, string>();
  let bestValue: number | null = null;
  let bestNumber = -1;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let lastNumber = 0;
  for (const t of sorted) {
    idByNumber.set(t.number, t.id);
    const v = t.value;
    const finite = v !== null && Number.isFinite(v);
    if (t.state === 'COMPLETE' && finite && isInfeasible(t)) {
      infeasible.push([t.number, v]);
    } else if (t.state === 'COMPLETE' && finite) {
      complete.push([t.number, v]);
      if (bestValue === null || isBetter(direction, v, bestValue)) {
        bestValue = v;
        bestNumber = t.number;
        best.push([t.number, v]);
      }
    } else if (t.state === 'PRUNED' && finite) {
      pruned.push([t.number, v]);
    } else if (t.state === 'FAILED' || t.state === 'PRUNED' || (t.state === 'COMPLETE' && !finite)) {
      failedNumbers.push(t.number);
    } else {
      continue;
    }
    lastNumber = t.number;
    if (finite) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const last = best[best.length - 1];
  if (last && last[0] < lastNumber) best.push([lastNumber, last[1]]);
  const hasValues = Number.isFinite(min);
  const logPossible = hasValues && min > 0;
  return {
    complete,
    infeasible,
    pruned,
    failed: failedNumbers.map((n) => [n, 0]),
    best,
    logPossible,
    idByNumber,
    bestTrial: bestValue === null ? null : { number: bestNumber, value: bestValue },
  };
}

/** Running best of a plain value history (the studies-list sparkline). */
export function runningBest(values: readonly number[], direction: Direction): number[] {
  const out: number[] = [];
  let b: number | null = null;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (b === null || isBetter(direction, v, b)) b = v;
    out.push(b);
  }
  return out;
}
