import * as optimizer from '@posterior/optimizer';
import type { Params, SuggestionRecord } from '../common/trial-record.js';
import { candidateBudget } from './candidate-budget.js';

/**
 * The optimizer calls the API makes, as plain-data tasks so the same code runs inline or in a
 * worker thread (`suggest-worker.ts`). Parsed spaces and configs are cached by their JSON: a
 * study's space is parsed once per thread, not once per suggestion.
 */
export type Direction = 'MINIMIZE' | 'MAXIMIZE';

export interface Observation {
  params: Params;
  value: number;
  /** Multi-objective studies: one value per objective (issue 17). */
  values?: number[];
  /** Constrained studies: one value per constraint. */
  constraints?: number[];
  /** A PRUNED trial: value is its last reported objective metric (the optimizer caps it). */
  pruned?: boolean;
}

/** A study's objectives, constraints and reference point, for studies that have more than one objective or any constraint. */
export interface SuggestTaskExtras {
  objectives?: Array<{ name: string; direction: Direction }>;
  constraints?: Array<{ name: string }>;
  referencePoint?: number[];
}

interface StudyPart {
  searchSpace: unknown;
  sampler: unknown;
  direction: Direction;
  completed: Observation[];
}

/** An earlier study of the team that warm-starts this one (docs/DESIGN.md, "Warm start"). */
export interface SourcePart {
  /** The source study's id (for showing its points; the optimizer ignores it). */
  studyId: string;
  searchSpace: unknown;
  direction: Direction;
  completed: Observation[];
}

export interface SuggestTask extends StudyPart, SuggestTaskExtras {
  kind: 'suggest';
  pending: Params[];
  /** Warm-start sources (GP studies with `warmStartFrom`); absent or empty: a cold start. */
  sources?: SourcePart[];
  /** One seed per suggestion; each suggestion joins `pending` for the next. */
  seeds: number[];
}

export interface SuggestionResult {
  params: Params;
  info: SuggestionRecord;
}

export interface ImportanceTask extends StudyPart {
  kind: 'importance';
}

export interface ImportanceResult {
  param: string;
  importance: number;
  lengthscale: number | null;
}

export interface SliceTask extends StudyPart {
  kind: 'slice';
  /** Warm-start sources: the slice is then the transfer model's, as the sampler sees it. */
  sources?: SourcePart[];
  param: string;
  /** The other parameters' values (the best trial's). */
  fixed: Params;
  points: number;
}

export interface SlicePoint {
  x: number | string | boolean;
  mean: number;
  std: number;
  acquisition: number;
}

export interface RecommendTask extends StudyPart {
  kind: 'recommend';
  /** Which of `completed` may be recommended (COMPLETE trials; pruned ones only inform the model). */
  eligible: boolean[];
}

export type RecommendResult = optimizer.Recommendation;

export type Task = SuggestTask | ImportanceTask | SliceTask | RecommendTask;

const spaces = new Map<string, optimizer.SearchSpace>();
const samplers = new Map<string, optimizer.SamplerConfig>();

function cached<T>(cache: Map<string, T>, input: unknown, parse: (input: unknown) => T): T {
  const key = JSON.stringify(input);
  let value = cache.get(key);
  if (value === undefined) {
    value = parse(input);
    if (cache.size > 256) cache.clear();
    cache.set(key, value);
  }
  return value;
}

/**
 * The sampler config with its candidates within the per-suggestion budget (candidateBudget): the
 * bound on one suggestion's work in the shared pool, also for studies stored before the bounds.
 */
function boundedConfig(
  config: optimizer.SamplerConfig,
  space: optimizer.SearchSpace,
): optimizer.SamplerConfig {
  // parseSamplerConfig fills the default (1,024) in; the fallback only satisfies the type.
  const candidates = candidateBudget(config.candidates ?? 1024, space.params.length);
  return candidates === config.candidates ? config : { ...config, candidates };
}

export function suggestMany(task: SuggestTask): SuggestionResult[] {
  const space = cached(spaces, task.searchSpace, optimizer.parseSearchSpace);
  const config = boundedConfig(cached(samplers, task.sampler, optimizer.parseSamplerConfig), space);
  const pending = [...task.pending];
  const sources = (task.sources ?? []).map((s) => ({
    space: cached(spaces, s.searchSpace, optimizer.parseSearchSpace),
    direction: s.direction,
    completed: s.completed,
  }));
  const out: SuggestionResult[] = [];
  for (const seed of task.seeds) {
    try {
      const s = optimizer.suggest(config, {
        space,
        direction: task.direction,
        completed: task.completed,
        pending,
        seed,
        ...(sources.length > 0 ? { sources } : {}),
        ...(task.objectives ? { objectives: task.objectives } : {}),
        ...(task.constraints ? { constraints: task.constraints } : {}),
        ...(task.referencePoint ? { referencePoint: task.referencePoint } : {}),
      });
      out.push({ params: s.params as Params, info: { ...s.info } });
      pending.push(s.params as Params);
    } catch (error) {
      // A finite space with every point taken: hand out what was found, the caller stops asking.
      if (error instanceof optimizer.SpaceExhaustedError) break;
      throw error;
    }
  }
  return out;
}

