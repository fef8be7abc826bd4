import type { Direction, Trial } from './types.ts';

/**
 * Which objective the per-objective charts (slice, contour, EDF, importance, surrogate) of a
 * multi-objective study show: the `obj` URL key, an objective's index in study order. Anything else
 * (absent, not a number, out of range) is the first objective, as a single-objective study always is.
 */
export function objectiveIndex(param: string | null, count: number): number {
  if (param === null || !/^\d+$/.test(param)) return 0;
  const i = Number(param);
  return i < count ? i : 0;
}

/** The URL value for an objective index: none for the first (the default), so links stay short. */
export const objectiveParam = (index: number): string | null => (index > 0 ? String(index) : null);

/**
 * The trials as those charts read them for objective `index`: `value` becomes that objective's told
 * value (null when the trial has none). The first objective is `value` already (the API's primary
 * value), so index 0 returns the very same array and single-objective studies are untouched.
 */
export function trialsForObjective(trials: readonly Trial[], index: number): readonly Trial[] {
  if (index === 0) return trials;
  return trials.map((t) => ({ ...t, value: t.values?.[index] ?? null }));
}

/** The chosen objective's name and direction, falling back to the study's primary one. */
export function objectiveAt(
  objectives: ReadonlyArray<{ name: string; direction: Direction }>,
  index: number,
  fallback: { name: string; direction: Direction },
): { name: string; direction: Direction } {
  return objectives[index] ?? fallback;
}
