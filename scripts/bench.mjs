#!/usr/bin/env node
// `npm run bench -- <name> [args]`: builds what the benchmarks use, then runs tests/bench/<name>.mjs.
// Each benchmark prints a table and writes JSON under bench-results/.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = join(root, 'tests', 'bench');
const available = readdirSync(benchDir)
  .filter((f) => f.endsWith('.mjs') && !f.startsWith('_'))
  .map((f) => f.slice(0, -4));
const [name, ...rest] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <${available.join('|')}> [options]`);
  process.exit(2);
}
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
const build = spawnSync(
  'npx',
  ['turbo', 'run', 'build', '--filter=!@posterior/web', '--output-logs=errors-only'],
  {
    cwd: root,
    stdio: 'inherit',
    env,
  },
);
if (build.status !== 0) process.exit(build.status ?? 1);
const script = join(benchDir, `${name}.mjs`);
if (!existsSync(script)) process.exit(2);
const run = spawnSync(process.execPath, [script, ...rest], { cwd: root, stdio: 'inherit', env });
process.exit(run.status ?? 1);
