import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Repeater } from '@graphql-yoga/subscription';
import { coalesce, mapStream } from './batch.js';

test('coalesce merges a burst into one batch and flushes early at maxItems', async () => {
  let push: ((value: number[]) => Promise<unknown>) | null = null;
  const source = new Repeater<number[]>((p) => {
    push = p;
  });
  const batches: number[][] = [];
  const iterator = coalesce(source, 50, 5)[Symbol.asyncIterator]();
  const first = iterator.next();
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(push);
  const send = push as (value: number[]) => Promise<unknown>;
  void send([1]);
  void send([2, 3]);
  batches.push((await first).value as number[]);
  void send([4, 5, 6, 7, 8, 9]);
  batches.push((await iterator.next()).value as number[]);
  assert.deepEqual(batches, [
    [1, 2, 3],
    [4, 5, 6, 7, 8, 9],
  ]);
  await iterator.return?.();
});

test('mapStream stops its source as soon as the consumer returns', async () => {
  let stopped = false;
  const source = new Repeater<number>(async (_push, stop) => {
    await stop;
    stopped = true;
  });
  const iterator = mapStream(source, (n) => n * 2)[Symbol.asyncIterator]();
  const pending = iterator.next();
  await iterator.return?.();
  await pending;
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(stopped, true);
});
