import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  parseStudyFile,
  parseStudyInput,
  STUDY_LIMITS,
  type StudyInputProblem,
  studyObjectivesOf,
} from './study-input.js';

const valid = {
  teamId: 't1',
  name: ' demo ',
  direction: 'MINIMIZE',
  objective: 'val_loss',
  searchSpace: [{ name: 'x', type: 'float', low: 0, high: 1 }],
  maxTrials: 10,
};

const problem = (raw: unknown, parse = parseStudyInput): StudyInputProblem => {
  const r = parse(raw);
  assert.equal(r.ok, false, JSON.stringify(raw));
  if (r.ok) throw new Error('unreachable');
  return r.problem;
};

describe('createStudy input', () => {
  test('a valid input comes back trimmed, without defaults filled in', () => {
    const r = parseStudyInput(valid);
    assert.ok(r.ok);
    assert.equal(r.value.name, 'demo');
    assert.equal(r.value.sampler, undefined);
    assert.equal(r.value.parallelism, undefined);
  });

  test('each field names what it must be', () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ name: '  ' }, 'name', 'a non-empty string'],
      [{ name: 'x'.repeat(201) }, 'name', 'at most 200 characters'],
      [{ direction: 'UP' }, 'direction', 'minimize or maximize'],
      [{ objective: '' }, 'objective', 'a metric name'],
      [{ searchSpace: [] }, 'searchSpace', 'a non-empty list'],
      [{ searchSpace: { x: 1 } }, 'searchSpace', 'a non-empty list'],
      [{ sampler: [1] }, 'sampler', 'a mapping with a "type"'],
      [{ pruner: { warmupSteps: 3 } }, 'pruner.type', 'a type name'],
      [{ maxTrials: 0 }, 'maxTrials', 'a positive integer'],
      [{ maxTrials: 1.5 }, 'maxTrials', 'a positive integer'],
      [{ maxTrials: STUDY_LIMITS.maxTrials + 1 }, 'maxTrials', 'at most 100000'],
      [{ parallelism: 0 }, 'parallelism', 'an integer >= 1'],
      [{ heartbeatTimeoutS: -5 }, 'heartbeatTimeoutS', 'an integer >= 1'],
      [{ retryFailed: -1 }, 'retryFailed', 'an integer >= 0'],
    ];
    for (const [override, path, expected] of cases) {
      assert.deepEqual(
        problem({ ...valid, ...override }),
        { kind: 'field', field: path.split('.')[0], path, expected },
        JSON.stringify(override),
      );
    }
  });

  test('a {params: [...]} space is the array it wraps', () => {
    const r = parseStudyInput({ ...valid, searchSpace: { params: valid.searchSpace } });
    assert.ok(r.ok);
    assert.deepEqual(r.value.searchSpace, valid.searchSpace);
  });

  test('shape problems come first, then fields in input order', () => {
    assert.deepEqual(problem([]), { kind: 'notAMapping' });
    assert.deepEqual(problem({ ...valid, nmae: 'x', maxTrials: 0 }), {
      kind: 'unknownFields',
      fields: ['nmae'],
    });
    const first = problem({ teamId: 't', name: 'x', maxTrials: 0 });
    assert.equal(first.kind === 'field' && first.field, 'direction');
  });

  test('the GraphQL spelling only: files have their own conveniences', () => {
    assert.equal(problem({ ...valid, sampler: 'gp' }).kind, 'field');
    assert.equal(problem({ ...valid, direction: 'minimize' }).kind, 'field');
  });
});

describe('study files', () => {
  test('accept any-case directions, type-name samplers and pruners, numeric team ids', () => {
    const r = parseStudyFile({ ...valid, teamId: 7, direction: 'maximize', sampler: 'gp', pruner: 'median' });
    assert.ok(r.ok);
    assert.equal(r.value.teamId, '7');
    assert.equal(r.value.direction, 'MAXIMIZE');
    assert.deepEqual(r.value.sampler, { type: 'gp' });
    assert.deepEqual(r.value.pruner, { type: 'median' });
  });

  test('keep sampler options for the optimizer to judge', () => {
    const r = parseStudyFile({ ...valid, sampler: { type: 'gp', seed: 3, nStartupTrials: 8 } });
    assert.ok(r.ok);
    assert.deepEqual(r.value.sampler, { type: 'gp', seed: 3, nStartupTrials: 8 });
  });

  test('report the same problems as the input schema', () => {
    assert.deepEqual(problem({ ...valid, direction: 'up' }, parseStudyFile), {
      kind: 'field',
      field: 'direction',
      path: 'direction',
      expected: 'minimize or maximize',
    });
    assert.deepEqual(problem('name: x', parseStudyFile), { kind: 'notAMapping' });
  });
});

