import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ASK, type Harness, newStudy, newTeam, newUser, startHarness } from '../test-support/harness.js';

const REPORT = `mutation($t: ID!, $p: [MetricPointInput!]!) { reportMetrics(trialId: $t, points: $p) { accepted } }`;
const CURVES = 'query($id: ID!, $name: String) { study(id: $id) { curves(name: $name) } }';

interface Curve {
  trialId: string;
  name: string;
  steps: number[];
  values: number[];
}

describe('Study.curves (the dashboard learning curves)', () => {
  let h: Harness;
  let token: string;
  let studyId: string;
  const trialIds: string[] = [];

  before(async () => {
    h = await startHarness();
    token = (await newUser(h)).token;
    studyId = await newStudy(h, token, await newTeam(h, token), { maxTrials: 5, parallelism: 2 });
    const asked = await h.gql<{ askTrials: Array<{ id: string }> }>(ASK, { s: studyId, n: 2 }, token);
    for (const t of asked.data?.askTrials ?? []) trialIds.push(t.id);
    // out of order and repeated: curves come back sorted by step, one point per step
    for (const [i, id] of trialIds.entries()) {
      for (const step of [2, 0, 1, 1]) {
        const r = await h.gql(
          REPORT,
          {
            t: id,
            p: [
              { name: 'loss', step, value: i + step / 10 },
              { name: 'acc', step, value: step },
            ],
          },
          token,
        );
        assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      }
    }
  });
  after(() => h.close());

  test('returns every trial and metric with steps ascending', async () => {
    const r = await h.gql<{ study: { curves: Curve[] } }>(CURVES, { id: studyId }, token);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    const curves = r.data?.study.curves ?? [];
    assert.equal(curves.length, 4);
    for (const c of curves) {
      assert.deepEqual(c.steps, [0, 1, 2]);
      assert.ok(trialIds.includes(c.trialId));
    }
    const loss0 = curves.find((c) => c.trialId === trialIds[0] && c.name === 'loss');
    assert.deepEqual(loss0?.values, [0, 0.1, 0.2]);
  });

  test('filters by metric name', async () => {
    const r = await h.gql<{ study: { curves: Curve[] } }>(CURVES, { id: studyId, name: 'acc' }, token);
    assert.deepEqual(
      (r.data?.study.curves ?? []).map((c) => c.name),
      ['acc', 'acc'],
    );
  });

  test('a user outside the team sees no study', async () => {
    const outsider = (await newUser(h)).token;
    const r = await h.gql<{ study: null }>(CURVES, { id: studyId }, outsider);
    assert.equal(r.data?.study ?? null, null);
  });
});
