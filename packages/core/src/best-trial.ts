import { type Direction, isBetter } from './direction.js';

/** What a trial needs to compete for best: only COMPLETE trials with a finite value count. */
export interface Scored {
  readonly number: number;
  readonly state: string;
  readonly value: number | null;
}

/** The best COMPLETE trial for the direction; on a tie the earlier one in `trials` order. */
export function bestTrial<T extends Scored>(direction: Direction, trials: readonly T[]): T | null {
  let best: T | null = null;
  let bestValue = 0;
  for (const trial of trials) {
    const value = trial.value;
    if (trial.state !== 'COMPLETE' || value === null || !Number.isFinite(value)) continue;
    if (best === null || isBetter(direction, value, bestValue)) {
      best = trial;
      bestValue = value;
    }
  }
  return best;
}
