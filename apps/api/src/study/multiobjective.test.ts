import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Caller } from '../authz/caller.js';
import { BadUserInputError } from '../common/errors.js';
import { TrialState } from '../db/index.js';
import { type Harness, newStudy, newTeam, newUser, SPACE, startHarness } from '../test-support/harness.js';

/**
 * Multi-objective and constrained studies through the API (issue 17, docs/DESIGN.md 6f): create,
 * ask, tell with values and constraints, the tell's validation (nothing stored on a refusal), the
 * Pareto front and hypervolume history on a hand-computed example, and the suggestion's predictions.
 */

const TRIAL = 'id number state value values constraints feasible';
const ASK_MANY = `mutation($s: ID!, $n: Int) { askTrials(studyId: $s, count: $n, workerId: "w") { ${TRIAL}
  suggestion { phase mean std means stds feasibility } } }`;
const TELL_MO = `mutation($t: ID!, $st: TrialState!, $v: Float, $vs: [Float!], $cs: [Float!]) {
  tellTrial(trialId: $t, state: $st, value: $v, values: $vs, constraints: $cs) { ${TRIAL} } }`;
const STUDY = `query($s: ID!) { study(id: $s) {
  objective direction isMultiObjective objectives { name direction } constraints { name }
  referencePoint { values source } bestTrial { number } recommendedTrial { trial { number } }
  paretoFront { number values constraints feasible } hypervolumeHistory { trialNumber hypervolume }
  trialTable } }`;

interface TrialView {
  id: string;
  number: number;
  state: string;
  value: number | null;
  values: number[] | null;
  constraints: number[] | null;
  feasible: boolean | null;
  suggestion?: {
    phase: string | null;
    mean: number | null;
    std: number | null;
    means: number[] | null;
    stds: number[] | null;
    feasibility: number | null;
  } | null;
}

interface StudyView {
  objective: string;
  direction: string;
  isMultiObjective: boolean;
  objectives: Array<{ name: string; direction: string }>;
  constraints: Array<{ name: string }>;
  referencePoint: { values: number[]; source: string } | null;
  bestTrial: { number: number } | null;
  recommendedTrial: { trial: { number: number } } | null;
  paretoFront: Array<{ number: number; values: number[]; constraints: number[] | null; feasible: boolean }>;
  hypervolumeHistory: Array<{ trialNumber: number; hypervolume: number }>;
  trialTable: { rows: unknown[][] };
}

