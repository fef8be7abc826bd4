import { SearchSpaceError } from './errors.js';

/**
 * Search spaces (docs/DESIGN.md section 3) and their unit-cube encoding.
 *
 * The model sees one coordinate per parameter:
 * - float without step: (x - low) / (high - low), or the same in log space;
 * - int and stepped float: the grid is widened by half a step on each side so that every grid value
 *   owns an equal cell of [0, 1] (log ints widen by 0.5 in log space, as Optuna does); the encoded
 *   value is the cell centre, so rounding a relaxed coordinate picks the nearest grid value;
 * - categorical: the choice index (0..C-1). Kernels treat this coordinate as a category (distance 0
 *   or 1), never as an ordered number.
 */
export type ParamValue = number | string | boolean;
export type Params = Record<string, ParamValue>;

/**
 * Conditional parameters: active only while `parent` (a categorical or int parameter, itself active)
 * takes one of `values`. Inactive parameters are absent from trial params.
 */
export interface ActiveWhen {
  parent: string;
  values: readonly ParamValue[];
}

export interface FloatParamSpec {
  name: string;
  when?: ActiveWhen;
  type: 'float';
  low: number;
  high: number;
  log?: boolean;
  step?: number;
}
export interface IntParamSpec {
  name: string;
  when?: ActiveWhen;
  type: 'int';
  low: number;
  high: number;
  log?: boolean;
  step?: number;
}
export interface CategoricalParamSpec {
  name: string;
  when?: ActiveWhen;
  type: 'categorical';
  choices: readonly ParamValue[];
}
export type ParamSpec = FloatParamSpec | IntParamSpec | CategoricalParamSpec;

export type DimKind = 'continuous' | 'grid' | 'categorical';

/** One parameter's encoding. `size` is the number of distinct values (Infinity when continuous). */
export interface Dim {
  readonly name: string;
  readonly spec: ParamSpec;
  readonly kind: DimKind;
  readonly size: number;
  /** Model coordinate of an in-space value. */
  encode(value: ParamValue): number;
  /** In-space value of any model coordinate (clamped, rounded to the grid or the choices). */
  decode(x: number): ParamValue;
  /** Model coordinate of u in [0, 1): uniform over the parameter's range or choices. */
  fromUnit(u: number): number;
  /** Snaps a relaxed model coordinate onto a representable one. */
  snap(x: number): number;
  /** Index of a snapped coordinate on the grid or among the choices (-1 when continuous). */
  index(x: number): number;
  /** Model coordinate of grid or choice index k. */
  at(k: number): number;
}

