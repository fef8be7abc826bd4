import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TellInput } from '@posterior/sdk';
import type { WorkerEvent } from './events.js';
import { FakeApi } from './fake-api.test-support.js';
import type { Objective } from './trial-handle.js';
import { runWorker } from './worker.js';

const quick = { pollMs: 5, heartbeatMs: 5, apiRetryWindowMs: 5_000, apiRetryDelayMs: 1 };

/** Two objectives (one maximized) and one constraint: the runner side of MO-CONTRACT "Telling". */
const moStudy = () =>
  new FakeApi({
    maxTrials: 3,
    objectives: [
      { name: 'val_loss', direction: 'MINIMIZE' },
      { name: 'acc', direction: 'MAXIMIZE' },
    ],
    constraints: [{ name: 'latency_ms' }],
  });

/** What the tells said of the outcome; every tell also carries the worker's environment (dashtrack). */
const outcomes = (tells: readonly TellInput[] | undefined): Array<Omit<TellInput, 'environment'>> =>
  (tells ?? []).map(({ environment, ...outcome }) => {
    assert.ok(environment?.workerId, 'every tell names the environment it ran on');
    return outcome;
  });

describe('runWorker with multi-objective and constrained studies (docs/DESIGN.md 6b)', () => {
  it('tells the values and constraint values an objective returns by name, in study order', async () => {
    const api = moStudy();
    const seen: string[][] = [];
    const objective: Objective = async (trial) => {
      seen.push([...trial.objectives, '|', ...trial.constraints]);
      const x = Number(trial.params.x);
      return { values: { acc: 1 - x, val_loss: x + 0.5 }, constraints: { latency_ms: x - 0.15 } };
    };
    const events: WorkerEvent[] = [];
    await runWorker({ api, studyId: 's', objective, onEvent: (e) => events.push(e), ...quick });
    assert.deepEqual(seen[0], ['val_loss', 'acc', '|', 'latency_ms']);
    const started = events.find((e) => e.type === 'started');
    assert.deepEqual(started?.type === 'started' && started.study.objectives, ['val_loss', 'acc']);
    const finished = events.filter((e) => e.type === 'trial-finished');
    assert.deepEqual(
      finished.map((e) => e.type === 'trial-finished' && [e.values, e.progress?.front !== null]),
      [
        [[0.5, 1], true],
        [[0.6, 0.9], true],
        [[0.7, 0.8], true],
      ],
    );
    assert.deepEqual(outcomes(api.trials[0]?.tellInputs), [
      { state: 'COMPLETE', value: 0.5, values: [0.5, 1], constraints: [-0.15] },
    ]);
    assert.deepEqual(
      api.trials.map((t) => [t.state, t.values, t.constraints, t.value]),
      [
        ['COMPLETE', [0.5, 1], [-0.15], 0.5],
        ['COMPLETE', [0.6, 0.9], [0.1 - 0.15], 0.6],
        ['COMPLETE', [0.7, 0.8], [0.2 - 0.15], 0.7],
      ],
    );
  });

  it('an objective that returns nothing is told the last reported point of each named metric', async () => {
    const api = moStudy();
    const objective: Objective = async (trial) => {
      for (let epoch = 0; epoch < 3; epoch++) {
        await trial.report(epoch, { val_loss: 1 / (epoch + 1), acc: epoch / 10, latency_ms: 5 - epoch });
      }
      // A later non-finite point is not reported, so the earlier value stands.
      await trial.report(3, { val_loss: Number.NaN });
      return undefined;
    };
    await runWorker({ api, studyId: 's', objective, ...quick });
    for (const t of api.trials) {
      assert.equal(t.state, 'COMPLETE');
      assert.deepEqual(t.values, [1 / 3, 0.2]);
      assert.deepEqual(t.constraints, [3]);
    }
  });

  it('an array return takes the constraints from the reported metrics', async () => {
    const api = moStudy();
    const objective: Objective = async (trial) => {
      await trial.report(0, { latency_ms: -4 });
      return [0.2, 0.7];
    };
    await runWorker({ api, studyId: 's', objective, maxTrials: 1, ...quick });
    assert.deepEqual([api.trials[0]?.values, api.trials[0]?.constraints], [[0.2, 0.7], [-4]]);
  });

  it('a result that does not fit the study fails the trial with one line saying what was expected', async () => {
    const api = moStudy();
    const results: unknown[] = [0.5, { values: [0.5, 0.9], constraints: [] }, [0.5, Number.NaN]];
    const objective: Objective = async (trial) => results[trial.number] as number;
    const events: WorkerEvent[] = [];
    await runWorker({ api, studyId: 's', objective, onEvent: (e) => events.push(e), ...quick });
    assert.deepEqual(
      api.trials.map((t) => [t.state, t.error, t.values]),
      [
        ['FAILED', 'the objective returned one number, expected 2 values (val_loss, acc)', null],
        ['FAILED', 'the objective returned 0 constraint values, expected 1 constraint (latency_ms)', null],
        ['FAILED', 'objective acc is not finite (NaN)', null],
      ],
    );
    const finished = events.filter((e) => e.type === 'trial-finished');
    assert.ok(finished.every((e) => e.type === 'trial-finished' && e.state === 'FAILED'));
  });

  it('a pruned multi-objective trial is told PRUNED without values', async () => {
    const api = new FakeApi({
      maxTrials: 1,
      pruneAbove: 0.5,
      objectives: [
        { name: 'loss', direction: 'MINIMIZE' },
        { name: 'size', direction: 'MINIMIZE' },
      ],
    });
    const objective: Objective = async (trial) => {
      const { shouldPrune } = await trial.report(0, { loss: 2, size: 3 });
      if (shouldPrune) trial.prune();
      return [2, 3];
    };
    await runWorker({ api, studyId: 's', objective, ...quick });
    assert.deepEqual(
      [api.trials[0]?.state, api.trials[0]?.values, api.trials[0]?.value],
      ['PRUNED', null, null],
    );
  });

  it('a single-objective study still takes a plain number, told as `value` alone (older servers)', async () => {
    const api = new FakeApi({ maxTrials: 1 });
    await runWorker({ api, studyId: 's', objective: async () => 0.25, ...quick });
    assert.deepEqual(outcomes(api.trials[0]?.tellInputs), [{ state: 'COMPLETE', value: 0.25 }]);
    assert.deepEqual(
      [api.trials[0]?.state, api.trials[0]?.value, api.trials[0]?.values],
      ['COMPLETE', 0.25, [0.25]],
    );
  });

  it('a constrained single-objective study is told its value and the constraint values', async () => {
    const api = new FakeApi({ maxTrials: 1, constraints: [{ name: 'c' }] });
    const objective: Objective = async (trial) => {
      await trial.report(0, { loss: 1, c: 0.5 });
      return 0.3;
    };
    await runWorker({ api, studyId: 's', objective, ...quick });
    assert.deepEqual(outcomes(api.trials[0]?.tellInputs), [
      { state: 'COMPLETE', value: 0.3, constraints: [0.5] },
    ]);
  });
});
