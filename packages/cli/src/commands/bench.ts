import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type BenchObjective,
  builtinObjectives,
  ConfigError,
  formatMoModuleTable,
  formatSummaryTable,
  type MoBenchObjective,
  moModuleCheckpoints,
  parseSamplerConfig,
  parseSearchSpace,
  runBenchmark,
  runMoModuleBenchmark,
  SearchSpaceError,
  summarizeBenchmark,
} from '@posterior/optimizer';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';

/**
 * `posterior bench`: runs an objective module (or a built-in objective) with a sampler for several
 * seeds, prints the regret table and optionally writes the docs/DESIGN.md section 6 JSON. A module
 * with `objectives` (multi-objective, or one objective with `constraints`) runs the multiobjective
 * benchmark's protocol and prints the hypervolume (log10 HV gap with `hvStar`) per checkpoint.
 */
export function register(program: Command): void {
  program
    .command('bench')
    .description('optimizer benchmark: run an objective with a sampler over several seeds (no server)')
    .requiredOption('--objective <module|name>', `objective module (.mjs) or a built-in: ${builtinNames()}`)
    .option('--sampler <type>', 'sampler type: gp, qmc or random', 'gp')
    .option('--sampler-config <json>', 'extra sampler options as JSON, e.g. \'{"xi":0.01}\'')
    .option('--trials <n>', 'trials per run', '30')
    .option('--seeds <n>', 'independent runs (seeds 0..n-1)', '10')
    .option('--json <file>', 'write the results as JSON')
    .action(async (opts: BenchOptions) => {
      await runBench(opts);
    });
}

interface BenchOptions {
  objective: string;
  sampler: string;
  samplerConfig?: string;
  trials: string;
  seeds: string;
  json?: string;
}