export interface SearchSpace {
  readonly params: readonly ParamSpec[];
  /** Validates a params object against the space (enqueueTrial); throws SearchSpaceError naming it. */
  validateParams(input: unknown): Params;
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const clamp01 = (x: number): number => (x < 0 ? 0 : Math.min(x, 1));
/** Removes float noise such as 0.15000000000000002 from grid values. */
const tidy = (x: number): number => Number.parseFloat(x.toPrecision(15));

class ContinuousDim implements Dim {
  readonly kind = 'continuous' as const;
  readonly size = Number.POSITIVE_INFINITY;
  private readonly a: number;
  private readonly b: number;
  constructor(
    readonly spec: FloatParamSpec,
    private readonly log: boolean,
  ) {
    this.a = log ? Math.log(spec.low) : spec.low;
    this.b = log ? Math.log(spec.high) : spec.high;
  }
  get name(): string {
    return this.spec.name;
  }
  encode(value: ParamValue): number {
    const v = Number(value);
    if (this.b === this.a) return 0.5;
    return clamp01(((this.log ? Math.log(v) : v) - this.a) / (this.b - this.a));
  }
  decode(x: number): ParamValue {
    const t = this.a + clamp01(x) * (this.b - this.a);
    const v = this.log ? Math.exp(t) : t;
    return Math.min(this.spec.high, Math.max(this.spec.low, v));
  }
  fromUnit(u: number): number {
    return this.snap(u);
  }
  snap(x: number): number {
    // A float with low == high has one value: one coordinate, or equal params would get distinct keys.
    return this.b === this.a ? 0.5 : clamp01(x);
  }
  index(): number {
    return -1;
  }
  at(): number {
    return 0.5;
  }
}

/** Ints and stepped floats: values low + k * step for k = 0..size-1. */
class GridDim implements Dim {
  readonly kind = 'grid' as const;
  readonly size: number;
  private readonly step: number;
  private readonly logA: number;
  private readonly logB: number;
  constructor(
    readonly spec: FloatParamSpec | IntParamSpec,
    private readonly log: boolean,
  ) {
    this.step = spec.step ?? 1;
    this.size = Math.floor((spec.high - spec.low) / this.step + 1e-9) + 1;
    this.logA = log ? Math.log(spec.low - 0.5) : 0;
    this.logB = log ? Math.log(spec.high + 0.5) : 0;
  }
  get name(): string {
    return this.spec.name;
  }
  private valueAt(k: number): number {
    const v = this.spec.low + k * this.step;
    return this.spec.type === 'int' ? Math.round(v) : tidy(v);
  }
  private indexOfValue(v: number): number {
    const k = Math.round((v - this.spec.low) / this.step);
    return k < 0 ? 0 : k >= this.size ? this.size - 1 : k;
  }
  at(k: number): number {
    if (!this.log) return (k + 0.5) / this.size;
    if (this.logB === this.logA) return 0.5;
    return (Math.log(this.valueAt(k)) - this.logA) / (this.logB - this.logA);
  }
  index(x: number): number {
    const u = clamp01(x);
    if (!this.log) return Math.min(this.size - 1, Math.floor(u * this.size));
    return this.indexOfValue(Math.exp(this.logA + u * (this.logB - this.logA)));
  }
  encode(value: ParamValue): number {
    return this.at(this.indexOfValue(Number(value)));
  }
  decode(x: number): ParamValue {
    return this.valueAt(this.index(x));
  }
  fromUnit(u: number): number {
    return this.at(this.index(u));
  }
  snap(x: number): number {
    return this.at(this.index(x));
  }
}

class CategoricalDim implements Dim {
  readonly kind = 'categorical' as const;
  readonly size: number;
  constructor(readonly spec: CategoricalParamSpec) {
    this.size = spec.choices.length;
  }
  get name(): string {
    return this.spec.name;
  }
  encode(value: ParamValue): number {
    return this.spec.choices.indexOf(value);
  }
  decode(x: number): ParamValue {
    const choice = this.spec.choices[this.index(x)];
    if (choice === undefined) throw new SearchSpaceError(this.name, 'choice index out of range');
    return choice;
  }
  fromUnit(u: number): number {
    return Math.min(this.size - 1, Math.floor(clamp01(u) * this.size));
  }
  snap(x: number): number {
    return this.index(x);
  }
  index(x: number): number {
    const k = Math.round(x);
    return k < 0 ? 0 : k >= this.size ? this.size - 1 : k;
  }
  at(k: number): number {
    return k;
  }
}

/** A parsed, validated search space with its encoding. */
export class ParsedSearchSpace implements SearchSpace {
  readonly dims: readonly Dim[];
  /** Number of distinct points when every parameter is discrete, else Infinity. */
  readonly cardinality: number;
  /** Whether some parameter has a `when` condition. */
  readonly conditional: boolean;
  /** Per parameter: the index of its parent (-1 for unconditional ones), shape: D. */
  readonly parent: Int32Array;
  /** Per parameter: the parent's grid or choice indices that activate it (null when unconditional). */
  readonly activating: ReadonlyArray<ReadonlySet<number> | null>;
  /** Parameter indices with every parent before its children. */
  readonly order: readonly number[];
  private readonly activeScratch: Uint8Array<ArrayBuffer>;
  constructor(readonly params: readonly ParamSpec[]) {
    this.dims = params.map((p) => {
      if (p.type === 'categorical') return new CategoricalDim(p);
      if (p.type === 'int' || p.step !== undefined) return new GridDim(p, p.log === true);
      return new ContinuousDim(p, p.log === true);
    });
    // An upper bound for conditional spaces (inactive coordinates are counted as if free); the
    // enumerations that use it canonicalize and deduplicate by key.
    this.cardinality = this.dims.reduce((acc, d) => acc * d.size, 1);
    const tree = conditionTree(params, this.dims);
    this.parent = tree.parent;
    this.activating = tree.activating;
    this.order = tree.order;
    this.conditional = tree.order.some((i) => (tree.parent[i] ?? -1) >= 0);
    this.activeScratch = new Uint8Array(params.length);
  }

