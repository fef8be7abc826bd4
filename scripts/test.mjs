#!/usr/bin/env node
// `npm test [-- <turbo args>]`: builds, provides a PostgreSQL server, runs every package's tests
// through turbo, and adds up the TAP files the packages write into .test-results/.
//
// Without DATABASE_URL one embedded PostgreSQL (in a temp dir, fsync off) serves the whole run; each
// test file then makes its own database from a migrated template (@posterior/api/testing).
// Extra arguments go to `turbo run test`, e.g. `npm test -- --filter=@posterior/api`.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closingLine, summariseDir } from './test-summary.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const results = join(root, '.test-results');
const turboArgs = process.argv.slice(2);
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', NEXT_TELEMETRY_DISABLED: '1' };

// Ctrl-C reaches turbo through the terminal; a signal sent to this process alone is passed on. Either
// way the run winds down normally, so the embedded server is stopped and its temp dir removed.
let current;
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    interrupted = true;
    current?.kill(signal);
  });
}

function run(command, args, extraEnv = {}) {
  return new Promise((resolveRun) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', env: { ...env, ...extraEnv } });
    current = child;
    child.on('exit', (code, signal) => resolveRun(code ?? (signal ? 1 : 0)));
    child.on('error', (error) => {
      console.error(`${command}: ${error.message}`);
      resolveRun(1);
    });
  });
}

const turbo = (args, extraEnv) =>
  run(process.execPath, [join(root, 'node_modules/turbo/bin/turbo'), ...args], extraEnv);

/** Workspaces that have a `test` script: only those (and the api, for the database) need building. */
function testedWorkspaces() {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  const names = [];
  for (const [path, info] of Object.entries(lock.packages ?? {})) {
    if (path === '' || path.includes('node_modules') || typeof info.name !== 'string') continue;
    try {
      const pkg = JSON.parse(readFileSync(join(root, path, 'package.json'), 'utf8'));
      if (pkg.scripts?.test) names.push(pkg.name);
    } catch {
      // A workspace listed in the lockfile but gone from disk.
    }
  }
  return names;
}

rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

// With an explicit --filter only what it selects (and the api, for the database) is built.
const userFilters = turboArgs.filter((arg) => arg.startsWith('--filter=') || arg.startsWith('-F='));
const workspaces = new Set([
  ...(userFilters.length > 0 ? [] : testedWorkspaces().map((name) => `--filter=${name}`)),
  ...userFilters,
  '--filter=@posterior/api',
]);
// --continue: one package that does not compile must not keep every other package from testing. A
// package whose build failed is built again by `turbo run test` (test depends on build) and fails there,
// so the exit status comes from that run.
await turbo(['run', 'build', '--continue', ...workspaces, '--output-logs=errors-only']);
if (interrupted) {
  console.error('tests: interrupted');
  process.exit(130);
}

let database;
let tempDir;
const databaseUrl = process.env.DATABASE_URL?.trim() || undefined;
if (databaseUrl === undefined) {
  tempDir = mkdtempSync(join(tmpdir(), 'posterior-test-db-'));
  process.on('exit', () => rmSync(tempDir, { recursive: true, force: true }));
  try {
    const { startDatabase } = await import('@posterior/api');
    database = await startDatabase({
      dataDir: tempDir,
      migrate: false,
      ephemeral: true,
      database: 'posterior_test',
    });
  } catch (error) {
    console.error(`tests: could not start an embedded PostgreSQL: ${error.message}`);
    process.exit(1);
  }
  console.log(`tests: embedded PostgreSQL for this run at ${new URL(database.url).host}`);
} else {
  console.log(`tests: using DATABASE_URL (${new URL(databaseUrl).host})`);
}

let testStatus;
try {
  testStatus = interrupted
    ? 1
    : await turbo(['run', 'test', '--continue', '--concurrency=2', ...turboArgs], {
        DATABASE_URL: database?.url ?? databaseUrl,
      });
} finally {
  await database?.stop();
}

const t = summariseDir(results);
const failed = t.fail + t.cancelled;
if (testStatus !== 0 && failed === 0) {
  console.error(`tests: turbo run test exited ${testStatus}: a package failed outside its tests (see above)`);
}
if (interrupted) console.error('tests: interrupted');
// The last line, always in this form, is what CI and people read.
console.log(closingLine(t));
process.exit(interrupted ? 130 : failed > 0 || testStatus !== 0 ? 1 : 0);
