import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ASK, type Harness, newStudy, newUser, startTeamHarness, TELL } from '../test-support/harness.js';

const LIST = `query($t: ID!, $first: Int, $after: String, $states: [StudyState!], $name: String, $sort: StudySort) {
  studies(teamId: $t, first: $first, after: $after, states: $states, nameContains: $name, sort: $sort) {
    totalCount nodes { id name state } pageInfo { hasNextPage endCursor } } }`;

interface Page {
  totalCount: number;
  nodes: Array<{ id: string; name: string; state: string }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

describe('studies: server-side filter and sort with keyset pagination', () => {
  let h: Harness;
  let token: string;
  let teamId: string;
  /** name -> id, with the best value each study gets (null: no complete trial) */
  const studies = new Map<string, { id: string; best: number | null }>();
  const NAMES: Array<[string, number | null]> = [
    ['Charlie resnet', 0.5],
    ['alpha mlp', 0.1],
    ['Bravo 100%_off', null],
    ['delta resnet', 0.9],
    ['echo', 0.3],
  ];

  const list = async (vars: Record<string, unknown>) => {
    const r = await h.gql<{ studies: Page }>(LIST, { t: teamId, ...vars }, token);
    return r;
  };
  /** Every page of one query, `first` at a time. */
  const walk = async (vars: Record<string, unknown>, first = 2) => {
    const names: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const r = await list({ ...vars, first, after: cursor });
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      const page = r.data?.studies;
      assert.ok(page);
      names.push(...page.nodes.map((n) => n.name));
      if (!page.pageInfo.hasNextPage) return { names, total: page.totalCount };
      cursor = page.pageInfo.endCursor;
    }
    throw new Error('too many pages');
  };

  before(async () => {
    ({ h, token, teamId } = await startTeamHarness());
    for (const [name, best] of NAMES) {
      const id = await newStudy(h, token, teamId, { name, maxTrials: 4 });
      studies.set(name, { id, best });
      if (best !== null) {
        const asked = await h.gql<{ askTrials: Array<{ id: string }> }>(ASK, { s: id, n: 2 }, token);
        const [a, b] = asked.data?.askTrials ?? [];
        assert.ok(a && b);
        assert.equal((await h.gql(TELL, { t: a.id, st: 'COMPLETE', v: best }, token)).errors, undefined);
        assert.equal((await h.gql(TELL, { t: b.id, st: 'COMPLETE', v: best + 1 }, token)).errors, undefined);
      }
    }
    const archived = studies.get('echo');
    assert.ok(archived);
    const r = await h.gql(
      'mutation($id: ID!) { setStudyState(id: $id, state: ARCHIVED) { id } }',
      { id: archived.id },
      token,
    );
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  });
  after(() => h.close());

  test('the default order is still newest first', async () => {
    const { names, total } = await walk({});
    assert.equal(total, 5);
    assert.deepEqual(names, NAMES.map(([n]) => n).reverse());
  });

  test('each sort order pages through every study once, in order, two at a time', async () => {
    const byName = NAMES.map(([n]) => n).sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
    assert.deepEqual((await walk({ sort: 'NAME_ASC' })).names, byName);
    assert.deepEqual((await walk({ sort: 'NAME_DESC' })).names, [...byName].reverse());
    assert.deepEqual(
      (await walk({ sort: 'CREATED_ASC' })).names,
      NAMES.map(([n]) => n),
    );
    // studies without a complete trial come last in both directions
    assert.deepEqual((await walk({ sort: 'BEST_VALUE_ASC' })).names, [
      'alpha mlp',
      'echo',
      'Charlie resnet',
      'delta resnet',
      'Bravo 100%_off',
    ]);
    assert.deepEqual((await walk({ sort: 'BEST_VALUE_DESC' }, 1)).names, [
      'delta resnet',
      'Charlie resnet',
      'echo',
      'alpha mlp',
      'Bravo 100%_off',
    ]);
    const progress = await walk({ sort: 'PROGRESS_DESC' }, 3);
    assert.equal(progress.names.length, 5);
    assert.equal(progress.names.at(-1), 'Bravo 100%_off', 'the study with no finished trial is last');
  });

  test('filters by state and by name text, totalCount counting the filtered set', async () => {
    const active = await walk({ states: ['RUNNING', 'PAUSED', 'DONE'], sort: 'NAME_ASC' });
    assert.deepEqual(active.names, ['alpha mlp', 'Bravo 100%_off', 'Charlie resnet', 'delta resnet']);
    assert.equal(active.total, 4);
    const archived = await walk({ states: ['ARCHIVED'] });
    assert.deepEqual(archived.names, ['echo']);
    const resnets = await walk({ name: 'RESNET', sort: 'BEST_VALUE_DESC' }, 1);
    assert.deepEqual(resnets.names, ['delta resnet', 'Charlie resnet']);
    assert.equal(resnets.total, 2);
    // LIKE wildcards in the text are literal
    assert.deepEqual((await walk({ name: '%_' })).names, ['Bravo 100%_off']);
    assert.deepEqual((await walk({ name: 'no such study' })).names, []);
  });

  test('a cursor keeps its place when the key of a study already passed changes', async () => {
    const first = await list({ sort: 'BEST_VALUE_ASC', first: 2 });
    assert.deepEqual(
      first.data?.studies.nodes.map((n) => n.name),
      ['alpha mlp', 'echo'],
    );
    // a study on the first page gets a better value than anything: the next page must not repeat it
    const alpha = studies.get('alpha mlp');
    assert.ok(alpha);
    const asked = await h.gql<{ askTrials: Array<{ id: string }> }>(ASK, { s: alpha.id, n: 1 }, token);
    const t = asked.data?.askTrials[0];
    assert.ok(t);
    assert.equal((await h.gql(TELL, { t: t.id, st: 'COMPLETE', v: -5 }, token)).errors, undefined);
    const rest = await list({
      sort: 'BEST_VALUE_ASC',
      first: 10,
      after: first.data?.studies.pageInfo.endCursor,
    });
    assert.deepEqual(
      rest.data?.studies.nodes.map((n) => n.name),
      ['Charlie resnet', 'delta resnet', 'Bravo 100%_off'],
    );
  });

  test('bad input is BAD_USER_INPUT naming the field', async () => {
    const byName = await list({ sort: 'NAME_ASC', first: 1 });
    const cursor = byName.data?.studies.pageInfo.endCursor;
    assert.ok(cursor);
    const wrongSort = await list({ sort: 'CREATED_DESC', after: cursor });
    assert.equal(wrongSort.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(wrongSort.errors?.[0]?.extensions?.field, 'after');
    const garbage = await list({ after: 'bm90IGEgY3Vyc29y' });
    assert.equal(garbage.errors?.[0]?.extensions?.field, 'after');
    const long = await list({ name: 'x'.repeat(201) });
    assert.equal(long.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(long.errors?.[0]?.extensions?.field, 'nameContains');
    const first = await list({ first: 101 });
    assert.equal(first.errors?.[0]?.extensions?.field, 'first');
  });

  test('a user outside the team cannot list it', async () => {
    const outsider = (await newUser(h)).token;
    const r = await h.gql<{ studies: Page }>(LIST, { t: teamId }, outsider);
    assert.ok(
      r.errors?.[0]?.extensions?.code === 'NOT_FOUND' || r.errors?.[0]?.extensions?.code === 'FORBIDDEN',
    );
  });
});
