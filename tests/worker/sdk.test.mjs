import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isPosteriorError } from '@posterior/sdk';
import { createNodeClient } from '@posterior/sdk/node';
import { bootstrap, quadraticSpace, startApi } from './_harness.mjs';

describe('@posterior/sdk against a real API', () => {
  let api;
  let ctx;
  let study;

  before(async () => {
    api = await startApi();
    ctx = await bootstrap(api.url);
    study = await ctx.client.createStudy({
      teamId: ctx.team.id,
      name: 'sdk',
      direction: 'MINIMIZE',
      objective: 'loss',
      searchSpace: quadraticSpace,
      sampler: { type: 'random', seed: 2 },
      maxTrials: 5,
    });
  });

  after(async () => {
    await ctx?.client.close();
    await api?.close();
  });

  it('reads back what it wrote as domain types', async () => {
    const me = await ctx.client.me();
    assert.match(me?.email ?? '', /@example\.com$/);
    const teams = await ctx.client.teams();
    assert.deepEqual(
      teams.map((t) => [t.id, t.role]),
      [[ctx.team.id, 'OWNER']],
    );
    const page = await ctx.client.studies(ctx.team.id, { first: 10 });
    assert.deepEqual(
      page.items.map((s) => s.id),
      [study.id],
    );
    const fetched = await ctx.client.study(study.id);
    assert.ok(fetched?.createdAt instanceof Date);
    assert.deepEqual(fetched?.searchSpace, quadraticSpace);
    assert.equal(fetched?.sampler.type, 'random');
  });

  it('streams trial events and metric points over graphql-ws', async () => {
    const live = await ctx.client.createStudy({
      teamId: ctx.team.id,
      name: 'sdk-live',
      direction: 'MINIMIZE',
      objective: 'loss',
      searchSpace: quadraticSpace,
      maxTrials: 50,
    });
    const worker = createNodeClient({ url: api.url, token: ctx.token });
    const events = ctx.client.iterateTrialEvents(live.id);
    const points = ctx.client.iterateMetricPoints(live.id);
    const within = (promise, ms) =>
      Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve(undefined), ms))]);
    const nextOf = async (iterator, match) => {
      for (;;) {
        const { value } = await iterator.next();
        if (match(value)) return value;
      }
    };

    // A subscription is live only once the server has set it up: probe until an event arrives.
    const probes = new Set();
    let pending = events.next();
    let firstEvent;
    while (!firstEvent) {
      probes.add((await ctx.client.enqueueTrial(live.id, { x: 0.5 })).id);
      firstEvent = await within(pending, 300);
    }
    assert.equal(firstEvent.value.type, 'CREATED');
    assert.ok(probes.has(firstEvent.value.trial.id));

    const [claimed] = await worker.askTrials(live.id, 1, 'sdk-test');
    assert.ok(probes.has(claimed.id), 'queued trials are claimed first');
    const claimedEvent = await nextOf(events, (e) => e.type === 'CLAIMED');
    assert.equal(claimedEvent.trial.id, claimed.id);
    assert.equal(claimedEvent.trial.workerId, 'sdk-test');

    // Same for metric points: report steps until the first batch comes through.
    let step = 0;
    pending = points.next();
    let batch;
    while (!batch) {
      const report = await worker.reportMetrics(claimed.id, [{ name: 'loss', step, value: 10 - step }]);
      assert.deepEqual([report.accepted, report.inserted, report.shouldPrune], [1, 1, false]);
      step++;
      batch = await within(pending, 300);
    }
    const again = await worker.reportMetrics(claimed.id, [{ name: 'loss', step: 0, value: 10 }]);
    assert.equal(again.inserted, 0, 'a retried report is idempotent');
    await worker.reportMetrics(claimed.id, [
      { name: 'loss', step: 100, value: 1.5 },
      { name: 'acc', step: 100, value: 0.5 },
    ]);
    const streamed = await nextOf(points, (b) => b.some((p) => p.step === 100));
    const at100 = streamed.filter((p) => p.step === 100).map((p) => [p.trialId, p.name, p.value]);
    assert.deepEqual(at100.sort(), [
      [claimed.id, 'acc', 0.5],
      [claimed.id, 'loss', 1.5],
    ]);
    assert.ok(streamed[0].time instanceof Date);

    assert.deepEqual(await worker.heartbeat(claimed.id), { shouldStop: false });
    const told = await worker.tellTrial(claimed.id, { state: 'COMPLETE', value: 1.5 });
    assert.equal(told.state, 'COMPLETE');
    const completeEvent = await nextOf(events, (e) => e.type === 'COMPLETE');
    assert.deepEqual([completeEvent.trial.id, completeEvent.trial.value], [claimed.id, 1.5]);
    // An identical retry is accepted; a different one is a CONFLICT.
    assert.equal((await worker.tellTrial(claimed.id, { state: 'COMPLETE', value: 1.5 })).state, 'COMPLETE');
    await assert.rejects(worker.tellTrial(claimed.id, { state: 'FAILED', error: 'x' }), (e) =>
      isPosteriorError(e, 'CONFLICT'),
    );

    await events.return();
    await points.return();
    await worker.close();
  });

  it('releaseTrial hands a running trial back as a WAITING copy, even with the budget spent', async () => {
    const one = await ctx.client.createStudy({
      teamId: ctx.team.id,
      name: 'sdk release',
      direction: 'MINIMIZE',
      objective: 'loss',
      searchSpace: quadraticSpace,
      sampler: { type: 'random', seed: 3 },
      maxTrials: 1,
    });
    const [claimed] = await ctx.client.askTrials(one.id, 1, 'w');
    assert.ok(claimed);
    const copy = await ctx.client.releaseTrial(claimed.id);
    assert.equal(copy.state, 'WAITING');
    assert.equal(copy.retryOf, claimed.id);
    assert.deepEqual(copy.params, claimed.params);
    assert.equal((await ctx.client.releaseTrial(claimed.id)).id, copy.id, 'idempotent');
    const original = await ctx.client.trial(claimed.id);
    assert.deepEqual([original?.state, original?.error], ['FAILED', 'interrupted']);
    const [again] = await ctx.client.askTrials(one.id, 1, 'w');
    assert.equal(again?.id, copy.id);
    await assert.rejects(ctx.client.releaseTrial('00000000-0000-4000-8000-000000000000'), (e) =>
      isPosteriorError(e, 'NOT_FOUND'),
    );
  });

  it('carries the GraphQL code on errors: NOT_FOUND outside the team, BAD_USER_INPUT, UNAUTHENTICATED', async () => {
    const outsider = await bootstrap(api.url);
    await assert.rejects(
      outsider.client.askTrials(study.id),
      (e) => isPosteriorError(e, 'NOT_FOUND') && !e.retryable,
    );
    await assert.rejects(outsider.client.study(study.id), (e) => isPosteriorError(e, 'NOT_FOUND'));
    await assert.rejects(
      ctx.client.createStudy({
        teamId: ctx.team.id,
        name: 'bad',
        direction: 'MINIMIZE',
        objective: 'loss',
        searchSpace: [{ name: 'x', type: 'float', low: 1, high: 0 }],
        maxTrials: 3,
      }),
      (e) => isPosteriorError(e, 'BAD_USER_INPUT') && /searchSpace\[0\]/.test(e.message),
    );
    const anonymous = createNodeClient({ url: api.url });
    await assert.rejects(anonymous.teams(), (e) => isPosteriorError(e, 'UNAUTHENTICATED'));
    await outsider.client.close();
  });

  it('invites a member who joins only on accepting, can then read the study, and is removed', async () => {
    const colleague = await bootstrap(api.url);
    const me = await colleague.client.me();
    // addMember no longer adds people (issue 12): typed, whether or not the email has an account.
    await assert.rejects(ctx.client.addMember(ctx.team.id, colleague.email, 'VIEWER'), (e) =>
      isPosteriorError(e, 'BAD_USER_INPUT'),
    );
    const invitation = await ctx.client.inviteMember(ctx.team.id, colleague.email, 'VIEWER');
    assert.equal(invitation.state, 'PENDING');
    assert.equal(invitation.teamId, ctx.team.id);
    assert.ok(invitation.expiresAt instanceof Date);
    assert.deepEqual(
      (await ctx.client.teamInvitations(ctx.team.id)).map((i) => i.id),
      [invitation.id],
    );
    await assert.rejects(colleague.client.study(study.id), (e) => isPosteriorError(e, 'NOT_FOUND'));
    const mine = await colleague.client.myInvitations();
    assert.deepEqual(
      mine.map((i) => [i.id, i.teamName, i.role]),
      [[invitation.id, ctx.team.name, 'VIEWER']],
    );
    const membership = await colleague.client.acceptInvitation(invitation.id);
    assert.equal(membership.role, 'VIEWER');
    assert.deepEqual(await colleague.client.myInvitations(), []);
    assert.equal((await colleague.client.study(study.id))?.id, study.id);
    await assert.rejects(colleague.client.askTrials(study.id), (e) => isPosteriorError(e, 'FORBIDDEN'));
    const promoted = await ctx.client.setMemberRole(ctx.team.id, me?.id ?? '', 'MEMBER');
    assert.equal(promoted.role, 'MEMBER');
    assert.equal(await ctx.client.removeMember(ctx.team.id, me?.id ?? ''), true);
    await assert.rejects(colleague.client.study(study.id), (e) => isPosteriorError(e, 'NOT_FOUND'));
    await assert.rejects(ctx.client.removeMember(ctx.team.id, me?.id ?? ''), (e) =>
      isPosteriorError(e, 'NOT_FOUND'),
    );
    // Declined and revoked invitations do not let anyone in.
    const other = await bootstrap(api.url);
    const declined = await ctx.client.inviteMember(ctx.team.id, other.email, 'MEMBER');
    assert.equal(await other.client.declineInvitation(declined.id), true);
    await assert.rejects(other.client.acceptInvitation(declined.id), (e) => isPosteriorError(e, 'CONFLICT'));
    const revoked = await ctx.client.inviteMember(ctx.team.id, other.email, 'MEMBER');
    assert.equal(await ctx.client.revokeInvitation(revoked.id), true);
    await assert.rejects(other.client.acceptInvitation(revoked.id), (e) => isPosteriorError(e, 'CONFLICT'));
    await assert.rejects(other.client.study(study.id), (e) => isPosteriorError(e, 'NOT_FOUND'));
    await colleague.client.close();
    await other.client.close();
  });

  it('fails a subscription without credentials with a typed error', async () => {
    const anonymous = createNodeClient({ url: api.url, subscriptionRetryAttempts: 0 });
    const events = anonymous.iterateTrialEvents(study.id);
    await assert.rejects(
      events.next(),
      (e) => isPosteriorError(e) && ['UNAUTHENTICATED', 'FORBIDDEN'].includes(e.code),
    );
    await events.return();
    await anonymous.close();
  });

  it('uploads and downloads artifacts over HTTP with the same auth', async () => {
    const worker = createNodeClient({ url: api.url, token: ctx.token });
    const [trial] = await worker.askTrials(study.id, 1, 'sdk-test');
    const data = new Uint8Array([0, 1, 2, 250, 255]);
    const artifact = await worker.uploadArtifact(trial.id, {
      fileName: 'trial-1_lr=1e-3 é.bin',
      contentType: 'application/octet-stream',
      data,
    });
    assert.equal(artifact.name, 'trial-1_lr=1e-3 é.bin');
    assert.equal(artifact.sizeBytes, 5);
    const file = await worker.downloadArtifact(artifact.id);
    assert.deepEqual([...file.data], [...data]);
    assert.equal(file.fileName, 'trial-1_lr=1e-3 é.bin');
    const outsider = await bootstrap(api.url);
    await assert.rejects(outsider.client.downloadArtifact(artifact.id), (e) =>
      isPosteriorError(e, 'NOT_FOUND'),
    );
    await worker.tellTrial(trial.id, { state: 'COMPLETE', value: 0 });
    await outsider.client.close();
    await worker.close();
  });
});