function surrogateFor(task: StudyPart & { sources?: SourcePart[] }): optimizer.Surrogate | null {
  const space = cached(spaces, task.searchSpace, optimizer.parseSearchSpace);
  const own = cached(samplers, task.sampler, optimizer.parseSamplerConfig);
  // Insights always come from a GP, whatever sampler the study runs.
  const config = boundedConfig(
    own.type === 'gp' ? own : cached(samplers, { type: 'gp' }, optimizer.parseSamplerConfig),
    space,
  );
  const sources = (task.sources ?? []).map((s) => ({
    space: cached(spaces, s.searchSpace, optimizer.parseSearchSpace),
    direction: s.direction,
    completed: s.completed,
  }));
  return optimizer.fitSurrogate(config, {
    space,
    direction: task.direction,
    completed: task.completed,
    pending: [],
    seed: 0,
    ...(sources.length > 0 ? { sources } : {}),
  });
}

export function importance(task: ImportanceTask): ImportanceResult[] | null {
  const surrogate = surrogateFor(task);
  if (surrogate === null) return null;
  const shares = surrogate.importance();
  const lengthscales = surrogate.lengthscales();
  return Object.entries(shares)
    .map(([param, share]) => ({ param, importance: share, lengthscale: lengthscales[param] ?? null }))
    .sort((a, b) => b.importance - a.importance);
}

/** Grid of `n` values along one parameter of the raw search-space JSON. */
export function gridFor(entry: Record<string, unknown>, n: number): Array<number | string | boolean> {
  if (entry.type === 'categorical')
    return Array.isArray(entry.choices) ? (entry.choices as Array<number | string | boolean>) : [];
  const low = Number(entry.low);
  const high = Number(entry.high);
  const log = entry.log === true;
  const step = typeof entry.step === 'number' ? entry.step : entry.type === 'int' ? 1 : null;
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = n === 1 ? 0.5 : i / (n - 1);
    let v = log ? Math.exp(Math.log(low) + u * (Math.log(high) - Math.log(low))) : low + u * (high - low);
    if (step !== null) v = Math.min(high, low + Math.round((v - low) / step) * step);
    if (entry.type === 'int') v = Math.round(v);
    if (values.at(-1) !== v) values.push(Number(v.toPrecision(12)));
  }
  return values;
}

export function slice(task: SliceTask): SlicePoint[] | null {
  const entry = Array.isArray(task.searchSpace)
    ? (task.searchSpace as Array<Record<string, unknown>>).find((e) => e.name === task.param)
    : undefined;
  if (entry === undefined) return null;
  const surrogate = surrogateFor(task);
  if (surrogate === null) return null;
  const xs = gridFor(entry, task.points);
  const points: Params[] = xs.map((x) => ({ ...task.fixed, [task.param]: x }));
  const predictions = surrogate.predict(points);
  const acquisitions = surrogate.acquisition(points);
  return xs.map((x, i) => ({
    x,
    mean: predictions[i]?.mean ?? Number.NaN,
    std: predictions[i]?.std ?? Number.NaN,
    acquisition: acquisitions[i] ?? Number.NaN,
  }));
}

/** The trial to keep: the evaluated one with the best posterior mean of the study's GP. */
export function recommend(task: RecommendTask): RecommendResult | null {
  const space = cached(spaces, task.searchSpace, optimizer.parseSearchSpace);
  const own = cached(samplers, task.sampler, optimizer.parseSamplerConfig);
  // As for insights: a GP, whatever sampler the study runs.
  const config = own.type === 'gp' ? own : cached(samplers, { type: 'gp' }, optimizer.parseSamplerConfig);
  return optimizer.recommend(config, {
    space,
    direction: task.direction,
    completed: task.completed,
    eligible: task.eligible,
  });
}

export function runTask(task: Task): unknown {
  switch (task.kind) {
    case 'recommend':
      return recommend(task);
    case 'suggest':
      return suggestMany(task);
    case 'importance':
      return importance(task);
    case 'slice':
      return slice(task);
  }
}
