// A clone carries its own docs: the contracts are docs/DESIGN.md, every reference points there, and
// the links in the README and docs/ resolve inside the checkout.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
  .split('\0')
  .filter(
    (f) =>
      f && /\.(md|ts|tsx|mjs|js|json|graphql|ya?ml|sh)$|^\.ci\/run$/.test(f) && f !== 'package-lock.json',
  );

describe('docs in the checkout', () => {
  it('has docs/DESIGN.md, and no reference to a design document outside the repo', () => {
    assert.ok(existsSync(join(root, 'docs', 'DESIGN.md')));
    const outside = [];
    for (const file of tracked) {
      const lines = readFileSync(join(root, file), 'utf8').split('\n');
      lines.forEach((line, i) => {
        // A bare design citation (the word and a section number) without saying where, or the old path.
        if (/shared\/DESIGN|\bDESIGN (section )?\d/.test(line))
          outside.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    assert.deepEqual(outside, [], 'cite docs/DESIGN.md');
  });

  it('every relative link in the README and docs/ resolves', () => {
    const broken = [];
    for (const file of tracked.filter((f) => f === 'README.md' || f.startsWith('docs/'))) {
      for (const [, target] of readFileSync(join(root, file), 'utf8').matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
        const path = join(root, dirname(file), target.split('#')[0]);
        if (!existsSync(path)) broken.push(`${file}: ${target}`);
      }
    }
    assert.deepEqual(broken, []);
  });
});
