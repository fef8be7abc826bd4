import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LiveTracker, mergeTrials, newerTrial, POLL_AFTER_MS } from './live-sync.ts';
import type { Trial, TrialState } from './types.ts';

const trial = (id: string, state: TrialState, value: number | null = null): Trial => ({
  id,
  number: Number(id),
  state,
  params: {},
  value,
  startedAt: null,
  finishedAt: null,
  workerId: null,
  error: null,
  suggestion: null,
});

describe('LiveTracker', () => {
  it('says connecting, then live on the first connect without asking for a refetch', () => {
    const t = new LiveTracker(0);
    assert.equal(t.status, 'connecting');
    assert.equal(t.socket('connecting', 10), false);
    assert.equal(t.status, 'connecting');
    assert.equal(t.socket('connected', 20), false);
    assert.equal(t.status, 'live');
  });

  it('says stale after a drop and asks for a refetch on every reconnect, live only once synced', () => {
    const t = new LiveTracker(0);
    t.socket('connected', 0);
    for (let i = 1; i <= 3; i++) {
      t.socket('closed', i * 100);
      assert.equal(t.status, 'stale');
      t.socket('connecting', i * 100 + 10);
      assert.equal(t.status, 'stale');
      assert.equal(t.socket('connected', i * 100 + 20), true, `reconnect ${i}`);
      assert.equal(t.status, 'syncing');
      t.synced();
      assert.equal(t.status, 'live');
    }
  });

  it('a page that loaded before subscribing refetches on the first connect too', () => {
    const t = new LiveTracker(0, true);
    assert.equal(t.socket('connected', 10), true);
    assert.equal(t.status, 'syncing');
    t.synced();
    assert.equal(t.status, 'live');
  });

  it('falls back to polling once the socket has been down long enough, and stops when it is back', () => {
    const t = new LiveTracker(0);
    assert.equal(t.shouldPoll(POLL_AFTER_MS - 1), false);
    assert.equal(t.shouldPoll(POLL_AFTER_MS), true);
    assert.equal(t.status, 'polling');
    t.socket('closed', POLL_AFTER_MS + 10);
    assert.equal(t.status, 'polling');
    t.socket('connected', POLL_AFTER_MS + 20);
    assert.equal(t.status, 'live');
    assert.equal(t.shouldPoll(10 * POLL_AFTER_MS), false);
    // a later drop polls again after the same delay
    t.socket('closed', 100_000);
    assert.equal(t.shouldPoll(100_000 + POLL_AFTER_MS - 1), false);
    assert.equal(t.shouldPoll(100_000 + POLL_AFTER_MS), true);
  });
});

describe('mergeTrials', () => {
  it('never moves a trial back: a refetch read before a finish event does not undo it', () => {
    assert.equal(newerTrial(trial('1', 'COMPLETE', 2), trial('1', 'RUNNING')).state, 'COMPLETE');
    assert.equal(newerTrial(trial('1', 'RUNNING'), trial('1', 'FAILED')).state, 'FAILED');
    assert.equal(newerTrial(undefined, trial('1', 'WAITING')).state, 'WAITING');
  });

  it('takes what finished during a gap, adds trials created in it, keeps ones the read missed', () => {
    const held = new Map([
      ['1', trial('1', 'RUNNING')],
      ['2', trial('2', 'RUNNING')],
      ['5', trial('5', 'WAITING')],
    ]);
    const fresh = [trial('1', 'COMPLETE', 0.5), trial('2', 'FAILED'), trial('3', 'COMPLETE', 0.7)];
    const merged = mergeTrials(held, fresh);
    assert.deepEqual([...merged.values()].map((t) => `${t.id}:${t.state}`).sort(), [
      '1:COMPLETE',
      '2:FAILED',
      '3:COMPLETE',
      '5:WAITING',
    ]);
    assert.equal(merged.get('1')?.value, 0.5);
    // the held map is not changed in place (React state)
    assert.equal(held.get('1')?.state, 'RUNNING');
  });
});
