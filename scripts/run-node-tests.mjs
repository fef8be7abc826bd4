#!/usr/bin/env node
// Runs one package's compiled tests with Node's test runner. Human-readable output goes to stdout;
// a TAP copy goes to <repo>/.test-results/<package>.tap so `npm test` can add up the whole run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const testDirs = process.argv.length > 2 ? process.argv.slice(2) : ['dist'];
for (const dir of testDirs) {
  if (!existsSync(dir)) {
    console.error(`${pkg.name}: ${dir}/ does not exist; build first (turbo runs build before test)`);
    process.exit(1);
  }
}
const results = join(root, '.test-results');
mkdirSync(results, { recursive: true });
const tap = join(results, `${pkg.name.replace(/[^a-z0-9]+/gi, '_')}.tap`);
const concurrency = process.env.POSTERIOR_TEST_CONCURRENCY ?? String(Math.max(2, availableParallelism()));
const args = [
  '--enable-source-maps',
  '--test',
  `--test-concurrency=${concurrency}`,
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  '--test-reporter=tap',
  `--test-reporter-destination=${tap}`,
  ...testDirs,
];
const run = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(run.status ?? 1);
