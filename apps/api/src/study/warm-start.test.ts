import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  askTrials,
  type Harness,
  joinTeam,
  newStudy,
  newTeam,
  newUser,
  startHarness,
  TELL,
} from '../test-support/harness.js';

const STUDY = 'query($id: ID!) { study(id: $id) { id warmStartFrom } }';
const CREATE = 'mutation($input: CreateStudyInput!) { createStudy(input: $input) { id warmStartFrom } }';

/** The objective both studies share (the harness's space: x in [-5, 10], y in [0, 15]). */
const f = (p: { x: number; y: number }): number => (p.x - 2) ** 2 + 0.5 * (p.y - 7) ** 2;

describe('warm start from earlier studies of the team (issue 18)', () => {
  let h: Harness;
  let owner: { token: string; email: string };
  let viewer: { token: string; email: string };
  let teamId: string;
  let otherTeamStudy: string;
  let source: string;
  const sourceTrials: Array<{ params: { x: number; y: number }; value: number }> = [];

  before(async () => {
    h = await startHarness();
    owner = await newUser(h, 'owner');
    viewer = await newUser(h, 'viewer');
    teamId = await newTeam(h, owner.token);
    await joinTeam(h, owner.token, teamId, viewer, 'VIEWER');
    const stranger = await newUser(h, 'stranger');
    otherTeamStudy = await newStudy(h, stranger.token, await newTeam(h, stranger.token));
    source = await newStudy(h, owner.token, teamId, { maxTrials: 24, parallelism: 24 });
    for (const t of await askTrials<{ id: string; params: { x: number; y: number } }>(
      h,
      owner.token,
      source,
      24,
    )) {
      const r = await h.gql(TELL, { t: t.id, st: 'COMPLETE', v: f(t.params) }, owner.token);
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      sourceTrials.push({ params: t.params, value: f(t.params) });
    }
  });
  after(() => h.close());

  const input = (overrides: Record<string, unknown>) => ({
    teamId,
    name: 'target',
    direction: 'MINIMIZE',
    objective: 'loss',
    searchSpace: [
      { name: 'x', type: 'float', low: -5, high: 10 },
      { name: 'y', type: 'float', low: 0, high: 15 },
    ],
    sampler: { type: 'gp', seed: 3 },
    maxTrials: 20,
    parallelism: 1,
    ...overrides,
  });

  test("another team's study, an unknown id and a non-id are NOT_FOUND; a VIEWER cannot create", async () => {
    for (const ids of [
      [otherTeamStudy],
      ['00000000-0000-4000-8000-000000000000'],
      ['nope'],
      [source, otherTeamStudy],
    ]) {
      const r = await h.gql(CREATE, { input: input({ warmStartFrom: ids }) }, owner.token);
      assert.equal(r.errors?.[0]?.extensions?.code, 'NOT_FOUND', JSON.stringify(ids));
    }
    const viewerTry = await h.gql(CREATE, { input: input({ warmStartFrom: [source] }) }, viewer.token);
    assert.equal(viewerTry.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const tooMany = Array.from({ length: 6 }, () => crypto.randomUUID());
    const r = await h.gql(CREATE, { input: input({ warmStartFrom: tooMany }) }, owner.token);
    assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    const noSources = await h.gql(CREATE, { input: input({ warmStartEnqueue: 2 }) }, owner.token);
    assert.equal(noSources.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  });

  test("warmStartEnqueue queues the sources' best configurations as the first trials", async () => {
    const created = await h.gql<{ createStudy: { id: string } }>(
      CREATE,
      { input: input({ name: 'enqueued', warmStartFrom: [source], warmStartEnqueue: 2 }) },
      owner.token,
    );
    assert.equal(created.errors, undefined, JSON.stringify(created.errors));
    const id = created.data?.createStudy.id ?? '';
    const best = [...sourceTrials].sort((a, b) => a.value - b.value).slice(0, 2);
    const first = await askTrials<{ id: string; number: number; params: { x: number; y: number } }>(
      h,
      owner.token,
      id,
      1,
    );
    // parallelism 1: the second is handed out once the first is told.
    for (const t of first) await h.gql(TELL, { t: t.id, st: 'COMPLETE', v: f(t.params) }, owner.token);
    const second = await askTrials<{ number: number; params: { x: number; y: number } }>(
      h,
      owner.token,
      id,
      1,
    );
    assert.deepEqual(
      [...first, ...second].map((t) => [t.number, t.params]),
      best.map((b, i) => [i, b.params]),
    );
  });

  test('a study created with warmStartFrom a completed study of its team shows the source and its suggestions use it', async () => {
    const created = await h.gql<{ createStudy: { id: string; warmStartFrom: string[] } }>(
      CREATE,
      { input: input({ warmStartFrom: [source, source] }) },
      owner.token,
    );
    assert.equal(created.errors, undefined, JSON.stringify(created.errors));
    const target = created.data?.createStudy.id ?? '';
    assert.deepEqual(created.data?.createStudy.warmStartFrom, [source]);
    const read = await h.gql<{ study: { warmStartFrom: string[] } }>(STUDY, { id: target }, viewer.token);
    assert.deepEqual(read.data?.study.warmStartFrom, [source]);
    const cold = await newStudy(h, owner.token, teamId, input({ name: 'cold' }));
    // Same seed, same objective: the two studies stay identical until the source changes a suggestion.
    let diverged = false;
    for (let i = 0; i < 8 && !diverged; i++) {
      const [a] = await askTrials<{ id: string; params: { x: number; y: number } }>(h, owner.token, target);
      const [b] = await askTrials<{ id: string; params: { x: number; y: number } }>(h, owner.token, cold);
      assert.ok(a && b);
      diverged = JSON.stringify(a.params) !== JSON.stringify(b.params);
      for (const t of [a, b]) {
        const r = await h.gql(TELL, { t: t.id, st: 'COMPLETE', v: f(t.params) }, owner.token);
        assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      }
    }
    assert.ok(diverged, 'the warm-started study never differed from the cold one');
    const rows: Array<{ suggestion: { transfer?: { used: boolean } } }> = await h.db.dataSource.query(
      'SELECT suggestion FROM trials WHERE study_id = $1 ORDER BY number',
      [target],
    );
    assert.ok(rows.some((r) => r.suggestion.transfer?.used === true));
    // The surrogate view shows the source's trials beside the study's own.
    const slice = await h.gql<{
      study: {
        surrogate: { points: unknown[]; sourcePoints: Array<{ studyId: string; x: number; value: number }> };
      };
    }>(
      'query($id: ID!) { study(id: $id) { surrogate(param: "x", points: 5) { points { mean } sourcePoints { studyId x value } } } }',
      { id: target },
      viewer.token,
    );
    assert.equal(slice.errors, undefined, JSON.stringify(slice.errors));
    const sourcePoints = slice.data?.study.surrogate.sourcePoints ?? [];
    assert.equal(sourcePoints.length, 24);
    assert.ok(sourcePoints.every((p) => p.studyId === source && Number.isFinite(p.value)));
    assert.equal(slice.data?.study.surrogate.points.length, 5);
  });
});
