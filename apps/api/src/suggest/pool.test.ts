import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { AFFINITY_WAIT_MS, homeSlot, WorkerPool } from './pool.js';

// A stand-in thread script: keeps its thread busy for `ms`, then says which thread ran the task.
const dir = mkdtempSync(join(tmpdir(), 'posterior-pool-'));
const script = join(dir, 'busy-worker.mjs');
writeFileSync(
  script,
  `import { parentPort, threadId } from 'node:worker_threads';
parentPort.on('message', (task) => {
  const end = Date.now() + (task.ms ?? 0);
  while (Date.now() < end) {}
  parentPort.postMessage({ ok: true, result: { threadId, label: task.label } });
});
`,
);

interface Ran {
  threadId: number;
  label: string;
}
const task = (label: string, ms = 0) => ({ kind: 'busy', label, ms });

describe('WorkerPool: a study keeps to one thread, without waiting long for it', () => {
  const pools: WorkerPool[] = [];
  const pool = (size: number) => {
    const p = new WorkerPool(pathToFileURL(script), size);
    pools.push(p);
    return p;
  };
  after(async () => {
    await Promise.all(pools.map((p) => p.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  test('homeSlot is stable, in range, and spreads study ids over the threads', () => {
    const ids = Array.from({ length: 300 }, () => randomUUID());
    const counts = [0, 0, 0];
    for (const id of ids) {
      const slot = homeSlot(id, 3);
      assert.equal(homeSlot(id, 3), slot);
      counts[slot] = (counts[slot] ?? 0) + 1;
    }
    // 100 expected per thread; a fair hash stays well inside 50..150.
    for (const c of counts) assert.ok(c > 50 && c < 150, counts.join(','));
  });

  test("one study's tasks all run on the same thread; other studies use the others", async () => {
    const p = pool(3);
    const a: Ran[] = [];
    for (let i = 0; i < 6; i++) a.push(await p.run<Ran>(task(`a${i}`), 'study-a'));
    assert.equal(new Set(a.map((r) => r.threadId)).size, 1, 'study a stayed on one thread');
    // Studies whose home is another thread land elsewhere.
    const other = Array.from({ length: 50 }, (_, i) => `study-${i}`).find(
      (id) => homeSlot(id, 3) !== homeSlot('study-a', 3),
    );
    assert.ok(other);
    const b = await p.run<Ran>(task('b'), other);
    assert.notEqual(b.threadId, a[0]?.threadId);
  });

  test(`a task whose thread is busy goes to an idle one after ${AFFINITY_WAIT_MS} ms`, async () => {
    const p = pool(2);
    let longDone = false;
    const long = p.run<Ran>(task('long', 1500), 'study-a').finally(() => {
      longDone = true;
    });
    const queued = performance.now();
    const second = await p.run<Ran>(task('second'), 'study-a');
    const waited = performance.now() - queued;
    assert.equal(longDone, false, 'did not wait for the busy thread');
    const first = await long;
    assert.notEqual(second.threadId, first.threadId, 'taken by the idle thread');
    assert.ok(waited >= AFFINITY_WAIT_MS - 1, `ran after ${waited.toFixed(1)} ms`);
  });

  test('tasks without affinity use every idle thread', async () => {
    const p = pool(2);
    const ran = await Promise.all([p.run<Ran>(task('x', 300)), p.run<Ran>(task('y', 300))]);
    assert.equal(new Set(ran.map((r) => r.threadId)).size, 2);
  });
});