  /** Which parameters are active at model point x (shape: D) into out (1 active, 0 inactive). */
  activeMask(x: ArrayLike<number>, out: Uint8Array = new Uint8Array(this.dims.length)): Uint8Array {
    if (!this.conditional) return out.fill(1);
    for (const i of this.order) {
      const p = this.parent[i] ?? -1;
      if (p < 0) {
        out[i] = 1;
        continue;
      }
      const set = this.activating[i];
      const parentDim = this.dims[p] as Dim;
      out[i] = out[p] === 1 && set?.has(parentDim.index(x[p] ?? 0)) ? 1 : 0;
    }
    return out;
  }

  /**
   * The canonical coordinate of an inactive parameter: every configuration of the tree has one model
   * point, so duplicates share a key and the padded encoding is well defined.
   */
  inactiveCoordinate(i: number): number {
    const d = this.dims[i] as Dim;
    return d.kind === 'categorical' ? 0 : d.snap(0.5);
  }

  /** Sets the coordinates of inactive parameters of x (shape: D) to their canonical value, in place. */
  canonicalize(x: Float64Array): Float64Array {
    if (!this.conditional) return x;
    const active = this.activeMask(x, this.activeScratch);
    for (let i = 0; i < x.length; i++) if (active[i] === 0) x[i] = this.inactiveCoordinate(i);
    return x;
  }

  get dimension(): number {
    return this.dims.length;
  }

  /** Model coordinates of params already known to be inside the space. */
  encode(params: Params, out = new Float64Array(this.dims.length)): Float64Array {
    if (this.conditional) return this.encodeConditional(params, out);
    this.dims.forEach((d, i) => {
      const v = params[d.name];
      if (v === undefined) throw new SearchSpaceError(`params.${d.name}`, 'missing');
      out[i] = d.encode(v);
    });
    return out;
  }

  /**
   * Model coordinates of params that may not match the tree (a surrogate slice that sets a parent):
   * inactive parameters are ignored and missing active ones take their canonical coordinate.
   */
  encodeLenient(params: Params, out = new Float64Array(this.dims.length)): Float64Array {
    return this.encodeConditional(params, out, true);
  }

  /** Parents first; inactive parameters take their canonical coordinate whatever params say. */
  private encodeConditional(params: Params, out: Float64Array, lenient = false): Float64Array {
    const active = this.activeScratch;
    for (const i of this.order) {
      const d = this.dims[i] as Dim;
      const p = this.parent[i] ?? -1;
      const on =
        p < 0 || (active[p] === 1 && this.activating[i]?.has((this.dims[p] as Dim).index(out[p] ?? 0)));
      active[i] = on ? 1 : 0;
      if (!on) {
        out[i] = this.inactiveCoordinate(i);
        continue;
      }
      const v = params[d.name];
      if (v === undefined && lenient) {
        out[i] = this.inactiveCoordinate(i);
        continue;
      }
      if (v === undefined) throw new SearchSpaceError(`params.${d.name}`, 'missing');
      out[i] = d.encode(v);
    }
    return out;
  }

  /** Params of model coordinates x (shape: nParams): only the active parameters. */
  decode(x: ArrayLike<number>): Params {
    const out: Params = {};
    const active = this.conditional ? this.activeMask(x, this.activeScratch) : null;
    this.dims.forEach((d, i) => {
      if (active && active[i] === 0) return;
      out[d.name] = d.decode(x[i] ?? 0);
    });
    return out;
  }

  /** Snaps x (shape: nParams) in place onto a representable, canonical point and returns it. */
  snap(x: Float64Array): Float64Array {
    const dims = this.dims;
    for (let i = 0; i < dims.length; i++) x[i] = (dims[i] as Dim).snap(x[i] ?? 0);
    return this.canonicalize(x);
  }

