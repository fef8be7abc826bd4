// The worker against a real API that fails under it: a read-only artifact store, an API that goes
// away (past the retry window, and during a SIGTERM), and a replica that dies mid-study.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FaultyArtifactStore } from '@posterior/api/testing';
import {
  bootstrap,
  fixture,
  quadraticStudy,
  runCli,
  startApi,
  trialInFlight as trialInFlightOf,
  waitFor,
  workerArgs,
} from './_harness.mjs';

const studyOf = (ctx, name, extra = {}) =>
  quadraticStudy(ctx, name, { sampler: { type: 'random', seed: 7 }, maxTrials: 2, ...extra });

const readyz = async (url) => {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: await res.json() };
};

/** A local URL nothing listens on. */
async function deadUrl() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return `http://127.0.0.1:${port}`;
}

describe('worker with a read-only artifact store', () => {
  let api;
  let ctx;
  let storeDir;
  let store;

  before(async () => {
    storeDir = await mkdtemp(join(tmpdir(), 'posterior-ro-artifacts-'));
    store = new FaultyArtifactStore(storeDir);
    api = await startApi({ artifactStore: store });
    ctx = await bootstrap(api.url);
  });
  after(async () => {
    await ctx?.client.close();
    await api?.close();
    await rm(storeDir, { recursive: true, force: true });
  });

  it('/readyz is 503 saying why; trials still complete with their values, checkpoints reported missing', async () => {
    const ready = await readyz(api.url);
    assert.equal(ready.status, 503);
    assert.deepEqual(ready.body.checks.artifacts, {
      ok: false,
      error: 'the artifact store cannot write: read-only file system (EROFS)',
    });
    const study = await studyOf(ctx, 'read-only store');
    const run = await runCli(
      workerArgs(
        api.url,
        ctx.token,
        study.id,
        '--objective',
        fixture('checkpoint.mjs'),
        '--checkpoint-retry-window',
        '1',
        '--json',
      ),
    );
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout);
    assert.deepEqual(summary.stopped, ['study-done']);
    const trials = await ctx.client.allTrials(study.id);
    assert.equal(trials.length, 2);
    for (const t of trials) {
      assert.equal(t.state, 'COMPLETE', `trial #${t.number}: ${t.error}`);
      const x = Number(t.params.x);
      assert.equal(t.value, x * x + 0.5, 'the value recomputed from the params');
      assert.deepEqual((await ctx.client.trial(t.id))?.artifacts, []);
    }
    for (const outcome of summary.trials) {
      assert.match(
        outcome.checkpointError,
        /read-only file system \(EROFS\).*ARTIFACT_STORE_UNAVAILABLE, HTTP 503/,
      );
    }
    // Each retry is on the worker's stderr: attempt, what failed, the next delay; never a path.
    assert.match(
      run.stderr,
      /checkpoint upload of trial #0 failed \(attempt 1\): artifact request failed \(HTTP 503\): the artifact store cannot write: read-only file system \(EROFS\) \(ARTIFACT_STORE_UNAVAILABLE, HTTP 503\); next try in /,
    );
    assert.match(run.stderr, /trial #1: checkpoint not saved \(.*EROFS.*\); the trial's result is kept/);
    assert.ok(!run.stderr.includes(storeDir), 'no server path reaches the worker');
  });

  it('once the store can write again, /readyz is 200 and checkpoints are saved', async () => {
    store.fault = null;
    await waitFor(async () => (await readyz(api.url)).status === 200, '/readyz 200', 10_000);
    const study = await studyOf(ctx, 'writable again', { maxTrials: 1 });
    const run = await runCli(
      workerArgs(api.url, ctx.token, study.id, '--objective', fixture('checkpoint.mjs'), '--json'),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).trials[0].checkpointError, null);
    const [trial] = await ctx.client.allTrials(study.id);
    assert.equal((await ctx.client.trial(trial.id))?.artifacts.length, 1);
  });
});

