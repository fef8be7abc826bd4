import { asNumber, isNumericParam, paramNames, specFor } from './params.ts';
import type { ParamImportance, SearchSpace, Trial } from './types.ts';

function ranks(values: readonly number[]): number[] {
  const idx = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(values.length);
  let i = 0;
  while (i < idx.length) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1]?.[0] === idx[i]?.[0]) j++;
    const avg = (i + j) / 2;
    for (let k = i; k <= j; k++) {
      const entry = idx[k];
      if (entry) r[entry[1]] = avg;
    }
    i = j + 1;
  }
  return r;
}

/**
 * A quick, model-free importance estimate used when the API does not provide one: for each parameter,
 * the correlation ratio (eta squared) of the objective's ranks over bins of that parameter (quantile
 * bins for numbers, one bin per category). Normalized to sum to 1. Needs at least 4 COMPLETE trials.
 */
export function estimateImportance(
  space: SearchSpace,
  trials: readonly Trial[],
  bins = 8,
): ParamImportance[] {
  const done = trials.filter((t) => t.state === 'COMPLETE' && t.value !== null && Number.isFinite(t.value));
  if (done.length < 4) return [];
  const y = ranks(done.map((t) => t.value ?? 0));
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  const total = y.reduce((a, b) => a + (b - mean) ** 2, 0);
  const out: ParamImportance[] = [];
  for (const name of paramNames(space, done)) {
    const groups = new Map<string, { sum: number; n: number }>();
    const numeric = isNumericParam(space, name, done);
    let keys: string[];
    if (numeric) {
      const spec = specFor(space, name);
      const logScale = spec !== undefined && spec.type !== 'categorical' && spec.log === true;
      const xs = done.map((t) => {
        const v = asNumber(t.params[name]);
        if (v === null) return Number.NaN;
        return logScale && v > 0 ? Math.log(v) : v;
      });
      const xr = ranks(xs.map((v) => (Number.isNaN(v) ? Number.POSITIVE_INFINITY : v)));
      keys = xr.map((r) => String(Math.min(bins - 1, Math.floor((r / done.length) * bins))));
    } else {
      keys = done.map((t) => String(t.params[name]));
    }
    keys.forEach((k, i) => {
      const g = groups.get(k) ?? { sum: 0, n: 0 };
      g.sum += y[i] ?? 0;
      g.n++;
      groups.set(k, g);
    });
    let between = 0;
    for (const g of groups.values()) between += g.n * (g.sum / g.n - mean) ** 2;
    // Small groups inflate eta^2: subtract its expectation under no effect, (k-1)/(n-1).
    const eta = total > 0 ? between / total : 0;
    const chance = (groups.size - 1) / Math.max(1, done.length - 1);
    out.push({ param: name, importance: Math.max(0, eta - chance) });
  }
  const sum = out.reduce((a, b) => a + b.importance, 0);
  return out
    .map((p) => ({ param: p.param, importance: sum > 0 ? p.importance / sum : 0 }))
    .sort((a, b) => b.importance - a.importance);
}

/** Sorts and normalizes importances coming from the API. */
export function normalizeImportance(list: readonly ParamImportance[]): ParamImportance[] {
  const clean = list.filter((p) => Number.isFinite(p.importance) && p.importance >= 0);
  const sum = clean.reduce((a, b) => a + b.importance, 0);
  return clean
    .map((p) => ({ param: p.param, importance: sum > 0 ? p.importance / sum : 0 }))
    .sort((a, b) => b.importance - a.importance);
}
