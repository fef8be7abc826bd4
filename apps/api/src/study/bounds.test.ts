import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CANDIDATE_COORDINATES, candidateBudget } from '../suggest/candidate-budget.js';
import { askTrials, type Harness, newStudy, SPACE, startTeamHarness } from '../test-support/harness.js';
import { MAX_METRIC_NAMES_PER_CALL } from '../trial/trial.service.js';
import { SPACE_LIMITS } from './study-bounds.js';

const CREATE = 'mutation($i: CreateStudyInput!) { createStudy(input: $i) { id searchSpace } }';

describe('bounded search spaces and sampler options (issue 12, item 10 and Low)', () => {
  let h: Harness;
  let token: string;
  let teamId: string;

  before(async () => {
    ({ h, token, teamId } = await startTeamHarness());
  });
  after(() => h.close());

  const create = (overrides: Record<string, unknown>) =>
    h.gql<{ createStudy: { id: string; searchSpace: unknown } }>(
      CREATE,
      {
        i: {
          teamId,
          name: 's',
          direction: 'MINIMIZE',
          objective: 'loss',
          searchSpace: SPACE,
          maxTrials: 5,
          ...overrides,
        },
      },
      token,
    );

  const refused = async (overrides: Record<string, unknown>, field: string, limit: RegExp) => {
    const r = await create(overrides);
    assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(r).slice(0, 400));
    assert.equal(r.errors?.[0]?.extensions?.field, field);
    assert.match(r.errors?.[0]?.message ?? '', limit);
  };

  test(`more than ${SPACE_LIMITS.params} parameters is BAD_USER_INPUT naming the limit`, async () => {
    const space = Array.from({ length: 1000 }, (_, i) => ({ name: `p${i}`, type: 'float', low: 0, high: 1 }));
    await refused({ searchSpace: space }, 'input.searchSpace', /at most 100 parameters \(got 1000\)/);
    const ok = await create({ searchSpace: space.slice(0, SPACE_LIMITS.params) });
    assert.equal(ok.errors, undefined, JSON.stringify(ok.errors));
  });

  test(`more than ${SPACE_LIMITS.choices} choices, or a choice over ${SPACE_LIMITS.choiceLength} characters, is refused`, async () => {
    const choices = Array.from({ length: 500 }, (_, i) => `c${i}`);
    await refused(
      { searchSpace: [{ name: 'c', type: 'categorical', choices }] },
      'input.searchSpace[0].choices',
      /at most 100 choices \(got 500\)/,
    );
    await refused(
      { searchSpace: [{ name: 'c', type: 'categorical', choices: ['a', 'x'.repeat(201)] }] },
      'input.searchSpace[0].choices[1]',
      /at most 200 characters/,
    );
  });

  test(`more than ${SPACE_LIMITS.candidates} GP candidates is refused`, async () => {
    await refused(
      { sampler: { type: 'gp', candidates: 65_536 } },
      'input.sampler.candidates',
      /at most 4096/,
    );
  });

  test('a space wrapped as {params: [...]} is stored as the array: asks, enqueues and reads work', async () => {
    const r = await create({ searchSpace: { params: SPACE }, sampler: { type: 'random', seed: 1 } });
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    const study = r.data?.createStudy;
    assert.ok(study);
    assert.deepEqual(study.searchSpace, SPACE);
    assert.equal((await askTrials(h, token, study.id, 1)).length, 1);
    const read = await h.gql(
      'query($s: ID!) { study(id: $s) { trialTable report surrogate(param: "x") { param } } }',
      { s: study.id },
      token,
    );
    assert.equal(read.errors, undefined, JSON.stringify(read.errors));
    const wrong = await create({ searchSpace: { params: 'x' } });
    assert.equal(wrong.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    const notArray = await create({ searchSpace: 'x' });
    assert.equal(notArray.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  });

  test(`more than ${MAX_METRIC_NAMES_PER_CALL} distinct metric names in one report is refused`, async () => {
    const studyId = await newStudy(h, token, teamId);
    const [trial] = await askTrials(h, token, studyId, 1);
    assert.ok(trial);
    const points = Array.from({ length: 1000 }, (_, i) => ({ name: `m${i}`, step: 0, value: 1 }));
    const r = await h.gql(
      'mutation($t: ID!, $p: [MetricPointInput!]!) { reportMetrics(trialId: $t, points: $p) { accepted } }',
      { t: trial.id, p: points },
      token,
    );
    assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(r).slice(0, 300));
    assert.match(r.errors?.[0]?.message ?? '', /at most 100 distinct metric names/);
  });

  test('the per-suggestion candidate budget shrinks with the parameters (also for stored studies)', () => {
    assert.equal(candidateBudget(1024, 3), 1024);
    assert.equal(candidateBudget(65_536, 3), SPACE_LIMITS.candidates);
    assert.equal(candidateBudget(65_536, 1000), Math.floor(CANDIDATE_COORDINATES / 1000));
    assert.ok(candidateBudget(1024, 100) * 100 <= CANDIDATE_COORDINATES);
  });
});
