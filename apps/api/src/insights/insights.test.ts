import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ASK,
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
  params: { x: number; y: number };
}

const INSIGHTS = `query($id: ID!) { study(id: $id) {
  bestTrial { number value params }
  history { number value bestSoFar }
  importance { param importance lengthscale }
  surrogate(param: "x", points: 7) { param fixed points { x mean std acquisition } }
  report
  trials(first: 3, sort: VALUE_ASC) { totalCount nodes { number value } pageInfo { hasNextPage endCursor } }
} }`;

describe('insights on a GP study', () => {
  let h: Harness;
  let token: string;
  let studyId: string;
  const values = new Map<number, number>();

  before(async () => {
    h = await startHarness();
    token = (await newUser(h)).token;
    const team = await newTeam(h, token);
    // x matters (quadratic), y barely: importance must rank x first.
    studyId = await newStudy(h, token, team, {
      sampler: { type: 'gp', seed: 7 },
      maxTrials: 14,
      parallelism: 2,
    });
    for (let round = 0; round < 7; round++) {
      const r = await h.gql<{ askTrials: Asked[] }>(ASK, { s: studyId, n: 2 }, token);
      for (const t of r.data?.askTrials ?? []) {
        const v = (t.params.x - 2) ** 2 + 0.01 * t.params.y;
        values.set(t.number, v);
        const told = await h.gql(TELL, { t: t.id, st: 'COMPLETE', v }, token);
        assert.equal(told.errors, undefined, JSON.stringify(told.errors));
      }
    }
  });
  after(() => h.close());

  test('GP suggestions are computed in the worker pool and record the model prediction', async () => {
    const rows = await h.db.dataSource.query(
      "SELECT suggestion FROM trials WHERE study_id = $1 AND suggestion->>'phase' = 'model'",
      [studyId],
    );
    assert.ok(rows.length > 0, 'later trials come from the fitted GP');
    for (const r of rows) {
      assert.equal(r.suggestion.sampler, 'gp');
      assert.equal(typeof r.suggestion.mean, 'number');
      assert.equal(typeof r.suggestion.std, 'number');
      assert.equal(typeof r.suggestion.acquisition, 'number');
    }
  });

  test('bestTrial, history, importance, surrogate and report agree with the trials', async () => {
    const r = await h.gql<{
      study: {
        bestTrial: { number: number; value: number };
        history: Array<{ number: number; value: number; bestSoFar: number }>;
        importance: Array<{ param: string; importance: number }>;
        surrogate: {
          param: string;
          fixed: Record<string, number>;
          points: Array<{ mean: number; std: number }>;
        };
        report: string;
        trials: { totalCount: number; nodes: Array<{ value: number }>; pageInfo: { hasNextPage: boolean } };
      };
    }>(INSIGHTS, { id: studyId }, token);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    const s = r.data?.study;
    assert.ok(s);
    const best = Math.min(...values.values());
    assert.equal(s.bestTrial.value, best);
    assert.equal(s.history.length, 14);
    let running = Number.POSITIVE_INFINITY;
    for (const point of s.history) {
      running = Math.min(running, values.get(point.number) ?? Number.NaN);
      assert.equal(point.bestSoFar, running);
    }
    assert.deepEqual(s.importance.map((i) => i.param).sort(), ['x', 'y']);
    assert.equal(s.importance[0]?.param, 'x');
    assert.ok(Math.abs(s.importance.reduce((sum, i) => sum + i.importance, 0) - 1) < 1e-9);
    assert.equal(s.surrogate.param, 'x');
    assert.deepEqual(Object.keys(s.surrogate.fixed), ['y']);
    assert.equal(s.surrogate.points.length, 7);
    for (const p of s.surrogate.points) assert.ok(Number.isFinite(p.mean) && p.std >= 0);
    assert.match(s.report, new RegExp(`trial #${s.bestTrial.number}: loss = `));
    assert.equal(s.trials.totalCount, 14);
    assert.deepEqual(
      s.trials.nodes.map((n) => n.value),
      [...values.values()].sort((a, b) => a - b).slice(0, 3),
    );
    assert.equal(s.trials.pageInfo.hasNextPage, true);
  });

  test('trials pages follow their cursor to the end without repeats, in every sort order', async () => {
    for (const sort of ['NUMBER_ASC', 'NUMBER_DESC', 'VALUE_ASC', 'VALUE_DESC']) {
      const seen: number[] = [];
      let after: string | null = null;
      for (let page = 0; page < 10; page++) {
        const r: {
          data?: null | {
            study: {
              trials: {
                nodes: Array<{ number: number }>;
                pageInfo: { hasNextPage: boolean; endCursor: string };
              };
            };
          };
        } = await h.gql(
          'query($id: ID!, $a: String, $s: TrialSort) { study(id: $id) { trials(first: 4, after: $a, sort: $s) { nodes { number } pageInfo { hasNextPage endCursor } } } }',
          { id: studyId, a: after, s: sort },
          token,
        );
        const trials = r.data?.study.trials;
        assert.ok(trials);
        seen.push(...trials.nodes.map((n) => n.number));
        if (!trials.pageInfo.hasNextPage) break;
        after = trials.pageInfo.endCursor;
      }
      assert.equal(seen.length, 14, sort);
      assert.equal(new Set(seen).size, 14, sort);
    }
  });

  test('insights of a study without enough data are empty, not errors', async () => {
    const team = await newTeam(h, token);
    const fresh = await newStudy(h, token, team, { sampler: { type: 'gp' } });
    const r = await h.gql<{
      study: { bestTrial: null; importance: unknown[]; surrogate: null; history: unknown[] };
    }>(
      'query($id: ID!) { study(id: $id) { bestTrial { id } importance { param } surrogate(param: "x") { param } history { number } } }',
      { id: fresh },
      token,
    );
    assert.equal(r.errors, undefined);
    assert.deepEqual(r.data?.study, { bestTrial: null, importance: [], surrogate: null, history: [] });
  });
});
