import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sealCursor } from '../common/cursor.js';
import {
  askTrials,
  type Harness,
  newStudy,
  newTeam,
  newUser,
  startHarness,
} from '../test-support/harness.js';

const TRIALS =
  'query($s: ID!, $a: String) { study(id: $s) { trials(first: 5, after: $a) { nodes { id number value } pageInfo { endCursor } } } }';
const STUDIES =
  'query($t: ID!, $a: String, $sort: StudySort) { studies(teamId: $t, first: 5, after: $a, sort: $sort) { nodes { id } pageInfo { endCursor } } }';

/** The cursor format before issue 12: base64url of `c:<trial id>`, with no parent. */
const legacyCursor = (id: string) => Buffer.from(`c:${id}`).toString('base64url');

describe('client-supplied cursors are scoped to the list they are read under (issue 12, item 3)', () => {
  let h: Harness;
  let a: { token: string; teamId: string; studyId: string; trialIds: string[] };
  let b: { token: string; teamId: string; studyId: string };

  before(async () => {
    h = await startHarness();
    const ua = await newUser(h, 'a');
    const teamA = await newTeam(h, ua.token);
    const studyA = await newStudy(h, ua.token, teamA);
    const asked = await askTrials(h, ua.token, studyA, 3);
    a = { token: ua.token, teamId: teamA, studyId: studyA, trialIds: asked.map((t) => t.id) };
    const ub = await newUser(h, 'b');
    const teamB = await newTeam(h, ub.token);
    const studyB = await newStudy(h, ub.token, teamB);
    await askTrials(h, ub.token, studyB, 4);
    b = { token: ub.token, teamId: teamB, studyId: studyB };
  });
  after(() => h.close());

  test("team B paging its own study with a cursor naming A's trial learns nothing", async () => {
    const aTrial = a.trialIds[0];
    assert.ok(aTrial);
    const forged = [
      legacyCursor(aTrial),
      // The current format, resealed under B's own study: decodes, but the row is not B's.
      sealCursor(b.studyId, aTrial),
    ];
    for (const cursor of forged) {
      const r = await h.gql(TRIALS, { s: b.studyId, a: cursor }, b.token);
      const code = r.errors?.[0]?.extensions?.code;
      assert.ok(code === 'BAD_USER_INPUT' || code === 'NOT_FOUND', JSON.stringify(r));
      assert.equal((r.data as { study: unknown } | null | undefined)?.study ?? null, null, JSON.stringify(r));
    }
  });

  test("A's own cursor, replayed by B under B's study, is refused", async () => {
    const own = await h.gql<{ study: { trials: { pageInfo: { endCursor: string } } } }>(
      'query($s: ID!) { study(id: $s) { trials(first: 1) { pageInfo { endCursor } } } }',
      { s: a.studyId },
      a.token,
    );
    const cursor = own.data?.study.trials.pageInfo.endCursor;
    assert.ok(cursor);
    const r = await h.gql(TRIALS, { s: b.studyId, a: cursor }, b.token);
    assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(r));
    assert.equal(r.errors?.[0]?.extensions?.field, 'after');
  });

  test('cursors still page within their own study', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 5; i++) {
      const r: Awaited<
        ReturnType<
          typeof h.gql<{
            study: { trials: { nodes: Array<{ number: number }>; pageInfo: { endCursor: string | null } } };
          }>
        >
      > = await h.gql(TRIALS.replace('first: 5', 'first: 1'), { s: b.studyId, a: cursor }, b.token);
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      const page = r.data?.study.trials;
      assert.ok(page);
      if (page.nodes.length === 0) break;
      seen.push(...page.nodes.map((n) => n.number));
      cursor = page.pageInfo.endCursor;
    }
    assert.deepEqual(seen, [0, 1, 2, 3]);
  });

  test("a studies cursor of team A is refused on team B's list", async () => {
    const r = await h.gql<{ studies: { pageInfo: { endCursor: string } } }>(
      STUDIES,
      { t: a.teamId },
      a.token,
    );
    const cursor = r.data?.studies.pageInfo.endCursor;
    assert.ok(cursor, JSON.stringify(r));
    const replay = await h.gql(STUDIES, { t: b.teamId, a: cursor }, b.token);
    assert.equal(replay.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(replay));
  });

  test('a studies cursor carrying 1e999 under a BEST_VALUE sort is BAD_USER_INPUT, not a server error', async () => {
    for (const key of ['1e999', '-1e999', '1e-400', 'NaN']) {
      for (const sort of ['BEST_VALUE_ASC', 'BEST_VALUE_DESC', 'PROGRESS_ASC']) {
        const cursor = sealCursor(b.teamId, [sort, 0, key, a.studyId]);
        const r = await h.gql(STUDIES, { t: b.teamId, a: cursor, sort }, b.token);
        const code = r.errors?.[0]?.extensions?.code ?? null;
        // 1e-400 is a valid number that a double rounds to 0: it pages, it does not crash.
        if (key === '1e-400') assert.equal(code, null, JSON.stringify(r));
        else assert.equal(code, 'BAD_USER_INPUT', `${key} ${sort}: ${JSON.stringify(r)}`);
      }
    }
    // The pre-issue-12 cursor format with 1e999 (what the probe sent).
    const old = Buffer.from(JSON.stringify(['BEST_VALUE_ASC', 0, '1e999', a.studyId])).toString('base64url');
    const r = await h.gql(STUDIES, { t: b.teamId, a: old, sort: 'BEST_VALUE_ASC' }, b.token);
    assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(r));
  });
});
