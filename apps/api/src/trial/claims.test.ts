import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
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

interface Asked {
  id: string;
  number: number;
  params: Record<string, number>;
}

/**
 * The claim fast path (one statement per batch of asks, API tokens) and the tell group commit,
 * under concurrency and across two API processes sharing the database.
 */
describe('claims and tells under concurrency', () => {
  let h: Harness;
  let b: ApiServer;
  let token: string;
  let teamId: string;

  before(async () => {
    h = await startHarness();
    b = await h.peer();
    const session = (await newUser(h)).token;
    teamId = await newTeam(h, session);
    const created = await h.gql<{ createApiToken: { token: string } }>(
      'mutation($t: ID!) { createApiToken(teamId: $t, name: "workers") { token } }',
      { t: teamId },
      session,
    );
    token = created.data?.createApiToken.token ?? '';
    assert.ok(token);
  });
  after(async () => {
    await h.close();
  });

  const askAt = async (url: string, studyId: string, n = 1): Promise<Asked[]> => {
    const r = await gqlAt<{ askTrials: Asked[] }>(url, ASK, { s: studyId, n }, token);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    return r.data?.askTrials ?? [];
  };
  const tellAt = (url: string, trialId: string, v: number) =>
    gqlAt<{ tellTrial: { state: string; value: number } }>(
      url,
      TELL,
      { t: trialId, st: 'COMPLETE', v },
      token,
    );

  test('two API processes, 16 askers: maxTrials exact, numbers dense, none handed out twice', async () => {
    const studyId = await newStudy(h, token, teamId, { maxTrials: 40, parallelism: 40 });
    const seen: Asked[] = [];
    const urls = [h.server.url, b.url];
    await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        for (;;) {
          const trials = await askAt(urls[w % 2] ?? h.server.url, studyId, 2);
          if (trials.length === 0) return;
          seen.push(...trials);
          for (const t of trials) assert.equal((await tellAt(urls[w % 2] ?? '', t.id, 1)).errors, undefined);
        }
      }),
    );
    assert.equal(seen.length, 40);
    assert.equal(new Set(seen.map((t) => t.id)).size, 40);
    assert.deepEqual(
      seen.map((t) => t.number).sort((x, y) => x - y),
      Array.from({ length: 40 }, (_, i) => i),
    );
    const [study] = await h.db.dataSource.query('SELECT state, budget_used FROM studies WHERE id = $1', [
      studyId,
    ]);
    assert.deepEqual(study, { state: 'DONE', budget_used: 40 });
  });

  test('parallelism holds exactly when two processes claim at once', async () => {
    const studyId = await newStudy(h, token, teamId, { maxTrials: 100, parallelism: 5 });
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => askAt(i % 2 === 0 ? h.server.url : b.url, studyId, 2)),
    );
    assert.equal(results.flat().length, 5);
    const [running] = await h.db.dataSource.query(
      "SELECT count(*)::int AS n FROM trials WHERE study_id = $1 AND state = 'RUNNING'",
      [studyId],
    );
    assert.equal(running.n, 5);
    // A slot freed on one process is seen by the other's next claim.
    const first = results.flat()[0];
    assert.ok(first);
    assert.equal((await tellAt(h.server.url, first.id, 1)).errors, undefined);
    assert.equal((await askAt(b.url, studyId, 3)).length, 1);
  });

  test('a trial enqueued through one process is handed out first by the other', async () => {
    const studyId = await newStudy(h, token, teamId, { maxTrials: 10 });
    // Process B knows the study (and its row version) before the enqueue.
    assert.equal((await askAt(b.url, studyId)).length, 1);
    const e = await gqlAt<{ enqueueTrial: { id: string } }>(
      h.server.url,
      'mutation($s: ID!, $p: JSON!) { enqueueTrial(studyId: $s, params: $p) { id } }',
      { s: studyId, p: { x: 1, y: 2 } },
      token,
    );
    const [t] = await askAt(b.url, studyId);
    assert.equal(t?.id, e.data?.enqueueTrial.id);
    assert.deepEqual(t?.params, { x: 1, y: 2 });
  });

  test('concurrent tells of one trial: identical ones all succeed, a different one is CONFLICT', async () => {
    const studyId = await newStudy(h, token, teamId, { maxTrials: 10 });
    const [t, u] = await askAt(h.server.url, studyId, 2);
    assert.ok(t && u);
    // More than MAX_TELLS_IN_FLIGHT at once: the overflow shares a statement, repeats included.
    const same = await Promise.all(Array.from({ length: 24 }, () => tellAt(h.server.url, t.id, 0.5)));
    for (const r of same) {
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      assert.equal(r.data?.tellTrial.value, 0.5);
    }
    const values = Array.from({ length: 24 }, (_, i) => (i % 2 === 0 ? 0.1 : 0.2));
    const mixed = await Promise.all(values.map((v) => tellAt(h.server.url, u.id, v)));
    const [row] = await h.db.dataSource.query('SELECT value FROM trials WHERE id = $1', [u.id]);
    mixed.forEach((r, i) => {
      if (values[i] === row.value) assert.equal(r.data?.tellTrial.value, row.value, JSON.stringify(r.errors));
      else assert.equal(r.errors?.[0]?.extensions?.code, 'CONFLICT');
    });
  });

  test('asks, tells and metric reports commit synchronously (answered only after the WAL flush)', async () => {
    const studyId = await newStudy(h, token, teamId, { maxTrials: 10 });
    // Every statement the server runs, with the session's synchronous_commit setting.
    const seen: Array<{ text: string; options: string }> = [];
    const original = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const config = args[0] as string | { text?: string };
      const text = typeof config === 'string' ? config : (config?.text ?? '');
      const options = (this as unknown as { connectionParameters: { options?: string } }).connectionParameters
        .options;
      seen.push({ text, options: options ?? '' });
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof original;
    try {
      const [t] = await askAt(h.server.url, studyId);
      assert.ok(t);
      const report = await gqlAt<{ reportMetrics: { inserted: number } }>(
        h.server.url,
        'mutation($t: ID!, $p: [MetricPointInput!]!) { reportMetrics(trialId: $t, points: $p) { inserted } }',
        { t: t.id, p: [{ name: 'loss', step: 0, value: 1 }] },
        token,
      );
      assert.equal(report.data?.reportMetrics.inserted, 1, JSON.stringify(report.errors));
      assert.equal((await tellAt(h.server.url, t.id, 1)).errors, undefined);
    } finally {
      pg.Client.prototype.query = original;
    }
    const writes = seen.filter((s) =>
      /INSERT INTO trials|UPDATE trials|INSERT INTO metric_points/.test(s.text),
    );
    assert.ok(writes.length >= 3, JSON.stringify(seen.map((s) => s.text.slice(0, 60))));
    assert.ok(writes.some((s) => /INSERT INTO metric_points/.test(s.text)));
    for (const s of writes) assert.doesNotMatch(s.options, /synchronous_commit=off/);
    assert.ok(seen.every((s) => !/synchronous_commit/i.test(s.text)));
  });

  test('started_at is when the claim took its slot, not when its statement began waiting', async () => {
    const studyId = await newStudy(h, token, teamId, { maxTrials: 10, parallelism: 10 });
    // The process now knows the study's row version, so the next ask is one claim statement.
    assert.equal((await askAt(h.server.url, studyId)).length, 1);
    const holder = new pg.Client({ connectionString: h.db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM studies WHERE id = $1 FOR UPDATE', [studyId]);
      const asked = askAt(h.server.url, studyId);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const { rows } = await holder.query<{ at: Date }>('SELECT clock_timestamp() AS at');
      await holder.query('COMMIT');
      const [t] = await asked;
      assert.ok(t);
      const released = rows[0]?.at;
      assert.ok(released);
      const [row] = await h.db.dataSource.query('SELECT started_at FROM trials WHERE id = $1', [t.id]);
      // With now() (the statement's start) this was about 500 ms before the lock was released.
      assert.ok(
        (row.started_at as Date).getTime() >= released.getTime(),
        `started ${(row.started_at as Date).toISOString()} before the slot was free ${released.toISOString()}`,
      );
    } finally {
      await holder.end();
    }
  });
});
