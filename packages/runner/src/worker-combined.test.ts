import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AskInput,
  isTerminal,
  PosteriorError,
  type TellAndAskResult,
  type TellInput,
  type Trial,
} from '@posterior/sdk';
import { FakeApi, type FakeOptions } from './fake-api.test-support.js';
import { runWorker } from './worker.js';

const quick = { pollMs: 5, heartbeatMs: 5, apiRetryWindowMs: 5_000, apiRetryDelayMs: 1 };

/**
 * A fake API with `tellAndAsk` as the server runs it: the tell first, and a refused tell ends the
 * request before its ask (a non-null mutation field failing); an ask failing after a tell that
 * landed comes back as `asked.error`, without the told trial.
 */
class CombinedFakeApi extends FakeApi {
  readonly calls = { askTrials: 0, tellTrial: 0, tellAndAsk: 0 };
  /** Combined requests whose tell and ask both happen but whose answer is lost. */
  lostCombined = 0;
  /** Asks (separate or combined) refused with CONFLICT from now on. */
  refuseAsks = false;

  constructor(options: FakeOptions) {
    super(options);
  }

  override async askTrials(
    studyId: string,
    count?: number,
    workerId?: string,
    options?: { requestKey?: string },
  ): Promise<readonly Trial[]> {
    this.calls.askTrials++;
    return this.claim(studyId, count, workerId, options?.requestKey);
  }

  override async tellTrial(trialId: string, input: TellInput): Promise<Trial> {
    this.calls.tellTrial++;
    return super.tellTrial(trialId, input);
  }

  async tellAndAsk(trialId: string, input: TellInput, ask: AskInput): Promise<TellAndAskResult> {
    this.calls.tellAndAsk++;
    const told = await super.tellTrial(trialId, input);
    let result: TellAndAskResult;
    try {
      result = {
        told,
        asked: { trials: await this.claim(ask.studyId, ask.count, ask.workerId, ask.requestKey) },
      };
    } catch (error) {
      if (!(error instanceof PosteriorError)) throw error;
      result = { told: null, asked: { error } };
    }
    if (this.lostCombined > 0) {
      this.lostCombined--;
      throw new PosteriorError('NETWORK_ERROR', 'fake lost answer in tellAndAsk');
    }
    return result;
  }

  /** Like the server, an ask retried with its key (alone or in a tell's request) gets the same trials. */
  private claim(
    studyId: string,
    count?: number,
    workerId?: string,
    requestKey?: string,
  ): Promise<readonly Trial[]> {
    if (this.refuseAsks) throw new PosteriorError('CONFLICT', 'study is PAUSED; it hands out no trials');
    return super.askTrials(studyId, count, workerId, requestKey === undefined ? {} : { requestKey });
  }
}

