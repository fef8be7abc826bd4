import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatAge, needsWorker, workerCommand, workerStatuses, workerTimeline } from './workers.ts';

const T0 = Date.parse('2026-12-07T10:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

type State = 'WAITING' | 'RUNNING' | 'COMPLETE' | 'PRUNED' | 'FAILED';
function trial(
  n: number,
  state: State,
  workerId: string | null,
  start: number | null,
  end: number | null = null,
) {
  return {
    id: `t${n}`,
    number: n,
    state,
    workerId,
    startedAt: start === null ? null : at(start),
    finishedAt: end === null ? null : at(end),
  };
}

describe('workers from trials', () => {
  it('groups by worker; a running trial heartbeating within the timeout keeps its worker live', () => {
    const trials = [
      trial(1, 'COMPLETE', 'a', 0, 50),
      trial(2, 'RUNNING', 'a', 50),
      trial(3, 'RUNNING', 'b', 10),
      trial(4, 'WAITING', null, null),
    ];
    // b's trial heartbeat is 100 s old at t=200, a's is 20 s old; timeout 60 s
    const heartbeats = new Map([
      ['t2', at(180)],
      ['t3', at(100)],
    ]);
    const ws = workerStatuses(trials, heartbeats, 60, T0 + 200_000);
    assert.deepEqual(
      ws.map((w) => [w.workerId, w.live, w.running, w.trials, Math.round(w.ageS)]),
      [
        ['a', true, [2], 2, 20],
        ['b', false, [3], 1, 100],
      ],
    );
    assert.equal(needsWorker('RUNNING', ws), false);
    assert.equal(
      needsWorker(
        'RUNNING',
        ws.filter((w) => w.workerId === 'b'),
      ),
      true,
    );
    assert.equal(needsWorker('PAUSED', []), false);
  });

  it('a worker that just finished a trial (between asks) is live; the trial’s own heartbeatAt counts', () => {
    const ws = workerStatuses(
      [trial(1, 'COMPLETE', 'a', 0, 100), { ...trial(2, 'RUNNING', 'c', 0), heartbeatAt: at(95) }],
      new Map(),
      30,
      T0 + 110_000,
    );
    assert.deepEqual(
      ws.map((w) => [w.workerId, w.live]),
      [
        ['a', true],
        ['c', true],
      ],
    );
    // a clock behind the server's never shows a negative age
    assert.equal(workerStatuses([trial(1, 'RUNNING', 'a', 10)], new Map(), 30, T0)[0]?.ageS, 0);
  });

  it('a running study with no trial claimed needs a worker', () => {
    assert.equal(
      needsWorker('RUNNING', workerStatuses([trial(1, 'WAITING', null, null)], new Map(), 60, T0)),
      true,
    );
  });
});

describe('worker timeline', () => {
  it('one row per worker, most recent first, bars from start to finish (running ones to now)', () => {
    const tl = workerTimeline(
      [
        trial(1, 'COMPLETE', 'a', 0, 40),
        trial(2, 'FAILED', 'b', 5, 20),
        trial(3, 'RUNNING', 'a', 45),
        trial(4, 'WAITING', null, null),
      ],
      T0 + 100_000,
    );
    assert.deepEqual(
      tl.rows.map((r) => [
        r.workerId,
        r.bars.map((b) => [b.number, b.state, (b.startMs - T0) / 1000, (b.endMs - T0) / 1000]),
      ]),
      [
        [
          'a',
          [
            [1, 'COMPLETE', 0, 40],
            [3, 'RUNNING', 45, 100],
          ],
        ],
        ['b', [[2, 'FAILED', 5, 20]]],
      ],
    );
    assert.equal(tl.startMs, T0);
    assert.equal(tl.endMs, T0 + 100_000);
    assert.equal(tl.hiddenRows, 0);
  });

  it('keeps only the most recently active rows and counts the rest', () => {
    const trials = Array.from({ length: 5 }, (_, i) => trial(i, 'COMPLETE', `w${i}`, i * 10, i * 10 + 5));
    const tl = workerTimeline(trials, T0 + 100_000, 2);
    assert.deepEqual(
      tl.rows.map((r) => r.workerId),
      ['w4', 'w3'],
    );
    assert.equal(tl.hiddenRows, 3);
    assert.equal(tl.startMs, T0 + 30_000);
    assert.deepEqual(workerTimeline([], T0).rows, []);
  });

  it('a big study draws only the trials that ended last', () => {
    const trials = Array.from({ length: 10 }, (_, i) =>
      trial(i, 'COMPLETE', `w${i % 2}`, i * 10, i * 10 + 5),
    );
    const tl = workerTimeline(trials, T0 + 200_000, 12, 4);
    assert.deepEqual(
      tl.rows.flatMap((r) => r.bars.map((b) => b.number)).sort((a, b) => a - b),
      [6, 7, 8, 9],
    );
    assert.equal(tl.hiddenBars, 6);
    assert.equal(tl.startMs, T0 + 60_000);
  });
});

describe('worker command', () => {
  it('names the API and study; the token stays in the environment', () => {
    assert.equal(
      workerCommand('http://127.0.0.1:4000', 'abc-123'),
      'npx posterior worker --api http://127.0.0.1:4000 --study abc-123 --token "$POSTERIOR_TOKEN"',
    );
    assert.equal(
      workerCommand("http://x/it's", 's'),
      `npx posterior worker --api 'http://x/it'\\''s' --study s --token "$POSTERIOR_TOKEN"`,
    );
  });

  it('formats ages', () => {
    assert.equal(formatAge(5.7), '5s');
    assert.equal(formatAge(245), '4m 05s');
    assert.equal(formatAge(7380), '2h 03m');
  });
});
