// Issue 17 end to end through the CLI and a worker process: a multi-objective study with a
// constraint created from a study file, run by `posterior worker` with an objective that returns
// its values by name and reports its constraint as a metric (docs/DESIGN.md 6b), then `report`,
// `report --json` and `plot --kind pareto` against what the API stored.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bootstrap, fixture, runCli, startApi, workerArgs } from './_harness.mjs';
import { acc, loss, overBudget } from './fixtures/multiobjective.mjs';

/** Whether a (loss min, acc max) dominates b. */
const dominates = (a, b) =>
  a.values[0] <= b.values[0] &&
  a.values[1] >= b.values[1] &&
  (a.values[0] < b.values[0] || a.values[1] > b.values[1]);

describe('multi-objective, constrained study through the CLI and a worker', () => {
  let api;
  let ctx;
  let dir;
  let env;

  before(async () => {
    api = await startApi();
    ctx = await bootstrap(api.url);
    dir = await mkdtemp(join(tmpdir(), 'posterior-mo-'));
    env = { POSTERIOR_API_URL: api.url, POSTERIOR_TOKEN: ctx.token };
  });

  after(async () => {
    await ctx?.client.close();
    await api?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const createStudy = async (name, maxTrials) => {
    const file = join(dir, `${name}.yaml`);
    await writeFile(
      file,
      [
        `name: ${name}`,
        'objectives:',
        '  - { name: loss, direction: minimize }',
        '  - { name: acc, direction: maximize }',
        'constraints: [{ name: over_budget }]',
        'referencePoint: [2, 0]',
        'sampler: { type: gp, seed: 3, nStartupTrials: 4 }',
        `maxTrials: ${maxTrials}`,
        'searchSpace:',
        '  - { name: x, type: float, low: 0, high: 1 }',
        '  - { name: y, type: float, low: 0, high: 1 }',
      ].join('\n'),
    );
    const created = await runCli(['study', 'create', '-f', file, '--team', ctx.team.id], { env });
    assert.equal(created.code, 0, created.stderr);
    return created.stdout.trim();
  };

  it('stores each trial values in study order and its constraint, and reports the feasible front', async () => {
    const studyId = await createStudy('mo-e2e', 10);
    const study = await ctx.client.study(studyId);
    assert.deepEqual(
      study.objectives.map((o) => [o.name, o.direction]),
      [
        ['loss', 'MINIMIZE'],
        ['acc', 'MAXIMIZE'],
      ],
    );
    assert.deepEqual(
      study.constraints.map((c) => c.name),
      ['over_budget'],
    );

    const run = await runCli(
      workerArgs(api.url, ctx.token, studyId, '--objective', fixture('multiobjective.mjs')),
      {
        env,
      },
    );
    assert.equal(run.code, 0, run.stderr);

    const trials = (await ctx.client.allTrials(studyId)).sort((a, b) => a.number - b.number);
    assert.equal(trials.length, 10);
    for (const t of trials) {
      const { x, y } = t.params;
      assert.equal(t.state, 'COMPLETE', t.error ?? '');
      // Returned as { acc, loss }: stored in study order; the constraint is the last reported point.
      assert.deepEqual(t.values, [loss(x, y), acc(x, y)]);
      assert.equal(t.value, loss(x, y));
      assert.deepEqual(t.constraints, [overBudget(x)]);
      assert.equal(t.feasible, overBudget(x) <= 0);
    }
    assert.ok(
      trials.some((t) => !t.feasible) && trials.some((t) => t.feasible),
      'the run has feasible and infeasible trials',
    );
    const feasible = trials.filter((t) => t.feasible);
    const expectedFront = feasible.filter((t) => !feasible.some((o) => dominates(o, t))).map((t) => t.number);
    const after = await ctx.client.study(studyId);
    assert.deepEqual(
      after.paretoFront.map((t) => t.number).sort((a, b) => a - b),
      expectedFront,
    );
    assert.equal(after.hypervolumeHistory.length, 10);

    // report --json: the front, each trial's values/constraints/feasibility.
    const json = await runCli(['report', studyId, '--json'], { env });
    assert.equal(json.code, 0, json.stderr);
    const body = JSON.parse(json.stdout);
    assert.deepEqual(
      body.front.map((t) => t.number).sort((a, b) => a - b),
      expectedFront,
    );
    const byNumber = new Map(body.trials.map((t) => [t.number, t]));
    for (const t of trials) {
      assert.deepEqual(byNumber.get(t.number).values, t.values);
      assert.deepEqual(byNumber.get(t.number).constraints, t.constraints);
      assert.equal(byNumber.get(t.number).feasible, t.feasible);
    }

    // plot --kind pareto: one point per COMPLETE trial, the front counted as the API has it.
    const svgFile = join(dir, 'pareto.svg');
    const plot = await runCli(['plot', studyId, '--kind', 'pareto', '-o', svgFile, '--json'], { env });
    assert.equal(plot.code, 0, plot.stderr);
    const summary = JSON.parse(plot.stdout);
    assert.deepEqual(
      [summary.points, summary.front, summary.infeasible],
      [10, expectedFront.length, trials.filter((t) => !t.feasible).length],
    );
    const svg = await readFile(svgFile, 'utf8');
    const symbols = /<g class="mark-symbol role-mark[^"]*"[^>]*>(.*?)<\/g>/s.exec(svg);
    assert.equal(symbols?.[1]?.match(/<path /g)?.length, 10);

    // report: the text report (core's formatter, via the API) lists the front and its hypervolume.
    const text = await runCli(['report', studyId], { env });
    assert.equal(text.code, 0, text.stderr);
    const section = text.stdout.split('Pareto front\n------------\n')[1] ?? '';
    assert.match(section, /^ {2}hypervolume \S+ against \(2, 0\)\n/, text.stdout);
    const [, header, dashes, ...rest] = section.split('\n');
    assert.match(header ?? '', /^ {2}# +loss +acc +over_budget +x +y$/);
    assert.match(dashes ?? '', /^ {2}-/);
    const rows = rest.slice(0, rest.indexOf(''));
    assert.deepEqual(
      rows.map((line) => Number(line.trim().split(/\s+/)[0])).sort((a, b) => a - b),
      expectedFront,
    );
  });

  it('an objective result that does not fit the study fails the trial with one line, storing no values', async () => {
    const studyId = await createStudy('mo-misfit', 2);
    const run = await runCli(
      workerArgs(api.url, ctx.token, studyId, '--objective', fixture('multiobjective.mjs')),
      {
        env: { ...env, MO_FIXTURE: 'misfit' },
      },
    );
    assert.equal(run.code, 0, run.stderr);
    const trials = await ctx.client.allTrials(studyId);
    assert.equal(trials.length, 2);
    for (const t of trials) {
      assert.equal(t.state, 'FAILED');
      assert.equal(t.error, 'the objective returned one number, expected 2 values (loss, acc)');
      assert.equal(t.values, null);
    }
  });

  it('plot --kind pareto refuses a single-objective study with one line', async () => {
    const study = await ctx.client.createStudy({
      teamId: ctx.team.id,
      name: 'single',
      direction: 'MINIMIZE',
      objective: 'loss',
      maxTrials: 1,
      searchSpace: [{ name: 'x', type: 'float', low: 0, high: 1 }],
    });
    const plot = await runCli(['plot', study.id, '--kind', 'pareto', '-o', join(dir, 'x.png')], { env });
    assert.equal(plot.code, 2);
    assert.equal(plot.stderr.trim().split('\n').length, 1);
    assert.match(plot.stderr, /pareto needs a study with two or more objectives/);
  });
});
