// `npx posterior` on a fresh clone: npm links a workspace bin only if the file exists at install time,
// and turbo's cache restores dist/ without execute bits, so the bin is a checked-in, executable
// launcher that loads dist/ (and says how to build it when it is missing).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'packages', 'cli');
const pkg = JSON.parse(readFileSync(join(cli, 'package.json'), 'utf8'));
const target = join(cli, pkg.bin?.posterior ?? '');

describe('the posterior bin', () => {
  it('is a file in git, executable there, that exists before any build', () => {
    assert.ok(!pkg.bin.posterior.includes('dist/'), `bin ${pkg.bin.posterior} is a build output`);
    const relative = join('packages', 'cli', pkg.bin.posterior);
    const staged = spawnSync('git', ['ls-files', '-s', '--', relative], { cwd: root, encoding: 'utf8' });
    assert.equal(staged.status, 0, staged.stderr);
    assert.match(staged.stdout, /^100755 /, `${relative} must be checked in with mode 100755`);
    assert.ok(
      pkg.files.includes(pkg.bin.posterior.replace(/^\.\//, '').split('/')[0]),
      'packed with the package',
    );
  });

  it('runs the built CLI', {
    skip: existsSync(join(cli, 'dist', 'bin.js')) ? false : 'the cli is not built',
  }, () => {
    const run = spawnSync(target, ['--help'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Usage: posterior/);
    const bad = spawnSync(target, ['serve', '--port', 'abc'], { encoding: 'utf8' });
    assert.equal(bad.status, 2, 'exit codes pass through');
  });

  it('says in one line how to build when dist/ is missing', () => {
    const copy = mkdtempSync(join(tmpdir(), 'posterior-launcher-'));
    try {
      cpSync(target, join(copy, 'bin', 'posterior.mjs'));
      const run = spawnSync(process.execPath, [join(copy, 'bin', 'posterior.mjs'), '--help'], {
        encoding: 'utf8',
      });
      assert.equal(run.status, 1);
      assert.equal(run.stdout, '');
      assert.equal(run.stderr, 'posterior: the CLI is not built yet; run npm start or npm run build first\n');
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
