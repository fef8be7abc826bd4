import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cachedDir, cacheKey } from './cache.js';
import { tempCacheDir } from './fixtures.test-support.js';

describe('base cache directory', () => {
  it('keys values independently of key order', () => {
    assert.equal(cacheKey({ a: 1, b: [1, { c: 2, d: 3 }] }), cacheKey({ b: [1, { d: 3, c: 2 }], a: 1 }));
    assert.notEqual(cacheKey({ a: 1 }), cacheKey({ a: 2 }));
  });

  it('builds once and leaves no temp files or lock behind', async () => {
    const root = await tempCacheDir();
    const dir = join(root, 'entry');
    let builds = 0;
    const build = async (tmp: string) => {
      builds += 1;
      await writeFile(join(tmp, 'data'), 'x');
    };
    assert.deepEqual(await cachedDir(dir, { build }), { built: true, waited: false });
    assert.deepEqual(await cachedDir(dir, { build }), { built: false, waited: false });
    assert.equal(builds, 1);
    assert.deepEqual(await readdir(root), ['entry']);
  });

  it('makes a concurrent caller wait for the builder instead of building too', async () => {
    const root = await tempCacheDir();
    const dir = join(root, 'entry');
    let builds = 0;
    const build = async (tmp: string) => {
      builds += 1;
      await new Promise((resolve) => setTimeout(resolve, 50));
      await writeFile(join(tmp, 'data'), 'x');
    };
    const results = await Promise.all([
      cachedDir(dir, { build, pollMs: 5 }),
      cachedDir(dir, { build, pollMs: 5 }),
    ]);
    assert.equal(builds, 1);
    // Either call may win the lock; the other waits.
    const byBuilt = [...results].sort((a, b) => Number(b.built) - Number(a.built));
    assert.deepEqual(byBuilt, [
      { built: true, waited: false },
      { built: false, waited: true },
    ]);
  });

  it('publishes nothing when the build fails, and the next caller retries', async () => {
    const root = await tempCacheDir();
    const dir = join(root, 'entry');
    await assert.rejects(
      cachedDir(dir, {
        build: async (tmp) => {
          await writeFile(join(tmp, 'half'), 'x');
          throw new Error('disk full');
        },
      }),
      /disk full/,
    );
    assert.deepEqual(await readdir(root), []);
    assert.deepEqual(await cachedDir(dir, { build: async () => {} }), { built: true, waited: false });
  });

  it('takes over a lock whose process is gone', async () => {
    const root = await tempCacheDir();
    const dir = join(root, 'entry');
    // A pid that cannot be alive: above the kernel's maximum.
    await writeFile(`${dir}.lock`, JSON.stringify({ pid: 2 ** 22 + 1, host: hostname() }));
    assert.deepEqual((await cachedDir(dir, { build: async () => {}, pollMs: 10 })).built, true);
  });

  it('lets exactly one of two processes build the entry', async () => {
    const root = await tempCacheDir();
    const dir = join(root, 'entry');
    await mkdir(root, { recursive: true });
    const cacheModule = new URL('./cache.js', import.meta.url).href;
    // Each child takes a while to build, so the other one surely finds the lock.
    const script = `
      import { cachedDir } from ${JSON.stringify(cacheModule)};
      import { writeFile } from 'node:fs/promises';
      import { join } from 'node:path';
      const result = await cachedDir(${JSON.stringify(dir)}, {
        pollMs: 20,
        build: async (tmp) => {
          await new Promise((r) => setTimeout(r, 300));
          await writeFile(join(tmp, 'who'), String(process.pid));
        },
      });
      process.stdout.write(JSON.stringify(result));
    `;
    const run = () =>
      new Promise<{ built: boolean; waited: boolean }>((resolve, reject) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
        });
        child.on('error', reject);
        child.on('exit', (code) =>
          code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child exited ${code}`)),
        );
      });
    const results = await Promise.all([run(), run()]);
    assert.deepEqual(results.map((r) => r.built).sort(), [false, true]);
    assert.match(await readFile(join(dir, 'who'), 'utf8'), /^\d+$/);
    assert.deepEqual((await readdir(root)).sort(), ['entry']);
  });
});
