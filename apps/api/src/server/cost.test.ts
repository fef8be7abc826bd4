import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Harness, newStudy, startTeamHarness } from '../test-support/harness.js';
import { MAX_ALIASES, MAX_SELECTIONS } from './limits.js';

const aliased = (n: number, field: string) =>
  Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ');

describe('query cost by rows returned, alias and selection caps, per-request memo (issue 12, items 8 and 9)', () => {
  let h: Harness;
  let token: string;
  let teamId: string;
  let studyId: string;

  before(async () => {
    ({ h, token, teamId } = await startTeamHarness());
    studyId = await newStudy(h, token, teamId);
  });
  after(() => h.close());

  const code = async (query: string) =>
    (await h.gql(query, { s: studyId }, token)).errors?.[0]?.extensions?.code ?? null;

  test('one curves, trialTable or report runs; many aliased copies are refused before running', async () => {
    for (const field of ['curves', 'trialTable', 'report']) {
      assert.equal(await code(`query($s: ID!) { study(id: $s) { ${field} } }`), null, field);
    }
    for (const [field, n] of [
      ['curves', 60],
      ['curves', 3],
      ['trialTable', 3],
      ['report', 11],
      ['importance { param }', 30],
    ] as const) {
      const r = await h.gql(
        `query($s: ID!) { study(id: $s) { ${aliased(n, field)} } }`,
        { s: studyId },
        token,
      );
      assert.equal(
        r.errors?.[0]?.extensions?.code,
        'BAD_USER_INPUT',
        `${n} x ${field}: ${JSON.stringify(r)}`,
      );
      assert.match(r.errors?.[0]?.message ?? '', /cost/);
      assert.equal(r.data ?? null, null);
    }
  });

  test('history and metrics are priced by the rows they can return', async () => {
    // 100 studies x their whole history, and 500 trials x all their metric points, are too much.
    const r1 = await h.gql(
      'query($t: ID!) { studies(teamId: $t, first: 100) { nodes { history { trialId number state value } } } }',
      { t: teamId },
      token,
    );
    assert.equal(r1.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(r1));
    const r2 = await h.gql(
      'query($s: ID!) { study(id: $s) { trials(first: 500) { nodes { metrics { name step value } } } } }',
      { s: studyId },
      token,
    );
    assert.equal(r2.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(r2));
    // The dashboard's own shapes still fit: a page of 25 studies with history, 30 trials' metrics.
    const ok = await h.gql(
      'query($t: ID!) { studies(teamId: $t, first: 25) { nodes { id history { value state } } } }',
      { t: teamId },
      token,
    );
    assert.equal(ok.errors, undefined, JSON.stringify(ok.errors));
  });

  test(`more than ${MAX_ALIASES} aliases are refused: me x 10,000 runs nothing`, async () => {
    let calls = 0;
    const auth = h.server.services.auth;
    const me = auth.me.bind(auth);
    auth.me = (caller) => {
      calls++;
      return me(caller);
    };
    try {
      const r = await h.gql(`{ ${aliased(10_000, 'me { id }')} }`, {}, token);
      assert.equal(
        r.errors?.[0]?.extensions?.code,
        'GRAPHQL_VALIDATION_FAILED',
        JSON.stringify(r).slice(0, 300),
      );
      assert.match(r.errors?.[0]?.message ?? '', /alias/);
      assert.equal(calls, 0);
      // Within the cap, the aliases share one lookup.
      const ok = await h.gql<Record<string, { id: string }>>(
        `{ ${aliased(MAX_ALIASES, 'me { id }')} }`,
        {},
        token,
      );
      assert.equal(ok.errors, undefined, JSON.stringify(ok.errors));
      assert.equal(Object.keys(ok.data ?? {}).length, MAX_ALIASES);
      assert.equal(calls, 1);
    } finally {
      auth.me = me;
    }
  });

  test('field selections are capped with fragments expanded (a fragment bomb is refused)', async () => {
    // Each level spreads the one below twice: 2^12 copies of `id` without a single alias.
    const levels = 12;
    const fragments = ['fragment F0 on Query { me { id email name } }'];
    for (let i = 1; i <= levels; i++)
      fragments.push(`fragment F${i} on Query { ...F${i - 1} ... on Query { ...F${i - 1} } }`);
    const r = await h.gql(`{ ...F${levels} } ${fragments.join(' ')}`, {}, token);
    assert.equal(
      r.errors?.[0]?.extensions?.code,
      'GRAPHQL_VALIDATION_FAILED',
      JSON.stringify(r).slice(0, 300),
    );
    assert.match(
      r.errors?.[0]?.message ?? '',
      new RegExp(`selections exceed the limit of ${MAX_SELECTIONS}`),
    );
  });
});
