import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PosteriorError } from '@posterior/sdk';
import type { WorkerEvent } from './events.js';
import { FakeApi } from './fake-api.test-support.js';
import type { Objective } from './trial-handle.js';
import { runWorker } from './worker.js';

const quick = { pollMs: 5, heartbeatMs: 5, apiRetryWindowMs: 5_000, apiRetryDelayMs: 1 };
const unreachable = new PosteriorError(
  'NETWORK_ERROR',
  'API unreachable at http://127.0.0.1:4999: connect ECONNREFUSED 127.0.0.1:4999',
);
const readOnlyStore = new PosteriorError(
  'ARTIFACT_STORE_UNAVAILABLE',
  'artifact request failed (HTTP 503): the artifact store cannot write: read-only file system (EROFS)',
  { status: 503 },
);
const checkpoint = {
  fileName: 'best.json',
  contentType: 'application/json',
  data: new Uint8Array([123, 125]),
};

/** Reports one epoch, saves a checkpoint, returns x. */
const withCheckpoint: Objective = async (trial) => {
  await trial.report(0, { loss: Number(trial.params.x) });
  await trial.saveCheckpoint(checkpoint);
  return Number(trial.params.x);
};

const logs = (events: readonly WorkerEvent[]) => events.flatMap((e) => (e.type === 'log' ? [e.message] : []));

