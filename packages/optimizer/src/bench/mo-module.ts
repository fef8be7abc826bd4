import type { Direction, SamplerConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { hypervolume } from '../multiobjective/hypervolume.js';
import { toMinimization } from '../multiobjective/pareto.js';
import {
  type CompletedTrial,
  type ConstraintSpec,
  type ObjectiveSpec,
  referencePoint,
} from '../multiobjective/suggest.js';
import { type SuggestRequest, suggest } from '../samplers.js';
import { type Params, parseSearchSpace } from '../search-space.js';
import { trialSeed } from '../seeds.js';
import { frontMetric, type MoBenchResult, type MoProblem, summarizeMo } from './multiobjective.js';
import { formatNumber, quantile, SUMMARY_CHECKPOINTS } from './run.js';

/**
 * A user's multi-objective or constrained benchmark module (`posterior bench --objective m.mjs`,
 * docs/DESIGN.md section 6): the multiobjective benchmark's protocol (bench/multiobjective.ts) over
 * any search space and objective directions.
 */
export interface MoBenchObjective {
  name: string;
  space: unknown;
  objectives: ReadonlyArray<ObjectiveSpec>;
  constraints?: ReadonlyArray<ConstraintSpec>;
  /**
   * The metric's hypervolume reference point, in the objectives' own units. Like the benchmark
   * protocol, the sampler is not told it (it infers its own, as a study without one does). Without
   * it the metric's reference point is inferred once from every feasible trial of every seed.
   */
  referencePoint?: readonly number[];
  /** The true front's hypervolume against `referencePoint`: the metric becomes log10(HV* - HV). */
  hvStar?: number;
  /** A single-objective constrained module: the best feasible value's optimum, for the regret. */
  optimum?: number;
  evaluate(params: Params): MoEvaluation | Promise<MoEvaluation>;
}

export interface MoEvaluation {
  values: readonly number[];
  constraints?: readonly number[];
}

export type MoModuleMetric = 'log10 HV gap' | 'hypervolume' | 'regret' | 'best';

export interface MoModuleRun {
  seed: number;
  /** Per trial: the values (NaN when evaluate threw) and constraint values ([] without constraints). */
  values: number[][];
  constraints: number[][];
  feasible: boolean[];
  /** metric[t - 1]: after t trials, over the feasible trials so far. */
  metric: number[];
  suggestMs: number[];
}

export interface MoModuleResult {
  objective: string;
  sampler: string;
  samplerConfig: SamplerConfig;
  trials: number;
  metric: MoModuleMetric;
  /** The metric's reference point (objectives' units) and where it came from; null for one objective. */
  referencePoint: { values: number[]; source: 'module' | 'inferred' } | null;
  hvStar: number | null;
  runs: MoModuleRun[];
}

const numbers = (n: number): string => `${n} number${n === 1 ? '' : 's'}`;

function evaluationOf(out: unknown, m: number, k: number, name: string): MoEvaluation {
  const o = out as Partial<MoEvaluation> | null;
  const expected = `{ values: ${numbers(m)}${k > 0 ? `, constraints: ${numbers(k)}` : ''} }`;
  const values = o?.values;
  const constraints = o?.constraints ?? [];
  if (
    !Array.isArray(values) ||
    values.length !== m ||
    !Array.isArray(constraints) ||
    constraints.length !== k
  )
    throw new ConfigError(`${name}.evaluate`, `must return ${expected}, got ${JSON.stringify(out)}`);
  return { values: values.map(Number), constraints: constraints.map(Number) };
}

const isFeasibleRow = (values: readonly number[], constraints: readonly number[]): boolean =>
  values.every((v) => Number.isFinite(v)) && constraints.every((c) => c <= 0);

/** Runs `seeds` runs of `trials` trials (seed i: firstSeed + i; trial t seeded as the server does). */
export async function runMoModuleBenchmark(opts: {
  objective: MoBenchObjective;
  sampler: SamplerConfig;
  trials: number;
  seeds: number;
  firstSeed?: number;
  onTrial?: (event: { seed: number; trial: number; suggestMs: number }) => void;
}): Promise<MoModuleResult> {
  const o = opts.objective;
  const space = parseSearchSpace(o.space);
  const objectives = [...o.objectives];
  const constraints = [...(o.constraints ?? [])];
  const m = objectives.length;
  const k = constraints.length;
  const directions: Direction[] = objectives.map((x) => x.direction);
  if (m === 0) throw new ConfigError('objectives', 'must name at least one objective');
  if (m === 1 && k === 0) throw new ConfigError('constraints', 'a single objective needs constraints here');
  if (
    o.referencePoint !== undefined &&
    (o.referencePoint.length !== m || !o.referencePoint.every(Number.isFinite))
  )
    throw new ConfigError('referencePoint', `must hold ${m} finite numbers, one per objective`);
  if (o.hvStar !== undefined && (m < 2 || !Number.isFinite(o.hvStar)))
    throw new ConfigError('hvStar', 'must be a finite number, with two or more objectives');

  const first = opts.firstSeed ?? 0;
  const runs: MoModuleRun[] = [];
  for (let seed = first; seed < first + opts.seeds; seed++) {
    const config: SamplerConfig = { ...opts.sampler, seed };
    const completed: CompletedTrial[] = [];
    const run: MoModuleRun = { seed, values: [], constraints: [], feasible: [], metric: [], suggestMs: [] };
    for (let t = 0; t < opts.trials; t++) {
      const request: SuggestRequest = {
        space,
        direction: directions[0] as Direction,
        completed,
        pending: [],
        seed: trialSeed(seed, t),
        objectives,
        constraints,
      };
      const t0 = performance.now();
      const s = suggest(config, request);
      const ms = performance.now() - t0;
      let out: MoEvaluation;
      try {
        out = await o.evaluate(s.params);
      } catch {
        out = { values: objectives.map(() => Number.NaN), constraints: constraints.map(() => Number.NaN) };
      }
      const { values, constraints: cs = [] } = evaluationOf(out, m, k, o.name);
      completed.push({ params: s.params, value: values[0] ?? Number.NaN, values, constraints: cs });
      run.values.push([...values]);
      run.constraints.push([...cs]);
      run.feasible.push(isFeasibleRow(values, cs));
      run.suggestMs.push(ms);
      opts.onTrial?.({ seed, trial: t + 1, suggestMs: ms });
    }
    runs.push(run);
  }

  // The metric, per trial: the multiobjective benchmark's frontMetric on minimization rows.
  let ref: MoModuleResult['referencePoint'] = null;
  let refMin: number[] = [];
  if (m >= 2) {
    if (o.referencePoint) {
      ref = { values: [...o.referencePoint], source: 'module' };
      refMin = toMinimization([o.referencePoint], directions)[0] as number[];
    } else {
      const rows = runs.flatMap((r) =>
        toMinimization(
          r.values.filter((_, i) => r.feasible[i]),
          directions,
        ),
      );
      const inferred = referencePoint(rows, objectives, undefined);
      if (inferred) {
        ref = { values: inferred.info.values, source: 'inferred' };
        refMin = inferred.min;
      }
    }
  }
  const sign = directions[0] === 'MAXIMIZE' ? -1 : 1;
  const problem: MoProblem = {
    name: o.name,
    dim: space.params.length,
    objectives: m,
    constraints: k,
    budget: opts.trials,
    space: o.space,
    evaluate: () => {
      throw new Error('scored only');
    },
    referencePoint: refMin,
    trueHypervolume: () => o.hvStar ?? 0,
    optimum: o.optimum === undefined ? 0 : sign * o.optimum,
    public: false,
  };
  for (const run of runs) {
    const minimized: CompletedTrial[] = [];
    const rows = toMinimization(run.values, directions);
    for (let t = 0; t < rows.length; t++) {
      const values = rows[t] as number[];
      minimized.push({
        params: {},
        value: values[0] ?? Number.NaN,
        values,
        constraints: run.constraints[t] ?? [],
      });
      let metric: number;
      if (m >= 2 && o.hvStar !== undefined) metric = frontMetric(problem, minimized);
      else if (m >= 2)
        metric = hypervolume(
          minimized
            .filter((x) => isFeasibleRow(x.values ?? [], x.constraints ?? []))
            .map((x) => [...(x.values ?? [])]),
          refMin,
        );
      else {
        // frontMetric: the best feasible minimized value less the minimized optimum (0 without one);
        // without an optimum, back in the objective's units (no feasible trial: the worst, +-Infinity).
        const gap = frontMetric(problem, minimized);
        metric = o.optimum !== undefined ? gap : sign * gap;
      }
      run.metric.push(metric);
    }
  }
  return {
    objective: o.name,
    sampler: opts.sampler.type,
    samplerConfig: opts.sampler,
    trials: opts.trials,
    metric:
      m >= 2
        ? o.hvStar !== undefined
          ? 'log10 HV gap'
          : 'hypervolume'
        : o.optimum !== undefined
          ? 'regret'
          : 'best',
    referencePoint: ref,
    hvStar: o.hvStar ?? null,
    runs,
  };
}

/** The checkpoints of section 6's table (those reached) and the run's last trial. */
export function moModuleCheckpoints(trials: number): number[] {
  const reached = SUMMARY_CHECKPOINTS.filter((k) => k <= trials);
  if (!reached.includes(trials)) reached.push(trials);
  return reached;
}

/** One table row: median [q25, q75] of the metric at each checkpoint, as `formatSummaryTable`. */
export function formatMoModuleTable(
  result: MoModuleResult,
  checkpoints = moModuleCheckpoints(result.trials),
): string {
  const asMo: MoBenchResult = {
    problem: result.objective,
    sampler: result.sampler,
    metric: 'log10 HV gap',
    runs: result.runs.map((r) => ({ seed: r.seed, metric: r.metric, suggestMs: r.suggestMs })),
  };
  const cells = summarizeMo(asMo, checkpoints).map(
    (c) => `${formatNumber(c.median)} [${formatNumber(c.q25)}, ${formatNumber(c.q75)}]`,
  );
  const ms = quantile(
    result.runs.flatMap((r) => r.suggestMs),
    0.5,
  );
  const header = ['function', 'sampler', 'metric', ...checkpoints.map((k) => `@${k}`), 'suggest ms (median)'];
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    `| ${[result.objective, result.sampler, result.metric, ...cells, formatNumber(ms)].join(' | ')} |`,
  ].join('\n');
}
