import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { askTrials, type Harness, newStudy, startTeamHarness, TELL } from '../test-support/harness.js';

// The SDK's `tellAndAsk` document (packages/sdk/src/documents.ts), trimmed to the fields used here.
const TELL_AND_ASK = `mutation($t: ID!, $st: TrialState!, $v: Float, $s: ID!) {
  tellTrial(trialId: $t, state: $st, value: $v) { id state value }
  askTrials(studyId: $s, count: 1, workerId: "w") { id state } }`;

interface Combined {
  tellTrial: { id: string; state: string; value: number | null };
  askTrials: { id: string; state: string }[];
}

describe('tell and ask in one operation', () => {
  let h: Harness;
  let token: string;
  let teamId: string;

  before(async () => {
    ({ h, token, teamId } = await startTeamHarness());
  });
  after(() => h.close());

  const ask = async (studyId: string): Promise<string> => {
    const [trial] = await askTrials(h, token, studyId);
    assert.ok(trial, 'a trial');
    return trial.id;
  };
  const states = async (studyId: string): Promise<Record<string, string>> => {
    const rows: { id: string; state: string }[] = await h.db.dataSource.query(
      'SELECT id, state FROM trials WHERE study_id = $1',
      [studyId],
    );
    return Object.fromEntries(rows.map((r) => [r.id, r.state]));
  };

  test('finishes one trial and claims the next, in that order', async () => {
    const studyId = await newStudy(h, token, teamId);
    const first = await ask(studyId);
    const r = await h.gql<Combined>(TELL_AND_ASK, { t: first, st: 'COMPLETE', v: 0.5, s: studyId }, token);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    assert.deepEqual(r.data?.tellTrial, { id: first, state: 'COMPLETE', value: 0.5 });
    const next = r.data?.askTrials[0];
    assert.ok(next && next.id !== first);
    assert.equal(next.state, 'RUNNING');
    assert.deepEqual(await states(studyId), { [first]: 'COMPLETE', [next.id]: 'RUNNING' });
  });

  test('a tell refused with CONFLICT stops the operation before its ask: nothing is claimed', async () => {
    const studyId = await newStudy(h, token, teamId);
    const first = await ask(studyId);
    const told = await h.gql(TELL, { t: first, st: 'COMPLETE', v: 1 }, token);
    assert.equal(told.errors, undefined);
    // Finished already with another result (by the reaper, say): this tell is refused.
    const r = await h.gql<Combined>(TELL_AND_ASK, { t: first, st: 'PRUNED', v: 3, s: studyId }, token);
    assert.equal(r.errors?.length, 1);
    assert.equal(r.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.deepEqual(r.errors?.[0]?.path, ['tellTrial']);
    assert.equal(r.data, null);
    assert.deepEqual(await states(studyId), { [first]: 'COMPLETE' });
  });

  test('an ask that fails after the tell landed is reported on askTrials; the tell stays', async () => {
    const studyId = await newStudy(h, token, teamId);
    const first = await ask(studyId);
    const elsewhere = '00000000-0000-4000-8000-000000000000';
    const r = await h.gql<Combined>(TELL_AND_ASK, { t: first, st: 'COMPLETE', v: 2, s: elsewhere }, token);
    assert.equal(r.errors?.length, 1);
    assert.deepEqual(r.errors?.[0]?.path, ['askTrials']);
    assert.equal(r.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    // Non-null askTrials failed, so the response has no data; the tell is committed all the same.
    assert.equal(r.data, null);
    assert.deepEqual(await states(studyId), { [first]: 'COMPLETE' });
  });
});
