#!/usr/bin/env node
// Fails when a package in package-lock.json declares an `engines.node` range that does not cover every
// Node.js the project claims (root package.json `engines.node`) or the Node.js running this check. npm
// only warns (EBADENGINE) about such a package, and only on a machine whose Node it excludes; this
// reads the lockfile, so it fails everywhere, before anyone meets the package at run time.
// Run: node scripts/check-engines.mjs
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';

/**
 * Every locked package whose `engines.node` excludes part of `claimed` or the `running` version, as
 * `{ path, version, range, why }`. A range npm cannot parse is a problem too. A platform package (one
 * with `os` or `cpu`) is held to the claimed minimum only: Node.js itself stops shipping some platforms
 * (32-bit Windows after 20), so such a package's range may rightly end there.
 */
export function enginesProblems(lock, claimed, running = process.version) {
  const problems = [];
  const minimum = semver.minVersion(claimed);
  for (const [path, info] of Object.entries(lock.packages ?? {})) {
    const range = info.engines?.node;
    if (path === '' || typeof range !== 'string') continue;
    const problem = (why) => problems.push({ path, version: info.version, range, why });
    if (semver.validRange(range) === null) problem('npm cannot read this range');
    else if (minimum !== null && !semver.satisfies(minimum, range))
      problem(`excludes Node ${minimum.version}, the minimum of ${claimed}`);
    else if (!platformSpecific(info) && !semver.subset(claimed, range))
      problem(`excludes part of ${claimed}`);
    else if (!semver.satisfies(running, range)) problem(`excludes the running Node ${running}`);
  }
  return problems;
}

const platformSpecific = (info) => Array.isArray(info.os) || Array.isArray(info.cpu);

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const claimed = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines?.node;
  if (typeof claimed !== 'string' || semver.validRange(claimed) === null) {
    console.error('check-engines: package.json needs an engines.node range');
    process.exit(1);
  }
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  const problems = enginesProblems(lock, claimed);
  for (const p of problems) {
    const name = p.path.replace(/^.*node_modules\//, '');
    console.error(`check-engines: ${name}@${p.version} needs Node ${p.range}: ${p.why}`);
  }
  if (problems.length > 0) {
    console.error('check-engines: pin versions that fit (package.json "overrides") or change the claim');
    process.exit(1);
  }
  console.log(`check-engines: every locked package accepts Node ${claimed} and ${process.version}`);
}
