import { isBetter } from '@posterior/core';
import type { Direction, PrunerConfig } from './config.js';

/**
 * Pruners decide from intermediate values whether a running trial should stop. Both are stateless:
 * the decision is a function of the trial's reports and the other trials' reports.
 *
 * - median: after `warmupSteps`, prune when the trial's best value so far is worse than the median
 *   of the COMPLETE trials' values at the same step (needs `minTrials` such trials);
 * - asha (asynchronous successive halving): rung r sits at minResource * eta^(r + s); when a report
 *   first crosses a rung, the trial continues only if its value there is in the top 1/eta of all
 *   trials that reached the rung (at least `minTrials` of them, counting this one).
 */
export interface IntermediateValue {
  step: number;
  value: number;
}

export interface OtherTrial {
  state: 'COMPLETE' | 'PRUNED' | 'RUNNING';
  values: ReadonlyArray<IntermediateValue>;
}

function finite(values: ReadonlyArray<IntermediateValue>): IntermediateValue[] {
  return values
    .filter((v) => Number.isFinite(v.step) && !Number.isNaN(v.value))
    .sort((a, b) => a.step - b.step);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

export function shouldPrune(
  config: PrunerConfig,
  direction: Direction,
  trial: ReadonlyArray<IntermediateValue>,
  others: ReadonlyArray<OtherTrial>,
): boolean {
  return pruneDecision(config, direction, trial, others) !== null;
}

/** Why a pruner stops a trial: the step of the report it judged, and the comparison in words. */
export interface PruneDecision {
  step: number;
  reason: string;
}

/** A number as a reason prints it: 4 significant digits. */
const fmt = (x: number): string => String(Number(x.toPrecision(4)));

/** The pruner's verdict on the trial's latest report: why to stop it, or null to let it run. */
export function pruneDecision(
  config: PrunerConfig,
  direction: Direction,
  trial: ReadonlyArray<IntermediateValue>,
  others: ReadonlyArray<OtherTrial>,
): PruneDecision | null {
  const mine = finite(trial);
  const last = mine[mine.length - 1];
  if (!last || config.type === 'none') return null;
  if (config.type === 'median') {
    if (last.step < config.warmupSteps) return null;
    const atStep: number[] = [];
    for (const o of others) {
      if (o.state !== 'COMPLETE') continue;
      const v = o.values.find((p) => p.step === last.step && !Number.isNaN(p.value));
      if (v) atStep.push(v.value);
    }
    if (atStep.length < config.minTrials) return null;
    let best = mine[0]?.value ?? last.value;
    for (const v of mine) if (isBetter(direction, v.value, best)) best = v.value;
    const m = median(atStep);
    if (!isBetter(direction, m, best)) return null;
    return {
      step: last.step,
      reason:
        `median of ${atStep.length} completed trials at step ${last.step} was ${fmt(m)}; ` +
        `this trial's best so far ${fmt(best)}`,
    };
  }
  const eta = config.reductionFactor;
  const prev =
    mine.length > 1 ? (mine[mine.length - 2]?.step ?? Number.NEGATIVE_INFINITY) : Number.NEGATIVE_INFINITY;
  // Highest rung crossed by the latest report.
  let rung = -1;
  for (let r = 0; ; r++) {
    const resource = config.minResource * eta ** (r + config.minEarlyStoppingRate);
    if (resource > last.step) break;
    if (resource > prev) rung = r;
    if (r > 64) break;
  }
  if (rung < 0) return null;
  const resource = config.minResource * eta ** (rung + config.minEarlyStoppingRate);
  const rungValue = (values: IntermediateValue[]): number | null => {
    const v = values.find((p) => p.step >= resource);
    return v ? v.value : null;
  };
  const mineAt = rungValue(mine);
  if (mineAt === null) return null;
  const competitors: number[] = [mineAt];
  for (const o of others) {
    const v = rungValue(finite(o.values));
    if (v !== null) competitors.push(v);
  }
  if (competitors.length < config.minTrials) return null;
  competitors.sort((a, b) => (direction === 'MINIMIZE' ? a - b : b - a));
  const promotable = Math.max(1, Math.floor(competitors.length / eta));
  const threshold = competitors[promotable - 1] ?? mineAt;
  if (!isBetter(direction, threshold, mineAt)) return null;
  return {
    step: last.step,
    reason:
      `ASHA rung ${rung} (step ${fmt(resource)}): only the top ${promotable} of ${competitors.length} ` +
      `trials go on (cut-off ${fmt(threshold)}); this trial ${fmt(mineAt)}`,
  };
}
