// Every locked package runs on the Node.js the project claims (scripts/check-engines.mjs), so
// `npm install` prints no EBADENGINE on any Node the README allows.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { enginesProblems } from '../../scripts/check-engines.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const script = fileURLToPath(new URL('../../scripts/check-engines.mjs', import.meta.url));
const claimed = JSON.parse(readFileSync(`${root}package.json`, 'utf8')).engines.node;
const locked = (packages) => ({ packages: { '': { name: 'posterior' }, ...packages } });

describe('engines', () => {
  it('every package in package-lock.json accepts the claimed Node.js and this one', () => {
    const run = spawnSync(process.execPath, [script], { cwd: root, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /every locked package accepts Node/);
  });

  it('flags a package that needs a newer Node than the claimed minimum', () => {
    const lock = locked({
      'node_modules/@whatwg-node/promise-helpers': { version: '2.0.2', engines: { node: '>=22.15.0' } },
      'node_modules/ok': { version: '1.0.0', engines: { node: '>=16' } },
    });
    assert.deepEqual(
      enginesProblems(lock, '>=20.11', 'v20.20.2').map((p) => [p.path, p.why]),
      [['node_modules/@whatwg-node/promise-helpers', 'excludes Node 20.11.0, the minimum of >=20.11']],
    );
  });

  it('flags a range that leaves out part of the claim, and one npm cannot read', () => {
    const lock = locked({
      'node_modules/typeorm': { version: '1.1.1', engines: { node: '^20.19.0 || ^22.13.0 || >=24.11.0' } },
      'node_modules/odd': { version: '1.0.0', engines: { node: 'node 4 or later' } },
    });
    assert.deepEqual(
      enginesProblems(lock, '>=20.19', 'v20.20.2').map((p) => p.why),
      ['excludes part of >=20.19', 'npm cannot read this range'],
    );
    assert.deepEqual(enginesProblems(lock, '^20.19.0 || ^22.13.0 || >=24.11.0', 'v20.20.2').length, 1);
  });

  it('holds a platform package to the claimed minimum only', () => {
    const lock = locked({
      'node_modules/@img/sharp-win32-ia32': {
        version: '0.35.5',
        os: ['win32'],
        engines: { node: '^20.9.0' },
      },
    });
    assert.deepEqual(enginesProblems(lock, claimed, 'v20.20.2'), []);
    assert.equal(enginesProblems(lock, '>=18', 'v20.20.2').length, 1, '18 is below its minimum');
  });
});