describe('worker whose API goes away', () => {
  let api;
  let ctx;

  before(async () => {
    api = await startApi();
    ctx = await bootstrap(api.url);
  });
  after(async () => {
    await ctx?.client.close();
    await api?.close();
  });

  const trialInFlight = (studyId) => trialInFlightOf(ctx.client, studyId);

  it('past the retry window: logs each wait, and hands the trial back when the API returns', async () => {
    const study = await studyOf(ctx, 'api gone');
    let stderr = '';
    const run = runCli(
      workerArgs(
        api.url,
        ctx.token,
        study.id,
        '--objective',
        fixture('quadratic.mjs'),
        '--api-retry-window',
        '1',
        '--json',
      ),
      {
        env: { QUADRATIC_EPOCH_MS: '250' },
        onSpawn: (child) => child.stderr.on('data', (d) => (stderr += d)),
      },
    );
    const first = await trialInFlight(study.id);
    const url = api.url;
    await api.stop();
    await waitFor(() => /handing back trial #0 failed \(attempt \d+\)/.test(stderr), 'the hand-back to wait');
    await api.resume();
    const result = await run;
    assert.equal(result.code, 0, result.stderr);
    const escaped = url.replace(/[.]/g, '\\.');
    assert.match(
      result.stderr,
      new RegExp(
        `metrics of trial #0 step \\d failed \\(attempt 1\\): API unreachable at ${escaped}: .*; next try in `,
      ),
    );
    assert.doesNotMatch(result.stderr, /gave up/);
    const trials = await ctx.client.allTrials(study.id);
    const told = trials.find((t) => t.id === first.id);
    assert.equal(told?.state, 'FAILED');
    assert.equal(told?.error, 'interrupted', 'handed back, not failed');
    const copy = trials.find((t) => t.retryOf === first.id);
    assert.equal(copy?.state, 'COMPLETE');
    assert.deepEqual(copy?.params, first.params);
    assert.equal(trials.filter((t) => t.state === 'COMPLETE').length, 2, 'the whole budget completed');
    const summary = JSON.parse(result.stdout);
    assert.equal(summary.trials[0].handedBack, true);
    // Progress counts budget trials: the handed-back trial and its copy are one, the retry shown apart.
    assert.match(result.stderr, /\[2\/2 done, 1 retried, best /);
    assert.doesNotMatch(result.stderr, /\[3\/2 done/);
  });

  for (const concurrency of [1, 2]) {
    it(`SIGTERM while the API is down stops the worker within 8 s (--concurrency ${concurrency})`, async (t) => {
      const study = await studyOf(ctx, `sigterm while down ${concurrency}`, {
        heartbeatTimeoutS: 3,
        parallelism: concurrency,
        maxTrials: concurrency,
      });
      let stderr = '';
      let child;
      const run = runCli(
        workerArgs(
          api.url,
          ctx.token,
          study.id,
          '--objective',
          fixture('hang.mjs'),
          '--concurrency',
          String(concurrency),
        ),
        {
          onSpawn: (c) => {
            child = c;
            c.stderr.on('data', (d) => (stderr += d));
          },
        },
      );
      await waitFor(
        async () => (await ctx.client.study(study.id))?.trialCounts.RUNNING === concurrency,
        'every slot running a trial',
      );
      await api.stop();
      try {
        await waitFor(
          () => /heartbeat for trial #\d failed: API unreachable at /.test(stderr),
          'a failed heartbeat',
        );
        const sent = Date.now();
        child.kill('SIGTERM');
        const result = await run;
        const elapsed = Date.now() - sent;
        t.diagnostic(`stopped ${elapsed} ms after SIGTERM`);
        assert.ok(elapsed < 8_000, `stopped ${elapsed} ms after SIGTERM`);
        assert.equal(result.code, 0, result.stderr);
        const notHandedBack = result.stderr.match(
          /trial #\d not handed back \(API unreachable at .*\); the stale reaper will fail it/g,
        );
        assert.equal(notHandedBack?.length, concurrency, result.stderr);
      } finally {
        await api.resume();
      }
    });
  }

  it('with two replicas (POSTERIOR_API_URL comma-separated), a replica that dies mid-study costs nothing', async () => {
    const replica = await api.replica();
    const study = await studyOf(ctx, 'failover', { maxTrials: 4 });
    const run = runCli(
      [
        'worker',
        '--token',
        ctx.token,
        '--study',
        study.id,
        '--objective',
        fixture('quadratic.mjs'),
        '--json',
      ],
      { env: { QUADRATIC_EPOCH_MS: '100', POSTERIOR_API_URL: `${replica.baseUrl},${api.url}` } },
    );
    await trialInFlight(study.id);
    await replica.close();
    const result = await run;
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(
        `API unreachable at ${replica.baseUrl.replaceAll('.', '\\.')}: .*; retrying in \\d+ ms at ${api.url.replaceAll('.', '\\.')}`,
      ),
    );
    const trials = await ctx.client.allTrials(study.id);
    assert.deepEqual(
      trials.map((t) => [t.number, t.state]),
      [
        [0, 'COMPLETE'],
        [1, 'COMPLETE'],
        [2, 'COMPLETE'],
        [3, 'COMPLETE'],
      ],
    );
    for (const t of trials) {
      const detail = await ctx.client.trial(t.id);
      assert.deepEqual(
        detail?.metrics.filter((m) => m.name === 'loss').map((m) => m.step),
        [0, 1, 2, 3, 4],
        'no report lost in the failover',
      );
    }
  });

  it('SDK subscriptions fail over too: a dead first URL, events from the live one', async () => {
    const { createNodeClient } = await import('@posterior/sdk/node');
    const client = createNodeClient({ url: [await deadUrl(), api.url], token: ctx.token });
    const study = await studyOf(ctx, 'subscription failover', { maxTrials: 100 });
    const events = [];
    const stop = client.trialEvents(study.id, { next: (e) => events.push(e), error: (e) => events.push(e) });
    try {
      // The socket first tries the dead URL, then reconnects to the live one: enqueue trials until an
      // event sent after the subscription went live arrives.
      let enqueued = 0;
      await waitFor(async () => {
        if (events.length > 0) return true;
        if (enqueued < 90) {
          await ctx.client.enqueueTrial(study.id, { x: enqueued / 100 });
          enqueued++;
        }
        await new Promise((r) => setTimeout(r, 200));
        return events.length > 0;
      }, 'an event over the failed-over subscription');
      assert.ok(!(events[0] instanceof Error), String(events[0]));
      assert.equal(events[0].trial.studyId, study.id);
    } finally {
      stop();
      await client.close();
    }
  });
});
