/**
 * What an objective's return value means for the study it runs in (docs/DESIGN.md 6b): one value
 * per objective (study order) and, for a constrained study, one value per constraint. Pure: the
 * worker loop passes the return value and the last reported value of every metric.
 */

/** The names an objective's result is checked against, in study order. */
export interface ResultShape {
  readonly objectives: readonly string[];
  readonly constraints: readonly string[];
}

/** Values or constraint values: in study order, or by name. */
export type NamedNumbers = readonly number[] | Readonly<Record<string, number>>;

/** The `{ values, constraints }` form of an objective's result. */
export interface ObjectiveValues {
  readonly values: NamedNumbers;
  /** Omitted: each constraint is read from the last reported point of the metric with its name. */
  readonly constraints?: NamedNumbers;
}

/**
 * What an objective may return: a number (single objective), one number per objective, the
 * `{ values, constraints }` form, or nothing (every objective and constraint read from the last
 * reported point of the metric with its name).
 */
// biome-ignore lint/suspicious/noConfusingVoidType: lets `async (trial) => { ...report... }` be an objective
export type ObjectiveResult = number | readonly number[] | ObjectiveValues | undefined | null | void;

export type NormalizedResult =
  | { readonly ok: true; readonly values: number[]; readonly constraints: number[] | null }
  | { readonly ok: false; readonly error: string };

const list = (names: readonly string[]): string => names.join(', ');
const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

class Misfit extends Error {}

/** What a whole result must look like for this study, for messages about the wrong kind of value. */
function expectedForm(shape: ResultShape): string {
  const { objectives, constraints } = shape;
  const values =
    objectives.length === 1
      ? `a number (${objectives[0]})`
      : `${count(objectives.length, 'number')} (${list(objectives)})`;
  const form =
    constraints.length === 0
      ? '{ values }'
      : `{ values, constraints: ${count(constraints.length, 'number')} (${list(constraints)}) }`;
  return `${values} or ${form}`;
}

/**
 * Reads `given` (an array in study order, or a record by name) as one finite number per name.
 * `what` is "objective" or "constraint".
 */
function readNumbers(given: unknown, names: readonly string[], what: string): number[] {
  const expected = `${count(names.length, what)}${names.length > 0 ? ` (${list(names)})` : ''}`;
  if (Array.isArray(given)) {
    if (given.length !== names.length)
      throw new Misfit(
        `the objective returned ${count(given.length, `${what} value`)}, expected ${expected}`,
      );
    return given.map((v: unknown, i) => finite(v, names[i] as string, what));
  }
  if (isRecord(given)) {
    const unknown = Object.keys(given).filter((k) => !names.includes(k));
    if (unknown.length > 0)
      throw new Misfit(
        `the objective returned unknown ${what} ${list(unknown)}, expected ${names.length === 0 ? `no ${what}s` : expected}`,
      );
    const missing = names.filter((n) => !(n in given));
    if (missing.length > 0)
      throw new Misfit(`the objective returned no ${what} value for ${list(missing)}, expected ${expected}`);
    return names.map((n) => finite(given[n], n, what));
  }
  throw new Misfit(`the objective returned ${what}s as ${typeName(given)}, expected ${expected}`);
}

function finite(value: unknown, name: string, what: string): number {
  if (typeof value !== 'number') throw new Misfit(`${what} ${name} is ${typeName(value)}, expected a number`);
  if (!Number.isFinite(value)) throw new Misfit(`${what} ${name} is not finite (${value})`);
  return value;
}

/** Each name's last reported value; the names never reported make the message. */
function fromMetrics(names: readonly string[], reported: ReadonlyMap<string, number>, why: string): number[] {
  const missing = names.filter((n) => !reported.has(n));
  if (missing.length > 0)
    throw new Misfit(
      `${why} and never reported the metric${missing.length === 1 ? '' : 's'} ${list(missing)}`,
    );
  return names.map((n) => reported.get(n) as number);
}

/**
 * Turns an objective's return value into the values and constraint values to tell, or a one-line
 * reason the trial fails. `reported` holds the last finite value reported for each metric name.
 */
export function normalizeObjectiveResult(
  returned: unknown,
  shape: ResultShape,
  reported: ReadonlyMap<string, number>,
): NormalizedResult {
  const { objectives, constraints } = shape;
  try {
    let values: number[];
    let constraintValues: number[] | undefined;
    if (returned === undefined || returned === null) {
      values = fromMetrics(objectives, reported, 'the objective returned no value');
    } else if (typeof returned === 'number') {
      if (objectives.length !== 1)
        throw new Misfit(
          `the objective returned one number, expected ${count(objectives.length, 'value')} (${list(objectives)})`,
        );
      values = [finite(returned, objectives[0] as string, 'objective')];
    } else if (Array.isArray(returned)) {
      values = readNumbers(returned, objectives, 'objective');
    } else if (isRecord(returned) && 'values' in returned) {
      const extra = Object.keys(returned).filter((k) => k !== 'values' && k !== 'constraints');
      if (extra.length > 0)
        throw new Misfit(
          `the objective returned unknown field ${list(extra)}, expected ${expectedForm(shape)}`,
        );
      values = readNumbers(returned.values, objectives, 'objective');
      if (returned.constraints !== undefined)
        constraintValues = readNumbers(returned.constraints, constraints, 'constraint');
    } else {
      throw new Misfit(`the objective returned ${typeName(returned)}, expected ${expectedForm(shape)}`);
    }
    constraintValues ??=
      constraints.length === 0
        ? []
        : fromMetrics(constraints, reported, 'the objective returned no constraint values');
    return { ok: true, values, constraints: constraints.length === 0 ? null : constraintValues };
  } catch (error) {
    if (error instanceof Misfit) return { ok: false, error: error.message };
    throw error;
  }
}