describe('runWorker with tellAndAsk', () => {
  it('claims each next trial in the request of the tell before it', async () => {
    const api = new CombinedFakeApi({ maxTrials: 5 });
    const summary = await runWorker({
      api,
      studyId: 's',
      objective: async (t) => Number(t.params.x),
      ...quick,
    });
    assert.equal(summary.reason, 'study-done');
    assert.deepEqual(
      api.trials.map((t) => [t.state, t.tells]),
      Array(5).fill(['COMPLETE', 1]),
    );
    // One ask to start; then every tell carries the next ask (the last one's finds the budget
    // spent, and the worker reads the study instead of asking again).
    assert.equal(api.calls.tellAndAsk, 5);
    assert.equal(api.calls.tellTrial, 0);
    assert.equal(api.calls.askTrials, 1);
  });

  it('tells the last trial alone when --max-trials is reached, claiming nothing extra', async () => {
    const api = new CombinedFakeApi({ maxTrials: 10 });
    const summary = await runWorker({ api, studyId: 's', objective: async () => 1, maxTrials: 3, ...quick });
    assert.equal(summary.reason, 'trial-limit');
    assert.equal(api.calls.tellAndAsk, 2);
    assert.equal(api.calls.tellTrial, 1);
    assert.equal(api.count('RUNNING'), 0);
    assert.equal(api.count('COMPLETE'), 3);
  });

  it('an ask refused after its tell landed: the result stays told once, and the worker stops', async () => {
    const api = new CombinedFakeApi({ maxTrials: 10 });
    const summary = await runWorker({
      api,
      studyId: 's',
      objective: async (t) => {
        if (t.number === 1) {
          api.state = 'PAUSED';
          api.refuseAsks = true;
        }
        return 2;
      },
      ...quick,
    });
    assert.equal(summary.reason, 'study-paused');
    assert.deepEqual(
      summary.trials.map((t) => [t.number, t.state, t.value]),
      [
        [0, 'COMPLETE', 2],
        [1, 'COMPLETE', 2],
      ],
    );
    assert.deepEqual(
      api.trials.map((t) => t.tells),
      [1, 1],
    );
    // The refused combined ask counts as the ask: no second one before reading the study state.
    assert.equal(api.calls.askTrials, 1);
  });

  it('a lost answer: the retried tell is not applied twice and the worker carries on', async () => {
    const api = new CombinedFakeApi({ maxTrials: 10 });
    api.lostCombined = 1;
    const summary = await runWorker({ api, studyId: 's', objective: async () => 3, maxTrials: 3, ...quick });
    assert.equal(summary.reason, 'trial-limit');
    assert.ok(summary.trials.every((t) => t.state === 'COMPLETE'));
    for (const t of api.trials) assert.ok(t.tells <= 1, `trial ${t.number} told ${t.tells} times`);
    // The lost attempt's claim has no worker: left RUNNING for the stale-trial reaper, never run here.
    const orphans = api.trials.filter((t) => !isTerminal(t.state));
    assert.equal(orphans.length, 1);
    assert.equal(orphans[0]?.state, 'RUNNING');
    assert.ok(!summary.trials.some((t) => t.trialId === orphans[0]?.id));
  });

  it('a hard stop that cuts off a combined tell+ask whose claim landed hands that trial back', async () => {
    const fake = new CombinedFakeApi({ maxTrials: 10 });
    const hardStop = new AbortController();
    const keys: Array<string | undefined> = [];
    const api = Object.assign(Object.create(fake) as CombinedFakeApi, {
      async tellAndAsk(trialId: string, input: TellInput, ask: AskInput): Promise<TellAndAskResult> {
        keys.push(ask.requestKey);
        if (hardStop.signal.aborted) {
          // The last try under the shutdown grace does not get through either.
          throw new PosteriorError('NETWORK_ERROR', 'fake: API unreachable');
        }
        // Told and claimed on the server, but the stop cuts the request off before its answer.
        await fake.tellAndAsk(trialId, input, ask);
        hardStop.abort();
        throw new PosteriorError('ABORTED', 'stopping');
      },
      async askTrials(...args: Parameters<CombinedFakeApi['askTrials']>) {
        keys.push(args[3]?.requestKey);
        return fake.askTrials(...args);
      },
    });
    const summary = await runWorker({
      api,
      studyId: 's',
      objective: async () => 1,
      hardStop: hardStop.signal,
      shutdownGraceMs: 50,
      ...quick,
    });
    assert.equal(summary.reason, 'interrupted');
    assert.equal(fake.trials[0]?.state, 'COMPLETE');
    // Trial #1, claimed by the cut-off request, is asked for again with that request's key and
    // handed back: nothing is left RUNNING for the stale reaper.
    assert.deepEqual(fake.released, ['t1']);
    assert.equal(fake.count('RUNNING'), 0);
    assert.equal(fake.trials[1]?.state, 'FAILED');
    assert.equal(fake.trials.find((t) => t.retryOf === 't1')?.state, 'WAITING');
    const combinedKey = keys[1];
    assert.ok(combinedKey);
    assert.equal(keys.at(-1), combinedKey, 'the hand-back asks with the cut-off request key');
  });

  it('a hard stop right after a combined claim hands the claimed trial back without running it', async () => {
    const api = new CombinedFakeApi({ maxTrials: 10 });
    const hardStop = new AbortController();
    const ran: number[] = [];
    const summary = await runWorker({
      api,
      studyId: 's',
      hardStop: hardStop.signal,
      objective: async (t) => {
        ran.push(t.number);
        return 1;
      },
      onEvent: (e) => {
        // Fires after trial #0's combined tell+ask, before trial #1 starts.
        if (e.type === 'trial-finished' && e.number === 0) hardStop.abort();
      },
      ...quick,
    });
    assert.equal(summary.reason, 'interrupted');
    assert.deepEqual(ran, [0]);
    assert.equal(api.trials[1]?.state, 'FAILED');
    assert.deepEqual(api.released, [api.trials[1]?.id]);
    assert.deepEqual(api.trials.find((t) => t.retryOf === api.trials[1]?.id)?.params, api.trials[1]?.params);
  });
});
