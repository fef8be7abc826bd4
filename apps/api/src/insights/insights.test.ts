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
      'query($id: ID!) { study(id: $id) { bestTrial { id } recommendedTrial { source } importance { param } surrogate(param: "x") { param } history { number } } }',
      { id: fresh },
      token,
    );
    assert.equal(r.errors, undefined);
    assert.deepEqual(r.data?.study, {
      bestTrial: null,
      recommendedTrial: null,
      importance: [],
      surrogate: null,
      history: [],
    });
  });
});

describe('recommendedTrial on a noisy study', () => {
  let h: Harness;
  let token: string;
  let studyId: string;
  const truth = new Map<number, number>();
  let lucky = -1;

  before(async () => {
    h = await startHarness();
    token = (await newUser(h)).token;
    const team = await newTeam(h, token);
    studyId = await newStudy(h, token, team, {
      sampler: { type: 'random', seed: 3 },
      maxTrials: 40,
      parallelism: 40,
    });
    // Deterministic noise of sd about 0.3 on a bowl with values 0-25; one trial of middling true
    // value reports a value better than every other observation: the luckiest draw.
    let state = 12345;
    const noise = () => {
      let s = 0;
      for (let k = 0; k < 12; k++) {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        s += state / 2 ** 32;
      }
      return 0.3 * (s - 6);
    };
    const asked: Asked[] = [];
    for (let round = 0; round < 10; round++) {
      const r = await h.gql<{ askTrials: Asked[] }>(ASK, { s: studyId, n: 4 }, token);
      asked.push(...(r.data?.askTrials ?? []));
    }
    assert.equal(asked.length, 40);
    const f = (p: { x: number; y: number }) => ((p.x - 2) / 3) ** 2 + ((p.y - 7) / 3) ** 2;
    const observed = new Map(asked.map((t) => [t.number, f(t.params) + noise()]));
    for (const t of asked) truth.set(t.number, f(t.params));
    const byTruth = [...asked].sort((a, b) => f(a.params) - f(b.params));
    lucky = byTruth[Math.floor(byTruth.length / 2)]?.number ?? -1;
    observed.set(lucky, Math.min(...observed.values()) - 0.3);
    for (const t of asked) {
      const told = await h.gql(TELL, { t: t.id, st: 'COMPLETE', v: observed.get(t.number) }, token);
      assert.equal(told.errors, undefined, JSON.stringify(told.errors));
    }
  });
  after(() => h.close());

  test('is a COMPLETE trial with a good true value, not the luckiest observation bestTrial keeps', async () => {
    const r = await h.gql<{
      study: {
        bestTrial: { number: number };
        recommendedTrial: {
          trial: { number: number; state: string; value: number };
          mean: number;
          std: number;
          noiseStd: number;
          source: string;
        };
        report: string;
      };
    }>(
      'query($id: ID!) { study(id: $id) { bestTrial { number } recommendedTrial { trial { number state value } mean std noiseStd source } report } }',
      { id: studyId },
      token,
    );
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    const s = r.data?.study;
    assert.ok(s);
    assert.equal(s.bestTrial.number, lucky);
    const rec = s.recommendedTrial;
    assert.equal(rec.source, 'model');
    assert.equal(rec.trial.state, 'COMPLETE');
    assert.notEqual(rec.trial.number, lucky, JSON.stringify({ rec, truth: [...truth.entries()] }));
    const trueValues = [...truth.values()].sort((a, b) => a - b);
    // Among the best quarter of the trials by TRUE value.
    assert.ok((truth.get(rec.trial.number) ?? Infinity) <= (trueValues[9] ?? 0), JSON.stringify(rec));
    assert.ok(Number.isFinite(rec.mean) && rec.std >= 0 && rec.noiseStd > 0, JSON.stringify(rec));
    // bayes_opt.txt (and `posterior report`, which prints the server's text) shows both.
    assert.match(s.report, new RegExp(`Best trial\\n-+\\n {2}trial #${lucky}: `));
    assert.match(
      s.report,
      new RegExp(`Recommended trial \\(model\\)\\n-+\\n {2}trial #${rec.trial.number}: `),
    );
  });
});

