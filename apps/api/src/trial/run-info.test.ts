import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TRIAL_TABLE_INFO_START } from '@posterior/core';
import type { Caller } from '../authz/caller.js';
import { BadUserInputError } from '../common/errors.js';
import { TrialState } from '../db/index.js';
import {
  askTrials,
  errorCode,
  errorField,
  type GqlResult,
  type Harness,
  newStudy,
  newUser,
  startHarness,
  TELL,
  teamOfRoles,
} from '../test-support/harness.js';
import { collect, streaming, wsClient } from '../test-support/ws.js';

type Attr = { key: string; value: string | number | boolean };
interface T {
  id: string;
  state: string;
  attributes: Attr[];
  logTail: string | null;
  pruneStep: number | null;
  pruneReason: string | null;
  environment: {
    backend: string | null;
    host: string | null;
    nodeVersion: string | null;
    packages: Array<{ name: string; version: string }>;
  } | null;
}
const FIELDS =
  'id state attributes { key value } logTail pruneStep pruneReason environment { backend host nodeVersion packages { name version } }';
const ATTRS = `mutation($t: ID!, $a: [TrialAttributeInput!]!, $r: Boolean) { setTrialAttributes(trialId: $t, attributes: $a, replace: $r) { ${FIELDS} } }`;
const TRIAL = `query($t: ID!) { trial(id: $t) { ${FIELDS} } }`;
const TELL_RUN = `mutation($t: ID!, $st: TrialState!, $v: Float, $e: String, $l: String, $env: TrialEnvironmentInput) {
  tellTrial(trialId: $t, state: $st, value: $v, error: $e, logTail: $l, environment: $env) { ${FIELDS} } }`;
const REPORT =
  'mutation($t: ID!, $p: [MetricPointInput!]!) { reportMetrics(trialId: $t, points: $p) { shouldPrune pruneReason } }';