describe('multi-objective and constrained studies', () => {
  let h: Harness;
  let token: string;
  let userId: string;
  let teamId: string;

  before(async () => {
    h = await startHarness();
    ({ token, id: userId } = await newUser(h));
    teamId = await newTeam(h, token);
  });
  after(() => h.close());

  const ask = async (studyId: string, n: number): Promise<TrialView[]> => {
    const r = await h.gql<{ askTrials: TrialView[] }>(ASK_MANY, { s: studyId, n }, token);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    return r.data?.askTrials ?? [];
  };
  const tell = (t: string, st: string, vars: { v?: number; vs?: number[]; cs?: number[] } = {}) =>
    h.gql<{ tellTrial: TrialView }>(TELL_MO, { t, st, ...vars }, token);
  const told = async (t: string, st: string, vars: { v?: number; vs?: number[]; cs?: number[] } = {}) => {
    const r = await tell(t, st, vars);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    return r.data?.tellTrial as TrialView;
  };
  const study = async (id: string): Promise<StudyView> => {
    const r = await h.gql<{ study: StudyView }>(STUDY, { s: id }, token);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    return r.data?.study as StudyView;
  };
  const stored = async (trialId: string) => {
    const [row] = (await h.db.dataSource.query(
      'SELECT state, value, "values", constraint_values, finished_at FROM trials WHERE id = $1',
      [trialId],
    )) as Array<Record<string, unknown>>;
    return row;
  };
  const refused = async (
    r: { errors?: Array<{ message: string; extensions?: { code?: string; field?: string } }> },
    field: string,
  ) => {
    const error = r.errors?.[0];
    assert.equal(error?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(r));
    assert.equal(error?.extensions?.field, field, JSON.stringify(r));
    assert.ok(error?.message.startsWith(`${field}: `), error?.message);
  };

  test('a multi-objective constrained study: tell validation, front, hypervolume, suggestions', async () => {
    const studyId = await newStudy(h, token, teamId, {
      direction: null,
      objective: null,
      objectives: [
        { name: 'f1', direction: 'MINIMIZE' },
        { name: 'f2', direction: 'MAXIMIZE' },
      ],
      constraints: [{ name: 'c1' }],
      referencePoint: [10, 0],
      sampler: { type: 'gp', seed: 3, nStartupTrials: 3, candidates: 64 },
      maxTrials: 10,
      parallelism: 6,
    });
    const fresh = await study(studyId);
    assert.equal(fresh.objective, 'f1');
    assert.equal(fresh.direction, 'MINIMIZE');
    assert.equal(fresh.isMultiObjective, true);
    assert.deepEqual(fresh.objectives, [
      { name: 'f1', direction: 'MINIMIZE' },
      { name: 'f2', direction: 'MAXIMIZE' },
    ]);
    assert.deepEqual(fresh.constraints, [{ name: 'c1' }]);
    assert.deepEqual(fresh.referencePoint, { values: [10, 0], source: 'STUDY' });
    assert.deepEqual(fresh.paretoFront, []);
    assert.deepEqual(fresh.hypervolumeHistory, []);

    const trials = await ask(studyId, 6);
    assert.deepEqual(
      trials.map((t) => t.number),
      [0, 1, 2, 3, 4, 5],
    );
    const [t0, t1, t2, t3, t4, t5] = trials as [
      TrialView,
      TrialView,
      TrialView,
      TrialView,
      TrialView,
      TrialView,
    ];
    assert.equal(t0.values, null);
    assert.equal(t0.feasible, null);

    // Validation: each refusal names its field and leaves the trial RUNNING with nothing stored.
    const before = await stored(t0.id);
    await refused(await tell(t0.id, 'COMPLETE', { vs: [1], cs: [0] }), 'values');
    await refused(await tell(t0.id, 'COMPLETE', { vs: [1, 2, 3], cs: [0] }), 'values');
    await refused(await tell(t0.id, 'COMPLETE', { v: 1, cs: [0] }), 'values');
    await refused(await tell(t0.id, 'COMPLETE', { vs: [1, 2] }), 'constraints');
    await refused(await tell(t0.id, 'COMPLETE', { vs: [1, 2], cs: [] }), 'constraints');
    await refused(await tell(t0.id, 'COMPLETE', { vs: [1, 2], cs: [0, 1] }), 'constraints');
    await refused(await tell(t0.id, 'COMPLETE', { v: 2, vs: [1, 2], cs: [0] }), 'value');
    // Infinity as a literal (JSON cannot carry NaN or infinities; the service is called for NaN below).
    await refused(
      await h.gql(
        `mutation($t: ID!) { tellTrial(trialId: $t, state: COMPLETE, values: [1, 1e999], constraints: [0]) { id } }`,
        { t: t0.id },
        token,
      ),
      'values[1]',
    );
    const caller: Caller = { kind: 'user', userId, sessionId: 'test' };
    for (const [outcomes, field] of [
      [{ values: [Number.NaN, 1], constraints: [0] }, 'values[0]'],
      [{ values: [1, 1], constraints: [Number.NaN] }, 'constraints[0]'],
      [{ values: [1, Number.NEGATIVE_INFINITY], constraints: [0] }, 'values[1]'],
    ] as const) {
      await assert.rejects(
        h.server.services.trials.tell(caller, t0.id, TrialState.COMPLETE, null, null, {
          values: [...outcomes.values],
          constraints: [...outcomes.constraints],
        }),
        (e: unknown) => e instanceof BadUserInputError && e.field === field,
      );
    }
    assert.deepEqual(await stored(t0.id), before);
    assert.equal(before?.state, 'RUNNING');
    assert.equal(before?.values, null);

    // The hand-computed example: minimization rows (f1, -f2) against the reference (10, 0).
    const c0 = await told(t0.id, 'COMPLETE', { vs: [4, 4], cs: [-1] }); // 6 x 4 = 24
    assert.deepEqual(
      { value: c0.value, values: c0.values, constraints: c0.constraints, feasible: c0.feasible },
      { value: 4, values: [4, 4], constraints: [-1], feasible: true },
    );
    await told(t1.id, 'COMPLETE', { vs: [6, 7], cs: [0] }); // + 4 x 7 - 4 x 4 overlap: 36
    const c2 = await told(t2.id, 'COMPLETE', { vs: [1, 9], cs: [0.5] }); // infeasible: 36
    assert.equal(c2.feasible, false);
    await told(t3.id, 'COMPLETE', { vs: [5, 3], cs: [-2] }); // dominated by #0: 36
    const p4 = await told(t4.id, 'PRUNED'); // not COMPLETE: no history point
    assert.equal(p4.values, null);
    assert.equal(p4.feasible, null);
    await told(t5.id, 'COMPLETE', { vs: [2, 1], cs: [-1] }); // + 8 x 1 - 6 x 1 overlap: 38
    // An identical retry is accepted; a different one is CONFLICT.
    assert.equal((await tell(t5.id, 'COMPLETE', { vs: [2, 1], cs: [-1] })).errors, undefined);
    assert.equal(
      (await tell(t5.id, 'COMPLETE', { vs: [2, 2], cs: [-1] })).errors?.[0]?.extensions?.code,
      'CONFLICT',
    );

    const s = await study(studyId);
    assert.deepEqual(
      s.paretoFront.map((t) => [t.number, t.values, t.constraints, t.feasible]),
      [
        [0, [4, 4], [-1], true],
        [1, [6, 7], [0], true],
        [5, [2, 1], [-1], true],
      ],
    );
    assert.deepEqual(s.hypervolumeHistory, [
      { trialNumber: 0, hypervolume: 24 },
      { trialNumber: 1, hypervolume: 36 },
      { trialNumber: 2, hypervolume: 36 },
      { trialNumber: 3, hypervolume: 36 },
      { trialNumber: 5, hypervolume: 38 },
    ]);
    assert.equal(s.bestTrial, null);
    assert.equal(s.recommendedTrial, null);
    // The trial table carries values, constraints and feasible after the suggestion.
    const row2 = s.trialTable.rows.find((r) => r[1] === 2);
    assert.deepEqual(row2?.slice(10, 13), [[1, 9], [0.5], false]);

    // Study.trialsExport (core's trialsCsv, as posterior export and the dashboard write it): the
    // outcome columns after the fields, one per objective and constraint, then feasible.
    const exported = await h.gql<{ study: { trialsExport: string } }>(
      'query($s: ID!) { study(id: $s) { trialsExport(metrics: false) } }',
      { s: studyId },
      token,
    );
    assert.equal(exported.errors, undefined, JSON.stringify(exported.errors));
    const [header, ...records] = (exported.data?.study.trialsExport ?? '').trimEnd().split('\r\n');
    const columns = header?.split(',') ?? [];
    assert.deepEqual(columns.slice(8, 12), ['value_f1', 'value_f2', 'constraint_c1', 'feasible']);
    const cells = (n: number) => records.map((l) => l.split(',')).find((r) => r[0] === String(n));
    assert.deepEqual(cells(2)?.slice(8, 12), ['1', '9', '0.5', 'false']);
    assert.deepEqual(cells(0)?.slice(8, 12), ['4', '4', '-1', 'true']);
    assert.deepEqual(cells(4)?.slice(8, 12), ['', '', '', ''], 'a pruned trial has no outcome');

    // bayes_opt.txt lists the objectives, the given reference point, the final hypervolume and the front.
    const report = await h.gql<{ study: { report: string } }>(
      'query($s: ID!) { study(id: $s) { report } }',
      { s: studyId },
      token,
    );
    const text = report.data?.study.report ?? '';
    assert.match(text, /^Objectives: minimize f1, maximize f2$/m);
    assert.match(text, /^Reference: {2}\(10, 0\) given by the study$/m);
    assert.match(text, /^ {2}hypervolume 38 against \(10, 0\)$/m);
    assert.match(text, /^ {2}5 {2}2 {3}1 {3}-1 {2}\S/m);

    // With five observations the GP suggests: a prediction per objective and P(feasible).
    const [next] = await ask(studyId, 1);
    assert.ok(next);
    assert.equal(next.suggestion?.phase, 'model', JSON.stringify(next.suggestion));
    assert.equal(next.suggestion?.means?.length, 2);
    assert.equal(next.suggestion?.stds?.length, 2);
    assert.ok(next.suggestion?.stds?.every((v) => v > 0));
    const p = next.suggestion?.feasibility;
    assert.ok(typeof p === 'number' && p > 0 && p <= 1, String(p));
  });

  test('an inferred reference point says so', async () => {
    const studyId = await newStudy(h, token, teamId, {
      objectives: [
        { name: 'a', direction: 'MINIMIZE' },
        { name: 'b', direction: 'MINIMIZE' },
      ],
      direction: 'MINIMIZE',
      objective: 'a',
      maxTrials: 4,
    });
    assert.equal((await study(studyId)).referencePoint, null);
    const trials = await ask(studyId, 2);
    await told(trials[0]?.id ?? '', 'COMPLETE', { vs: [1, 3] });
    await told(trials[1]?.id ?? '', 'COMPLETE', { vs: [3, 1] });
    const s = await study(studyId);
    assert.equal(s.referencePoint?.source, 'INFERRED');
    assert.equal(s.referencePoint?.values.length, 2);
    // Both points on the front, so each history point is positive and never decreasing.
    assert.deepEqual(
      s.paretoFront.map((t) => t.number),
      [0, 1],
    );
    const hv = s.hypervolumeHistory.map((p) => p.hypervolume);
    assert.equal(hv.length, 2);
    assert.ok((hv[0] ?? 0) > 0 && (hv[1] ?? 0) > (hv[0] ?? 0), JSON.stringify(hv));
  });

  test('a constrained single-objective study: best feasible trial, validation, feasibility', async () => {
    const studyId = await newStudy(h, token, teamId, {
      constraints: [{ name: 'params_m' }, { name: 'latency' }],
      sampler: { type: 'gp', seed: 5, nStartupTrials: 3, candidates: 64 },
      maxTrials: 10,
      parallelism: 5,
    });
    const fresh = await study(studyId);
    assert.equal(fresh.isMultiObjective, false);
    assert.deepEqual(fresh.objectives, [{ name: 'loss', direction: 'MINIMIZE' }]);
    assert.equal(fresh.referencePoint, null);
    const trials = await ask(studyId, 4);
    const [t0, t1, t2, t3] = trials as [TrialView, TrialView, TrialView, TrialView];

    const before = await stored(t0.id);
    await refused(await tell(t0.id, 'COMPLETE', { v: 1 }), 'constraints');
    await refused(await tell(t0.id, 'COMPLETE', { v: 1, cs: [0] }), 'constraints');
    await refused(await tell(t0.id, 'COMPLETE', { vs: [1, 2], cs: [0, 0] }), 'values');
    await refused(
      await h.gql(
        `mutation($t: ID!) { tellTrial(trialId: $t, state: COMPLETE, value: 1, constraints: [0, -1e999]) { id } }`,
        { t: t0.id },
        token,
      ),
      'constraints[1]',
    );
    assert.deepEqual(await stored(t0.id), before);

    // #0 is the lowest loss but infeasible; #2 is the best feasible one.
    const c0 = await told(t0.id, 'COMPLETE', { v: 0.1, cs: [0.5, -1] });
    assert.deepEqual([c0.values, c0.constraints, c0.feasible], [[0.1], [0.5, -1], false]);
    await told(t1.id, 'COMPLETE', { vs: [0.9], cs: [-1, -1] }); // a one-element values works too
    await told(t2.id, 'COMPLETE', { v: 0.4, cs: [0, -0.5] });
    await told(t3.id, 'FAILED');
    const s = await study(studyId);
    assert.equal(s.bestTrial?.number, 2);
    assert.deepEqual(
      s.paretoFront.map((t) => t.number),
      [2],
    );
    assert.deepEqual(s.hypervolumeHistory, []);
    assert.notEqual(s.recommendedTrial?.trial.number, 0);

    const [next] = await ask(studyId, 1);
    assert.equal(next?.suggestion?.phase, 'model', JSON.stringify(next?.suggestion));
    assert.equal(next?.suggestion?.means?.length, 1);
    const p = next?.suggestion?.feasibility;
    assert.ok(typeof p === 'number' && p > 0 && p <= 1, String(p));
  });

  test('single-objective studies read as before, with one objective and no constraints', async () => {
    const studyId = await newStudy(h, token, teamId);
    const [t] = await ask(studyId, 1);
    const done = await told(t?.id ?? '', 'COMPLETE', { v: 2.5 });
    assert.deepEqual([done.value, done.values, done.constraints, done.feasible], [2.5, [2.5], null, true]);
    const s = await study(studyId);
    assert.deepEqual(s.objectives, [{ name: 'loss', direction: 'MINIMIZE' }]);
    assert.deepEqual(s.constraints, []);
    assert.equal(s.isMultiObjective, false);
    assert.equal(s.bestTrial?.number, 0);
    assert.deepEqual(
      s.paretoFront.map((p) => p.number),
      [0],
    );
    // A study's constraints must be left out of a tell when it has none.
    const [u] = await ask(studyId, 1);
    await refused(await tell(u?.id ?? '', 'COMPLETE', { v: 1, cs: [0] }), 'constraints');
  });

  test('createStudy checks objectives, constraints and the reference point', async () => {
    const CREATE = 'mutation($input: CreateStudyInput!) { createStudy(input: $input) { id } }';
    const base = { teamId, name: 'bad', searchSpace: SPACE, maxTrials: 5 };
    const two = [
      { name: 'a', direction: 'MINIMIZE' },
      { name: 'b', direction: 'MAXIMIZE' },
    ];
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ objective: 'loss' }, 'input.direction'],
      [{ direction: 'MINIMIZE' }, 'input.objective'],
      [{ objectives: two, objective: 'b' }, 'input.objective'],
      [{ objectives: two, direction: 'MAXIMIZE' }, 'input.direction'],
      [
        {
          objectives: [
            ...two,
            ...two.map((o) => ({ ...o, name: `${o.name}2` })),
            { name: 'e', direction: 'MINIMIZE' },
          ],
        },
        'input.objectives',
      ],
      [{ objectives: [{ name: 'a b', direction: 'MINIMIZE' }] }, 'input.objectives[0].name'],
      [{ objectives: two, constraints: [{ name: 'a' }] }, 'input.constraints[0].name'],
      [
        { objectives: two, constraints: Array.from({ length: 9 }, (_, i) => ({ name: `c${i}` })) },
        'input.constraints',
      ],
      [{ objectives: two, referencePoint: [1] }, 'input.referencePoint'],
      [{ direction: 'MINIMIZE', objective: 'loss', referencePoint: [1] }, 'input.referencePoint'],
    ];
    for (const [input, field] of cases) {
      const r = await h.gql(CREATE, { input: { ...base, ...input } }, token);
      const error = r.errors?.[0];
      assert.equal(error?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify([input, r]));
      assert.equal(error?.extensions?.field, field, JSON.stringify([input, r]));
    }
  });
});
