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
  const mine = finite(trial);
  const last = mine[mine.length - 1];
  if (!last || config.type === 'none') return false;
  if (config.type === 'median') {
    if (last.step < config.warmupSteps) return false;
    const atStep: number[] = [];
    for (const o of others) {
      if (o.state !== 'COMPLETE') continue;
      const v = o.values.find((p) => p.step === last.step && !Number.isNaN(p.value));
      if (v) atStep.push(v.value);
    }
    if (atStep.length < config.minTrials) return false;
    let best = mine[0]?.value ?? last.value;
    for (const v of mine) if (isBetter(direction, v.value, best)) best = v.value;
    return isBetter(direction, median(atStep), best);
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
  if (rung < 0) return false;
  const resource = config.minResource * eta ** (rung + config.minEarlyStoppingRate);
  const rungValue = (values: IntermediateValue[]): number | null => {
    const v = values.find((p) => p.step >= resource);
    return v ? v.value : null;
  };
  const mineAt = rungValue(mine);
  if (mineAt === null) return false;
  const competitors: number[] = [mineAt];
  for (const o of others) {
    const v = rungValue(finite(o.values));
    if (v !== null) competitors.push(v);
  }
  if (competitors.length < config.minTrials) return false;
  competitors.sort((a, b) => (direction === 'MINIMIZE' ? a - b : b - a));
  const promotable = Math.max(1, Math.floor(competitors.length / eta));
  const threshold = competitors[promotable - 1] ?? mineAt;
  return isBetter(direction, threshold, mineAt);
}