describe('trial attributes, log tail, prune reason, environment, trials export (issue 15 items 6, 8)', () => {
  let h: Harness;
  let owner: { token: string; email: string };
  let member: { token: string; email: string; id: string };
  let viewer: { token: string; email: string };
  let teamId: string;

  before(async () => {
    h = await startHarness();
    ({ owner, member, viewer, teamId } = await teamOfRoles(h));
  });
  after(() => h.close());

  const trial = async (id: string): Promise<T> => {
    const r = await h.gql<{ trial: T }>(TRIAL, { t: id }, viewer.token);
    assert.ok(r.data?.trial, JSON.stringify(r.errors));
    return r.data.trial;
  };

  test('attributes: typed values, merged by key, null removes, replace starts over; any state', async () => {
    const studyId = await newStudy(h, owner.token, teamId);
    const [t] = await askTrials<T>(h, owner.token, studyId);
    assert.ok(t);
    assert.deepEqual((await trial(t.id)).attributes, []);
    const a = await h.gql<{ setTrialAttributes: T }>(
      ATTRS,
      {
        t: t.id,
        a: [
          { key: ' batch ', value: 64 },
          { key: 'dataset', value: 'v2' },
          { key: 'aug', value: true },
        ],
      },
      member.token,
    );
    assert.equal(a.errors, undefined, JSON.stringify(a.errors));
    assert.deepEqual(a.data?.setTrialAttributes.attributes, [
      { key: 'batch', value: 64 },
      { key: 'dataset', value: 'v2' },
      { key: 'aug', value: true },
    ]);
    // a finished trial keeps taking them
    await h.gql(TELL, { t: t.id, st: 'COMPLETE', v: 1 }, owner.token);
    const b = await h.gql<{ setTrialAttributes: T }>(
      ATTRS,
      {
        t: t.id,
        a: [
          { key: 'batch', value: 128.5 },
          { key: 'aug', value: null },
          { key: 'n', value: '007' },
        ],
      },
      member.token,
    );
    assert.equal(b.errors, undefined, JSON.stringify(b.errors));
    const read = await trial(t.id);
    assert.equal(read.state, 'COMPLETE');
    assert.deepEqual(read.attributes, [
      { key: 'batch', value: 128.5 },
      { key: 'dataset', value: 'v2' },
      { key: 'n', value: '007' },
    ]);
    const c = await h.gql<{ setTrialAttributes: T }>(
      ATTRS,
      { t: t.id, a: [{ key: 'only', value: false }], r: true },
      member.token,
    );
    assert.deepEqual(c.data?.setTrialAttributes.attributes, [{ key: 'only', value: false }]);
    // the compact table carries them, by name
    const s = await h.gql<{ study: { trialTable: { info: string[]; rows: unknown[][] } } }>(
      'query($id: ID!) { study(id: $id) { trialTable } }',
      { id: studyId },
      viewer.token,
    );
    const table = s.data?.study.trialTable;
    assert.ok(table);
    assert.ok(!table.info.includes('logTail') && !table.info.includes('environment'), table.info.join());
    assert.deepEqual(table.rows[0]?.[TRIAL_TABLE_INFO_START + table.info.indexOf('attributes')], [
      { key: 'only', value: false },
    ]);
  });

  test('attributes: bounds and roles', async () => {
    const studyId = await newStudy(h, owner.token, teamId);
    const [t] = await askTrials<T>(h, owner.token, studyId);
    assert.ok(t);
    const bad: Array<Array<{ key: string; value: unknown }>> = [
      [{ key: '  ', value: 1 }],
      [{ key: 'k'.repeat(65), value: 1 }],
      [{ key: 's', value: 's'.repeat(1001) }],
      Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: i })),
    ];
    for (const a of bad) {
      const r: GqlResult<unknown> = await h.gql(ATTRS, { t: t.id, a }, member.token);
      assert.deepEqual(
        [errorCode(r), errorField(r)],
        ['BAD_USER_INPUT', 'attributes'],
        JSON.stringify(a).slice(0, 80),
      );
    }
    // a value that is not a string, number or boolean is refused by the scalar
    const obj: GqlResult<unknown> = await h.gql(
      ATTRS,
      { t: t.id, a: [{ key: 'o', value: { x: 1 } }] },
      member.token,
    );
    assert.ok(obj.errors?.length);
    assert.equal(
      errorCode(await h.gql(ATTRS, { t: t.id, a: [{ key: 'x', value: 1 }] }, viewer.token)),
      'FORBIDDEN',
    );
    const outsider = await newUser(h, 'outsider-attrs');
    assert.equal(
      errorCode(await h.gql(ATTRS, { t: t.id, a: [{ key: 'x', value: 1 }] }, outsider.token)),
      'NOT_FOUND',
    );
    assert.deepEqual((await trial(t.id)).attributes, []);
  });

  test('a FAILED tell stores the log tail (last 64 lines, 8 KB) and the environment', async () => {
    const studyId = await newStudy(h, owner.token, teamId);
    const [t] = await askTrials<T>(h, owner.token, studyId);
    assert.ok(t);
    const log = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
    const env = {
      backend: 'wasm',
      host: 'gpu-box-1',
      platform: 'linux-x64',
      nodeVersion: '22.13.0',
      workerId: 'w',
      packages: [{ name: '@posterior/runner', version: '0.1.0' }],
    };
    const r = await h.gql<{ tellTrial: T }>(
      TELL_RUN,
      { t: t.id, st: 'FAILED', e: 'RangeError: boom', l: log, env },
      member.token,
    );
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    const told = r.data?.tellTrial;
    assert.ok(told);
    assert.equal(told.state, 'FAILED');
    const lines = told.logTail?.split('\n') ?? [];
    assert.equal(lines.length, 64);
    assert.equal(lines[0], 'line 36');
    assert.equal(lines[63], 'line 99');
    assert.equal(told.environment?.backend, 'wasm');
    assert.equal(told.environment?.host, 'gpu-box-1');
    assert.deepEqual(told.environment?.packages, [{ name: '@posterior/runner', version: '0.1.0' }]);
    // an identical retry is accepted and changes nothing
    const again = await h.gql<{ tellTrial: T }>(
      TELL_RUN,
      { t: t.id, st: 'FAILED', e: 'RangeError: boom', l: 'other', env },
      member.token,
    );
    assert.equal(again.errors, undefined, JSON.stringify(again.errors));
    assert.equal((await trial(t.id)).logTail, told.logTail);

    const [u] = await askTrials<T>(h, owner.token, studyId);
    assert.ok(u);
    const wide = 'x'.repeat(20_000);
    await h.gql(TELL_RUN, { t: u.id, st: 'FAILED', e: 'e', l: wide }, member.token);
    assert.equal((await trial(u.id)).logTail?.length, 8192);
    // a viewer's tell stores nothing and is FORBIDDEN
    const [v] = await askTrials<T>(h, owner.token, studyId);
    assert.ok(v);
    const refused = await h.gql(TELL_RUN, { t: v.id, st: 'FAILED', e: 'e', l: 'secret', env }, viewer.token);
    assert.equal(errorCode(refused), 'FORBIDDEN');
    const after = await trial(v.id);
    assert.deepEqual([after.state, after.logTail, after.environment], ['RUNNING', null, null]);
    const big = await h.gql(
      TELL_RUN,
      { t: v.id, st: 'FAILED', e: 'e', env: { ...env, host: 'h'.repeat(201) } },
      member.token,
    );
    assert.deepEqual([errorCode(big), errorField(big)], ['BAD_USER_INPUT', 'environment']);
  });

  test('a tell refused for its outcome stores none of its run information; the next tell does', async () => {
    const env = { backend: 'wasm', host: 'h1', packages: [{ name: 'p', version: '1' }] };
    const TELL_OUT = `mutation($t: ID!, $st: TrialState!, $v: Float, $vs: [Float!], $cs: [Float!], $l: String, $env: TrialEnvironmentInput) {
      tellTrial(trialId: $t, state: $st, value: $v, values: $vs, constraints: $cs, logTail: $l, environment: $env) { ${FIELDS} } }`;
    const multi = await newStudy(h, owner.token, teamId, {
      direction: null,
      objective: null,
      objectives: [
        { name: 'f1', direction: 'MINIMIZE' },
        { name: 'f2', direction: 'MINIMIZE' },
      ],
      constraints: [{ name: 'c' }],
    });
    const [t] = await askTrials<T>(h, owner.token, multi);
    assert.ok(t);
    const refusals: Array<[Record<string, unknown>, string]> = [
      [{ vs: [1], cs: [0] }, 'values'], // wrong number of values
      [{ vs: [1, 2] }, 'constraints'], // constraints missing on COMPLETE
      [{ vs: [1, 2], cs: [0, 1] }, 'constraints'], // wrong number of constraints
      [{ v: 1, cs: [0] }, 'values'], // value where values are required
      [{ vs: [2, 2], v: 1, cs: [0] }, 'value'], // value disagrees with values[0]
    ];
    for (const [vars, field] of refusals) {
      const r: GqlResult<unknown> = await h.gql(
        TELL_OUT,
        { t: t.id, st: 'COMPLETE', l: 'boom', env, ...vars },
        member.token,
      );
      assert.deepEqual([errorCode(r), errorField(r)], ['BAD_USER_INPUT', field], JSON.stringify(vars));
      const now = await trial(t.id);
      assert.deepEqual(
        [now.state, now.logTail, now.environment],
        ['RUNNING', null, null],
        JSON.stringify(vars),
      );
    }
    // JSON cannot carry infinities: a literal in the document reaches the server's check...
    const inf = await h.gql(
      `mutation($t: ID!) { tellTrial(trialId: $t, state: COMPLETE, values: [1, 1e999], constraints: [0],
        logTail: "x", environment: { host: "h" }) { id } }`,
      { t: t.id },
      member.token,
    );
    assert.deepEqual([errorCode(inf), errorField(inf)], ['BAD_USER_INPUT', 'values[1]']);
    // ...nor NaN: the service is called with it
    const caller: Caller = { kind: 'user', userId: member.id, sessionId: 'test' };
    await assert.rejects(
      h.server.services.trials.tell(
        caller,
        t.id,
        TrialState.COMPLETE,
        null,
        null,
        { values: [Number.NaN, 1], constraints: [0] },
        { logTail: 'x', environment: env },
      ),
      (e: unknown) => e instanceof BadUserInputError && e.field === 'values[0]',
    );
    const untouched = await trial(t.id);
    assert.deepEqual([untouched.state, untouched.logTail, untouched.environment], ['RUNNING', null, null]);
    const ok = await h.gql<{ tellTrial: T }>(
      TELL_OUT,
      { t: t.id, st: 'COMPLETE', vs: [1, 2], cs: [0], l: 'done', env },
      member.token,
    );
    assert.equal(ok.errors, undefined, JSON.stringify(ok.errors));
    assert.deepEqual([ok.data?.tellTrial.state, ok.data?.tellTrial.logTail], ['COMPLETE', 'done']);
    assert.equal(ok.data?.tellTrial.environment?.host, 'h1');

    // single objective: COMPLETE without a value and no objective metric reported is refused the same way
    const single = await newStudy(h, owner.token, teamId);
    const [u] = await askTrials<T>(h, owner.token, single);
    assert.ok(u);
    const novalue = await h.gql(TELL_OUT, { t: u.id, st: 'COMPLETE', l: 'boom', env }, member.token);
    assert.deepEqual([errorCode(novalue), errorField(novalue)], ['BAD_USER_INPUT', 'value']);
    const still = await trial(u.id);
    assert.deepEqual([still.state, still.logTail, still.environment], ['RUNNING', null, null]);
    // and the fast path (a plain single-objective tell) stores both with the result
    const fast = await h.gql<{ tellTrial: T }>(
      TELL_OUT,
      { t: u.id, st: 'COMPLETE', v: 0.5, l: 'quote " and \\ backslash', env },
      member.token,
    );
    assert.equal(fast.errors, undefined, JSON.stringify(fast.errors));
    const read = await trial(u.id);
    assert.deepEqual(
      [read.state, read.logTail, read.environment?.host, read.environment?.packages],
      ['COMPLETE', 'quote " and \\ backslash', 'h1', [{ name: 'p', version: '1' }]],
    );
  });

  test('the median pruner stores the step and the reason of its decision', async () => {
    const studyId = await newStudy(h, owner.token, teamId, {
      pruner: { type: 'median', warmupSteps: 0, minTrials: 3 },
    });
    // three finished trials reporting 0.4, 0.41, 0.42 at step 3
    for (const v of [0.4, 0.41, 0.42]) {
      const [t] = await askTrials<T>(h, owner.token, studyId);
      assert.ok(t);
      await h.gql(REPORT, { t: t.id, p: [{ name: 'loss', step: 3, value: v }] }, owner.token);
      await h.gql(TELL, { t: t.id, st: 'COMPLETE', v }, owner.token);
    }
    const [good] = await askTrials<T>(h, owner.token, studyId);
    assert.ok(good);
    const kept = await h.gql<{ reportMetrics: { shouldPrune: boolean; pruneReason: string | null } }>(
      REPORT,
      { t: good.id, p: [{ name: 'loss', step: 3, value: 0.3 }] },
      owner.token,
    );
    assert.deepEqual(kept.data?.reportMetrics, { shouldPrune: false, pruneReason: null });
    assert.equal((await trial(good.id)).pruneStep, null);

    const [bad] = await askTrials<T>(h, owner.token, studyId);
    assert.ok(bad);
    const r = await h.gql<{ reportMetrics: { shouldPrune: boolean; pruneReason: string | null } }>(
      REPORT,
      { t: bad.id, p: [{ name: 'loss', step: 3, value: 0.52 }] },
      owner.token,
    );
    assert.equal(r.data?.reportMetrics.shouldPrune, true);
    const reason = "median of 3 completed trials at step 3 was 0.41; this trial's best so far 0.52";
    assert.equal(r.data?.reportMetrics.pruneReason, reason);
    await h.gql(TELL, { t: bad.id, st: 'PRUNED', v: 0.52 }, owner.token);
    const read = await trial(bad.id);
    assert.deepEqual([read.state, read.pruneStep, read.pruneReason], ['PRUNED', 3, reason]);
  });

  test('annotation changes publish an event of the trial state, marked annotated', async () => {
    const studyId = await newStudy(h, owner.token, teamId);
    const [t] = await askTrials<T>(h, owner.token, studyId);
    assert.ok(t);
    await h.gql(TELL, { t: t.id, st: 'COMPLETE', v: 3 }, owner.token);
    type Ev = {
      trialEvents: {
        type: string;
        annotated: boolean;
        seq: number;
        trial: { id: string; note: string | null; attributes: Attr[] };
      };
    };
    const events = collect<Ev>(
      wsClient(h.server.wsUrl, viewer.token),
      'subscription($s: ID!) { trialEvents(studyId: $s) { type annotated seq trial { id note attributes { key value } } } }',
      { s: studyId },
    );
    try {
      await streaming(h.server, studyId);
      await h.gql(
        'mutation($t: ID!) { setTrialNote(trialId: $t, note: "look") { id } }',
        { t: t.id },
        member.token,
      );
      await h.gql(ATTRS, { t: t.id, a: [{ key: 'k', value: 1 }] }, member.token);
      await events.until((items) => items.length >= 2);
      const [a, b] = events.items.map((e) => e.trialEvents);
      assert.deepEqual([a?.type, a?.annotated, a?.trial.note], ['COMPLETE', true, 'look']);
      assert.deepEqual(
        [b?.type, b?.annotated, b?.trial.attributes],
        ['COMPLETE', true, [{ key: 'k', value: 1 }]],
      );
      assert.equal((b?.seq ?? 0) - (a?.seq ?? 0), 1);
    } finally {
      events.stop();
    }
    // replayed from the log the same way
    const replay = collect<Ev>(
      wsClient(h.server.wsUrl, viewer.token),
      'subscription($s: ID!) { trialEvents(studyId: $s, afterSeq: 0) { type annotated seq trial { id note attributes { key value } } } }',
      { s: studyId },
    );
    try {
      await replay.until((items) =>
        items.some((e) => e.trialEvents.annotated && e.trialEvents.trial.attributes.length > 0),
      );
      const lifecycle = replay.items.filter((e) => !e.trialEvents.annotated).map((e) => e.trialEvents.type);
      assert.deepEqual(lifecycle, ['CLAIMED', 'COMPLETE']);
    } finally {
      replay.stop();
    }
  });

  test('a description change is announced on studyUpdates', async () => {
    const studyId = await newStudy(h, owner.token, teamId);
    const updates = collect<{ studyUpdates: { studyId: string; change: string } }>(
      wsClient(h.server.wsUrl, viewer.token),
      'subscription($s: ID!) { studyUpdates(studyId: $s) { studyId change } }',
      { s: studyId },
    );
    try {
      await streaming(h.server, studyId);
      const r = await h.gql(
        'mutation($s: ID!) { setStudyDescription(studyId: $s, description: "new") { id } }',
        { s: studyId },
        member.token,
      );
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      await updates.until((items) => items.length >= 1);
      assert.deepEqual(updates.items[0]?.studyUpdates, { studyId, change: 'DESCRIPTION' });
    } finally {
      updates.stop();
    }
  });

  test('Study.trialsExport: the CSV posterior export writes, metrics included, for any reader', async () => {
    const studyId = await newStudy(h, owner.token, teamId);
    const [t0, t1] = await askTrials<T>(h, owner.token, studyId, 2);
    assert.ok(t0 && t1);
    await h.gql(
      REPORT,
      {
        t: t0.id,
        p: [
          { name: 'loss', step: 0, value: 2 },
          { name: 'loss', step: 1, value: 1.5 },
          { name: 'acc', step: 1, value: 0.9 },
        ],
      },
      owner.token,
    );
    await h.gql(TELL, { t: t0.id, st: 'COMPLETE', v: 1.5 }, owner.token);
    await h.gql(TELL, { t: t1.id, st: 'FAILED', e: 'boom, "oom"' }, owner.token);
    const q =
      'query($id: ID!, $st: TrialState, $m: Boolean) { study(id: $id) { trialsExport(format: CSV, state: $st, metrics: $m) } }';
    const r = await h.gql<{ study: { trialsExport: string } }>(q, { id: studyId }, viewer.token);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    const lines = r.data?.study.trialsExport.split('\r\n') ?? [];
    assert.equal(
      lines[0],
      'number,state,value,worker,error,duration_s,started_at,finished_at,params.x,params.y,metrics.acc,metrics.loss',
    );
    assert.match(lines[1] ?? '', /^0,COMPLETE,1\.5,w,,[0-9.]+,[^,]+,[^,]+,-?[0-9.e-]+,[0-9.e-]+,0\.9,1\.5$/);
    assert.match(lines[2] ?? '', /^1,FAILED,,w,"boom, ""oom""",/);
    assert.equal(lines.length, 4); // header, two trials, the final CRLF
    const only = await h.gql<{ study: { trialsExport: string } }>(
      q,
      { id: studyId, st: 'FAILED', m: false },
      viewer.token,
    );
    const onlyLines = only.data?.study.trialsExport.split('\r\n') ?? [];
    assert.equal(
      onlyLines[0],
      'number,state,value,worker,error,duration_s,started_at,finished_at,params.x,params.y',
    );
    assert.equal(onlyLines.length, 3);
    const outsider = await newUser(h, 'outsider-export');
    const hidden = await h.gql<{ study: unknown }>(q, { id: studyId }, outsider.token);
    assert.equal(errorCode(hidden) ?? (hidden.data?.study === null ? 'NOT_FOUND' : 'OK'), 'NOT_FOUND');
  });
});
