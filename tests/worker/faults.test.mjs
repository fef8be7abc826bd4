import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  bootstrap,
  fixture,
  quadraticStudy,
  runCli,
  startApi,
  trialInFlight as trialInFlightOf,
  waitFor,
  workerArgs as workerArgsFor,
} from './_harness.mjs';

describe('worker faults against a real API', () => {
  let api;
  let ctx;
  let scratch;

  before(async () => {
    api = await startApi();
    ctx = await bootstrap(api.url);
    scratch = await mkdtemp(join(tmpdir(), 'posterior-faults-'));
  });

  after(async () => {
    await ctx?.client.close();
    await api?.close();
  });

  /** `posterior worker` against this suite's API and token, on one study. */
  const workerArgs = (studyId, ...extra) => workerArgsFor(api.url, ctx.token, studyId, ...extra);

  const createStudy = (name, extra = {}) =>
    quadraticStudy(ctx, name, { sampler: { type: 'random', seed: 1 }, maxTrials: 3, ...extra });

  const trialInFlight = (studyId) => trialInFlightOf(ctx.client, studyId);

  it('kill -9 mid-trial leaves the trial to the stale reaper, which fails and retries it', async () => {
    const study = await createStudy('killed', { heartbeatTimeoutS: 1, retryFailed: 1 });
    let child;
    const run = runCli(workerArgs(study.id, '--objective', fixture('hang.mjs')), {
      onSpawn: (c) => {
        child = c;
      },
    });
    const trial = await trialInFlight(study.id);
    child.kill('SIGKILL');
    const result = await run;
    assert.equal(result.signal, 'SIGKILL');
    const reaped = await waitFor(async () => {
      const t = await ctx.client.trial(trial.id);
      return t?.state === 'FAILED' ? t : undefined;
    }, 'the reaper to fail the trial');
    assert.equal(reaped.error, 'stale');
    const retry = (await ctx.client.allTrials(study.id)).find((t) => t.retryOf === trial.id);
    assert.ok(retry, 'a WAITING retry with the same params');
    assert.equal(retry.state, 'WAITING');
    assert.deepEqual(retry.params, trial.params);
  });

  it('SIGINT finishes the trial in flight, tells it, and exits 0 without claiming more', async () => {
    const study = await createStudy('drained');
    const marker = join(scratch, 'release-drain');
    let child;
    const run = runCli(workerArgs(study.id, '--objective', fixture('slow-then-done.mjs'), '--json'), {
      env: { RELEASE_MARKER: marker },
      onSpawn: (c) => {
        child = c;
      },
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const trial = await trialInFlight(study.id);
    child.kill('SIGINT');
    // Release the objective only once the worker has taken the signal in, so it cannot claim more.
    await waitFor(() => stderr.includes('stopping after the trial in flight'), 'the drain notice');
    await writeFile(marker, '');
    const result = await run;
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout).stopped, ['interrupted']);
    const finished = await ctx.client.trial(trial.id);
    assert.equal(finished?.state, 'COMPLETE');
    assert.equal(finished?.value, 1);
    const trials = await ctx.client.allTrials(study.id);
    assert.equal(trials.length, 1, 'no further trial claimed');
  });

  it('SIGTERM interrupts the trial and hands it back (releaseTrial), even with the budget spent', async () => {
    // maxTrials 1: the trial in flight is the whole budget, which an enqueue could not add to.
    const study = await createStudy('terminated', { maxTrials: 1 });
    let child;
    const run = runCli(workerArgs(study.id, '--objective', fixture('hang.mjs'), '--json'), {
      onSpawn: (c) => {
        child = c;
      },
    });
    const trial = await trialInFlight(study.id);
    child.kill('SIGTERM');
    const result = await run;
    assert.equal(result.code, 0, result.stderr);
    const told = await ctx.client.trial(trial.id);
    assert.equal(told?.state, 'FAILED');
    assert.equal(told?.error, 'interrupted');
    const trials = await ctx.client.allTrials(study.id);
    assert.equal(trials.filter((t) => t.state === 'RUNNING').length, 0, 'nothing left RUNNING');
    const handedBack = trials.find((t) => t.id !== trial.id);
    assert.equal(handedBack?.state, 'WAITING');
    assert.deepEqual(handedBack?.params, trial.params);
    // A retry copy (releaseTrial), not an enqueued trial: it uses no budget.
    assert.equal(handedBack?.retryOf, trial.id);
    assert.equal(trials.length, 2);
  });

  it('with --concurrency 2, SIGTERM leaves no trial RUNNING', async () => {
    const study = await createStudy('pool-terminated', { parallelism: 2, maxTrials: 2 });
    let child;
    const run = runCli(
      workerArgs(study.id, '--objective', fixture('hang.mjs'), '--concurrency', '2', '--json'),
      { onSpawn: (c) => (child = c) },
    );
    await waitFor(
      async () => (await ctx.client.study(study.id))?.trialCounts.RUNNING === 2,
      'two trials running',
    );
    child.kill('SIGTERM');
    const result = await run;
    assert.equal(result.code, 0, result.stderr);
    const counts = (await ctx.client.study(study.id))?.trialCounts;
    assert.equal(counts?.RUNNING, 0);
    assert.equal(counts?.FAILED, 2);
    // Both handed back at the budget's end, as retry copies of the interrupted trials.
    const trials = await ctx.client.allTrials(study.id);
    const failed = trials.filter((t) => t.state === 'FAILED');
    assert.deepEqual(
      failed.map((t) => t.error),
      ['interrupted', 'interrupted'],
    );
    for (const t of failed) {
      const copy = trials.find((c) => c.retryOf === t.id);
      assert.equal(copy?.state, 'WAITING', `trial #${t.number} handed back`);
      assert.deepEqual(copy?.params, t.params);
    }
  });

  it('with --concurrency 2, a crashed worker process is replaced and its trial reaped', async () => {
    const study = await createStudy('crashed', { parallelism: 2, maxTrials: 4, heartbeatTimeoutS: 1 });
    const run = await runCli(
      workerArgs(study.id, '--objective', fixture('crash-once.mjs'), '--concurrency', '2', '--json'),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /exited with SIGKILL; starting a new one/);
    const summary = JSON.parse(run.stdout);
    assert.deepEqual(summary.failures, []);
    assert.deepEqual(summary.stopped, ['study-done']);
    const trials = await ctx.client.allTrials(study.id);
    assert.deepEqual(
      trials.map((t) => [t.number, t.state, t.error]),
      [
        [0, 'FAILED', 'stale'],
        [1, 'COMPLETE', null],
        [2, 'COMPLETE', null],
        [3, 'COMPLETE', null],
      ],
    );
  });

  it('study pause lets the trial in flight finish, then the worker stops; resume reopens the study', async () => {
    const study = await createStudy('paused');
    const marker = join(scratch, 'release-pause');
    const env = { POSTERIOR_API_URL: api.url, POSTERIOR_TOKEN: ctx.token };
    const run = runCli(
      ['worker', '--study', study.id, '--objective', fixture('slow-then-done.mjs'), '--json'],
      {
        env: { ...env, RELEASE_MARKER: marker },
      },
    );
    const trial = await trialInFlight(study.id);
    const pause = await runCli(['study', 'pause', study.id, '--json'], { env });
    assert.equal(pause.code, 0, pause.stderr);
    assert.equal(JSON.parse(pause.stdout).state, 'PAUSED');
    await writeFile(marker, '');
    const result = await run;
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout).stopped, ['study-paused']);
    assert.equal((await ctx.client.trial(trial.id))?.state, 'COMPLETE');
    assert.equal((await ctx.client.allTrials(study.id)).length, 1);
    const resume = await runCli(['study', 'resume', study.id], { env });
    assert.equal(resume.code, 0, resume.stderr);
    const show = await runCli(['study', 'show', study.id, '--json'], { env });
    assert.equal(show.code, 0, show.stderr);
    const shown = JSON.parse(show.stdout);
    assert.equal(shown.state, 'RUNNING');
    assert.equal(shown.trialCounts.COMPLETE, 1);
    assert.equal(shown.bestValue, 1);
  });

  it('survives an API restart mid-study without telling any trial twice', async () => {
    const study = await createStudy('restarted', { maxTrials: 4 });
    const run = runCli(workerArgs(study.id, '--objective', fixture('quadratic.mjs'), '--json'), {
      env: { QUADRATIC_EPOCH_MS: '150' },
    });
    await trialInFlight(study.id);
    await api.restart(1500);
    const result = await run;
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout);
    assert.deepEqual(summary.stopped, ['study-done']);
    const trials = await ctx.client.allTrials(study.id);
    assert.equal(trials.length, 4);
    assert.ok(
      trials.every((t) => t.state === 'COMPLETE'),
      JSON.stringify(trials.map((t) => [t.state, t.error])),
    );
    for (const t of trials) {
      const detail = await ctx.client.trial(t.id);
      assert.deepEqual(
        detail?.metrics.filter((m) => m.name === 'loss').map((m) => m.step),
        [0, 1, 2, 3, 4],
      );
    }
  });
});
