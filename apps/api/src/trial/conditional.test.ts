import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { askTrials, type Harness, newStudy, startTeamHarness, TELL } from '../test-support/harness.js';

// Conditional search spaces through GraphQL (issue 18, docs/DESIGN.md section 3).
const SPACE = [
  { name: 'optimizer', type: 'categorical', choices: ['adam', 'sgd'] },
  { name: 'lr', type: 'float', low: 1e-4, high: 1, log: true },
  { name: 'momentum', type: 'float', low: 0, high: 0.99, when: { parent: 'optimizer', values: ['sgd'] } },
  { name: 'layers', type: 'int', low: 1, high: 3 },
  { name: 'units2', type: 'int', low: 8, high: 256, log: true, when: { parent: 'layers', values: [2, 3] } },
  { name: 'units3', type: 'int', low: 8, high: 256, log: true, when: { parent: 'layers', values: [3] } },
];

/** The names a trial's params must hold: the tree's active parameters for its parents' values. */
function activeNames(p: Record<string, unknown>): string[] {
  const names = ['optimizer', 'lr', 'layers'];
  if (p.optimizer === 'sgd') names.push('momentum');
  if (p.layers === 2 || p.layers === 3) names.push('units2');
  if (p.layers === 3) names.push('units3');
  return names.sort();
}

interface AskedTrial {
  id: string;
  params: Record<string, number | string>;
}

const ENQUEUE = 'mutation($s: ID!, $p: JSON!) { enqueueTrial(studyId: $s, params: $p) { id params } }';
const CREATE = 'mutation($input: CreateStudyInput!) { createStudy(input: $input) { id searchSpace } }';

describe('conditional search spaces over GraphQL', () => {
  let h: Harness;
  let token: string;
  let teamId: string;
  before(async () => {
    ({ h, token, teamId } = await startTeamHarness());
  });
  after(() => h.close());

  test('create, ask and tell a GP study: every trial holds exactly its active parameters', async () => {
    const studyId = await newStudy(h, token, teamId, {
      searchSpace: SPACE,
      sampler: { type: 'gp', seed: 4, nStartupTrials: 4 },
      maxTrials: 12,
      parallelism: 1,
    });
    const branches = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const [trial] = await askTrials<AskedTrial>(h, token, studyId, 1);
      assert.ok(trial, `trial ${i}`);
      assert.deepEqual(
        Object.keys(trial.params).sort(),
        activeNames(trial.params),
        JSON.stringify(trial.params),
      );
      branches.add(`${trial.params.optimizer}/${trial.params.layers}`);
      const loss =
        Math.log10(Number(trial.params.lr)) ** 2 / 10 +
        (trial.params.optimizer === 'sgd' ? 1 - Number(trial.params.momentum) : 0.5) +
        Number(trial.params.layers) / 10;
      const r = await h.gql(TELL, { t: trial.id, st: 'COMPLETE', v: loss, e: null }, token);
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    }
    // The trials explored more than one branch, so the check above covered inactive parameters.
    assert.ok(branches.size > 1, [...branches].join(' '));
  });

  test('enqueueTrial takes the active parameters only and names an inactive one', async () => {
    const studyId = await newStudy(h, token, teamId, { searchSpace: SPACE, maxTrials: 5 });
    const ok = await h.gql<{ enqueueTrial: { params: Record<string, unknown> } }>(
      ENQUEUE,
      { s: studyId, p: { optimizer: 'adam', lr: 0.01, layers: 2, units2: 64 } },
      token,
    );
    assert.equal(ok.errors, undefined, JSON.stringify(ok.errors));
    assert.deepEqual(ok.data?.enqueueTrial.params, { optimizer: 'adam', lr: 0.01, layers: 2, units2: 64 });
    const bad = await h.gql(
      ENQUEUE,
      { s: studyId, p: { optimizer: 'adam', lr: 0.01, layers: 1, momentum: 0.9 } },
      token,
    );
    assert.equal(bad.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(bad));
    assert.match(bad.errors?.[0]?.message ?? '', /params\.momentum: is inactive \(optimizer is "adam"\)/);
  });

  test('createStudy rejects an unknown parent and a cycle, naming the entry', async () => {
    const input = (searchSpace: unknown[]) => ({
      input: { teamId, name: 'c', direction: 'MINIMIZE', objective: 'loss', searchSpace, maxTrials: 3 },
    });
    const unknownParent = await h.gql(
      CREATE,
      input([SPACE[0], { ...SPACE[2], when: { parent: 'optimiser', values: ['sgd'] } }]),
      token,
    );
    assert.equal(
      unknownParent.errors?.[0]?.extensions?.code,
      'BAD_USER_INPUT',
      JSON.stringify(unknownParent),
    );
    assert.match(unknownParent.errors?.[0]?.message ?? '', /searchSpace\[1\]\.when\.parent/);
    const cycle = await h.gql(
      CREATE,
      input([
        { name: 'a', type: 'categorical', choices: [1, 2], when: { parent: 'b', values: [1] } },
        { name: 'b', type: 'categorical', choices: [1, 2], when: { parent: 'a', values: [2] } },
      ]),
      token,
    );
    assert.equal(cycle.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(cycle));
    assert.match(cycle.errors?.[0]?.message ?? '', /cycle: a -> b -> a/);
  });
});
