import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type BenchObjective,
  builtinObjectives,
  ConfigError,
  formatSummaryTable,
  parseSamplerConfig,
  parseSearchSpace,
  runBenchmark,
  SearchSpaceError,
  summarizeBenchmark,
} from '@posterior/optimizer';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';

/**
 * `posterior bench`: runs an objective module (or a built-in objective) with a sampler for several
 * seeds, prints the regret table and optionally writes the docs/DESIGN.md section 6 JSON.
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

async function loadObjective(spec: string): Promise<BenchObjective> {
  const builtin = builtinObjectives[spec];
  if (builtin) return builtin;
  const path = resolve(spec);
  if (!existsSync(path)) throw new UsageError(`--objective: no built-in objective or file named "${spec}"`);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (error) {
    throw new UsageError(
      `--objective: cannot load ${spec}: ${error instanceof Error ? error.message : error}`,
    );
  }
  const o = mod.default as Partial<BenchObjective> | undefined;
  if (!o || typeof o !== 'object' || typeof o.evaluate !== 'function' || o.space === undefined) {
    throw new UsageError(
      `--objective: ${spec} must export default { name, space, optimum?, evaluate(params) }`,
    );
  }
  if (o.optimum !== undefined && (typeof o.optimum !== 'number' || !Number.isFinite(o.optimum))) {
    throw new UsageError(`--objective: ${spec}: optimum must be a finite number`);
  }
  const objective: BenchObjective = {
    name: typeof o.name === 'string' ? o.name : spec,
    space: o.space,
    evaluate: o.evaluate.bind(o),
  };
  if (o.optimum !== undefined) objective.optimum = o.optimum;
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
  const objective = await loadObjective(opts.objective);
  let sampler: ReturnType<typeof parseSamplerConfig>;
  try {
    parseSearchSpace(objective.space);
    sampler = parseSamplerConfig({ ...(extra as object), type: opts.sampler });
  } catch (error) {
    if (error instanceof SearchSpaceError || error instanceof ConfigError) {
      throw new UsageError(error.message);
    }
    throw error;
  }
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
  if (opts.json) {
    const file = resolve(opts.json);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  }
}
