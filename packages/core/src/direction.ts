/** Which objective value is better for a study's direction: the one comparison every view shares. */

export const DIRECTIONS = ['MINIMIZE', 'MAXIMIZE'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** True when `a` is strictly better than `b` (ties keep the earlier value). */
export function isBetter(direction: Direction, a: number, b: number): boolean {
  return direction === 'MINIMIZE' ? a < b : a > b;
}

/** The value every real value beats: the start of a best-so-far scan. */
export function worstValue(direction: Direction): number {
  return direction === 'MINIMIZE' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
}
