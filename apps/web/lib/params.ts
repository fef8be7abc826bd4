import type { ParamSpec, ParamValue, SearchSpace, Trial } from './types.ts';

/** Parameter names: the search space's order first, then any extra names seen on trials. */
export function paramNames(space: SearchSpace, trials: readonly Trial[]): string[] {
  const names = space.map((p) => p.name);
  const seen = new Set(names);
  for (const t of trials.slice(0, 200)) {
    for (const k of Object.keys(t.params)) {
      if (!seen.has(k)) {
        seen.add(k);
        names.push(k);
      }
    }
  }
  return names;
}

export function specFor(space: SearchSpace, name: string): ParamSpec | undefined {
  return space.find((p) => p.name === name);
}

export const isNumericSpec = (s: ParamSpec | undefined): boolean =>
  s !== undefined && s.type !== 'categorical';

/** Categories of a param as strings (choices from the spec, else values seen on trials). */
export function categoriesOf(spec: ParamSpec | undefined, name: string, trials: readonly Trial[]): string[] {
  if (spec?.type === 'categorical') return spec.choices.map(String);
  const seen = new Set<string>();
  for (const t of trials) {
    const v = t.params[name];
    if (v !== undefined) seen.add(String(v));
  }
  return [...seen].sort();
}

export function asNumber(v: ParamValue | undefined): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const n = Number(v);
    return v.trim() !== '' && Number.isFinite(n) ? n : null;
  }
  return null;
}

/** Is a param numeric: declared float/int, or every observed value a number. */
export function isNumericParam(space: SearchSpace, name: string, trials: readonly Trial[]): boolean {
  const spec = specFor(space, name);
  if (spec) return spec.type !== 'categorical';
  for (const t of trials) {
    const v = t.params[name];
    if (v !== undefined && typeof v !== 'number') return false;
  }
  return true;
}
