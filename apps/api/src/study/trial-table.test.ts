import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ASK,
  type Harness,
  newStudy,
  newTeam,
  newUser,
  SPACE,
  startHarness,
  TELL,
} from '../test-support/harness.js';
import type { TrialTable as Table } from './trial-table.js';

const TABLE = 'query($id: ID!, $limit: Int) { study(id: $id) { trialTable(limit: $limit) } }';

describe('Study.trialTable (every trial in one compact answer)', () => {
  let h: Harness;
  let token: string;
  let studyId: string;
  const asked: Array<{ id: string; number: number; params: Record<string, unknown> }> = [];

  before(async () => {
    h = await startHarness();
    token = (await newUser(h)).token;
    studyId = await newStudy(h, token, await newTeam(h, token), { maxTrials: 10, parallelism: 3 });
    const r = await h.gql<{ askTrials: typeof asked }>(ASK, { s: studyId, n: 3 }, token);
    asked.push(...(r.data?.askTrials ?? []));
    assert.equal(asked.length, 3);
    const [a, b] = asked;
    assert.ok(a && b);
    assert.equal((await h.gql(TELL, { t: a.id, st: 'COMPLETE', v: 0.25 }, token)).errors, undefined);
    assert.equal((await h.gql(TELL, { t: b.id, st: 'FAILED', e: 'boom' }, token)).errors, undefined);
  });
  after(() => h.close());

  test('returns every trial by number with its state, value, times and params in column order', async () => {
    const r = await h.gql<{ study: { trialTable: Table } }>(TABLE, { id: studyId }, token);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    const t = r.data?.study.trialTable;
    assert.ok(t);
    assert.equal(t.total, 3);
    assert.deepEqual(
      t.params,
      SPACE.map((p) => p.name),
    );
    assert.deepEqual(
      t.rows.map((row) => row[1]),
      [...asked].map((x) => x.number).sort((x, y) => x - y),
    );
    for (const row of t.rows) {
      const trial = asked.find((x) => x.id === row[0]);
      assert.ok(trial, 'row ids are the trials');
      assert.deepEqual(
        row[8],
        t.params.map((n) => trial.params[n] ?? null),
      );
      assert.equal(typeof row[5], 'number', 'startedAt in epoch ms');
    }
    const byId = new Map(t.rows.map((row) => [row[0], row]));
    const done = byId.get(asked[0]?.id ?? '');
    assert.equal(done?.[2], 'COMPLETE');
    assert.equal(done?.[3], 0.25);
    assert.ok((done?.[6] ?? 0) >= (done?.[5] ?? Number.POSITIVE_INFINITY), 'finished after started');
    const failed = byId.get(asked[1]?.id ?? '');
    assert.equal(failed?.[2], 'FAILED');
    assert.equal(failed?.[7], 'boom');
    assert.equal(byId.get(asked[2]?.id ?? '')?.[6], null, 'a running trial has not finished');
  });

  test('limit caps the rows but total still counts every trial', async () => {
    const r = await h.gql<{ study: { trialTable: Table } }>(TABLE, { id: studyId, limit: 2 }, token);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    assert.equal(r.data?.study.trialTable.rows.length, 2);
    assert.equal(r.data?.study.trialTable.total, 3);
  });

  test('a limit above the cap is BAD_USER_INPUT naming limit', async () => {
    const r = await h.gql(TABLE, { id: studyId, limit: 20_001 }, token);
    assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(r.errors?.[0]?.extensions?.field, 'limit');
  });

  test('a user outside the team sees no study', async () => {
    const outsider = (await newUser(h)).token;
    const r = await h.gql<{ study: null }>(TABLE, { id: studyId }, outsider);
    assert.equal(r.data?.study ?? null, null);
    assert.equal(r.errors?.[0]?.extensions?.code, 'NOT_FOUND');
  });
});
