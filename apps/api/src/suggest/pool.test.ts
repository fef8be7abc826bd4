import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

describe('WorkerPool: fair across teams (issue 12, item 10)', () => {
  const pools: WorkerPool[] = [];
  // Its own copy of the stand-in script: the suite above deletes its folder when it ends.
  const own = mkdtempSync(join(tmpdir(), 'posterior-pool-fair-'));
  const ownScript = join(own, 'busy-worker.mjs');
  writeFileSync(ownScript, readFileSync(script));
  after(async () => {
    await Promise.all(pools.map((p) => p.close()));
    rmSync(own, { recursive: true, force: true });
  });
  const pool = (size: number) => {
    const p = new WorkerPool(pathToFileURL(ownScript), size);
    pools.push(p);
    return p;
  };

  test("a team's long queue delays another team's ask by one job, not by the whole queue", async () => {
    const p = pool(1);
    const done: string[] = [];
    const track = (label: string, promise: Promise<Ran>) => promise.then(() => done.push(label));
    // Team A queues six suggestions of its big study; team B then asks once.
    const big = Array.from({ length: 6 }, (_, i) =>
      track(`a${i}`, p.run<Ran>(task(`a${i}`, 20), 'study-big', 'team-a')),
    );
    const small = track('b', p.run<Ran>(task('b', 1), 'study-small', 'team-b'));
    await Promise.all([...big, small]);
    // a0 was running already; b goes next, before the rest of team A's queue.
    assert.deepEqual(done, ['a0', 'b', 'a1', 'a2', 'a3', 'a4', 'a5']);
  });

  test('teams take turns: three teams with queues are served round-robin', async () => {
    const p = pool(1);
    const done: string[] = [];
    const all: Array<Promise<unknown>> = [];
    for (const team of ['x', 'y', 'z'])
      for (let i = 0; i < 3; i++)
        all.push(
          p.run<Ran>(task(`${team}${i}`, 5), `study-${team}`, `team-${team}`).then((r) => done.push(r.label)),
        );
    await Promise.all(all);
    assert.deepEqual(done, ['x0', 'y0', 'z0', 'x1', 'y1', 'z1', 'x2', 'y2', 'z2']);
  });

  test('with three threads, one team never holds them all: another team finds one free', async () => {
    const p = pool(3);
    // Threads boot first (tens of ms), so the order below is the pool's, not the boot's.
    await Promise.all(['u', 'v', 'w'].map((t) => p.run<Ran>(task(t, 50), undefined, t)));
    const started: string[] = [];
    const all: Array<Promise<unknown>> = [];
    for (let i = 0; i < 4; i++)
      all.push(p.run<Ran>(task(`a${i}`, 200), undefined, 'team-a').then((r) => started.push(r.label)));
    all.push(p.run<Ran>(task('b', 1), undefined, 'team-b').then((r) => started.push(r.label)));
    await Promise.all(all);
    // b ran on the thread team A was not allowed to take: it finishes first.
    assert.equal(started[0], 'b', started.join(' '));
  });
});
