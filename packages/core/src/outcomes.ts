import type { Direction } from './direction.js';

/**
 * The rules for several objectives and outcome constraints (docs/DESIGN.md 6f), shared by the API,
 * the report and the dashboard so that "feasible" and "on the front" mean one thing everywhere.
 */

/** Whether told constraint values are all satisfied (<= 0; NaN never is). None told: true. */
export function satisfiesConstraints(constraints: readonly number[] | null | undefined): boolean {
  return (constraints ?? []).every((c) => c <= 0);
}

/**
 * Whether `a` dominates `b` under per-objective directions: no worse on every objective, better on
 * one. (The optimizer's hot loops compare rows already turned into minimization instead.)
 */
export function dominates(
  a: readonly number[],
  b: readonly number[],
  directions: readonly Direction[],
): boolean {
  let better = false;
  for (let j = 0; j < a.length; j++) {
    const sign = directions[j] === 'MAXIMIZE' ? -1 : 1;
    const x = sign * (a[j] as number);
    const y = sign * (b[j] as number);
    if (x > y) return false;
    if (x < y) better = true;
  }
  return better;
}
