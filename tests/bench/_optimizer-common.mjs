// What the optimizer benchmarks (optimizer.mjs, multiobjective.mjs) share: their sampler options,
// where results go, the machine they ran on, and one timed suggestion.
import { mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSamplerConfig, suggest } from '@posterior/optimizer';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** parseArgs options: seeds, the sampler and its JSON config, suggestions timed per latency cell. */
export const samplerOptions = {
  seeds: { type: 'string', default: '10' },
  sampler: { type: 'string', default: 'gp' },
  config: { type: 'string', default: '{}' },
  repeats: { type: 'string', default: '9' },
};

/** The sampler named by --sampler, with --config. */
export const samplerOf = (args) => parseSamplerConfig({ ...JSON.parse(args.config), type: args.sampler });

/** bench-results/ at the repo root, created if missing. */
export function resultsDir() {
  const dir = join(root, 'bench-results');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The machine a result was measured on, as every result file records it. */
export const machine = () => ({
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  date: new Date().toISOString(),
});

/** One suggestion, timed: wall and user-CPU milliseconds. */
export function timedSuggest(sampler, context) {
  const c0 = process.cpuUsage().user;
  const t0 = performance.now();
  const suggestion = suggest(sampler, context);
  const ms = performance.now() - t0;
  return { suggestion, ms, cpuMs: (process.cpuUsage().user - c0) / 1000 };
}
