import assert from 'node:assert/strict';
import { test } from 'node:test';
import { settleWithin, TimeoutError, withTimeout } from './time.js';

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

test('settleWithin: true when the promise settles in time, either way, and no timer is left behind', async () => {
  const before = timers();
  assert.equal(await settleWithin(Promise.resolve(1), 60_000), true);
  assert.equal(await settleWithin(Promise.reject(new Error('no')), 60_000), true);
  // A left-over 60 s timer would keep a shutting-down process alive that long.
  assert.equal(timers(), before);
});

test('settleWithin: false once the time is up', async () => {
  const never = new Promise(() => {});
  assert.equal(await settleWithin(never, 20), false);
});

test('withTimeout: the value in time, a TimeoutError naming the step after, no timer left', async () => {
  const before = timers();
  assert.equal(await withTimeout(Promise.resolve('ok'), 60_000, 'quick'), 'ok');
  assert.equal(timers(), before);
  await assert.rejects(withTimeout(new Promise(() => {}), 20, 'the probe'), (e: unknown) => {
    assert.ok(e instanceof TimeoutError);
    assert.match(e.message, /the probe timed out after 20 ms/);
    return true;
  });
});
