import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  askTrials,
  type Harness,
  newStudy,
  newUser,
  startTeamHarness,
  TELL,
} from '../test-support/harness.js';
import { collect, streaming, wsClient } from '../test-support/ws.js';

interface T {
  id: string;
  number: number;
  state: string;
  params: Record<string, number>;
  error: string | null;
  retryOf: string | null;
}

const FIELDS = 'id number state params error retryOf';
const RELEASE = `mutation($t: ID!) { releaseTrial(trialId: $t) { ${FIELDS} } }`;
const TRIAL = `query($t: ID!) { trial(id: $t) { ${FIELDS} } }`;
const STUDY =
  'query($id: ID!) { study(id: $id) { state trialCounts { total waiting running complete failed } } }';

describe('releaseTrial: a worker hands a RUNNING trial back without using budget', () => {
  let h: Harness;
  let token: string;
  let teamId: string;

  before(async () => {
    ({ h, token, teamId } = await startTeamHarness());
  });
  after(() => h.close());

  const ask = (studyId: string, n = 1) => askTrials<T>(h, token, studyId, n);
  const release = (trialId: string, as = token) => h.gql<{ releaseTrial: T }>(RELEASE, { t: trialId }, as);
  const trial = async (trialId: string): Promise<T> => {
    const r = await h.gql<{ trial: T }>(TRIAL, { t: trialId }, token);
    assert.ok(r.data?.trial, JSON.stringify(r.errors));
    return r.data.trial;
  };
  const codeOf = (r: { errors?: Array<{ extensions?: { code?: string } }> }) =>
    r.errors?.[0]?.extensions?.code;

  test('the trial becomes FAILED "interrupted"; a WAITING copy with its params is returned and announced', async () => {
    const studyId = await newStudy(h, token, teamId, { maxTrials: 5, parallelism: 5 });
    const events = collect<{ trialEvents: { type: string; trial: { id: string; retryOf: string | null } } }>(
      wsClient(h.server.wsUrl, token),
      'subscription($s: ID!) { trialEvents(studyId: $s) { type trial { id retryOf } } }',
      { s: studyId },
    );
    try {
      await streaming(h.server, studyId); // the subscription is set up after the ack
      const [running] = await ask(studyId);
      assert.ok(running);
      const r = await release(running.id);
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      const copy = r.data?.releaseTrial;
      assert.ok(copy);
      assert.equal(copy.state, 'WAITING');
      assert.equal(copy.retryOf, running.id);
      assert.deepEqual(copy.params, running.params);
      assert.notEqual(copy.id, running.id);
      const original = await trial(running.id);
      assert.equal(original.state, 'FAILED');
      assert.equal(original.error, 'interrupted');

      await events.until((items) => items.some((e) => e.trialEvents.trial.id === copy.id));
      const seen = events.items.map((e) => [e.trialEvents.type, e.trialEvents.trial.id]);
      assert.deepEqual(seen.slice(-2), [
        ['FAILED', running.id],
        ['CREATED', copy.id],
      ]);
      // The copy is what the next ask hands out.
      const [next] = await ask(studyId);
      assert.equal(next?.id, copy.id);
      assert.deepEqual(next?.params, running.params);
    } finally {
      events.stop();
    }
  });

  test('idempotent: releasing again returns the same copy and makes no second one', async () => {
    const studyId = await newStudy(h, token, teamId, { maxTrials: 5, parallelism: 5 });
    const [running] = await ask(studyId);
    assert.ok(running);
    const [first, second] = await Promise.all([release(running.id), release(running.id)]);
    const third = await release(running.id);
    for (const r of [first, second, third]) assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    const ids = new Set([first, second, third].map((r) => r.data?.releaseTrial.id));
    assert.equal(ids.size, 1, 'one copy, whichever request came first');
    const counts = await h.gql<{
      study: { trialCounts: { total: number; waiting: number; failed: number } };
    }>(STUDY, { id: studyId }, token);
    assert.equal(counts.data?.study.trialCounts.total, 2);
    assert.equal(counts.data?.study.trialCounts.waiting, 1);
    assert.equal(counts.data?.study.trialCounts.failed, 1);
  });

  test('COMPLETE, PRUNED and WAITING trials are CONFLICT; an unknown id NOT_FOUND; a viewer FORBIDDEN', async () => {
    const studyId = await newStudy(h, token, teamId, { maxTrials: 10, parallelism: 10 });
    const [done, pruned, running] = await ask(studyId, 3);
    assert.ok(done && pruned && running);
    await h.gql(TELL, { t: done.id, st: 'COMPLETE', v: 1 }, token);
    await h.gql(TELL, { t: pruned.id, st: 'PRUNED', v: 2 }, token);
    assert.equal(codeOf(await release(done.id)), 'CONFLICT');
    assert.equal(codeOf(await release(pruned.id)), 'CONFLICT');
    assert.equal((await trial(done.id)).state, 'COMPLETE', 'left as it was');

    const queued = await h.gql<{ enqueueTrial: T }>(
      'mutation($s: ID!, $p: JSON!) { enqueueTrial(studyId: $s, params: $p) { id } }',
      { s: studyId, p: { x: 1, y: 2 } },
      token,
    );
    const waitingId = queued.data?.enqueueTrial.id;
    assert.ok(waitingId);
    assert.equal(codeOf(await release(waitingId)), 'CONFLICT');

    assert.equal(codeOf(await release('00000000-0000-4000-8000-000000000000')), 'NOT_FOUND');
    assert.equal(codeOf(await release('not-a-uuid')), 'NOT_FOUND');
    const outsider = (await newUser(h, 'outsider')).token;
    assert.equal(codeOf(await release(running.id, outsider)), 'NOT_FOUND');

    const viewer = await h.gql<{ createApiToken: { token: string } }>(
      'mutation($t: ID!) { createApiToken(teamId: $t, name: "viewer", role: VIEWER) { token } }',
      { t: teamId },
      token,
    );
    const viewerToken = viewer.data?.createApiToken.token;
    assert.ok(viewerToken);
    assert.equal(codeOf(await release(running.id, viewerToken)), 'FORBIDDEN');
    assert.equal((await trial(running.id)).state, 'RUNNING', 'a refused release changes nothing');
    assert.equal(codeOf(await release(running.id)), undefined, 'a member may');
  });

  test('at maxTrials the hand-back still works, and the study ends with exactly maxTrials completions', async () => {
    const maxTrials = 4;
    const studyId = await newStudy(h, token, teamId, { maxTrials, parallelism: maxTrials });
    const claimed = await ask(studyId, maxTrials);
    assert.equal(claimed.length, maxTrials, 'the whole budget is out');
    const [interrupted, ...rest] = claimed;
    assert.ok(interrupted);
    const r = await release(interrupted.id);
    assert.equal(r.errors, undefined, `a hand-back at the budget: ${JSON.stringify(r.errors)}`);
    const copy = r.data?.releaseTrial;
    assert.ok(copy);
    for (const t of rest) await h.gql(TELL, { t: t.id, st: 'COMPLETE', v: 1 }, token);
    const again = await ask(studyId, maxTrials);
    assert.deepEqual(
      again.map((t) => t.id),
      [copy.id],
      'the copy is handed out; nothing beyond the budget',
    );
    assert.deepEqual(again[0]?.params, interrupted.params);
    const told = await h.gql(TELL, { t: copy.id, st: 'COMPLETE', v: 1 }, token);
    assert.equal(told.errors, undefined, JSON.stringify(told.errors));
    assert.deepEqual(await ask(studyId, 1), []);
    const s = await h.gql<{ study: { state: string; trialCounts: { complete: number; failed: number } } }>(
      STUDY,
      { id: studyId },
      token,
    );
    assert.equal(s.data?.study.state, 'DONE');
    assert.equal(s.data?.study.trialCounts.complete, maxTrials);
    assert.equal(s.data?.study.trialCounts.failed, 1);
  });

  test("a trial the reaper already failed and retried answers the reaper's copy", async () => {
    const studyId = await newStudy(h, token, teamId, {
      maxTrials: 3,
      parallelism: 3,
      heartbeatTimeoutS: 1,
      retryFailed: 1,
    });
    const [running] = await ask(studyId);
    assert.ok(running);
    await h.db.dataSource.query(
      `UPDATE trials SET started_at = now() - interval '1 minute', heartbeat_at = now() - interval '1 minute' WHERE id = $1`,
      [running.id],
    );
    assert.equal(await h.server.services.trials.reapStale(), 1);
    const r = await release(running.id);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    assert.equal(r.data?.releaseTrial.retryOf, running.id);
    assert.equal((await trial(running.id)).error, 'stale', "the reaper's verdict stands");
  });
});
