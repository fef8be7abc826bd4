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
import { collect, wsClient } from '../test-support/ws.js';

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
    // Subscriptions are set up asynchronously: wait until B's subscriber is listening.
    await new Promise((resolve) => setTimeout(resolve, 300));
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
});
