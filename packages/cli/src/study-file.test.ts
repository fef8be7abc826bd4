import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { conditionalTransferLearningSearchSpace, transferLearningSearchSpace } from '@posterior/runner/tasks';
import { UsageError } from './errors.js';
import { parseStudyInput, readStudyFile } from './study-file.js';

const yaml = `
teamId: team-1
name: demo
direction: minimize
objective: val_loss
sampler: gp
pruner: { type: median, warmupSteps: 3 }
maxTrials: 30
parallelism: 2
warmStartFrom: [3f2a4c1e-0000-4000-8000-000000000001]
warmStartEnqueue: 2
searchSpace:
  - { name: lr, type: float, low: 1.0e-5, high: 0.1, log: true }
  - { name: batch, type: categorical, choices: [16, 32, 64] }
`;

describe('conditional study files (issue 18)', () => {
  const examples = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples');
  it("reads examples/conditional-transfer-learning.yaml: the runner task's conditional space", async () => {
    const input = await readStudyFile(join(examples, 'conditional-transfer-learning.yaml'), 'team-1');
    assert.deepEqual(input.searchSpace, conditionalTransferLearningSearchSpace);
  });

  it('rejects a `when` naming an unknown parent with a usage error naming the entry', () => {
    const raw = {
      teamId: 't',
      name: 'x',
      direction: 'minimize',
      objective: 'l',
      maxTrials: 3,
      searchSpace: [
        { name: 'opt', type: 'categorical', choices: ['adam', 'sgd'] },
        { name: 'momentum', type: 'float', low: 0, high: 1, when: { parent: 'optimizer', values: ['sgd'] } },
      ],
    };
    assert.throws(
      () => parseStudyInput(raw, 's.yaml'),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message === 's.yaml: searchSpace[1].when.parent: "momentum" names unknown parameter "optimizer"',
    );
  });
});

describe('multi-objective study files (issue 17)', () => {
  const examples = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples');
  it('reads examples/multiobjective-transfer-learning.yaml: val_loss against trainable_params', async () => {
    const input = await readStudyFile(join(examples, 'multiobjective-transfer-learning.yaml'), 'team-1');
    assert.deepEqual(input.objectives, [
      { name: 'val_loss', direction: 'MINIMIZE' },
      { name: 'trainable_params', direction: 'MINIMIZE' },
    ]);
    assert.equal(input.objective, undefined);
    assert.deepEqual(input.searchSpace, transferLearningSearchSpace);
  });

  it('reads objectives in any case, constraints and a reference point', () => {
    const input = parseStudyInput(
      {
        teamId: 't',
        name: 'mo',
        objectives: [
          { name: 'loss', direction: 'minimize' },
          { name: 'acc', direction: 'Maximize' },
        ],
        constraints: [{ name: 'latency_ms' }],
        referencePoint: [2, 0],
        maxTrials: 5,
        searchSpace: [{ name: 'x', type: 'float', low: 0, high: 1 }],
      },
      'mo.yaml',
    );
    assert.deepEqual(
      input.objectives?.map((o) => o.direction),
      ['MINIMIZE', 'MAXIMIZE'],
    );
    assert.deepEqual(input.constraints, [{ name: 'latency_ms' }]);
    assert.deepEqual(input.referencePoint, [2, 0]);
  });

  it('names the entry and quotes its value when objectives, constraints or the reference point are wrong', () => {
    const base = {
      teamId: 't',
      name: 'mo',
      maxTrials: 5,
      searchSpace: [{ name: 'x', type: 'float', low: 0, high: 1 }],
      objectives: [
        { name: 'loss', direction: 'minimize' },
        { name: 'acc', direction: 'maximize' },
      ],
    };
    const cases: [Record<string, unknown>, string][] = [
      [
        {
          objectives: [
            { name: 'loss', direction: 'minimize' },
            { name: 'acc', direction: 'upward' },
          ],
        },
        'mo.yaml: objectives[1].direction must be minimize or maximize, got "upward"',
      ],
      [
        { constraints: [{ name: 'loss' }] },
        'mo.yaml: constraints[0].name must be a name no other objective or constraint has ("loss" is taken), got "loss"',
      ],
      [
        { referencePoint: [1] },
        'mo.yaml: referencePoint must be a list of 2 finite numbers, one per objective, got [1]',
      ],
      [
        { objectives: undefined },
        'mo.yaml: direction is required without objectives (minimize or maximize), or give objectives: [{name, direction}]',
      ],
    ];
    for (const [change, message] of cases) {
      assert.throws(
        () => parseStudyInput({ ...base, ...change }, 'mo.yaml'),
        (e: unknown) => e instanceof UsageError && e.message === message,
        message,
      );
    }
  });
});

