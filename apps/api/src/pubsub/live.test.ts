import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApiServer } from '../server/server.js';
import {
  ASK,
  gqlAt,
  type Harness,
  newStudy,
  newTeam,
  newUser,
  startHarness,
  TELL,
} from '../test-support/harness.js';
import { collect, streaming, wsClient } from '../test-support/ws.js';

interface TrialEventMsg {
  trialEvents: { type: string; trial: { id: string; state: string; value: number | null } };
}
interface MetricMsg {
  metricPoints: Array<{ trialId: string; name: string; step: number; value: number }>;
}

const EVENTS = 'subscription($s: ID!) { trialEvents(studyId: $s) { type trial { id state value } } }';
const POINTS =
  'subscription($s: ID!, $t: ID) { metricPoints(studyId: $s, trialId: $t) { trialId name step value } }';

describe('live events across API processes (LISTEN/NOTIFY)', () => {
  let a: Harness;
  let b: ApiServer;
  let token: string;
  let studyId: string;

  before(async () => {
    a = await startHarness();
    b = await a.peer();
    token = (await newUser(a)).token;
    const team = await newTeam(a, token);
    studyId = await newStudy(a, token, team, { maxTrials: 5 });
  });
  after(async () => {
    await a.close();
  });

  test('a subscriber on server B sees trial events and batched metric points caused on server A', async () => {
    const client = wsClient(b.wsUrl, token);
    const events = collect<TrialEventMsg>(client, EVENTS, { s: studyId });
    const points = collect<MetricMsg>(client, POINTS, { s: studyId, t: null });
    // Subscriptions are set up asynchronously: wait until B streams both (events and points).
    await streaming(b, studyId, 2);
    try {
      const asked = await a.gql<{ askTrials: Array<{ id: string }> }>(ASK, { s: studyId, n: 1 }, token);
      const trialId = asked.data?.askTrials[0]?.id;
      assert.ok(trialId);
      // Sent together, so that they land within one coalescing window however slow the machine is.
      const reports = await Promise.all(
        Array.from({ length: 20 }, (_, batch) => {
          const p = Array.from({ length: 50 }, (_, i) => ({ name: 'loss', step: batch * 50 + i, value: i }));
          return a.gql(
            'mutation($t: ID!, $p: [MetricPointInput!]!) { reportMetrics(trialId: $t, points: $p) { accepted } }',
            { t: trialId, p },
            token,
          );
        }),
      );
      for (const r of reports) assert.equal(r.errors, undefined);
      await a.gql(TELL, { t: trialId, st: 'COMPLETE', v: 0.25 }, token);

      await events.until((items) => items.some((e) => e.trialEvents.type === 'COMPLETE'));
      assert.deepEqual(
        events.items.map((e) => e.trialEvents.type),
        ['CLAIMED', 'COMPLETE'],
      );
      assert.equal(events.items[1]?.trialEvents.trial.value, 0.25);
      await points.until((items) => items.reduce((n, m) => n + m.metricPoints.length, 0) >= 1000);
      const all = points.items.flatMap((m) => m.metricPoints);
      assert.equal(all.length, 1000);
      assert.equal(new Set(all.map((p) => p.step)).size, 1000);
      // 20 reports arrive in fewer messages: the subscription coalesces them.
      assert.ok(points.items.length < 20, `got ${points.items.length} messages`);
    } finally {
      events.stop();
      points.stop();
      await client.dispose();
    }
  });

  test('a connection without credentials is refused', async () => {
    const client = wsClient(b.wsUrl, null);
    const sub = collect<TrialEventMsg>(client, EVENTS, { s: studyId });
    await assert.rejects(sub.until(() => false, 3000));
    const closeEvent = sub.errors[0] as { code?: number };
    assert.equal(closeEvent.code, 4403);
    await client.dispose();
  });

  test("a subscription to another team's study is NOT_FOUND", async () => {
    const outsider = await newUser(a, 'outsider');
    const client = wsClient(b.wsUrl, outsider.token);
    const sub = collect<TrialEventMsg>(client, EVENTS, { s: studyId });
    await assert.rejects(sub.until(() => false, 3000));
    const errors = sub.errors as Array<
      Array<{ extensions?: { code?: string } }> | { extensions?: { code?: string } }
    >;
    const first = Array.isArray(errors[0]) ? errors[0][0] : errors[0];
    assert.equal(first?.extensions?.code, 'NOT_FOUND');
    await client.dispose();
  });

  test('the socket carries subscriptions only', async () => {
    const client = wsClient(b.wsUrl, token);
    const sub = collect<unknown>(client, 'query($s: ID!) { study(id: $s) { id } }', { s: studyId });
    await assert.rejects(sub.until(() => false, 3000));
    const errors = sub.errors as Array<
      Array<{ extensions?: { code?: string } }> | { extensions?: { code?: string } }
    >;
    const first = Array.isArray(errors[0]) ? errors[0][0] : errors[0];
    assert.equal(first?.extensions?.code, 'BAD_USER_INPUT');
    await client.dispose();
  });

  test('a token revoked through server A stops working on server B at once', async () => {
    const team = await newTeam(a, token);
    const created = await a.gql<{ createApiToken: { id: string; token: string } }>(
      'mutation($t: ID!) { createApiToken(teamId: $t, name: "w") { id token } }',
      { t: team },
      token,
    );
    const secret = created.data?.createApiToken.token ?? '';
    // Server B caches the credential after this use.
    assert.equal((await gqlAt(b.url, '{ teams { id } }', {}, secret)).errors, undefined);
    await a.gql(
      'mutation($id: ID!) { revokeApiToken(id: $id) }',
      { id: created.data?.createApiToken.id },
      token,
    );
    let code: string | undefined;
    for (let i = 0; i < 20 && code === undefined; i++) {
      code = (await gqlAt(b.url, '{ teams { id } }', {}, secret)).errors?.[0]?.extensions?.code;
      if (code === undefined) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.equal(code, 'UNAUTHENTICATED');
  });

  test('both servers answer queries on the same database', async () => {
    const r = await gqlAt<{ study: { id: string } }>(
      b.url,
      'query($s: ID!) { study(id: $s) { id } }',
      { s: studyId },
      token,
    );
    assert.equal(r.data?.study.id, studyId);
  });

  test('trial events are numbered 1, 2, 3, ... per study; afterSeq replays what a subscriber missed', async () => {
    const own = await newStudy(
      a,
      token,
      (await a.gql<{ teams: Array<{ id: string }> }>('{ teams { id } }', {}, token)).data?.teams[0]?.id ?? '',
      { maxTrials: 5 },
    );
    const SEQ_EVENTS = `subscription($s: ID!, $after: Int) {
      trialEvents(studyId: $s, afterSeq: $after) { seq type trial { id } } }`;
    type SeqMsg = { trialEvents: { seq: number; type: string; trial: { id: string } } };
    const client = wsClient(b.wsUrl, token);
    const first = collect<SeqMsg>(client, SEQ_EVENTS, { s: own, after: null });
    await streaming(b, own);
    const asked = await a.gql<{ askTrials: Array<{ id: string }> }>(ASK, { s: own, n: 2 }, token);
    const [t1, t2] = asked.data?.askTrials ?? [];
    assert.ok(t1 && t2);
    await first.until((items) => items.length === 2);
    // This subscriber goes away; three more events happen while it is gone.
    first.stop();
    await a.gql(TELL, { t: t1.id, st: 'COMPLETE', v: 1 }, token);
    await a.gql(TELL, { t: t2.id, st: 'COMPLETE', v: 2 }, token);
    const more = await a.gql<{ askTrials: Array<{ id: string }> }>(ASK, { s: own, n: 1 }, token);
    assert.equal(more.errors, undefined);
    const seen = first.items.map((m) => m.trialEvents.seq);
    assert.deepEqual(seen, [1, 2]);
    // Back, from the last number it saw: the missed events replayed in order, then live ones. Once
    // A's outbox is flushed, the missed events are numbered in the log.
    await a.server.services.pubsub.flush();
    const resumed = collect<SeqMsg>(wsClient(a.server.wsUrl, token), SEQ_EVENTS, { s: own, after: 2 });
    await resumed.until((items) => items.length === 3);
    assert.deepEqual(
      resumed.items.map((m) => [m.trialEvents.seq, m.trialEvents.type]),
      [
        [3, 'COMPLETE'],
        [4, 'COMPLETE'],
        [5, 'CLAIMED'],
      ],
    );
    await streaming(a.server, own);
    const last = await a.gql<{ askTrials: Array<{ id: string }> }>(ASK, { s: own, n: 1 }, token);
    assert.equal(last.errors, undefined);
    await resumed.until((items) => items.length === 4);
    assert.equal(resumed.items[3]?.trialEvents.seq, 6);
    resumed.stop();

    // Numbers the log never held (or no longer holds) are refused with EVENTS_EXPIRED.
    const ahead = collect<SeqMsg>(wsClient(a.server.wsUrl, token), SEQ_EVENTS, { s: own, after: 1000 });
    await ahead.until(() => ahead.errors.length > 0);
    assert.match(JSON.stringify(ahead.errors), /EVENTS_EXPIRED/);
  });
});
