import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TRIAL_TABLE_INFO_START } from '@posterior/core';
import {
  askTrials,
  errorCode,
  errorField,
  type GqlResult,
  type Harness,
  newStudy,
  newUser,
  startHarness,
  TELL,
  teamOfRoles,
} from '../test-support/harness.js';

interface T {
  id: string;
  state: string;
  value: number | null;
  note: string | null;
  tags: string[];
}
const FIELDS = 'id state value note tags';
const NOTE = `mutation($t: ID!, $n: String) { setTrialNote(trialId: $t, note: $n) { ${FIELDS} } }`;
const TAGS = `mutation($t: ID!, $g: [String!]!) { setTrialTags(trialId: $t, tags: $g) { ${FIELDS} } }`;
const TRIAL = `query($t: ID!) { trial(id: $t) { ${FIELDS} } }`;
const DESCRIBE =
  'mutation($s: ID!, $d: String) { setStudyDescription(studyId: $s, description: $d) { id description } }';
const STUDY = 'query($id: ID!) { study(id: $id) { description trialTable } }';

describe('trial notes and tags, study description (issue 15 item 8)', () => {
  let h: Harness;
  let owner: { token: string; email: string };
  let member: { token: string; email: string };
  let viewer: { token: string; email: string };
  let teamId: string;

  before(async () => {
    h = await startHarness();
    ({ owner, member, viewer, teamId } = await teamOfRoles(h));
  });
  after(() => h.close());

  const trial = async (id: string): Promise<T> => {
    const r = await h.gql<{ trial: T }>(TRIAL, { t: id }, viewer.token);
    assert.ok(r.data?.trial, JSON.stringify(r.errors));
    return r.data.trial;
  };

  test('a new trial has no note and no tags; a member sets both on a running trial', async () => {
    const studyId = await newStudy(h, owner.token, teamId);
    const [t] = await askTrials<T>(h, owner.token, studyId);
    assert.ok(t);
    const fresh = await trial(t.id);
    assert.equal(fresh.note, null);
    assert.deepEqual(fresh.tags, []);
    const n = await h.gql<{ setTrialNote: T }>(NOTE, { t: t.id, n: '  lr too high?  ' }, member.token);
    assert.equal(n.errors, undefined, JSON.stringify(n.errors));
    assert.equal(n.data?.setTrialNote.note, 'lr too high?');
    const g = await h.gql<{ setTrialTags: T }>(
      TAGS,
      { t: t.id, g: [' baseline', 'gpu', 'baseline'] },
      member.token,
    );
    assert.equal(g.errors, undefined, JSON.stringify(g.errors));
    assert.deepEqual(g.data?.setTrialTags.tags, ['baseline', 'gpu']);
    const read = await trial(t.id);
    assert.equal(read.note, 'lr too high?');
    assert.deepEqual(read.tags, ['baseline', 'gpu']);
    assert.equal(read.state, 'RUNNING');
  });

  test('a finished trial stays finished but takes a note and tags; null and [] clear them', async () => {
    const studyId = await newStudy(h, owner.token, teamId);
    const [t] = await askTrials<T>(h, owner.token, studyId);
    assert.ok(t);
    const told = await h.gql(TELL, { t: t.id, st: 'COMPLETE', v: 2.5 }, owner.token);
    assert.equal(told.errors, undefined, JSON.stringify(told.errors));
    const n = await h.gql<{ setTrialNote: T }>(NOTE, { t: t.id, n: 'best so far' }, owner.token);
    assert.equal(n.errors, undefined, JSON.stringify(n.errors));
    const g = await h.gql<{ setTrialTags: T }>(TAGS, { t: t.id, g: ['keep'] }, owner.token);
    assert.equal(g.errors, undefined, JSON.stringify(g.errors));
    const read = await trial(t.id);
    assert.deepEqual(
      [read.state, read.value, read.note, read.tags],
      ['COMPLETE', 2.5, 'best so far', ['keep']],
    );
    // the compact table carries them too, by name
    const s = await h.gql<{ study: { trialTable: { info: string[]; rows: unknown[][] } } }>(
      STUDY,
      { id: studyId },
      viewer.token,
    );
    const table = s.data?.study.trialTable;
    assert.ok(table, JSON.stringify(s.errors));
    const row = table.rows[0];
    assert.ok(row);
    const at = (name: string) => row[TRIAL_TABLE_INFO_START + table.info.indexOf(name)];
    assert.equal(at('note'), 'best so far');
    assert.deepEqual(at('tags'), ['keep']);

    await h.gql(NOTE, { t: t.id, n: null }, owner.token);
    await h.gql(TAGS, { t: t.id, g: [] }, owner.token);
    const cleared = await trial(t.id);
    assert.deepEqual([cleared.note, cleared.tags], [null, []]);
  });

  test('a VIEWER is FORBIDDEN; an outsider and a bad id are NOT_FOUND', async () => {
    const studyId = await newStudy(h, owner.token, teamId);
    const [t] = await askTrials<T>(h, owner.token, studyId);
    assert.ok(t);
    assert.equal(errorCode(await h.gql(NOTE, { t: t.id, n: 'x' }, viewer.token)), 'FORBIDDEN');
    assert.equal(errorCode(await h.gql(TAGS, { t: t.id, g: ['x'] }, viewer.token)), 'FORBIDDEN');
    assert.equal(errorCode(await h.gql(DESCRIBE, { s: studyId, d: 'x' }, viewer.token)), 'FORBIDDEN');
    const outsider = await newUser(h, 'outsider');
    assert.equal(errorCode(await h.gql(NOTE, { t: t.id, n: 'x' }, outsider.token)), 'NOT_FOUND');
    assert.equal(errorCode(await h.gql(TAGS, { t: 'nope', g: [] }, owner.token)), 'NOT_FOUND');
    // nothing changed
    const read = await trial(t.id);
    assert.deepEqual([read.note, read.tags], [null, []]);
  });

  test('bounds: note and description 10,000 chars, at most 20 tags of at most 64 chars, no empty tag', async () => {
    const studyId = await newStudy(h, owner.token, teamId);
    const [t] = await askTrials<T>(h, owner.token, studyId);
    assert.ok(t);
    const ok = await h.gql(NOTE, { t: t.id, n: 'n'.repeat(10_000) }, member.token);
    assert.equal(ok.errors, undefined, JSON.stringify(ok.errors));
    const long = await h.gql(NOTE, { t: t.id, n: 'n'.repeat(10_001) }, member.token);
    assert.deepEqual([errorCode(long), errorField(long)], ['BAD_USER_INPUT', 'note']);
    const tags20 = Array.from({ length: 20 }, (_, i) => `t${i}`.padEnd(64, 'x'));
    const ok20 = await h.gql(TAGS, { t: t.id, g: tags20 }, member.token);
    assert.equal(ok20.errors, undefined, JSON.stringify(ok20.errors));
    for (const g of [[...tags20, 'one more'], ['x'.repeat(65)], ['a', '  ']]) {
      const r: GqlResult<unknown> = await h.gql(TAGS, { t: t.id, g }, member.token);
      assert.deepEqual(
        [errorCode(r), errorField(r)],
        ['BAD_USER_INPUT', 'tags'],
        JSON.stringify(g).slice(0, 80),
      );
    }
    assert.deepEqual((await trial(t.id)).tags, tags20);
    const d = await h.gql(DESCRIBE, { s: studyId, d: 'd'.repeat(10_001) }, member.token);
    assert.deepEqual([errorCode(d), errorField(d)], ['BAD_USER_INPUT', 'description']);
  });

  test('a study description: set at creation, changed and cleared by a member', async () => {
    const studyId = await newStudy(h, owner.token, teamId, { description: 'sweep of lr' });
    const read = async () =>
      (await h.gql<{ study: { description: string | null } }>(STUDY, { id: studyId }, viewer.token)).data
        ?.study.description;
    assert.equal(await read(), 'sweep of lr');
    const r = await h.gql(DESCRIBE, { s: studyId, d: 'second sweep' }, member.token);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    assert.equal(await read(), 'second sweep');
    await h.gql(DESCRIBE, { s: studyId, d: null }, member.token);
    assert.equal(await read(), null);
    const tooLong = await h.gql(
      'mutation($i: CreateStudyInput!) { createStudy(input: $i) { id } }',
      {
        i: {
          teamId,
          name: 's',
          direction: 'MINIMIZE',
          objective: 'loss',
          searchSpace: [{ name: 'x', type: 'float', low: 0, high: 1 }],
          maxTrials: 5,
          description: 'd'.repeat(10_001),
        },
      },
      owner.token,
    );
    assert.deepEqual([errorCode(tooLong), errorField(tooLong)], ['BAD_USER_INPUT', 'input.description']);
  });
});
