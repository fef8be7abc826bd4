import type { ActiveWhen, FloatParam, IntParam, ParamSpec, ParamValue, SearchSpace } from './types.ts';

export const NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;

/** One row of the search-space editor: every field as the user typed it. */
export interface ParamDraft {
  key: string;
  name: string;
  type: 'float' | 'int' | 'categorical';
  low: string;
  high: string;
  log: boolean;
  step: string;
  /** Comma-separated choices. */
  choices: string;
  /**
   * A conditional parameter's condition (docs/DESIGN.md section 3), carried through unedited so that
   * a cloned or imported conditional space keeps its tree; the API validates it.
   */
  when?: ActiveWhen;
}

export type FieldErrors = Record<string, string>;

let keySeq = 0;
export const newKey = (): string => `p${++keySeq}`;

export function emptyDraft(type: ParamDraft['type'] = 'float', name = ''): ParamDraft {
  return { key: newKey(), name, type, low: '', high: '', log: false, step: '', choices: '' };
}

export function draftFromSpec(p: ParamSpec): ParamDraft {
  const when = p.when ? { when: p.when } : {};
  if (p.type === 'categorical') {
    return { ...emptyDraft('categorical', p.name), choices: p.choices.map(String).join(', '), ...when };
  }
  return {
    ...emptyDraft(p.type, p.name),
    ...when,
    low: String(p.low),
    high: String(p.high),
    log: p.log === true,
    step: p.step === undefined ? '' : String(p.step),
  };
}

/** "16" -> 16, "true" -> true, "relu" -> "relu". */
export function parseChoice(raw: string): ParamValue {
  const s = raw.trim();
  if (s === 'true') return true;
  if (s === 'false') return false;
  const n = Number(s);
  if (s !== '' && Number.isFinite(n)) return n;
  return s.replace(/^["']|["']$/g, '');
}

const num = (s: string): number | null => {
  if (s.trim() === '') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
};

/**
 * Validates editor rows into a search space (docs/DESIGN.md section 3). Errors are keyed
 * "searchSpace.<index>.<field>" so each shows beside its field; the API's own errors use the same keys
 * when it names the entry.
 */
export function draftsToSpace(drafts: readonly ParamDraft[]): { space: SearchSpace; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const space: SearchSpace = [];
  const seen = new Set<string>();
  if (drafts.length === 0) errors.searchSpace = 'Add at least one parameter.';
  drafts.forEach((d, i) => {
    const at = (f: string) => `searchSpace.${i}.${f}`;
    const name = d.name.trim();
    if (!NAME_RE.test(name)) errors[at('name')] = 'Use 1-64 letters, digits, "_", "." or "-".';
    else if (seen.has(name)) errors[at('name')] = `"${name}" is already used.`;
    seen.add(name);
    if (d.type === 'categorical') {
      const choices = d.choices
        .split(',')
        .map((c) => c.trim())
        .filter((c) => c !== '')
        .map(parseChoice);
      if (choices.length === 0) errors[at('choices')] = 'List at least one choice, separated by commas.';
      else if (new Set(choices.map((c) => `${typeof c}:${String(c)}`)).size !== choices.length) {
        errors[at('choices')] = 'Choices must be distinct.';
      }
      space.push(
        d.when
          ? { name, type: 'categorical', choices, when: d.when }
          : { name, type: 'categorical', choices },
      );
      return;
    }
    const low = num(d.low);
    const high = num(d.high);
    const step = d.step.trim() === '' ? undefined : num(d.step);
    if (low === null) errors[at('low')] = 'Enter a number.';
    if (high === null) errors[at('high')] = 'Enter a number.';
    if (d.type === 'int') {
      if (low !== null && !Number.isInteger(low)) errors[at('low')] = 'Must be an integer.';
      if (high !== null && !Number.isInteger(high)) errors[at('high')] = 'Must be an integer.';
    }
    if (low !== null && high !== null && !(low < high)) errors[at('high')] = 'Must be greater than low.';
    if (d.log && low !== null && low <= 0) errors[at('low')] = 'Log scale needs low > 0.';
    if (step === null) errors[at('step')] = 'Enter a number or leave empty.';
    else if (step !== undefined) {
      if (step <= 0) errors[at('step')] = 'Must be positive.';
      else if (d.type === 'int' && !Number.isInteger(step)) errors[at('step')] = 'Must be an integer.';
      else if (d.log) errors[at('step')] = 'A step cannot be combined with log scale.';
    }
    const spec: FloatParam | IntParam = { name, type: d.type, low: low ?? 0, high: high ?? 0 };
    if (d.log) spec.log = true;
    if (typeof step === 'number') spec.step = step;
    if (d.when) spec.when = d.when;
    space.push(spec);
  });
  return { space, errors };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses an untyped value (a study file's `searchSpace`) into editor rows, or an error message. */
export function spaceFromUnknown(v: unknown): { drafts: ParamDraft[]; error: string | null } {
  if (!Array.isArray(v)) return { drafts: [], error: 'searchSpace must be a list of parameters.' };
  const drafts: ParamDraft[] = [];
  for (const [i, e] of v.entries()) {
    if (!isRecord(e)) return { drafts, error: `searchSpace[${i}] is not an object.` };
    const name = typeof e.name === 'string' ? e.name : '';
    const when =
      isRecord(e.when) && typeof e.when.parent === 'string' && Array.isArray(e.when.values)
        ? { when: { parent: e.when.parent, values: e.when.values as ParamValue[] } }
        : {};
    if (e.type === 'categorical') {
      const choices = Array.isArray(e.choices) ? e.choices : [];
      drafts.push({
        ...emptyDraft('categorical', name),
        choices: choices.map((c) => String(c)).join(', '),
        ...when,
      });
    } else if (e.type === 'float' || e.type === 'int') {
      drafts.push({
        ...emptyDraft(e.type, name),
        ...when,
        low: e.low === undefined ? '' : String(e.low),
        high: e.high === undefined ? '' : String(e.high),
        log: e.log === true,
        step: e.step === undefined || e.step === null ? '' : String(e.step),
      });
    } else {
      return {
        drafts,
        error: `searchSpace[${i}] (${name || 'unnamed'}): type must be float, int or categorical.`,
      };
    }
  }
  return { drafts, error: null };
}

/**
 * Names of the parameters active for form values given as strings (a conditional space's tree,
 * docs/DESIGN.md section 3): a parameter is active when it has no condition, or its parent is active
 * and shows one of the condition's values.
 */
export function activeNames(space: SearchSpace, values: Readonly<Record<string, string>>): Set<string> {
  const byName = new Map(space.map((p) => [p.name, p]));
  const memo = new Map<string, boolean>();
  const isActive = (name: string, depth: number): boolean => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const p = byName.get(name);
    const when = p?.when;
    const on =
      p !== undefined &&
      (when === undefined ||
        (depth < space.length &&
          isActive(when.parent, depth + 1) &&
          when.values.some((v) => String(v) === (values[when.parent] ?? ''))));
    memo.set(name, on);
    return on;
  };
  return new Set(space.filter((p) => isActive(p.name, 0)).map((p) => p.name));
}