describe('objectives, constraints and the reference point (issue 17)', () => {
  const { direction: _d, objective: _o, ...noObjective } = valid;
  const two = [
    { name: 'val_loss', direction: 'MINIMIZE' },
    { name: 'trainable_params', direction: 'MINIMIZE' },
  ];

  test('objectives replace objective/direction, which then must match the first', () => {
    const r = parseStudyInput({ ...noObjective, objectives: two, constraints: [{ name: 'latency_ms' }] });
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(studyObjectivesOf(r.value), two);
    assert.ok(parseStudyInput({ ...valid, objectives: two }).ok);
    assert.deepEqual(studyObjectivesOf({ ...valid } as never), [{ name: 'val_loss', direction: 'MINIMIZE' }]);
    assert.deepEqual(problem({ ...valid, objectives: two, objective: 'trainable_params' }), {
      kind: 'field',
      field: 'objective',
      path: 'objective',
      expected: `the first objective's name ("val_loss") when objectives are given`,
    });
    assert.equal(pathOf(problem({ ...valid, objectives: two, direction: 'MAXIMIZE' })), 'direction');
  });

  test('without objectives, objective and direction are required', () => {
    assert.equal(pathOf(problem({ ...noObjective, objective: 'x' })), 'direction');
    assert.equal(pathOf(problem({ ...noObjective, direction: 'MINIMIZE' })), 'objective');
    // Named in field order even when a later field is also wrong.
    assert.equal(pathOf(problem({ ...noObjective, objective: 'x', maxTrials: 0 })), 'direction');
  });

  test('limits, names and the reference point', () => {
    const many = (n: number, prefix: string) =>
      Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i}` }));
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ objectives: [] }, 'objectives'],
      [{ objectives: many(5, 'o').map((o) => ({ ...o, direction: 'MINIMIZE' })) }, 'objectives'],
      [{ objectives: [{ name: 'a b', direction: 'MINIMIZE' }] }, 'objectives[0].name'],
      [{ objectives: [{ name: 'a', direction: 'UP' }] }, 'objectives[0].direction'],
      [{ objectives: [{ name: 'a', direction: 'MINIMIZE', extra: 1 }] }, 'objectives[0].extra'],
      [{ objectives: two, constraints: many(9, 'c') }, 'constraints'],
      [{ objectives: two, constraints: [{ name: 'val_loss' }] }, 'constraints[0].name'],
      [{ objectives: [...two, { name: 'val_loss', direction: 'MAXIMIZE' }] }, 'objectives[2].name'],
      [{ objectives: two, constraints: [{ name: 'c' }, { name: 'c' }] }, 'constraints[1].name'],
      [{ objectives: two, referencePoint: [1] }, 'referencePoint'],
      [{ objectives: two, referencePoint: [1, 'x'] }, 'referencePoint[1]'],
      [{ objectives: [two[0]], referencePoint: [1] }, 'referencePoint'],
    ];
    for (const [override, path] of cases)
      assert.equal(pathOf(problem({ ...noObjective, ...override })), path, JSON.stringify(override));
    assert.ok(parseStudyInput({ ...noObjective, objectives: two, referencePoint: [1, 2e6] }).ok);
    assert.ok(
      parseStudyInput({
        ...noObjective,
        objectives: many(4, 'o').map((o) => ({ ...o, direction: 'MAXIMIZE' })),
        constraints: many(8, 'c'),
      }).ok,
    );
  });

  test('study files accept any-case objective directions', () => {
    const r = parseStudyFile({
      ...noObjective,
      objectives: [
        { name: 'a', direction: 'maximize' },
        { name: 'b', direction: 'Minimize' },
      ],
    });
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(
      r.value.objectives?.map((o) => o.direction),
      ['MAXIMIZE', 'MINIMIZE'],
    );
  });
});

function pathOf(p: StudyInputProblem): string {
  return p.kind === 'field' ? p.path : p.kind;
}