  /** Model point of a unit-cube point u (shape: nParams), canonical. */
  fromUnit(u: ArrayLike<number>, out = new Float64Array(this.dims.length)): Float64Array {
    // A plain loop: this runs for every QMC candidate, and a forEach closure per call adds up.
    const dims = this.dims;
    for (let i = 0; i < dims.length; i++) out[i] = (dims[i] as Dim).fromUnit(u[i] ?? 0);
    return this.canonicalize(out);
  }

  /** Identity of a snapped point, for duplicate detection. */
  key(x: ArrayLike<number>): string {
    const active = this.conditional ? this.activeMask(x, this.activeScratch) : null;
    let s = '';
    this.dims.forEach((d, i) => {
      if (active && active[i] === 0) {
        s += '-,';
        return;
      }
      const v = x[i] ?? 0;
      s += `${d.kind === 'continuous' ? v : d.index(v)},`;
    });
    return s;
  }

  validateParams(input: unknown): Params {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new SearchSpaceError('params', 'must be an object of parameter name to value');
    }
    const record = input as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!this.params.some((p) => p.name === key)) {
        throw new SearchSpaceError(`params.${key}`, 'is not a parameter of the search space');
      }
    }
    const out: Params = {};
    const active = new Uint8Array(this.params.length);
    for (const i of this.order) {
      const spec = this.params[i] as ParamSpec;
      const path = `params.${spec.name}`;
      const v = record[spec.name];
      const p = this.parent[i] ?? -1;
      if (p >= 0) {
        const parentSpec = this.params[p] as ParamSpec;
        const parentValue = out[parentSpec.name];
        const on = active[p] === 1 && parentValue !== undefined && spec.when?.values.includes(parentValue);
        if (!on) {
          if (v !== undefined) {
            const why =
              active[p] === 1
                ? `${parentSpec.name} is ${JSON.stringify(parentValue)}`
                : `${parentSpec.name} is inactive`;
            throw new SearchSpaceError(path, `is inactive (${why}); omit it`);
          }
          continue;
        }
      }
      active[i] = 1;
      if (v === undefined) throw new SearchSpaceError(path, 'missing');
      if (spec.type === 'categorical') {
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
          throw new SearchSpaceError(path, 'must be one of the choices');
        }
        if (!spec.choices.includes(v)) {
          throw new SearchSpaceError(path, `${JSON.stringify(v)} is not one of the choices`);
        }
        out[spec.name] = v;
        continue;
      }
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new SearchSpaceError(path, 'must be a finite number');
      if (spec.type === 'int' && !Number.isInteger(v)) throw new SearchSpaceError(path, 'must be an integer');
      const eps = 1e-9 * Math.max(1, Math.abs(spec.high - spec.low));
      if (v < spec.low - eps || v > spec.high + eps) {
        throw new SearchSpaceError(path, `${v} is outside [${spec.low}, ${spec.high}]`);
      }
      if (spec.step !== undefined) {
        const k = (v - spec.low) / spec.step;
        if (Math.abs(k - Math.round(k)) > 1e-6) {
          throw new SearchSpaceError(path, `${v} is not on the grid low + k * ${spec.step}`);
        }
      }
      out[spec.name] = Math.min(spec.high, Math.max(spec.low, v));
    }
    if (!this.conditional) return out;
    // Keys in the order of the space, as for unconditional spaces.
    const ordered: Params = {};
    for (const spec of this.params) {
      const v = out[spec.name];
      if (v !== undefined) ordered[spec.name] = v;
    }
    return ordered;
  }
}

interface ConditionTree {
  parent: Int32Array;
  activating: Array<Set<number> | null>;
  order: number[];
}

/**
 * Resolves `when` conditions (already checked against their parents by parseSearchSpace, or trusted
 * when a ParsedSearchSpace is built directly) into parent indices, activating index sets and a
 * parents-first order.
 */