function builtinNames(): string {
  return Object.keys(builtinObjectives).join(', ');
}

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} must be a positive integer, got "${value}"`);
  return n;
}

async function importModule(spec: string): Promise<unknown> {
  const path = resolve(spec);
  if (!existsSync(path)) throw new UsageError(`--objective: no built-in objective or file named "${spec}"`);
  try {
    return ((await import(pathToFileURL(path).href)) as { default?: unknown }).default;
  } catch (error) {
    throw new UsageError(
      `--objective: cannot load ${spec}: ${error instanceof Error ? error.message : error}`,
    );
  }
}

type LoadedObjective =
  | { kind: 'single'; objective: BenchObjective }
  | { kind: 'mo'; objective: MoBenchObjective };

async function loadObjective(spec: string): Promise<LoadedObjective> {
  const builtin = builtinObjectives[spec];
  if (builtin) return { kind: 'single', objective: builtin };
  const o = (await importModule(spec)) as (Partial<BenchObjective> & { objectives?: unknown }) | undefined;
  if (!o || typeof o !== 'object' || typeof o.evaluate !== 'function' || o.space === undefined) {
    throw new UsageError(
      `--objective: ${spec} must export default { name, space, optimum?, evaluate(params) } ` +
        'or { name, space, objectives, constraints?, referencePoint?, hvStar?, evaluate(params) }',
    );
  }
  if (o.objectives !== undefined) return { kind: 'mo', objective: moObjective(spec, o) };
  if (o.optimum !== undefined && (typeof o.optimum !== 'number' || !Number.isFinite(o.optimum))) {
    throw new UsageError(`--objective: ${spec}: optimum must be a finite number`);
  }
  const objective: BenchObjective = {
    name: typeof o.name === 'string' ? o.name : spec,
    space: o.space,
    evaluate: o.evaluate.bind(o),
  };
  if (o.optimum !== undefined) objective.optimum = o.optimum;
  return { kind: 'single', objective };
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.:/-]*$/;

/** The multi-objective module's fields, checked with messages naming the module and field. */
function moObjective(spec: string, o: Record<string, unknown>): MoBenchObjective {
  const bad = (field: string, expected: string): never => {
    throw new UsageError(`--objective: ${spec}: ${field} must be ${expected}`);
  };
  const named = (x: unknown, field: string): string =>
    typeof x === 'object' &&
    x !== null &&
    typeof (x as { name?: unknown }).name === 'string' &&
    NAME.test((x as { name: string }).name)
      ? (x as { name: string }).name
      : bad(`${field}.name`, 'a metric name');
  if (!Array.isArray(o.objectives) || o.objectives.length === 0)
    bad('objectives', 'a non-empty list of { name, direction }');
  const objectives = (o.objectives as unknown[]).map((x, i) => {
    const name = named(x, `objectives[${i}]`);
    const direction = String((x as { direction?: unknown }).direction ?? '').toUpperCase();
    if (direction !== 'MINIMIZE' && direction !== 'MAXIMIZE')
      bad(`objectives[${i}].direction`, 'minimize or maximize');
    return { name, direction: direction as 'MINIMIZE' | 'MAXIMIZE' };
  });
  if (o.constraints !== undefined && !Array.isArray(o.constraints)) bad('constraints', 'a list of { name }');
  const constraints = ((o.constraints as unknown[] | undefined) ?? []).map((x, i) => ({
    name: named(x, `constraints[${i}]`),
  }));
  const names = [...objectives, ...constraints].map((x) => x.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) bad('objectives and constraints', `distinct names (${twice} appears twice)`);
  if (objectives.length === 1 && constraints.length === 0)
    bad(
      'objectives',
      'two or more, or come with constraints (one unconstrained objective: export optimum and evaluate -> number)',
    );
  const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
  const objective: MoBenchObjective = {
    name: typeof o.name === 'string' ? o.name : spec,
    space: o.space,
    objectives,
    constraints,
    evaluate: (o.evaluate as MoBenchObjective['evaluate']).bind(o),
  };
  if (o.referencePoint !== undefined) {
    if (
      objectives.length < 2 ||
      !Array.isArray(o.referencePoint) ||
      o.referencePoint.length !== objectives.length ||
      !o.referencePoint.every(finite)
    )
      bad(
        'referencePoint',
        `${objectives.length} finite numbers, one per objective (two or more objectives)`,
      );
    objective.referencePoint = o.referencePoint as number[];
  }
  if (o.hvStar !== undefined) {
    if (objectives.length < 2 || !finite(o.hvStar) || o.hvStar <= 0)
      bad('hvStar', 'a positive number (two or more objectives)');
    if (o.referencePoint === undefined)
      bad('hvStar', 'given with the referencePoint it was measured against');
    objective.hvStar = o.hvStar as number;
  }
  if (o.optimum !== undefined) {
    if (objectives.length !== 1 || !finite(o.optimum))
      bad('optimum', 'a finite number (one constrained objective)');
    objective.optimum = o.optimum as number;
  }
  return objective;
}

async function runBench(opts: BenchOptions): Promise<void> {
  const trials = positiveInt(opts.trials, '--trials');
  const seeds = positiveInt(opts.seeds, '--seeds');
  let extra: unknown = {};
  if (opts.samplerConfig !== undefined) {
    try {
      extra = JSON.parse(opts.samplerConfig);
    } catch {
      throw new UsageError('--sampler-config must be a JSON object');
    }
    if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) {
      throw new UsageError('--sampler-config must be a JSON object');
    }
  }
  const loaded = await loadObjective(opts.objective);
  let sampler: ReturnType<typeof parseSamplerConfig>;
  try {
    parseSearchSpace(loaded.objective.space);
    sampler = parseSamplerConfig({ ...(extra as object), type: opts.sampler });
  } catch (error) {
    if (error instanceof SearchSpaceError || error instanceof ConfigError) {
      throw new UsageError(error.message);
    }
    throw error;
  }
  if (loaded.kind === 'mo') {
    await runMoBench(loaded.objective, sampler, trials, seeds, opts.json);
    return;
  }
  const objective = loaded.objective;
  const result = await runBenchmark({
    objective,
    sampler,
    trials,
    seeds,
    onTrial: (e) => {
      if (e.trial === trials) process.stderr.write(`seed ${e.seed}: best ${e.best}\n`);
    },
  });
  process.stdout.write(`${formatSummaryTable([summarizeBenchmark(result)])}\n`);
  writeJson(opts.json, result);
}

function writeJson(path: string | undefined, result: unknown): void {
  if (!path) return;
  const file = resolve(path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
}

async function runMoBench(
  objective: MoBenchObjective,
  sampler: ReturnType<typeof parseSamplerConfig>,
  trials: number,
  seeds: number,
  json: string | undefined,
): Promise<void> {
  let result: Awaited<ReturnType<typeof runMoModuleBenchmark>>;
  try {
    result = await runMoModuleBenchmark({ objective, sampler, trials, seeds });
  } catch (error) {
    // A module whose evaluate returns the wrong shape: its author's usage error, named.
    if (error instanceof ConfigError) throw new UsageError(`--objective: ${error.message}`);
    throw error;
  }
  for (const run of result.runs) {
    const feasible = run.feasible.filter(Boolean).length;
    process.stderr.write(
      `seed ${run.seed}: ${result.metric} ${run.metric.at(-1)} (${feasible}/${trials} feasible)\n`,
    );
  }
  const ref = result.referencePoint;
  if (ref) process.stdout.write(`reference point (${ref.source}): [${ref.values.join(', ')}]\n`);
  process.stdout.write(`${formatMoModuleTable(result, moModuleCheckpoints(trials))}\n`);
  writeJson(json, result);
}
