import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  askTrials,
  type Harness,
  newStudy,
  newUser,
  startHarness,
  TELL,
  teamOfRoles,
} from '../test-support/harness.js';

const BUDGET =
  'mutation($id: ID!, $n: Int!) { setStudyBudget(id: $id, maxTrials: $n) { id state maxTrials } }';
const STATE = 'mutation($id: ID!, $s: StudyState!) { setStudyState(id: $id, state: $s) { id state } }';
const DELETE = 'mutation($id: ID!) { deleteStudy(id: $id) }';
const STUDY = 'query($id: ID!) { study(id: $id) { id state maxTrials } }';

describe('study lifecycle: budget, unarchive, delete', () => {
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

  async function finishedStudy(maxTrials: number): Promise<string> {
    const id = await newStudy(h, owner.token, teamId, { maxTrials, parallelism: maxTrials });
    for (const t of await askTrials(h, owner.token, id, maxTrials)) {
      const r = await h.gql(TELL, { t: t.id, st: 'COMPLETE', v: 1 }, owner.token);
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    }
    const s = await h.gql<{ study: { state: string } }>(STUDY, { id }, owner.token);
    assert.equal(s.data?.study.state, 'DONE');
    return id;
  }

  test('a finished study with a raised budget resumes and hands out only the new trials', async () => {
    const id = await finishedStudy(2);
    // before: no room, so resuming is refused
    const refused = await h.gql(STATE, { id, s: 'RUNNING' }, member.token);
    assert.equal(refused.errors?.[0]?.extensions?.code, 'CONFLICT');
    const raised = await h.gql<{ setStudyBudget: { state: string; maxTrials: number } }>(
      BUDGET,
      { id, n: 3 },
      member.token,
    );
    assert.equal(raised.errors, undefined, JSON.stringify(raised.errors));
    assert.deepEqual(
      { state: raised.data?.setStudyBudget.state, maxTrials: raised.data?.setStudyBudget.maxTrials },
      { state: 'DONE', maxTrials: 3 },
    );
    const resumed = await h.gql<{ setStudyState: { state: string } }>(
      STATE,
      { id, s: 'RUNNING' },
      member.token,
    );
    assert.equal(resumed.data?.setStudyState.state, 'RUNNING');
    assert.equal((await askTrials(h, member.token, id, 5)).length, 1);
  });

  test('the budget cannot go below what is used, is BAD_USER_INPUT when not a sane count, and viewers may not set it', async () => {
    const id = await finishedStudy(2);
    for (const n of [1, 0, -3, 1_000_000_000]) {
      const r = await h.gql(BUDGET, { id, n }, owner.token);
      assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', `maxTrials ${n}`);
      assert.equal(r.errors?.[0]?.extensions?.field, 'maxTrials');
    }
    const asViewer = await h.gql(BUDGET, { id, n: 10 }, viewer.token);
    assert.equal(asViewer.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const outsider = await newUser(h, 'outsider');
    const asOutsider = await h.gql(BUDGET, { id, n: 10 }, outsider.token);
    assert.equal(asOutsider.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    const s = await h.gql<{ study: { maxTrials: number } }>(STUDY, { id }, owner.token);
    assert.equal(s.data?.study.maxTrials, 2);
  });

  test('an archived study is read-only until unarchived (back to DONE)', async () => {
    const id = await finishedStudy(1);
    await h.gql(STATE, { id, s: 'ARCHIVED' }, member.token);
    const r = await h.gql(BUDGET, { id, n: 5 }, member.token);
    assert.equal(r.errors?.[0]?.extensions?.code, 'CONFLICT');
    const unarchived = await h.gql<{ setStudyState: { state: string } }>(
      STATE,
      { id, s: 'DONE' },
      member.token,
    );
    assert.equal(unarchived.data?.setStudyState.state, 'DONE');
    const ok = await h.gql(BUDGET, { id, n: 5 }, member.token);
    assert.equal(ok.errors, undefined, JSON.stringify(ok.errors));
  });

  test('delete: admins only, not while RUNNING, and the trials and artifact files go with it', async () => {
    const id = await newStudy(h, owner.token, teamId, { maxTrials: 3 });
    const [trial] = await askTrials(h, owner.token, id, 1);
    assert.ok(trial);
    const upload = await fetch(`${h.server.baseUrl}/artifacts?trialId=${trial.id}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/octet-stream',
        'x-filename': 'ckpt.bin',
        authorization: `Bearer ${owner.token}`,
      },
      body: new Uint8Array([1, 2, 3]),
    });
    assert.equal(upload.status, 201, await upload.clone().text());
    const artifact = (await upload.json()) as { id: string };
    const file = join(h.dataDir, 'artifacts', artifact.id.slice(0, 2), artifact.id);
    await access(file);

    const running = await h.gql(DELETE, { id }, owner.token);
    assert.equal(running.errors?.[0]?.extensions?.code, 'CONFLICT');
    await h.gql(STATE, { id, s: 'PAUSED' }, owner.token);
    for (const who of [member, viewer]) {
      const r = await h.gql(DELETE, { id }, who.token);
      assert.equal(r.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    }
    const deleted = await h.gql<{ deleteStudy: boolean }>(DELETE, { id }, owner.token);
    assert.equal(deleted.errors, undefined, JSON.stringify(deleted.errors));
    assert.equal(deleted.data?.deleteStudy, true);
    const gone = await h.gql(STUDY, { id }, owner.token);
    assert.equal(gone.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    const trialGone = await h.gql('query($id: ID!) { trial(id: $id) { id } }', { id: trial.id }, owner.token);
    assert.equal(trialGone.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    await assert.rejects(access(file), /ENOENT/);
    const again = await h.gql(DELETE, { id }, owner.token);
    assert.equal(again.errors?.[0]?.extensions?.code, 'NOT_FOUND');
  });
});
