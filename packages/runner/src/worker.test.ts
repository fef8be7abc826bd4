import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PosteriorError } from '@posterior/sdk';
import type { WorkerEvent } from './events.js';
import { FakeApi } from './fake-api.test-support.js';
import type { Objective } from './trial-handle.js';
import { runWorker } from './worker.js';
import type { WorkerApi } from './worker-api.js';

const quick = { pollMs: 5, heartbeatMs: 5, apiRetryWindowMs: 5_000, apiRetryDelayMs: 1 };

/** Reports `loss = x + 1/(epoch+1)` for `epochs` epochs, pruning when told to. */
function epochs(n: number): Objective {
  return async (trial) => {
    const x = Number(trial.params.x);
    for (let epoch = 0; epoch < n; epoch++) {
      const { shouldPrune } = await trial.report(epoch, { loss: x + 1 / (epoch + 1), acc: 0.5 });
      if (shouldPrune) trial.prune();
    }
    return undefined;
  };
}

describe('runWorker', () => {
  it('runs trials until the study has maxTrials, streaming metrics per epoch', async () => {
    const api = new FakeApi({ maxTrials: 4 });
    const events: WorkerEvent[] = [];
    const summary = await runWorker({
      api,
      studyId: 's',
      objective: epochs(3),
      onEvent: (e) => events.push(e),
      ...quick,
    });
    assert.equal(summary.reason, 'study-done');
    assert.equal(summary.trials.length, 4);
    assert.deepEqual(
      api.trials.map((t) => t.state),
      ['COMPLETE', 'COMPLETE', 'COMPLETE', 'COMPLETE'],
    );
    for (const t of api.trials) {
      assert.equal(t.metrics.filter((m) => m.name === 'loss').length, 3);
      // With no return value the last reported objective metric is the trial's value.
      assert.equal(t.value, Number(t.params.x) + 1 / 3);
    }
    assert.equal(events.filter((e) => e.type === 'metrics').length, 12);
    const last = events.filter((e) => e.type === 'trial-finished').at(-1);
    assert.equal(last?.type === 'trial-finished' ? last.progress?.done : undefined, 4);
  });

  it('reads the study once per trial for progress, and not at all with progress off', async () => {
    const withProgress = new FakeApi({ maxTrials: 3 });
    await runWorker({ api: withProgress, studyId: 's', objective: epochs(1), ...quick });
    // One read at start, one per finished trial, one when the ask comes back empty.
    assert.equal(withProgress.studyCalls, 5);
    const without = new FakeApi({ maxTrials: 3 });
    const events: WorkerEvent[] = [];
    await runWorker({
      api: without,
      studyId: 's',
      objective: epochs(1),
      progress: false,
      onEvent: (e) => events.push(e),
      ...quick,
    });
    assert.equal(without.studyCalls, 2);
    const finished = events.filter((e) => e.type === 'trial-finished');
    assert.equal(finished.length, 3);
    assert.ok(finished.every((e) => e.type === 'trial-finished' && e.progress === null));
  });

  it('stops pruned trials early and tells PRUNED with the last value', async () => {
    const api = new FakeApi({ maxTrials: 3, pruneAbove: 0.75 });
    await runWorker({ api, studyId: 's', objective: epochs(10), ...quick });
    // x = 0, 0.1, 0.2: loss at epoch 1 = x + 0.5 <= 0.75 never prunes after epoch 0 (x + 1 > 0.75 prunes at 0).
    for (const t of api.trials) {
      assert.equal(t.state, 'PRUNED');
      assert.equal(t.metrics.filter((m) => m.name === 'loss').length, 1);
      assert.equal(t.value, Number(t.params.x) + 1);
    }
  });

  it('turns a thrown error into FAILED with its message, and a returned value into COMPLETE', async () => {
    const api = new FakeApi({ maxTrials: 2 });
    const objective: Objective = async (trial) => {
      if (trial.number === 0) throw new Error('out of memory');
      return 0.25;
    };
    await runWorker({ api, studyId: 's', objective, ...quick });
    assert.equal(api.trials[0]?.state, 'FAILED');
    assert.equal(api.trials[0]?.error, 'out of memory');
    assert.equal(api.trials[1]?.state, 'COMPLETE');
    assert.equal(api.trials[1]?.value, 0.25);
  });

  it('fails a trial that neither returns nor reports the objective metric', async () => {
    const api = new FakeApi({ maxTrials: 1 });
    await runWorker({ api, studyId: 's', objective: async () => undefined, ...quick });
    assert.equal(api.trials[0]?.state, 'FAILED');
    assert.match(api.trials[0]?.error ?? '', /never reported the metric loss/);
  });

  it('rides out an API outage on every call without telling twice', async () => {
    const api = new FakeApi({ maxTrials: 3 });
    api.outages.set('askTrials', 2);
    api.outages.set('reportMetrics', 2);
    api.outages.set('study', 1);
    // The first tell commits but its answer is lost: the retry meets CONFLICT and must read back.
    api.lostAnswers.set('tellTrial', 1);
    const events: WorkerEvent[] = [];
    const summary = await runWorker({
      api,
      studyId: 's',
      objective: epochs(2),
      onEvent: (e) => events.push(e),
      ...quick,
    });
    assert.equal(summary.trials.length, 3);
    assert.ok(api.trials.every((t) => t.state === 'COMPLETE' && t.tells === 1));
    assert.ok(events.some((e) => e.type === 'log' && /already COMPLETE/.test(e.message)));
  });

  it('drains: finishes the trial in flight, then stops without claiming more', async () => {
    const api = new FakeApi({ maxTrials: 10 });
    const drain = new AbortController();
    const objective: Objective = async (trial) => {
      await trial.report(0, { loss: 1 });
      drain.abort();
      await trial.report(1, { loss: 0.5 });
      return undefined;
    };
    const summary = await runWorker({ api, studyId: 's', objective, drain: drain.signal, ...quick });
    assert.equal(summary.reason, 'interrupted');
    assert.equal(api.trials.length, 1);
    assert.equal(api.trials[0]?.state, 'COMPLETE');
    assert.equal(api.trials[0]?.value, 0.5);
  });

  it('a stop that cuts off an ask whose claim landed hands that trial back', async () => {
    const fake = new FakeApi({ maxTrials: 10 });
    const drain = new AbortController();
    const api: WorkerApi = Object.assign(Object.create(fake) as FakeApi, {
      async askTrials(...args: Parameters<FakeApi['askTrials']>) {
        const claimed = await fake.askTrials(...args);
        if (!drain.signal.aborted) {
          // The claim is stored, but the stop cuts the request off before its answer arrives.
          drain.abort();
          throw new PosteriorError('ABORTED', 'stopping');
        }
        return claimed;
      },
    });
    const summary = await runWorker({
      api,
      studyId: 's',
      objective: async () => 1,
      drain: drain.signal,
      ...quick,
    });
    assert.equal(summary.reason, 'interrupted');
    assert.equal(summary.trials.length, 0);
    assert.deepEqual(fake.released, ['t0']);
    assert.equal(fake.trials.filter((t) => t.state === 'RUNNING').length, 0);
  });

  it('hard stop: interrupts the trial, tells FAILED and hands its params back', async () => {
    const api = new FakeApi({ maxTrials: 10 });
    const hardStop = new AbortController();
    const objective: Objective = async (trial) => {
      await trial.report(0, { loss: 1 });
      hardStop.abort();
      await new Promise((_, reject) => {
        if (trial.signal.aborted) reject(new Error('training cancelled'));
        trial.signal.addEventListener('abort', () => reject(new Error('training cancelled')));
      });
      return 0;
    };
    const summary = await runWorker({ api, studyId: 's', objective, hardStop: hardStop.signal, ...quick });
    assert.equal(summary.reason, 'interrupted');
    assert.equal(api.trials[0]?.state, 'FAILED');
    assert.match(api.trials[0]?.error ?? '', /interrupted/);
    assert.equal(api.trials[0]?.tells, 0, 'released, not told');
    assert.deepEqual(api.released, [api.trials[0]?.id]);
    const copy = api.trials.find((t) => t.retryOf === api.trials[0]?.id);
    assert.equal(copy?.state, 'WAITING');
    assert.deepEqual(copy?.params, api.trials[0]?.params);
    assert.equal(summary.trials[0]?.handedBack, true);
    assert.equal(api.count('RUNNING'), 0);
  });

  it('hard stop on the last trial of the budget: the hand-back still works, its answer lost or not', async () => {
    const api = new FakeApi({ maxTrials: 1 });
    api.lostAnswers.set('releaseTrial', 1);
    const hardStop = new AbortController();
    const objective: Objective = async (trial) => {
      hardStop.abort();
      if (trial.signal.aborted) throw new Error('training cancelled');
      return 0;
    };
    const summary = await runWorker({ api, studyId: 's', objective, hardStop: hardStop.signal, ...quick });
    assert.equal(summary.trials[0]?.handedBack, true);
    assert.equal(api.trials.length, 2, 'one copy despite the retried release');
    assert.equal(api.trials[1]?.state, 'WAITING');
    assert.equal(api.trials[1]?.retryOf, api.trials[0]?.id);
    // Another worker then runs the copy to the end of the budget.
    const rest = await runWorker({ api, studyId: 's', objective: async () => 1, ...quick });
    assert.equal(rest.reason, 'study-done');
    assert.equal(api.count('COMPLETE'), 1);
  });

  it('stops when the study is marked done, aborting the trial through its signal', async () => {
    const api = new FakeApi({ maxTrials: 10 });
    const objective: Objective = async (trial) => {
      api.state = 'DONE';
      await new Promise<void>((resolve) => trial.signal.addEventListener('abort', () => resolve()));
      throw new Error('aborted by signal');
    };
    const summary = await runWorker({ api, studyId: 's', objective, ...quick });
    assert.equal(summary.reason, 'study-done');
    assert.equal(api.trials[0]?.state, 'FAILED');
    assert.match(api.trials[0]?.error ?? '', /asked this trial to stop/);
    assert.deepEqual(api.released, []);
  });

  it('finishes the trial in flight when the study is paused, then stops', async () => {
    const api = new FakeApi({ maxTrials: 10 });
    const objective: Objective = async (trial) => {
      api.state = 'PAUSED';
      await trial.report(0, { loss: 2 });
      return undefined;
    };
    const summary = await runWorker({ api, studyId: 's', objective, ...quick });
    assert.equal(summary.reason, 'study-paused');
    assert.equal(api.trials.length, 1);
    assert.equal(api.trials[0]?.state, 'COMPLETE');
  });

  it('stops a trial the reaper already failed and keeps its FAILED state', async () => {
    const api = new FakeApi({ maxTrials: 1 });
    const objective: Objective = async (trial) => {
      api.reap(trial.id);
      await trial.report(0, { loss: 1 });
      return 1;
    };
    const summary = await runWorker({ api, studyId: 's', objective, ...quick });
    assert.equal(api.trials[0]?.state, 'FAILED');
    assert.equal(api.trials[0]?.error, 'stale');
    assert.equal(summary.trials[0]?.state, 'FAILED');
  });

  it('heartbeats while a trial runs', async () => {
    const api = new FakeApi({ maxTrials: 1 });
    const objective: Objective = async () => {
      while (api.heartbeats < 2) await new Promise((resolve) => setTimeout(resolve, 5));
      return 1;
    };
    await runWorker({ api, studyId: 's', objective, ...quick });
    assert.ok(api.heartbeats >= 2, `expected heartbeats, saw ${api.heartbeats}`);
  });

  it('refuses a non-numeric return value', async () => {
    const api = new FakeApi({ maxTrials: 1 });
    const objective = (async () => 'fast') as unknown as Objective;
    await runWorker({ api, studyId: 's', objective, ...quick });
    assert.match(api.trials[0]?.error ?? '', /returned a string/);
  });

  it('stops after --max-trials trials', async () => {
    const api = new FakeApi({ maxTrials: 10 });
    const summary = await runWorker({ api, studyId: 's', objective: async () => 1, maxTrials: 2, ...quick });
    assert.equal(summary.reason, 'trial-limit');
    assert.equal(api.trials.length, 2);
  });

  it('gives up on an API that stays down past the retry window, with the last error', async () => {
    const api = new FakeApi({ maxTrials: 1 });
    api.outages.set('study', 1_000);
    await assert.rejects(
      runWorker({ api, studyId: 's', objective: async () => 1, ...quick, apiRetryWindowMs: 30 }),
      /fake outage in study \(gave up after/,
    );
  });
});