function conditionTree(params: readonly ParamSpec[], dims: readonly Dim[]): ConditionTree {
  const index = new Map(params.map((p, i) => [p.name, i]));
  const parent = new Int32Array(params.length).fill(-1);
  const activating: Array<Set<number> | null> = params.map(() => null);
  params.forEach((p, i) => {
    if (!p.when) return;
    const j = index.get(p.when.parent);
    const parentDim = j === undefined ? undefined : dims[j];
    if (j === undefined || !parentDim)
      throw new SearchSpaceError(p.name, `unknown parent "${p.when.parent}"`);
    parent[i] = j;
    activating[i] = new Set(p.when.values.map((v) => parentDim.index(parentDim.encode(v))));
  });
  const order: number[] = [];
  const state = new Uint8Array(params.length); // 0 unvisited, 1 on the path, 2 done
  const visit = (i: number): void => {
    if (state[i] === 2) return;
    if (state[i] === 1) throw new SearchSpaceError((params[i] as ParamSpec).name, 'conditions form a cycle');
    state[i] = 1;
    const j = parent[i] ?? -1;
    if (j >= 0) visit(j);
    state[i] = 2;
    order.push(i);
  };
  for (let i = 0; i < params.length; i++) visit(i);
  return { parent, activating, order };
}

/** Parses docs/DESIGN.md section 3; every error names the offending entry, e.g. "searchSpace[2].high". */
export function parseSearchSpace(input: unknown): ParsedSearchSpace {
  if (input instanceof ParsedSearchSpace) return input;
  if (typeof input === 'object' && input !== null && 'params' in input && !Array.isArray(input)) {
    return parseSearchSpace((input as { params: unknown }).params);
  }
  if (!Array.isArray(input)) throw new SearchSpaceError('searchSpace', 'must be an array of parameters');
  if (input.length === 0) throw new SearchSpaceError('searchSpace', 'must contain at least one parameter');
  const seen = new Set<string>();
  const params = input.map((entry: unknown, i: number) => {
    const spec = parseParam(entry, `searchSpace[${i}]`);
    if (seen.has(spec.name))
      throw new SearchSpaceError(`searchSpace[${i}].name`, `duplicate name "${spec.name}"`);
    seen.add(spec.name);
    return spec;
  });
  checkConditions(params);
  return new ParsedSearchSpace(params);
}

/** Parents exist, are categorical or int, list only their own values, and form no cycle. */
function checkConditions(params: readonly ParamSpec[]): void {
  const index = new Map(params.map((p, i) => [p.name, i]));
  params.forEach((spec, i) => {
    const when = spec.when;
    if (!when) return;
    const path = `searchSpace[${i}].when`;
    const j = index.get(when.parent);
    const parent = j === undefined ? undefined : params[j];
    if (parent === undefined) {
      throw new SearchSpaceError(`${path}.parent`, `"${spec.name}" names unknown parameter "${when.parent}"`);
    }
    if (parent.name === spec.name)
      throw new SearchSpaceError(`${path}.parent`, `"${spec.name}" cannot depend on itself`);
    if (parent.type === 'float') {
      throw new SearchSpaceError(
        `${path}.parent`,
        `"${parent.name}" is a float; a parent must be categorical or int`,
      );
    }
    when.values.forEach((v, k) => {
      if (!isValueOf(parent, v)) {
        throw new SearchSpaceError(
          `${path}.values[${k}]`,
          `${JSON.stringify(v)} is not a value of "${parent.name}"`,
        );
      }
    });
  });
  params.forEach((spec, i) => {
    const path: string[] = [spec.name];
    let at = spec;
    while (at.when) {
      const next = params[index.get(at.when.parent) ?? -1];
      if (!next) return;
      if (next.name === spec.name) {
        throw new SearchSpaceError(
          `searchSpace[${i}].when`,
          `conditions form a cycle: ${[...path, spec.name].join(' -> ')}`,
        );
      }
      if (path.includes(next.name)) return; // a cycle further up, reported at its own entry
      path.push(next.name);
      at = next;
    }
  });
}

function isValueOf(spec: ParamSpec, v: ParamValue): boolean {
  if (spec.type === 'categorical') return spec.choices.includes(v);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < spec.low || v > spec.high) return false;
  const step = spec.step ?? 1;
  return Number.isInteger((v - spec.low) / step);
}

