import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ASK, type Harness, newStudy, SPACE, startTeamHarness } from '../test-support/harness.js';

/**
 * Bad input to every mutation: BAD_USER_INPUT whose message and `extensions.field` name the
 * offending field, and nothing changes in the database.
 */
describe('input validation', () => {
  let h: Harness;
  let token: string;
  let teamId: string;
  let studyId: string;
  let trialId: string;

  before(async () => {
    ({ h, token, teamId } = await startTeamHarness());
    studyId = await newStudy(h, token, teamId);
    const asked = await h.gql<{ askTrials: Array<{ id: string }> }>(ASK, { s: studyId, n: 1 }, token);
    const id = asked.data?.askTrials[0]?.id;
    assert.ok(id);
    trialId = id;
  });
  after(() => h.close());

  const snapshot = async (): Promise<string> => {
    const rows = await h.db.dataSource.query(
      `SELECT (SELECT count(*) FROM users) u, (SELECT count(*) FROM sessions) se, (SELECT count(*) FROM teams) te,
              (SELECT count(*) FROM memberships) m, (SELECT count(*) FROM api_tokens) a,
              (SELECT count(*) FROM studies) s, (SELECT md5(string_agg(id || state || next_trial_number || budget_used, ',' ORDER BY id)) FROM studies) sh,
              (SELECT md5(string_agg(id || state || coalesce(value::text, '-'), ',' ORDER BY id)) FROM trials) th,
              (SELECT count(*) FROM metric_points) mp`,
    );
    return JSON.stringify(rows[0]);
  };

  const study = (overrides: Record<string, unknown>) => ({
    i: {
      teamId: '$team',
      name: 'ok',
      direction: 'MINIMIZE',
      objective: 'loss',
      searchSpace: SPACE,
      maxTrials: 5,
      ...overrides,
    },
  });
  const CREATE = 'mutation($i: CreateStudyInput!) { createStudy(input: $i) { id } }';
  const REPORT =
    'mutation($t: ID!, $p: [MetricPointInput!]!) { reportMetrics(trialId: $t, points: $p) { accepted } }';

  const cases: Array<{
    name: string;
    query: string;
    vars: () => Record<string, unknown>;
    field: string;
    anon?: boolean;
  }> = [
    {
      name: 'signUp email',
      query: 'mutation { signUp(email: "not-an-email", password: "long enough pw") { token } }',
      vars: () => ({}),
      field: 'email',
      anon: true,
    },
    {
      name: 'signUp password',
      query: 'mutation { signUp(email: "short@example.com", password: "short") { token } }',
      vars: () => ({}),
      field: 'password',
      anon: true,
    },
    {
      name: 'createTeam name',
      query: 'mutation { createTeam(name: "   ") { id } }',
      vars: () => ({}),
      field: 'name',
    },
    {
      name: 'addMember email',
      query: 'mutation($t: ID!) { addMember(teamId: $t, email: " ", role: VIEWER) { id } }',
      vars: () => ({ t: teamId }),
      field: 'email',
    },
    {
      name: 'createApiToken name',
      query: 'mutation($t: ID!) { createApiToken(teamId: $t, name: "") { id } }',
      vars: () => ({ t: teamId }),
      field: 'name',
    },
    { name: 'createStudy name', query: CREATE, vars: () => study({ name: ' ' }), field: 'input.name' },
    {
      name: 'createStudy objective',
      query: CREATE,
      vars: () => study({ objective: '' }),
      field: 'input.objective',
    },
    {
      name: 'createStudy searchSpace type',
      query: CREATE,
      vars: () => study({ searchSpace: { x: 1 } }),
      field: 'input.searchSpace',
    },
    {
      name: 'createStudy searchSpace bounds',
      query: CREATE,
      vars: () => study({ searchSpace: [{ name: 'x', type: 'float', low: 2, high: 1 }] }),
      field: 'input.searchSpace[0].high',
    },
    {
      name: 'createStudy searchSpace log',
      query: CREATE,
      vars: () => study({ searchSpace: [{ name: 'lr', type: 'float', low: 0, high: 1, log: true }] }),
      field: 'input.searchSpace[0].low',
    },
    {
      name: 'createStudy searchSpace duplicate',
      query: CREATE,
      vars: () => study({ searchSpace: [SPACE[0], SPACE[0]] }),
      field: 'input.searchSpace[1].name',
    },
    {
      name: 'createStudy sampler type',
      query: CREATE,
      vars: () => study({ sampler: { type: 'nope' } }),
      field: 'input.sampler.type',
    },
    {
      name: 'createStudy sampler shape',
      query: CREATE,
      vars: () => study({ sampler: [1] }),
      field: 'input.sampler',
    },
    {
      name: 'createStudy sampler option',
      query: CREATE,
      vars: () => study({ sampler: { type: 'gp', bogus: 1 } }),
      field: 'input.sampler.bogus',
    },
    {
      name: 'createStudy pruner type',
      query: CREATE,
      vars: () => study({ pruner: { type: 'nope' } }),
      field: 'input.pruner.type',
    },
    {
      name: 'createStudy maxTrials',
      query: CREATE,
      vars: () => study({ maxTrials: 0 }),
      field: 'input.maxTrials',
    },
    {
      name: 'createStudy parallelism',
      query: CREATE,
      vars: () => study({ parallelism: 0 }),
      field: 'input.parallelism',
    },
    {
      name: 'createStudy heartbeatTimeoutS',
      query: CREATE,
      vars: () => study({ heartbeatTimeoutS: -5 }),
      field: 'input.heartbeatTimeoutS',
    },
    {
      name: 'createStudy retryFailed',
      query: CREATE,
      vars: () => study({ retryFailed: -1 }),
      field: 'input.retryFailed',
    },
    {
      name: 'enqueueTrial params out of range',
      query: 'mutation($s: ID!, $p: JSON!) { enqueueTrial(studyId: $s, params: $p) { id } }',
      vars: () => ({ s: studyId, p: { x: 100, y: 1 } }),
      field: 'params.x',
    },
    {
      name: 'enqueueTrial params unknown',
      query: 'mutation($s: ID!, $p: JSON!) { enqueueTrial(studyId: $s, params: $p) { id } }',
      vars: () => ({ s: studyId, p: { x: 1, y: 1, z: 2 } }),
      field: 'params.z',
    },
    { name: 'askTrials count', query: ASK, vars: () => ({ s: studyId, n: 0 }), field: 'count' },
    {
      name: 'reportMetrics non-finite value',
      query:
        'mutation($t: ID!) { reportMetrics(trialId: $t, points: [{name: "loss", step: 0, value: 1}, {name: "loss", step: 1, value: 1e999}]) { accepted } }',
      vars: () => ({ t: trialId }),
      field: 'points[1].value',
    },
    {
      name: 'reportMetrics negative step',
      query: REPORT,
      vars: () => ({ t: trialId, p: [{ name: 'loss', step: -1, value: 1 }] }),
      field: 'points[0].step',
    },
    {
      name: 'reportMetrics bad name',
      query: REPORT,
      vars: () => ({ t: trialId, p: [{ name: 'a b', step: 0, value: 1 }] }),
      field: 'points[0].name',
    },
    {
      name: 'tellTrial state',
      query: 'mutation($t: ID!) { tellTrial(trialId: $t, state: RUNNING) { id } }',
      vars: () => ({ t: trialId }),
      field: 'state',
    },
    {
      name: 'tellTrial non-finite value',
      query: 'mutation($t: ID!) { tellTrial(trialId: $t, state: COMPLETE, value: -1e999) { id } }',
      vars: () => ({ t: trialId }),
      field: 'value',
    },
    {
      name: 'tellTrial COMPLETE without value or metric',
      query: 'mutation($t: ID!) { tellTrial(trialId: $t, state: COMPLETE) { id } }',
      vars: () => ({ t: trialId }),
      field: 'value',
    },
    {
      name: 'studies page size',
      query: 'query($t: ID!) { studies(teamId: $t, first: 100000) { totalCount } }',
      vars: () => ({ t: teamId }),
      field: 'first',
    },
    {
      name: 'surrogate param',
      query: 'query($s: ID!) { study(id: $s) { surrogate(param: "nope") { param } } }',
      vars: () => ({ s: studyId }),
      field: 'param',
    },
    {
      name: 'insights objective',
      query: 'query($s: ID!) { study(id: $s) { importance(objective: "nope") { param } } }',
      vars: () => ({ s: studyId }),
      field: 'objective',
    },
  ];

  for (const c of cases) {
    test(c.name, async () => {
      const before = await snapshot();
      const vars = JSON.parse(JSON.stringify(c.vars()).replaceAll('"$team"', JSON.stringify(teamId)));
      const r = await h.gql(c.query, vars, c.anon ? null : token);
      const error = r.errors?.[0];
      assert.equal(error?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(r));
      assert.equal(error?.extensions?.field, c.field, JSON.stringify(r));
      assert.ok(error?.message.startsWith(`${c.field}: `), error?.message);
      assert.equal(await snapshot(), before);
    });
  }

  test('a mistyped argument is BAD_USER_INPUT too (GraphQL coercion)', async () => {
    const r = await h.gql(CREATE, study({ maxTrials: 'many' }), token);
    assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.match(r.errors?.[0]?.message ?? '', /maxTrials/);
  });
});
