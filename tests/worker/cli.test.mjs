import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createNodeClient } from '@posterior/sdk/node';
import { bootstrap, runCli, startApi } from './_harness.mjs';

describe('posterior token and study verbs against a real API', () => {
  let api;
  let ctx;
  let dir;

  before(async () => {
    api = await startApi();
    ctx = await bootstrap(api.url);
    dir = await mkdtemp(join(tmpdir(), 'posterior-cli-'));
  });

  after(async () => {
    await ctx?.client.close();
    await api?.close();
  });

  it('token create prints a working API token once (logging in with --email/--password)', async () => {
    const email = `token-owner-${process.pid}@example.com`;
    await createNodeClient({ url: api.url }).signUp(email, 'a long enough password');
    const owner = createNodeClient({ url: api.url });
    owner.setToken((await owner.logIn(email, 'a long enough password')).token);
    const team = await owner.createTeam('token-team');
    const run = await runCli([
      'token',
      'create',
      '--team',
      team.id,
      '--name',
      'ci',
      '--api',
      api.url,
      '--email',
      email,
      '--password',
      'a long enough password',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const token = run.stdout.trim();
    assert.ok(token.length >= 20);
    assert.match(run.stderr, /shown only once/);
    const asToken = createNodeClient({ url: api.url, token });
    assert.deepEqual(
      (await asToken.teams()).map((t) => t.id),
      [team.id],
    );
    const json = await runCli(
      ['token', 'create', '--team', team.id, '--name', 'ci2', '--role', 'viewer', '--json'],
      {
        env: { POSTERIOR_API_URL: api.url, POSTERIOR_TOKEN: owner.token },
      },
    );
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(Object.keys(JSON.parse(json.stdout)).sort(), ['id', 'token']);
    const bad = await runCli([
      'token',
      'create',
      '--team',
      team.id,
      '--name',
      'x',
      '--role',
      'boss',
      '--token',
      't',
    ]);
    assert.equal(bad.code, 2);
  });

  it('study create reads YAML and JSON; a bad search space exits 2 with one line', async () => {
    const yamlFile = join(dir, 'study.yaml');
    await writeFile(
      yamlFile,
      [
        'name: from-yaml',
        'direction: minimize',
        'objective: loss',
        'sampler: { type: random, seed: 4 }',
        'maxTrials: 3',
        'searchSpace:',
        '  - { name: x, type: float, low: -1, high: 1 }',
        '  - { name: act, type: categorical, choices: [relu, gelu] }',
      ].join('\n'),
    );
    const env = { POSTERIOR_API_URL: api.url, POSTERIOR_TOKEN: ctx.token };
    const run = await runCli(['study', 'create', '-f', yamlFile, '--team', ctx.team.id], { env });
    assert.equal(run.code, 0, run.stderr);
    const study = await ctx.client.study(run.stdout.trim());
    assert.equal(study?.name, 'from-yaml');
    assert.equal(study?.searchSpace.length, 2);

    const jsonFile = join(dir, 'study.json');
    const body = {
      teamId: ctx.team.id,
      name: 'from-json',
      direction: 'MAXIMIZE',
      objective: 'acc',
      maxTrials: 2,
      searchSpace: [{ name: 'n', type: 'int', low: 1, high: 9 }],
    };
    await writeFile(jsonFile, JSON.stringify(body));
    const json = await runCli(['study', 'create', '-f', jsonFile, '--json'], { env });
    assert.equal(json.code, 0, json.stderr);
    assert.equal(JSON.parse(json.stdout).direction, 'MAXIMIZE');

    await writeFile(
      jsonFile,
      JSON.stringify({ ...body, searchSpace: [{ name: 'n', type: 'int', low: 5, high: 1 }] }),
    );
    const bad = await runCli(['study', 'create', '-f', jsonFile], { env });
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
    assert.match(bad.stderr, /searchSpace\[0\]/);
  });

  it('report shows the best and the recommended trial, in text and in --json', async () => {
    const study = await ctx.client.createStudy({
      teamId: ctx.team.id,
      name: 'report-recommended',
      direction: 'MINIMIZE',
      objective: 'loss',
      sampler: { type: 'random', seed: 2 },
      maxTrials: 12,
      parallelism: 12,
      searchSpace: [{ name: 'x', type: 'float', low: -2, high: 2 }],
    });
    const trials = await ctx.client.askTrials(study.id, 12);
    assert.equal(trials.length, 12);
    for (const t of trials)
      await ctx.client.tellTrial(t.id, { state: 'COMPLETE', value: (t.params.x - 0.5) ** 2 });
    const env = { POSTERIOR_API_URL: api.url, POSTERIOR_TOKEN: ctx.token };
    const json = await runCli(['report', study.id, '--json'], { env });
    assert.equal(json.code, 0, json.stderr);
    const body = JSON.parse(json.stdout);
    const recommended = await ctx.client.studyRecommendedTrial(study.id);
    assert.equal(recommended?.source, 'model');
    assert.equal(body.recommended.number, recommended?.trial.number);
    assert.equal(body.recommended.source, 'model');
    assert.equal(typeof body.recommended.mean, 'number');
    // A noise-free objective: the model's pick is the best observed trial.
    assert.equal(body.recommended.number, body.best.number);
    const text = await runCli(['report', study.id], { env });
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      new RegExp(`Recommended trial \\(model\\)\\n-+\\n {2}trial #${body.best.number}: loss = `),
    );
  });
});

describe('posterior bench (no server)', () => {
  it('runs seeds x trials and writes the docs/DESIGN.md 6 JSON; bad usage exits 2 with one line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'posterior-bench-'));
    const file = join(dir, 'out.json');
    const run = await runCli([
      'bench',
      '--objective',
      'branin',
      '--sampler',
      'random',
      '--trials',
      '6',
      '--seeds',
      '2',
      '--json',
      file,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /branin/);
    const result = JSON.parse(await readFile(file, 'utf8'));
    assert.equal(result.objective, 'branin');
    assert.equal(result.sampler, 'random');
    assert.equal(result.trials, 6);
    assert.deepEqual(
      result.runs.map((r) => r.seed),
      [0, 1],
    );
    for (const r of result.runs) {
      assert.equal(r.values.length, 6);
      assert.equal(r.suggestMs.length, 6);
      // best[i] is the best value after trial i+1 (minimized).
      assert.deepEqual(
        r.best,
        r.values.map((_, i) => Math.min(...r.values.slice(0, i + 1))),
      );
    }
    for (const args of [
      ['bench', '--objective', 'branin', '--trials', '0'],
      ['bench', '--objective', 'no-such-objective'],
      ['bench', '--objective', 'branin', '--sampler', 'annealing'],
      ['bench'],
    ]) {
      const bad = await runCli(args);
      assert.equal(bad.code, 2, `${args.join(' ')}: ${bad.stderr}`);
      assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    }
  });
});
