// npm test's last line (scripts/test-summary.mjs): skipped tests are counted as skipped with their
// reason, never as passed, and a suite skipped whole does not vanish from the count.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { closingLine, summariseDir, summariseTap } from '../../scripts/test-summary.mjs';

const fixture = fileURLToPath(new URL('./fixtures/skips.mjs', import.meta.url));

/** The fixture's TAP, as scripts/run-node-tests.mjs records a package's run. */
function fixtureTap() {
  // Without NODE_TEST_CONTEXT, which would make the child report to this runner instead of printing TAP.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const run = spawnSync(process.execPath, ['--test', '--test-reporter=tap', fixture], {
    encoding: 'utf8',
    env,
  });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  return run.stdout;
}

describe('npm test summary', () => {
  it('counts tests that could not run as skipped, with their reasons, and only real passes as passed', () => {
    const sum = summariseTap(fixtureTap());
    assert.equal(sum.pass, 1);
    assert.equal(sum.fail, 0);
    // Two browser tests, each reported, plus the suite skipped whole (one, since its tests are unknown).
    assert.equal(sum.skipped, 3);
    assert.equal(
      closingLine(sum),
      'tests: 1 passed, 0 failed, 3 skipped (2: browser tests: no Chromium at /nowhere/chromium; apt-get install -y chromium; 1: no GPU)',
    );
  });

  it('adds up every package file and keeps the plain form when nothing was skipped', () => {
    const dir = mkdtempSync(join(tmpdir(), 'posterior-summary-'));
    try {
      assert.equal(closingLine(summariseDir(dir)), 'tests: 0 passed, 0 failed');
      writeFileSync(join(dir, 'a.tap'), '1..1\n# pass 4\n# fail 1\n# cancelled 1\n# skipped 0\n# todo 0\n');
      assert.equal(closingLine(summariseDir(dir)), 'tests: 4 passed, 2 failed');
      writeFileSync(join(dir, 'b.tap'), fixtureTap());
      assert.equal(
        closingLine(summariseDir(dir)),
        'tests: 5 passed, 2 failed, 3 skipped (2: browser tests: no Chromium at /nowhere/chromium; apt-get install -y chromium; 1: no GPU)',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the one reason when every skip shares it', () => {
    const tap = [
      '    ok 1 - a # SKIP browser tests: no Chromium',
      '    ok 2 - b # SKIP browser tests: no Chromium',
      '# pass 7',
      '# skipped 2',
    ].join('\n');
    assert.equal(
      closingLine(summariseTap(tap)),
      'tests: 7 passed, 0 failed, 2 skipped (browser tests: no Chromium)',
    );
  });
});
