import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadStudyHistory } from '../suggest/observations.js';
import {
  ASK,
  askTrials,
  type Harness,
  newStudy,
  newTeam,
  newUser,
  startHarness,
  startTeamHarness,
  TELL,
} from '../test-support/harness.js';
import { collect, streaming, wsClient } from '../test-support/ws.js';
import { OUTAGE_EXTRA_GRACE_S, ReaperClock } from './reaper.js';

interface AskedTrial {
  id: string;
  number: number;
  state: string;
  params: Record<string, number>;
}

const REPORT =
  'mutation($t: ID!, $p: [MetricPointInput!]!) { reportMetrics(trialId: $t, points: $p) { accepted inserted shouldPrune } }';
const STUDY =
  'query($id: ID!) { study(id: $id) { state trialCounts { total waiting running complete failed pruned } } }';

describe('trial lifecycle', () => {
  let h: Harness;
  let token: string;
  let teamId: string;

  before(async () => {
    ({ h, token, teamId } = await startTeamHarness());
  });
  after(() => h.close());

  const ask = (studyId: string, n = 1) => askTrials<AskedTrial>(h, token, studyId, n);
  const tell = async (trialId: string, state: string, v: number | null = null, e: string | null = null) =>
    h.gql<{ tellTrial: { id: string; state: string; value: number | null } }>(
      TELL,
      { t: trialId, st: state, v, e },
      token,
    );

  test('16 concurrent askers on maxTrials 40: exactly 40 trials, none handed out twice', async () => {
    const studyId = await newStudy(h, token, teamId, { maxTrials: 40, parallelism: 40 });
    const seen: string[] = [];
    const workers = Array.from({ length: 16 }, async () => {
      for (;;) {
        const trials = await ask(studyId, 2);
        if (trials.length === 0) return;
        for (const t of trials) {
          seen.push(t.id);
          const r = await tell(t.id, 'COMPLETE', t.params.x ?? 0);
          assert.equal(r.errors, undefined, JSON.stringify(r.errors));
        }
      }
    });
    await Promise.all(workers);
    assert.equal(seen.length, 40);
    assert.equal(new Set(seen).size, 40);
    const rows = await h.db.dataSource.query(
      'SELECT number FROM trials WHERE study_id = $1 ORDER BY number',
      [studyId],
    );
    assert.deepEqual(
      rows.map((r: { number: number }) => r.number),
      Array.from({ length: 40 }, (_, i) => i),
    );
    const s = await h.gql<{ study: { state: string; trialCounts: { total: number; complete: number } } }>(
      STUDY,
      { id: studyId },
      token,
    );
    assert.equal(s.data?.study.state, 'DONE');
    assert.equal(s.data?.study.trialCounts.complete, 40);
  });

  test('parallelism caps RUNNING trials exactly, and a paused study hands out nothing', async () => {
    const studyId = await newStudy(h, token, teamId, { maxTrials: 10, parallelism: 3 });
    const results = await Promise.all(Array.from({ length: 8 }, () => ask(studyId, 2)));
    assert.equal(results.flat().length, 3);
    assert.deepEqual(await ask(studyId), []);
    const first = results.flat()[0];
    assert.ok(first);
    await tell(first.id, 'COMPLETE', 1);
    assert.equal((await ask(studyId, 5)).length, 1);
    const paused = await h.gql(
      'mutation($id: ID!) { setStudyState(id: $id, state: PAUSED) { state } }',
      { id: studyId },
      token,
    );
    assert.equal(paused.errors, undefined);
    for (const t of results.flat().slice(1)) await tell(t.id, 'COMPLETE', 2);
    assert.deepEqual(await ask(studyId, 3), []);
  });

  test('askTrials hands out enqueued trials first, with their params', async () => {
    const studyId = await newStudy(h, token, teamId, { maxTrials: 5 });
    const e = await h.gql<{ enqueueTrial: { id: string; state: string; number: number } }>(
      'mutation($s: ID!, $p: JSON!) { enqueueTrial(studyId: $s, params: $p) { id state number } }',
      { s: studyId, p: { x: 1.5, y: 2 } },
      token,
    );
    assert.equal(e.data?.enqueueTrial.state, 'WAITING');
    const [t] = await ask(studyId);
    assert.equal(t?.id, e.data?.enqueueTrial.id);
    assert.deepEqual(t?.params, { x: 1.5, y: 2 });
    assert.equal(t?.state, 'RUNNING');
  });

  test('the suggestion records what the sampler predicted', async () => {
    const studyId = await newStudy(h, token, teamId, { sampler: { type: 'random', seed: 3 } });
    const [t] = await ask(studyId);
    assert.ok(t);
    const r = await h.gql<{ trial: { suggestion: { sampler: string; phase: string } } }>(
      'query($id: ID!) { trial(id: $id) { suggestion { sampler phase mean std acquisition } } }',
      { id: t.id },
      token,
    );
    assert.equal(r.data?.trial.suggestion.sampler, 'random');
  });

  test('reportMetrics is idempotent on (trial, name, step) and rejects finished trials clearly', async () => {
    const studyId = await newStudy(h, token, teamId);
    const [t] = await ask(studyId);
    assert.ok(t);
    const points = Array.from({ length: 50 }, (_, i) => ({ name: 'loss', step: i, value: 1 / (i + 1) }));
    const r1 = await h.gql<{ reportMetrics: { accepted: number; inserted: number } }>(
      REPORT,
      { t: t.id, p: points },
      token,
    );
    assert.deepEqual(r1.data?.reportMetrics, { accepted: 50, inserted: 50, shouldPrune: false });
    const r2 = await h.gql<{ reportMetrics: { accepted: number; inserted: number } }>(
      REPORT,
      { t: t.id, p: points },
      token,
    );
    assert.deepEqual(r2.data?.reportMetrics, { accepted: 50, inserted: 0, shouldPrune: false });
    const count = await h.db.dataSource.query(
      'SELECT count(*)::int AS n FROM metric_points WHERE trial_id = $1',
      [t.id],
    );
    assert.equal(count[0].n, 50);

    // COMPLETE without a value takes the objective's last reported point.
    const done = await tell(t.id, 'COMPLETE');
    assert.equal(done.data?.tellTrial.value, 1 / 50);
    const late = await h.gql(REPORT, { t: t.id, p: [{ name: 'loss', step: 99, value: 1 }] }, token);
    assert.equal(late.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.match(late.errors?.[0]?.message ?? '', /COMPLETE/);
    const unknown = await h.gql(REPORT, { t: '00000000-0000-4000-8000-000000000000', p: [] }, token);
    assert.equal(unknown.errors?.[0]?.extensions?.code, 'NOT_FOUND');
  });

  test('a partly duplicate metrics batch announces only the points it stored', async () => {
    const studyId = await newStudy(h, token, teamId);
    const [t] = await ask(studyId);
    assert.ok(t);
    const client = wsClient(h.server.wsUrl, token);
    const live = collect<{ metricPoints: Array<{ step: number; value: number }> }>(
      client,
      'subscription($s: ID!, $t: ID) { metricPoints(studyId: $s, trialId: $t) { step value } }',
      { s: studyId, t: t.id },
    );
    // Subscriptions are set up asynchronously: wait until the server streams this one.
    await streaming(h.server, studyId);
    try {
      const report = async (steps: number[], value: number) => {
        const r = await h.gql<{ reportMetrics: { inserted: number } }>(
          REPORT,
          { t: t.id, p: steps.map((step) => ({ name: 'loss', step, value })) },
          token,
        );
        assert.equal(r.errors, undefined, JSON.stringify(r.errors));
        return r.data?.reportMetrics.inserted;
      };
      const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
      assert.equal(await report(range(0, 10), 1), 10);
      // Steps 5-9 are stored already: only 10-14 are new, and only they may be announced.
      assert.equal(await report(range(5, 15), 2), 5);
      // All stored: nothing to announce. Then a marker to know the stream has caught up.
      assert.equal(await report(range(0, 15), 3), 0);
      assert.equal(await report([15, 15], 4), 1);
      await live.until((items) => items.some((m) => m.metricPoints.some((p) => p.step === 15)));
      const points = live.items.flatMap((m) => m.metricPoints);
      assert.deepEqual(
        points.map((p) => p.step).sort((a, b) => a - b),
        range(0, 16),
      );
      assert.deepEqual(
        points.map((p) => [p.step, p.value]).sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0)),
        range(0, 16).map((step) => [step, step < 10 ? 1 : step < 15 ? 2 : 4]),
      );
    } finally {
      live.stop();
      await client.dispose();
    }
  });

  test('per-trial metrics in a trials page come back per trial (batched loader)', async () => {
    const studyId = await newStudy(h, token, teamId);
    const trials = await ask(studyId, 3);
    for (const [k, t] of trials.entries()) {
      const points = [
        ...Array.from({ length: k + 1 }, (_, i) => ({ name: 'loss', step: i, value: k })),
        { name: 'acc', step: 0, value: 0.5 },
      ];
      await h.gql(REPORT, { t: t.id, p: points }, token);
    }
    const r = await h.gql<{
      study: {
        trials: {
          nodes: Array<{
            id: string;
            metrics: Array<{ trialId: string; name: string; value: number }>;
            all: unknown[];
          }>;
        };
      };
    }>(
      'query($id: ID!) { study(id: $id) { trials { nodes { id metrics(name: "loss") { trialId name value } all: metrics { step } } } } }',
      { id: studyId },
      token,
    );
    const nodes = r.data?.study.trials.nodes ?? [];
    assert.equal(nodes.length, 3);
    for (const [k, node] of nodes.entries()) {
      assert.equal(node.metrics.length, k + 1);
      assert.ok(node.metrics.every((m) => m.trialId === node.id && m.name === 'loss' && m.value === k));
      assert.equal(node.all.length, k + 2);
    }
  });

  test('tellTrial finishes once: an identical retry is accepted, a different tell is CONFLICT', async () => {
    const studyId = await newStudy(h, token, teamId);
    const [t] = await ask(studyId);
    assert.ok(t);
    const a = await tell(t.id, 'COMPLETE', 0.5);
    assert.equal(a.data?.tellTrial.state, 'COMPLETE');
    const b = await tell(t.id, 'COMPLETE', 0.5);
    assert.equal(b.errors, undefined);
    assert.equal(b.data?.tellTrial.value, 0.5);
    const c = await tell(t.id, 'COMPLETE', 0.7);
    assert.equal(c.errors?.[0]?.extensions?.code, 'CONFLICT');
    const d = await tell(t.id, 'FAILED', null, 'boom');
    assert.equal(d.errors?.[0]?.extensions?.code, 'CONFLICT');
    const row = await h.db.dataSource.query('SELECT state, value FROM trials WHERE id = $1', [t.id]);
    assert.deepEqual(row[0], { state: 'COMPLETE', value: 0.5 });
  });

  test('heartbeat returns shouldStop once the trial is finished or the study stopped', async () => {
    const studyId = await newStudy(h, token, teamId);
    const [t, u] = await ask(studyId, 2);
    assert.ok(t && u);
    const hb = 'mutation($t: ID!) { heartbeat(trialId: $t) { shouldStop } }';
    assert.deepEqual((await h.gql(hb, { t: t.id }, token)).data, { heartbeat: { shouldStop: false } });
    await tell(t.id, 'PRUNED');
    assert.deepEqual((await h.gql(hb, { t: t.id }, token)).data, { heartbeat: { shouldStop: true } });
    await h.gql(
      'mutation($id: ID!) { setStudyState(id: $id, state: DONE) { state } }',
      { id: studyId },
      token,
    );
    assert.deepEqual((await h.gql(hb, { t: u.id }, token)).data, { heartbeat: { shouldStop: true } });
  });

  test('the reaper fails stale RUNNING trials and re-enqueues retries with the same params', async () => {
    const studyId = await newStudy(h, token, teamId, {
      maxTrials: 1,
      parallelism: 1,
      heartbeatTimeoutS: 1,
      retryFailed: 1,
    });
    const [t] = await ask(studyId);
    assert.ok(t);
    await h.db.dataSource.query(
      "UPDATE trials SET heartbeat_at = now() - interval '5 seconds' WHERE id = $1",
      [t.id],
    );
    assert.equal(await h.server.services.trials.reapStale(), 1);
    const failed = await h.db.dataSource.query('SELECT state, error FROM trials WHERE id = $1', [t.id]);
    assert.deepEqual(failed[0], { state: 'FAILED', error: 'stale' });
    // A late tell from the presumed-dead worker is refused.
    assert.equal((await tell(t.id, 'COMPLETE', 1)).errors?.[0]?.extensions?.code, 'CONFLICT');

    const [retry] = await ask(studyId);
    assert.ok(retry);
    assert.notEqual(retry.id, t.id);
    assert.deepEqual(retry.params, t.params);
    const link = await h.db.dataSource.query('SELECT retry_of FROM trials WHERE id = $1', [retry.id]);
    assert.equal(link[0].retry_of, t.id);

    // The retry goes stale too: no retries left, so the study (budget 1) is DONE.
    await h.db.dataSource.query(
      "UPDATE trials SET heartbeat_at = now() - interval '5 seconds' WHERE id = $1",
      [retry.id],
    );
    assert.equal(await h.server.services.trials.reapStale(), 1);
    const s = await h.gql<{ study: { state: string; trialCounts: { total: number; failed: number } } }>(
      STUDY,
      { id: studyId },
      token,
    );
    assert.equal(s.data?.study.state, 'DONE');
    assert.equal(s.data?.study.trialCounts.total, 2);
    assert.equal(s.data?.study.trialCounts.failed, 2);
  });

  test('a finite space with every point tried ends the study', async () => {
    const studyId = await newStudy(h, token, teamId, {
      maxTrials: 10,
      parallelism: 1,
      sampler: { type: 'qmc', seed: 0 },
      searchSpace: [{ name: 'act', type: 'categorical', choices: ['relu', 'gelu'] }],
    });
    const seen = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const [t] = await ask(studyId);
      assert.ok(t);
      seen.add(String(t.params.act));
      await tell(t.id, 'COMPLETE', i);
    }
    assert.equal(seen.size, 2);
    assert.deepEqual(await ask(studyId), []);
    const s = await h.gql<{ study: { state: string } }>(STUDY, { id: studyId }, token);
    assert.equal(s.data?.study.state, 'DONE');
  });

  test('a pruned trial counts as tried: the sampler does not propose it again', async () => {
    const studyId = await newStudy(h, token, teamId, {
      maxTrials: 10,
      parallelism: 1,
      sampler: { type: 'gp', seed: 0 },
      pruner: { type: 'median' },
      searchSpace: [{ name: 'act', type: 'categorical', choices: ['relu', 'gelu'] }],
    });
    const [first] = await ask(studyId);
    assert.ok(first);
    const reported = await h.gql(REPORT, { t: first.id, p: [{ name: 'loss', step: 0, value: 5 }] }, token);
    assert.equal(reported.errors, undefined, JSON.stringify(reported.errors));
    await tell(first.id, 'PRUNED');
    const [second] = await ask(studyId);
    assert.ok(second);
    assert.notEqual(second.params.act, first.params.act);
    await tell(second.id, 'COMPLETE', 1);
    assert.deepEqual(await ask(studyId), []);
    const s = await h.gql<{ study: { state: string } }>(STUDY, { id: studyId }, token);
    assert.equal(s.data?.study.state, 'DONE');
  });

  test('a pruned trial reaches the sampler flagged, valued at its last reported objective point', async () => {
    const studyId = await newStudy(h, token, teamId, {
      maxTrials: 10,
      parallelism: 2,
      sampler: { type: 'gp', seed: 0 },
      pruner: { type: 'median' },
    });
    const [first, second] = await ask(studyId, 2);
    assert.ok(first && second);
    const points = [
      { name: 'loss', step: 0, value: 5 },
      { name: 'loss', step: 1, value: 3 },
    ];
    const reported = await h.gql(REPORT, { t: first.id, p: points }, token);
    assert.equal(reported.errors, undefined, JSON.stringify(reported.errors));
    await tell(first.id, 'PRUNED');
    await tell(second.id, 'COMPLETE', 1);
    const sql = {
      rows: async <R>(text: string, params: readonly unknown[] = []) =>
        (await h.db.dataSource.query(text, params as unknown[])) as R[],
      one: async <R>(text: string, params: readonly unknown[] = []) =>
        ((await h.db.dataSource.query(text, params as unknown[])) as R[])[0] ?? null,
    };
    const history = await loadStudyHistory(sql, studyId, 'loss');
    assert.deepEqual(
      history.observed.map((o) => [o.value, o.pruned ?? false]),
      [
        [3, true],
        [1, false],
      ],
    );
  });

  test('a failed trial counts as tried: the sampler does not propose it again', async () => {
    const studyId = await newStudy(h, token, teamId, {
      maxTrials: 10,
      parallelism: 1,
      sampler: { type: 'gp', seed: 0 },
      searchSpace: [{ name: 'act', type: 'categorical', choices: ['relu', 'gelu'] }],
    });
    const [first] = await ask(studyId);
    assert.ok(first);
    const failed = await h.gql(TELL, { t: first.id, st: 'FAILED', e: 'out of memory' }, token);
    assert.equal(failed.errors, undefined, JSON.stringify(failed.errors));
    const [second] = await ask(studyId);
    assert.ok(second);
    assert.notEqual(second.params.act, first.params.act);
    await tell(second.id, 'COMPLETE', 1);
    assert.deepEqual(await ask(studyId), []);
    const s = await h.gql<{ study: { state: string } }>(STUDY, { id: studyId }, token);
    assert.equal(s.data?.study.state, 'DONE');
  });

  test('after an outage longer than the heartbeat timeout, live trials are not reaped', async () => {
    const studyId = await newStudy(h, token, teamId, { heartbeatTimeoutS: 1, retryFailed: 0 });
    const [t] = await ask(studyId);
    assert.ok(t);
    const clock = h.server.services.trials.reaperClock;
    const before = clock.recoveredAt;
    try {
      // A round that could not reach the database, then 5 s (> the 1 s timeout) without heartbeats.
      clock.failed();
      await h.db.dataSource.query(
        "UPDATE trials SET heartbeat_at = now() - interval '5 seconds' WHERE id = $1",
        [t.id],
      );
      assert.equal(await h.server.services.trials.reapStale(), 0);
      const [row] = await h.db.dataSource.query('SELECT state FROM trials WHERE id = $1', [t.id]);
      assert.equal(row.state, 'RUNNING');
      // A worker that stays silent past the timeout (and its grace) after the recovery is reaped.
      const recovered = clock.recoveredAt;
      assert.ok(recovered);
      clock.recoveredAt = new Date(recovered.getTime() - (1 + OUTAGE_EXTRA_GRACE_S + 1) * 1000);
      assert.equal(await h.server.services.trials.reapStale(), 1);
    } finally {
      clock.recoveredAt = before;
    }
  });

  test('the reaper runs on its own timer', async () => {
    const fast = await startHarness({ reaperIntervalMs: 200 });
    try {
      const user = await newUser(fast);
      const team = await newTeam(fast, user.token);
      const studyId = await newStudy(fast, user.token, team, { heartbeatTimeoutS: 1 });
      const r = await fast.gql<{ askTrials: AskedTrial[] }>(ASK, { s: studyId, n: 1 }, user.token);
      const id = r.data?.askTrials[0]?.id;
      assert.ok(id);
      let state = 'RUNNING';
      for (let i = 0; i < 50 && state === 'RUNNING'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        state = (await fast.db.dataSource.query('SELECT state FROM trials WHERE id = $1', [id]))[0].state;
      }
      assert.equal(state, 'FAILED');
    } finally {
      await fast.close();
    }
  });
});

describe('ReaperClock', () => {
  test('a process starting up knows of no outage', () => {
    const clock = new ReaperClock();
    clock.reached(new Date(10_000), new Date(1_000));
    clock.reached(new Date(12_000), new Date(1_000));
    assert.equal(clock.recoveredAt, null);
  });

  test('the first round to reach the database after a failed one marks the recovery', () => {
    const clock = new ReaperClock();
    clock.reached(new Date(10_000), new Date(1_000));
    clock.failed();
    clock.failed();
    clock.reached(new Date(40_000), new Date(1_000));
    assert.equal(clock.recoveredAt?.getTime(), 40_000);
  });

  test('a PostgreSQL restart between two rounds marks its start as the recovery', () => {
    const clock = new ReaperClock();
    clock.reached(new Date(10_000), new Date(1_000));
    clock.reached(new Date(12_000), new Date(11_500));
    assert.equal(clock.recoveredAt?.getTime(), 11_500);
  });
});