function parseWhen(input: unknown, path: string): ActiveWhen {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new SearchSpaceError(path, 'must be an object { "parent": name, "values": [...] }');
  }
  const w = input as Record<string, unknown>;
  for (const key of Object.keys(w)) {
    if (key !== 'parent' && key !== 'values') throw new SearchSpaceError(`${path}.${key}`, 'unknown field');
  }
  if (typeof w.parent !== 'string' || w.parent.length === 0) {
    throw new SearchSpaceError(`${path}.parent`, 'must name a parameter');
  }
  if (!Array.isArray(w.values) || w.values.length === 0) {
    throw new SearchSpaceError(`${path}.values`, "must be a non-empty array of the parent's values");
  }
  const values: ParamValue[] = [];
  w.values.forEach((v: unknown, k: number) => {
    const ok =
      typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
    if (!ok) throw new SearchSpaceError(`${path}.values[${k}]`, 'must be a string, finite number or boolean');
    if (values.includes(v as ParamValue))
      throw new SearchSpaceError(`${path}.values[${k}]`, 'duplicate value');
    values.push(v as ParamValue);
  });
  return { parent: w.parent, values };
}

const NUMERIC_FIELDS = new Set(['name', 'type', 'low', 'high', 'log', 'step', 'when']);
const CATEGORICAL_FIELDS = new Set(['name', 'type', 'choices', 'when']);

function parseParam(entry: unknown, path: string): ParamSpec {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new SearchSpaceError(path, 'must be an object');
  }
  const e = entry as Record<string, unknown>;
  if (typeof e.name !== 'string' || !NAME.test(e.name)) {
    throw new SearchSpaceError(`${path}.name`, 'must be 1-64 characters of [A-Za-z0-9_.-]');
  }
  const name = e.name;
  const allowed = e.type === 'categorical' ? CATEGORICAL_FIELDS : NUMERIC_FIELDS;
  for (const key of Object.keys(e)) {
    if (!allowed.has(key)) throw new SearchSpaceError(`${path}.${key}`, `unknown field for "${name}"`);
  }
  if (e.type === 'categorical') {
    if (!Array.isArray(e.choices) || e.choices.length === 0) {
      throw new SearchSpaceError(`${path}.choices`, 'must be a non-empty array');
    }
    const choices: ParamValue[] = [];
    e.choices.forEach((c: unknown, j: number) => {
      const ok =
        typeof c === 'string' || typeof c === 'boolean' || (typeof c === 'number' && Number.isFinite(c));
      if (!ok)
        throw new SearchSpaceError(`${path}.choices[${j}]`, 'must be a string, finite number or boolean');
      if (choices.includes(c as ParamValue))
        throw new SearchSpaceError(`${path}.choices[${j}]`, 'duplicate choice');
      choices.push(c as ParamValue);
    });
    const spec: CategoricalParamSpec = { name, type: 'categorical', choices };
    if (e.when !== undefined) spec.when = parseWhen(e.when, `${path}.when`);
    return spec;
  }
  if (e.type !== 'float' && e.type !== 'int') {
    throw new SearchSpaceError(`${path}.type`, 'must be "float", "int" or "categorical"');
  }
  const type = e.type;
  for (const field of ['low', 'high'] as const) {
    const v = e[field];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new SearchSpaceError(`${path}.${field}`, 'must be a finite number');
    }
    if (type === 'int' && !Number.isInteger(v))
      throw new SearchSpaceError(`${path}.${field}`, 'must be an integer');
  }
  const low = e.low as number;
  const high = e.high as number;
  if (high < low) throw new SearchSpaceError(`${path}.high`, `must be >= low (${low})`);
  if (e.log !== undefined && typeof e.log !== 'boolean')
    throw new SearchSpaceError(`${path}.log`, 'must be a boolean');
  const log = e.log === true;
  if (log && low <= 0) throw new SearchSpaceError(`${path}.low`, 'must be > 0 when log is true');
  let step: number | undefined;
  if (e.step !== undefined) {
    if (typeof e.step !== 'number' || !Number.isFinite(e.step) || e.step <= 0) {
      throw new SearchSpaceError(`${path}.step`, 'must be a positive number');
    }
    if (type === 'int' && !Number.isInteger(e.step))
      throw new SearchSpaceError(`${path}.step`, 'must be an integer');
    if (log) throw new SearchSpaceError(`${path}.step`, 'cannot be combined with log');
    step = e.step;
  }
  const spec: FloatParamSpec | IntParamSpec = { name, type, low, high };
  if (log) spec.log = true;
  if (step !== undefined) spec.step = step;
  if (e.when !== undefined) spec.when = parseWhen(e.when, `${path}.when`);
  return spec;
}