describe('runWorker under faults', () => {
  it('a checkpoint the store cannot take does not fail the trial: COMPLETE, with the checkpoint reported missing', async () => {
    const api = new FakeApi({ maxTrials: 1 });
    api.uploadError = readOnlyStore;
    const events: WorkerEvent[] = [];
    const summary = await runWorker({
      api,
      studyId: 's',
      objective: withCheckpoint,
      onEvent: (e) => events.push(e),
      ...quick,
      checkpointRetryWindowMs: 30,
    });
    const [trial] = api.trials;
    assert.equal(trial?.state, 'COMPLETE');
    assert.equal(trial?.value, 0);
    assert.ok(api.uploads >= 2, 'the upload was retried');
    const outcome = summary.trials[0];
    assert.match(
      outcome?.checkpointError ?? '',
      /read-only file system \(EROFS\).*ARTIFACT_STORE_UNAVAILABLE, HTTP 503/,
    );
    const finished = events.find((e) => e.type === 'trial-finished');
    assert.equal(finished?.type === 'trial-finished' && finished.checkpointError, outcome?.checkpointError);
    const lines = logs(events);
    // Every retry is logged: which call, which attempt, what failed, when the next try is.
    assert.match(
      lines[0] ?? '',
      /^checkpoint upload of trial #0 failed \(attempt 1\): .*read-only file system \(EROFS\).*; next try in \d+ ms$/,
    );
    assert.equal(
      lines.filter((l) => l.startsWith('checkpoint upload of trial #0 failed')).length,
      api.uploads - 1,
    );
    assert.match(
      lines.at(-1) ?? '',
      /^trial #0: checkpoint not saved \(.*EROFS.*\); the trial's result is kept$/,
    );
  });

  it('a checkpoint upload that succeeds on a retry is saved, the retries logged', async () => {
    const api = new FakeApi({ maxTrials: 1 });
    api.uploadError = readOnlyStore;
    const events: WorkerEvent[] = [];
    const objective: Objective = async (trial) => {
      setTimeout(() => {
        api.uploadError = null;
      }, 20);
      return withCheckpoint(trial);
    };
    const summary = await runWorker({
      api,
      studyId: 's',
      objective,
      onEvent: (e) => events.push(e),
      ...quick,
    });
    assert.equal(api.trials[0]?.state, 'COMPLETE');
    assert.equal(summary.trials[0]?.checkpointError, null);
    assert.ok(logs(events).some((l) => /^checkpoint upload of trial #0 failed \(attempt 1\)/.test(l)));
  });

  it('an API gone past the retry window: each wait logged, the trial handed back once the API returns', async () => {
    const api = new FakeApi({ maxTrials: 1 });
    const events: WorkerEvent[] = [];
    let runs = 0;
    const objective: Objective = async (trial) => {
      runs++;
      if (runs === 1) {
        // The API goes away mid-trial for longer than the window, then comes back.
        api.down = unreachable;
        setTimeout(() => {
          api.down = null;
        }, 150);
      }
      await trial.report(0, { loss: 1 });
      return 1;
    };
    const summary = await runWorker({
      api,
      studyId: 's',
      objective,
      onEvent: (e) => events.push(e),
      ...quick,
      apiRetryWindowMs: 40,
      apiRetryDelayMs: 5,
    });
    const [first, copy] = api.trials;
    assert.equal(first?.state, 'FAILED');
    assert.equal(first?.error, 'interrupted', 'handed back, not told FAILED with "gave up"');
    assert.deepEqual(api.released, ['t0']);
    assert.equal(copy?.retryOf, 't0');
    assert.equal(copy?.state, 'COMPLETE', 'the handed-back params ran again');
    assert.equal(summary.trials[0]?.handedBack, true);
    const lines = logs(events);
    assert.match(
      lines.find((l) => l.startsWith('metrics of trial #0')) ?? '',
      /^metrics of trial #0 step 0 failed \(attempt 1\): API unreachable at http:\/\/127\.0\.0\.1:4999: connect ECONNREFUSED .*; next try in 5 ms$/,
    );
    assert.ok(
      lines.some((l) => /^handing back trial #0 failed \(attempt \d+\): API unreachable at /.test(l)),
      'the hand-back waits for the API, logging',
    );
    // Progress counts budget trials: the handed-back trial and its copy are one.
    const last = events.filter((e) => e.type === 'trial-finished').at(-1);
    assert.deepEqual(last?.type === 'trial-finished' ? last.progress : null, {
      done: 1,
      total: 1,
      best: 1,
      front: null,
      retries: 1,
    });
  });

  it('a hard stop while the API is down stops within the grace period instead of waiting for the API', {
    timeout: 30_000,
  }, async () => {
    const api = new FakeApi({ maxTrials: 1 });
    const hardStop = new AbortController();
    const events: WorkerEvent[] = [];
    const objective: Objective = async (trial) => {
      api.down = unreachable;
      setTimeout(() => hardStop.abort(), 30);
      await trial.report(0, { loss: 1 });
      return 1;
    };
    const started = Date.now();
    const summary = await runWorker({
      api,
      studyId: 's',
      objective,
      hardStop: hardStop.signal,
      onEvent: (e) => events.push(e),
      ...quick,
      apiRetryWindowMs: 600_000,
      apiRetryDelayMs: 5,
      shutdownGraceMs: 100,
    });
    const elapsed = Date.now() - started;
    // Bounded by the grace period, not the 10-minute window (generous margin for a loaded machine).
    assert.ok(elapsed < 5_000, `stopped after ${elapsed} ms`);
    assert.equal(summary.reason, 'interrupted');
    assert.equal(summary.trials[0]?.handedBack, false);
    assert.equal(api.trials[0]?.state, 'RUNNING', 'left to the stale reaper');
    assert.ok(
      logs(events).some((l) =>
        /^trial #0 not handed back \(API unreachable at .*\); the stale reaper will fail it$/.test(l),
      ),
    );
  });

  it('a finished trial whose API is gone is told once the API returns, however long that takes', async () => {
    const api = new FakeApi({ maxTrials: 1 });
    const objective: Objective = async () => {
      api.down = unreachable;
      setTimeout(() => {
        api.down = null;
      }, 120);
      return 0.5;
    };
    const events: WorkerEvent[] = [];
    await runWorker({
      api,
      studyId: 's',
      objective,
      onEvent: (e) => events.push(e),
      ...quick,
      apiRetryWindowMs: 20,
      apiRetryDelayMs: 5,
    });
    assert.equal(api.trials[0]?.state, 'COMPLETE');
    assert.equal(api.trials[0]?.value, 0.5);
    assert.ok(
      logs(events).some((l) => /^telling trial #0 COMPLETE failed \(attempt 1\): API unreachable/.test(l)),
    );
  });

  it('heartbeat failures say what failed, once and then every 10 s, and when they recover', async () => {
    const api = new FakeApi({ maxTrials: 1 });
    const events: WorkerEvent[] = [];
    // What the API answers while its PostgreSQL is down.
    const internal = new PosteriorError('DATABASE_UNAVAILABLE', 'database unavailable', { status: 200 });
    const objective: Objective = async () => {
      api.down = internal;
      await new Promise((r) => setTimeout(r, 80));
      api.down = null;
      await new Promise((r) => setTimeout(r, 40));
      return 1;
    };
    await runWorker({ api, studyId: 's', objective, onEvent: (e) => events.push(e), ...quick });
    const beats = logs(events).filter((l) => l.startsWith('heartbeat'));
    assert.equal(beats[0], 'heartbeat for trial #0 failed: database unavailable (DATABASE_UNAVAILABLE)');
    assert.equal(beats.length, 2, beats.join('\n'));
    assert.match(beats[1] ?? '', /^heartbeat for trial #0 recovered after \d+ ms$/);
  });
});
