import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Harness, newStudy, newTeam, newUser, startTeamHarness } from '../test-support/harness.js';

const ASK_KEYED = `mutation($s: ID!, $n: Int, $k: String) {
  askTrials(studyId: $s, count: $n, workerId: "w", requestKey: $k) { id number state } }`;
const TELL_AND_ASK_KEYED = `mutation($t: ID!, $v: Float, $s: ID!, $k: String) {
  tellTrial(trialId: $t, state: COMPLETE, value: $v) { id state }
  askTrials(studyId: $s, count: 1, workerId: "w", requestKey: $k) { id number } }`;

interface Asked {
  id: string;
  number: number;
  state: string;
}

/**
 * Issue 13, item 2: an ask whose answer was lost (the API did the work, the client saw a network
 * error) is retried with the same request key and gets the same trials back, so no trial of the
 * budget is claimed by nobody.
 */
describe('idempotent asks (requestKey)', () => {
  let h: Harness;
  let session: string;
  let token: string;
  let teamId: string;

  before(async () => {
    ({ h, token: session, teamId } = await startTeamHarness());
    const created = await h.gql<{ createApiToken: { token: string } }>(
      'mutation($t: ID!) { createApiToken(teamId: $t, name: "workers") { token } }',
      { t: teamId },
      session,
    );
    token = created.data?.createApiToken.token ?? '';
    assert.ok(token);
  });
  after(() => h.close());

  const ask = async (studyId: string, key: string | null, n = 1, as = token): Promise<Asked[]> => {
    const r = await h.gql<{ askTrials: Asked[] }>(ASK_KEYED, { s: studyId, n, k: key }, as);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    return r.data?.askTrials ?? [];
  };
  const budgetUsed = async (studyId: string): Promise<number> =>
    (await h.db.dataSource.query('SELECT budget_used FROM studies WHERE id = $1', [studyId]))[0].budget_used;

  test('a retry with the same key gets the same trials and spends no budget; a new key claims anew', async () => {
    const studyId = await newStudy(h, session, teamId, { maxTrials: 10, parallelism: 10 });
    const first = await ask(studyId, 'ask-1', 2);
    assert.equal(first.length, 2);
    const retry = await ask(studyId, 'ask-1', 2);
    assert.deepEqual(retry, first);
    assert.equal(await budgetUsed(studyId), 2);
    const next = await ask(studyId, 'ask-2', 1);
    assert.equal(next.length, 1);
    assert.ok(!first.some((t) => t.id === next[0]?.id));
    assert.equal(await budgetUsed(studyId), 3);
    // Without a key an ask is a new claim each time (as before).
    await ask(studyId, null);
    await ask(studyId, null);
    assert.equal(await budgetUsed(studyId), 5);
  });

  test('the same key sent several times at once claims once', async () => {
    const studyId = await newStudy(h, session, teamId, { maxTrials: 10, parallelism: 10 });
    const answers = await Promise.all(Array.from({ length: 6 }, () => ask(studyId, 'burst', 1)));
    const ids = new Set(answers.map((a) => a[0]?.id));
    assert.equal(ids.size, 1);
    assert.equal(await budgetUsed(studyId), 1);
  });

  test('a keyed ask that took a WAITING trial (the locked path) gets it again', async () => {
    const studyId = await newStudy(h, session, teamId, { maxTrials: 10 });
    const e = await h.gql<{ enqueueTrial: { id: string } }>(
      'mutation($s: ID!) { enqueueTrial(studyId: $s, params: {x: 1, y: 2}) { id } }',
      { s: studyId },
      session,
    );
    const enqueued = e.data?.enqueueTrial.id;
    assert.ok(enqueued);
    const [first] = await ask(studyId, 'waiting-1', 1, session);
    assert.equal(first?.id, enqueued);
    const [again] = await ask(studyId, 'waiting-1', 1, session);
    assert.equal(again?.id, enqueued);
    const rows = await h.db.dataSource.query(
      "SELECT count(*)::int AS n FROM trials WHERE study_id = $1 AND state = 'RUNNING'",
      [studyId],
    );
    assert.equal(rows[0].n, 1);
  });

  test('a retried tellAndAsk: the tell is accepted again and the ask returns the same trial', async () => {
    const studyId = await newStudy(h, session, teamId, { maxTrials: 10, parallelism: 2 });
    const [t] = await ask(studyId, 'start', 1);
    assert.ok(t);
    const send = () =>
      h.gql<{ tellTrial: { state: string }; askTrials: Asked[] }>(
        TELL_AND_ASK_KEYED,
        { t: t.id, v: 0.5, s: studyId, k: 'tell-ask-1' },
        token,
      );
    const first = await send();
    const retry = await send();
    assert.equal(first.errors, undefined, JSON.stringify(first.errors));
    assert.equal(retry.errors, undefined, JSON.stringify(retry.errors));
    assert.equal(retry.data?.tellTrial.state, 'COMPLETE');
    assert.deepEqual(retry.data?.askTrials, first.data?.askTrials);
    assert.equal(await budgetUsed(studyId), 2);
  });

  test("a key is no way into another team's study, and is validated", async () => {
    const studyId = await newStudy(h, session, teamId, { maxTrials: 10 });
    await ask(studyId, 'private', 1);
    const other = await newUser(h, 'outsider');
    const otherTeam = await newTeam(h, other.token);
    const otherToken = (
      await h.gql<{ createApiToken: { token: string } }>(
        'mutation($t: ID!) { createApiToken(teamId: $t, name: "theirs") { token } }',
        { t: otherTeam },
        other.token,
      )
    ).data?.createApiToken.token;
    assert.ok(otherToken);
    for (const as of [other.token, otherToken]) {
      const r = await h.gql(ASK_KEYED, { s: studyId, n: 1, k: 'private' }, as);
      assert.ok(
        ['NOT_FOUND', 'FORBIDDEN'].includes(r.errors?.[0]?.extensions?.code ?? ''),
        JSON.stringify(r),
      );
    }
    const long = await h.gql(ASK_KEYED, { s: studyId, n: 1, k: 'k'.repeat(201) }, token);
    assert.equal(long.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  });
});