describe('study files', () => {
  it('reads YAML into a createStudy input, normalizing direction and shorthand sampler', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'study-file-'));
    const path = join(dir, 'study.yaml');
    await writeFile(path, yaml);
    const input = await readStudyFile(path);
    assert.equal(input.direction, 'MINIMIZE');
    assert.deepEqual(input.sampler, { type: 'gp' });
    assert.deepEqual(input.pruner, { type: 'median', warmupSteps: 3 });
    assert.equal(input.searchSpace.length, 2);
    assert.equal(input.parallelism, 2);
    assert.equal(input.teamId, 'team-1');
    assert.deepEqual(input.warmStartFrom, ['3f2a4c1e-0000-4000-8000-000000000001']);
    assert.equal(input.warmStartEnqueue, 2);
  });

  it('reads JSON and lets --team override the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'study-file-'));
    const path = join(dir, 'study.json');
    const body = {
      name: 'j',
      direction: 'MAXIMIZE',
      objective: 'acc',
      maxTrials: 5,
      searchSpace: [{ name: 'x', type: 'int', low: 1, high: 3 }],
    };
    await writeFile(path, JSON.stringify(body));
    const input = await readStudyFile(path, 'team-9');
    assert.equal(input.teamId, 'team-9');
    assert.equal(input.direction, 'MAXIMIZE');
    assert.equal(input.sampler, undefined);
    assert.equal(input.warmStartFrom, undefined);
  });

  it('rejects bad files with a usage error naming the file and field', async () => {
    const cases: [unknown, RegExp][] = [
      [[], /expected a mapping/],
      [{ name: 'x' }, /teamId is required/],
      [{ teamId: 't', name: 'x', direction: 'up' }, /direction must be minimize or maximize/],
      [
        { teamId: 't', name: 'x', direction: 'minimize', objective: 'l', searchSpace: [] },
        /searchSpace must be a non-empty list/,
      ],
      [
        { teamId: 't', name: 'x', direction: 'minimize', objective: 'l', searchSpace: [{}], maxTrials: 0 },
        /maxTrials must be a positive integer/,
      ],
      [{ teamId: 't', nmae: 'x' }, /unknown field nmae/],
      [
        {
          teamId: 't',
          name: 'x',
          direction: 'minimize',
          objective: 'l',
          searchSpace: [{}],
          maxTrials: 3,
          warmStartFrom: 'abc',
        },
        /warmStartFrom must be a list of study ids/,
      ],
    ];
    for (const [raw, message] of cases) {
      assert.throws(
        () => parseStudyInput(raw, 'study.yaml'),
        (error: unknown) =>
          error instanceof UsageError &&
          message.test(error.message) &&
          error.message.startsWith('study.yaml'),
      );
    }
    await assert.rejects(readStudyFile('/nonexistent/study.yaml'), UsageError);
    const dir = await mkdtemp(join(tmpdir(), 'study-file-'));
    await writeFile(join(dir, 'broken.yaml'), 'name: [unclosed');
    await assert.rejects(readStudyFile(join(dir, 'broken.yaml')), /not valid YAML/);
  });
});
