// `npm start -- --host ADDRESS` is the only option: anything else is bad usage, exit 2 with one line,
// before anything is built or started.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../scripts/start.mjs', import.meta.url));

test('npm start with an unknown option exits 2 with one line naming the usage', () => {
  const run = spawnSync(process.execPath, [script, '--hots', '0.0.0.0'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(run.status, 2, run.stderr);
  assert.equal(run.stdout, '');
  assert.deepEqual(run.stderr.trim().split('\n'), [
    "npm start: Unknown option '--hots' (usage: npm start [-- --host ADDRESS])",
  ]);
});
