import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GroupCommit } from './group-commit.js';

describe('GroupCommit', () => {
  test('requests arriving while a batch runs go out together, in order, each with its own answer', async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const group = new GroupCommit<number, number>(async (items) => {
      batches.push([...items]);
      if (batches.length === 1) await gate;
      return items.map((n) => n * 10);
    }, 1);
    const answers = [1, 2, 3, 4].map((n) => group.submit(n));
    release();
    assert.deepEqual(await Promise.all(answers), [10, 20, 30, 40]);
    assert.deepEqual(batches, [[1], [2, 3, 4]]);
  });

  test('up to maxInFlight batches run at once; a failed batch rejects only its own requests', async () => {
    let running = 0;
    let most = 0;
    const group = new GroupCommit<number, number>(async (items) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 10));
      running -= 1;
      if (items.includes(2)) throw new Error('boom');
      return [...items];
    }, 2);
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map((n) => group.submit(n)));
    assert.equal(most, 2);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled'],
    );
  });

  test('onIdle runs once the last batch ends with nothing queued (a keyed owner can forget the group)', async () => {
    let idle = 0;
    const group = new GroupCommit<number, number>(
      async (items) => [...items],
      1,
      500,
      () => {
        idle += 1;
      },
    );
    const first = group.submit(1);
    const second = group.submit(2);
    assert.deepEqual(await Promise.all([first, second]), [1, 2]);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(idle, 1);
  });
});
