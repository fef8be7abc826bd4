import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backoffDelay, retry, sleep } from './retry.js';

class Flaky extends Error {}
const isFlaky = (error: unknown): error is Flaky => error instanceof Flaky;

/** A clock that only moves when the retry loop waits: no test here depends on wall time. */
function fakeTime() {
  let t = 1_000;
  const waits: number[] = [];
  return {
    waits,
    now: () => t,
    sleep: async (ms: number) => {
      waits.push(ms);
      t += ms;
    },
  };
}

describe('backoffDelay', () => {
  const backoff = { minDelayMs: 100, maxDelayMs: 1_000 };

  test('the ceiling doubles per attempt up to the maximum', () => {
    const top = (attempt: number) => backoffDelay(attempt, { ...backoff, jitter: 'none' });
    assert.deepEqual([0, 1, 2, 3, 4, 5].map(top), [100, 200, 400, 800, 1_000, 1_000]);
  });

  test('full jitter spans half the minimum up to the ceiling; equal jitter the upper half', () => {
    assert.equal(
      backoffDelay(3, backoff, () => 0),
      50,
    );
    assert.equal(
      backoffDelay(3, backoff, () => 1),
      800,
    );
    assert.equal(
      backoffDelay(3, { ...backoff, jitter: 'equal' }, () => 0),
      400,
    );
    assert.equal(
      backoffDelay(3, { ...backoff, jitter: 'equal' }, () => 1),
      800,
    );
  });
});

describe('retry', () => {
  test('retries what shouldRetry accepts and returns the first success', async () => {
    const time = fakeTime();
    const seen: Array<[number, number]> = [];
    let calls = 0;
    const value = await retry(
      async () => {
        calls += 1;
        if (calls < 3) throw new Flaky();
        return 'ok';
      },
      {
        minDelayMs: 100,
        maxDelayMs: 1_000,
        jitter: 'none',
        shouldRetry: isFlaky,
        onRetry: (_e, attempt, delay) => seen.push([attempt, delay]),
        ...time,
      },
    );
    assert.equal(value, 'ok');
    assert.deepEqual(seen, [
      [1, 100],
      [2, 200],
    ]);
    assert.deepEqual(time.waits, [100, 200]);
  });

  test('other failures are thrown at once, without waiting', async () => {
    const time = fakeTime();
    const boom = new Error('boom');
    await assert.rejects(
      retry(
        async () => {
          throw boom;
        },
        { minDelayMs: 100, maxDelayMs: 1_000, shouldRetry: isFlaky, ...time },
      ),
      (e) => e === boom,
    );
    assert.deepEqual(time.waits, []);
  });

  test('stops after `retries` more attempts, throwing what giveUp makes of the last error', async () => {
    const time = fakeTime();
    let calls = 0;
    await assert.rejects(
      retry(
        async () => {
          calls += 1;
          throw new Flaky();
        },
        {
          minDelayMs: 10,
          maxDelayMs: 10,
          retries: 2,
          shouldRetry: isFlaky,
          giveUp: (_e, attempts) => new Error(`gave up after ${attempts}`),
          ...time,
        },
      ),
      /gave up after 3/,
    );
    assert.equal(calls, 3);
  });

  test('a deadline shortens the last wait to end on it, tries once more there, then gives up', async () => {
    const time = fakeTime();
    let calls = 0;
    await assert.rejects(
      retry(
        async () => {
          calls += 1;
          throw new Flaky();
        },
        {
          minDelayMs: 400,
          maxDelayMs: 400,
          jitter: 'none',
          deadlineMs: 1_000,
          shouldRetry: isFlaky,
          ...time,
        },
      ),
      (e) => e instanceof Flaky,
    );
    assert.deepEqual(time.waits, [400, 400, 200]);
    assert.equal(calls, 4);
  });

  test('lastAttempt before-deadline gives up rather than wait past the deadline', async () => {
    const time = fakeTime();
    let calls = 0;
    await assert.rejects(
      retry(
        async () => {
          calls += 1;
          throw new Flaky();
        },
        {
          minDelayMs: 400,
          maxDelayMs: 400,
          jitter: 'none',
          deadlineMs: 1_000,
          lastAttempt: 'before-deadline',
          shouldRetry: isFlaky,
          ...time,
        },
      ),
      (e) => e instanceof Flaky,
    );
    assert.deepEqual(time.waits, [400, 400]);
    assert.equal(calls, 3);
  });

  test('sleep rejects with the reason once its signal aborts', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const waiting = sleep(60_000, controller.signal);
    controller.abort(reason);
    await assert.rejects(waiting, (e) => e === reason);
    await assert.rejects(sleep(1, controller.signal), (e) => e === reason);
  });
});
