// `npm run bench -- <name> --typo`: every benchmark answers bad options with one line naming itself
// and the option, and exit code 2, before it starts a database, a server or a run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const benchDir = fileURLToPath(new URL('../bench/', import.meta.url));
const benches = readdirSync(benchDir)
  .filter((f) => f.endsWith('.mjs') && !f.startsWith('_'))
  .map((f) => f.slice(0, -4));

for (const name of benches) {
  test(`bench ${name}: an unknown option exits 2 with one line`, () => {
    const run = spawnSync(process.execPath, [`${benchDir}${name}.mjs`, '--no-such-option'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(run.status, 2, run.stderr);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0], new RegExp(`^${name}: .*'--no-such-option'`));
  });
}