describe('insights per objective of a multi-objective study', () => {
  let h: Harness;
  let token: string;
  let studyId: string;
  // f1 (minimized) depends on x, f2 (maximized) on y: each objective's GP must tell its own story.
  const f1 = (x: number, y: number) => (x - 2) ** 2 + 0.01 * y;
  const f2 = (x: number, y: number) => -((y - 7) ** 2) - 0.01 * x;
  const told: Array<{ x: number; y: number; v1: number; v2: number }> = [];
  const TELL_VALUES = `mutation($t: ID!, $vs: [Float!]) {
    tellTrial(trialId: $t, state: COMPLETE, values: $vs) { id } }`;

  before(async () => {
    h = await startHarness();
    token = (await newUser(h)).token;
    const team = await newTeam(h, token);
    studyId = await newStudy(h, token, team, {
      direction: null,
      objective: null,
      objectives: [
        { name: 'f1', direction: 'MINIMIZE' },
        { name: 'f2', direction: 'MAXIMIZE' },
      ],
      sampler: { type: 'random', seed: 5 },
      maxTrials: 16,
      parallelism: 16,
    });
    const r = await h.gql<{ askTrials: Asked[] }>(ASK, { s: studyId, n: 16 }, token);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    for (const t of r.data?.askTrials ?? []) {
      const { x, y } = t.params;
      const row = { x, y, v1: f1(x, y), v2: f2(x, y) };
      told.push(row);
      const res = await h.gql(TELL_VALUES, { t: t.id, vs: [row.v1, row.v2] }, token);
      assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    }
  });
  after(() => h.close());

  type Slice = { fixed: Record<string, number>; points: Array<{ x: number; mean: number }> };
  const query = async (objective: string | null) => {
    const arg = objective === null ? '' : `(objective: "${objective}")`;
    const sliceArg = objective === null ? '' : `, objective: "${objective}"`;
    const r = await h.gql<{
      study: {
        importance: Array<{ param: string; importance: number }>;
        sx: Slice;
        sy: Slice;
      };
    }>(
      `query($id: ID!) { study(id: $id) {
        importance${arg} { param importance }
        sx: surrogate(param: "x", points: 31${sliceArg}) { fixed points { x mean } }
        sy: surrogate(param: "y", points: 31${sliceArg}) { fixed points { x mean } }
      } }`,
      { id: studyId },
      token,
    );
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    assert.ok(r.data?.study);
    return r.data.study;
  };
  const range = (s: Slice) => {
    const means = s.points.map((p) => p.mean);
    return Math.max(...means) - Math.min(...means);
  };
  const argBest = (s: Slice, sign: 1 | -1) =>
    s.points.reduce((a, b) => (sign * b.mean < sign * a.mean ? b : a)).x;

  test('each objective has its own importance and surrogate; the default is the first', async () => {
    const first = await query(null);
    const named = await query('f1');
    const second = await query('f2');
    // The first objective is the default.
    assert.deepEqual(named, first);
    // Importance follows the objective: x explains f1, y explains f2.
    assert.equal(first.importance[0]?.param, 'x', JSON.stringify(first.importance));
    assert.equal(second.importance[0]?.param, 'y', JSON.stringify(second.importance));
    // The slices too: f1 moves along x (lowest near 2), f2 along y (highest near 7, maximized).
    assert.ok(range(first.sx) > 5 * range(first.sy), JSON.stringify([range(first.sx), range(first.sy)]));
    assert.ok(range(second.sy) > 5 * range(second.sx), JSON.stringify([range(second.sx), range(second.sy)]));
    assert.ok(Math.abs(argBest(first.sx, 1) - 2) < 1.5, String(argBest(first.sx, 1)));
    assert.ok(Math.abs(argBest(second.sy, -1) - 7) < 1.5, String(argBest(second.sy, -1)));
    // The other parameters are held at that objective's best trial, by its own direction.
    const best1 = told.reduce((a, b) => (b.v1 < a.v1 ? b : a));
    const best2 = told.reduce((a, b) => (b.v2 > a.v2 ? b : a));
    assert.deepEqual(first.sx.fixed, { y: best1.y });
    assert.deepEqual(second.sx.fixed, { y: best2.y });
    assert.deepEqual(second.sy.fixed, { x: best2.x });
  });

  test('an unknown objective name is refused, naming the argument', async () => {
    for (const field of [
      'importance(objective: "nope") { param }',
      'surrogate(param: "x", objective: "nope") { param }',
    ]) {
      const r = await h.gql(`query($id: ID!) { study(id: $id) { ${field} } }`, { id: studyId }, token);
      const error = r.errors?.[0];
      assert.equal(error?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(r));
      assert.equal(error?.extensions?.field, 'objective', JSON.stringify(r));
      assert.match(error?.message ?? '', /^objective: "nope" is not an objective of this study/);
    }
  });
});
