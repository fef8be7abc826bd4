import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bootstrap, fixture, quadraticStudy, runCli, startApi, workerArgs } from './_harness.mjs';
import { decodePng } from './_png.mjs';

describe('posterior worker against a real API', () => {
  let api;
  let ctx;
  let study;
  let out;

  before(async () => {
    api = await startApi();
    ctx = await bootstrap(api.url);
    out = await mkdtemp(join(tmpdir(), 'posterior-plot-'));
    study = await quadraticStudy(ctx, 'quadratic', {
      sampler: { type: 'random', seed: 3 },
      pruner: { type: 'median', warmupSteps: 0, minTrials: 2 },
      maxTrials: 7,
    });
    // Queued first, in this order: three good trials set the median, two bad ones fall below it.
    for (const x of [0, 0.1, 0.05, 1.9, -1.8]) await ctx.client.enqueueTrial(study.id, { x });
  });

  after(async () => {
    await ctx?.client.close();
    await api?.close();
  });

  it('runs the study to the end: trials complete, metrics stored per epoch, bad trials pruned early', async () => {
    const run = await runCli(
      ['worker', '--api', api.url, '--study', study.id, '--objective', fixture('quadratic.mjs'), '--json'],
      { env: { POSTERIOR_TOKEN: ctx.token } },
    );
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout);
    assert.deepEqual(summary.stopped, ['study-done']);
    assert.equal(summary.trials.length, 7);

    const done = await ctx.client.study(study.id);
    assert.equal(done?.state, 'DONE');
    assert.equal(done?.trialCounts.RUNNING, 0);
    assert.equal(done?.trialCounts.WAITING, 0);
    const trials = await ctx.client.allTrials(study.id);
    assert.equal(trials.length, 7);
    for (const t of trials) {
      const detail = await ctx.client.trial(t.id);
      assert.ok(detail);
      const losses = detail.metrics.filter((m) => m.name === 'loss').sort((a, b) => a.step - b.step);
      const x = Number(t.params.x);
      if (t.number <= 2) {
        // The good queued trials ran all five epochs, one stored point per epoch and metric.
        assert.equal(t.state, 'COMPLETE', `trial ${t.number}`);
        assert.deepEqual(
          losses.map((m) => m.step),
          [0, 1, 2, 3, 4],
        );
        assert.equal(detail.metrics.filter((m) => m.name === 'acc').length, 5);
        assert.ok(Math.abs((t.value ?? Number.NaN) - (x * x + 1 / 5)) < 1e-9);
        assert.equal(detail.artifacts.length, 1);
        const file = await ctx.client.downloadArtifact(detail.artifacts[0].id);
        assert.deepEqual(JSON.parse(new TextDecoder().decode(file.data)), { x });
      }
      if (t.number === 3 || t.number === 4) {
        // x = 1.9 and -1.8: worse than the median at step 0, pruned there.
        assert.equal(t.state, 'PRUNED', `trial ${t.number}`);
        assert.deepEqual(
          losses.map((m) => m.step),
          [0],
        );
        assert.equal(detail.artifacts.length, 0);
      }
      assert.ok(['COMPLETE', 'PRUNED'].includes(t.state));
    }
  });

  it('writes a report listing every trial and the best one', async () => {
    const file = join(out, 'bayes_opt.txt');
    const run = await runCli(['report', study.id, '-o', file, '--api', api.url, '--token', ctx.token]);
    assert.equal(run.code, 0, run.stderr);
    const text = await readFile(file, 'utf8');
    const trials = await ctx.client.allTrials(study.id);
    const rows = text.split('\n').filter((line) => /^\s+\d+\s+(COMPLETE|PRUNED|FAILED)\b/.test(line));
    assert.deepEqual(
      rows.map((line) => Number(line.trim().split(/\s+/)[0])),
      trials.map((t) => t.number),
    );
    const best = (await ctx.client.study(study.id))?.bestTrial;
    assert.ok(best);
    assert.match(text, new RegExp(`trial #${best.number}\\b`));
  });

  it('plots convergence as SVG with every point and a best-so-far line that never rises', async () => {
    const file = join(out, 'convergence.svg');
    const run = await runCli(['plot', study.id, '--kind', 'convergence', '-o', file, '--json'], {
      env: { POSTERIOR_API_URL: api.url, POSTERIOR_TOKEN: ctx.token },
    });
    assert.equal(run.code, 0, run.stderr);
    const svg = await readFile(file, 'utf8');
    const trials = await ctx.client.allTrials(study.id);
    const withValue = trials.filter((t) => t.value !== null).length;
    assert.equal(JSON.parse(run.stdout).points, withValue);
    const symbols = /<g class="mark-symbol role-mark[^"]*"[^>]*>(.*?)<\/g>/s.exec(svg);
    assert.ok(symbols, 'a symbol mark group');
    assert.equal((symbols[1].match(/<path /g) ?? []).length, withValue);
    // The best-so-far step line: SVG y grows downwards, so a never-rising minimum never decreases in y.
    const line = /<g class="mark-line role-mark[^"]*"[^>]*><path[^>]* d="([^"]+)"/s.exec(svg);
    assert.ok(line, 'a line mark');
    const ys = [...line[1].matchAll(/[ML]\s*(-?[\d.]+)[ ,](-?[\d.]+)/g)].map((m) => Number(m[2]));
    const hv = [...line[1].matchAll(/V\s*(-?[\d.]+)/g)].map((m) => Number(m[1]));
    const all = ys.length > 1 ? ys : [...ys, ...hv];
    assert.ok(all.length >= 2, `line path ${line[1]}`);
    for (let i = 1; i < all.length; i++)
      assert.ok(all[i] >= all[i - 1] - 1e-9, `best rose at ${i}: ${line[1]}`);
    const history = await ctx.client.studyHistory(study.id);
    const bests = history.map((p) => p.bestSoFar).filter((b) => b !== null);
    for (let i = 1; i < bests.length; i++) assert.ok(bests[i] <= bests[i - 1]);
  });

  it('plots convergence as a PNG that decodes', async () => {
    const file = join(out, 'convergence.png');
    const run = await runCli(['plot', study.id, '-o', file, '--api', api.url, '--token', ctx.token]);
    assert.equal(run.code, 0, run.stderr);
    const png = decodePng(await readFile(file));
    assert.ok(png.width >= 600 && png.height >= 300, `${png.width}x${png.height}`);
    // Not a blank canvas: some scanline differs from the first.
    const first = png.raw.subarray(1, 1 + png.rowBytes);
    let differs = false;
    for (let row = 1; row < png.height && !differs; row++) {
      const start = row * (png.rowBytes + 1) + 1;
      differs = !first.equals(png.raw.subarray(start, start + png.rowBytes));
    }
    assert.ok(differs);
  });

  it('runs --concurrency 2 in two separate processes until the study is done', async () => {
    const second = await quadraticStudy(ctx, 'quadratic-pool', {
      sampler: { type: 'random', seed: 5 },
      maxTrials: 6,
      parallelism: 2,
    });
    let cliPid;
    const run = await runCli(
      ['worker', '--study', second.id, '--objective', fixture('pid.mjs'), '--concurrency', '2', '--json'],
      {
        env: { POSTERIOR_API_URL: api.url, POSTERIOR_TOKEN: ctx.token, PID_TRIAL_MS: '150' },
        onSpawn: (child) => {
          cliPid = child.pid;
        },
      },
    );
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout);
    assert.equal(summary.trials.length, 6);
    assert.deepEqual(summary.failures, []);
    const trials = await ctx.client.allTrials(second.id);
    assert.equal(trials.length, 6);
    assert.ok(trials.every((t) => t.state === 'COMPLETE'));
    // Each trial reported the pid of the process that trained it: two processes, neither the CLI.
    const pids = new Set();
    for (const t of trials) {
      const detail = await ctx.client.trial(t.id);
      const pid = detail?.metrics.find((m) => m.name === 'pid')?.value;
      assert.ok(pid !== undefined, `trial ${t.number} reported its pid`);
      pids.add(pid);
    }
    assert.equal(pids.size, 2, `trials ran in ${[...pids].join(', ')}`);
    assert.ok(!pids.has(cliPid), 'no trial ran in the CLI process itself');
    const slots = new Set(trials.map((t) => t.workerId?.split('-').at(-1)));
    assert.deepEqual([...slots].sort(), ['0', '1']);
  });

  it('report --json lists every trial with its params and value, and names the best', async () => {
    const run = await runCli(['report', study.id, '--json', '--api', api.url, '--token', ctx.token]);
    assert.equal(run.code, 0, run.stderr);
    const body = JSON.parse(run.stdout);
    const trials = await ctx.client.allTrials(study.id);
    assert.deepEqual(
      body.trials.map((t) => [t.number, t.state, t.value]),
      trials.map((t) => [t.number, t.state, t.value]),
    );
    assert.ok(body.trials.every((t) => typeof t.params.x === 'number'));
    const best = (await ctx.client.study(study.id))?.bestTrial;
    assert.equal(body.best.number, best?.number);
    assert.equal(body.study.id, study.id);
  });

  it('plot: bad usage exits 2 with one line; a study that does not exist exits 1', async () => {
    const env = { POSTERIOR_API_URL: api.url, POSTERIOR_TOKEN: ctx.token };
    for (const args of [
      ['plot', study.id, '--kind', 'scatter', '-o', join(out, 'x.png')],
      ['plot', study.id, '-o', join(out, 'x.gif')],
      ['plot', study.id],
    ]) {
      const bad = await runCli(args, { env });
      assert.equal(bad.code, 2, `${args.join(' ')}: ${bad.stderr}`);
      assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    }
    const missing = await runCli(
      ['plot', '00000000-0000-4000-8000-000000000000', '-o', join(out, 'missing.svg')],
      { env },
    );
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.trim().split('\n').length, 1, missing.stderr);
  });

  it('exits 2 with one line on bad usage and 1 when the study does not exist', async () => {
    const bad = await runCli([
      'worker',
      '--study',
      study.id,
      '--objective',
      'missing.mjs',
      '--token',
      ctx.token,
    ]);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
    const missing = await runCli(
      workerArgs(
        api.url,
        ctx.token,
        '00000000-0000-4000-8000-000000000000',
        '--objective',
        fixture('quadratic.mjs'),
      ),
    );
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /not found/);
  });
});
