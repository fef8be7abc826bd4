import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../testing/index.js';

// Integrity lives in the database: these go through raw SQL so no application code can help.

let db: TestDatabase;
let teamId: string;
let studyId: string;
let otherStudyId: string;
let trialId: string;

const q = <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> =>
  db.dataSource.query(sql, params);

/** Asserts the statement fails with the given SQLSTATE (and constraint name when given). */
async function rejects(sql: string, params: unknown[], code: string, constraint?: string): Promise<void> {
  await assert.rejects(q(sql, params), (error: unknown) => {
    const e = error as {
      code?: string;
      constraint?: string;
      driverError?: { code?: string; constraint?: string };
    };
    const actualCode = e.driverError?.code ?? e.code;
    const actualConstraint = e.driverError?.constraint ?? e.constraint;
    assert.equal(actualCode, code, `expected SQLSTATE ${code}, got ${String(actualCode)}: ${String(error)}`);
    if (constraint !== undefined) assert.equal(actualConstraint, constraint);
    return true;
  });
}

const CHECK = '23514';
const UNIQUE = '23505';
const FK = '23503';
const NOT_NULL = '23502';

async function insertStudy(overrides: Record<string, unknown> = {}): Promise<string> {
  const row = {
    team_id: teamId,
    name: 'study',
    direction: 'MINIMIZE',
    objective: 'val_loss',
    search_space: '[]',
    sampler: '{"type":"gp"}',
    pruner: '{"type":"none"}',
    max_trials: 10,
    ...overrides,
  };
  const cols = Object.keys(row);
  const [inserted] = await q<{ id: string }>(
    `INSERT INTO studies (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
    Object.values(row),
  );
  assert.ok(inserted);
  return inserted.id;
}

before(async () => {
  db = await createTestDatabase();
  const [team] = await q<{ id: string }>(`INSERT INTO teams (name) VALUES ('t') RETURNING id`);
  assert.ok(team);
  teamId = team.id;
  studyId = await insertStudy();
  otherStudyId = await insertStudy({ name: 'other' });
  const [trial] = await q<{ id: string }>(
    `INSERT INTO trials (study_id, number, params) VALUES ($1, 0, '{"x": 1}') RETURNING id`,
    [studyId],
  );
  assert.ok(trial);
  trialId = trial.id;
});
after(async () => {
  await db?.drop();
});

describe('users, teams, memberships, tokens', () => {
  test('email is unique case-insensitively', async () => {
    await q(`INSERT INTO users (email, password_hash) VALUES ('Ada@Example.com', 'h')`);
    await rejects(
      `INSERT INTO users (email, password_hash) VALUES ('ada@example.COM', 'h')`,
      [],
      UNIQUE,
      'UQ_users_email_lower',
    );
  });

  test('a membership has a known role and is unique per (team, user)', async () => {
    const [user] = await q<{ id: string }>(
      `INSERT INTO users (email, password_hash) VALUES ('m@example.com', 'h') RETURNING id`,
    );
    assert.ok(user);
    await rejects(
      `INSERT INTO memberships (team_id, user_id, role) VALUES ($1, $2, 'BOSS')`,
      [teamId, user.id],
      CHECK,
      'CHK_memberships_role',
    );
    await q(`INSERT INTO memberships (team_id, user_id, role) VALUES ($1, $2, 'OWNER')`, [teamId, user.id]);
    await rejects(
      `INSERT INTO memberships (team_id, user_id, role) VALUES ($1, $2, 'VIEWER')`,
      [teamId, user.id],
      UNIQUE,
      'UQ_memberships_team_user',
    );
    await rejects(
      `INSERT INTO memberships (team_id, user_id, role) VALUES (gen_random_uuid(), $1, 'VIEWER')`,
      [user.id],
      FK,
      'FK_memberships_team',
    );
  });

  test('token hashes are unique and sessions need a user', async () => {
    await q(`INSERT INTO api_tokens (team_id, name, token_hash) VALUES ($1, 'w', 'abc')`, [teamId]);
    const [token] = await q<{ role: string }>(`SELECT role FROM api_tokens WHERE token_hash = 'abc'`);
    assert.equal(token?.role, 'MEMBER');
    await rejects(
      `INSERT INTO api_tokens (team_id, name, token_hash) VALUES ($1, 'w2', 'abc')`,
      [teamId],
      UNIQUE,
      'UQ_api_tokens_token_hash',
    );
    await rejects(
      `INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ('s', gen_random_uuid(), now())`,
      [],
      FK,
      'FK_sessions_user',
    );
  });
});

describe('studies', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['bad state', { state: 'STOPPED' }, 'CHK_studies_state'],
    ['bad direction', { direction: 'UP' }, 'CHK_studies_direction'],
    ['max_trials 0', { max_trials: 0 }, 'CHK_studies_max_trials'],
    ['parallelism 0', { parallelism: 0 }, 'CHK_studies_parallelism'],
    ['heartbeat timeout 0', { heartbeat_timeout_s: 0 }, 'CHK_studies_heartbeat_timeout'],
    ['negative retries', { retry_failed: -1 }, 'CHK_studies_retry_failed'],
    ['search space not an array', { search_space: '{}' }, 'CHK_studies_search_space'],
    ['sampler not an object', { sampler: '"gp"' }, 'CHK_studies_sampler'],
    ['blank name', { name: '  ' }, 'CHK_studies_name'],
  ];
  for (const [label, overrides, constraint] of cases) {
    test(`rejects ${label}`, async () => {
      await assert.rejects(insertStudy(overrides), (error: unknown) => {
        const e = error as { driverError?: { code?: string; constraint?: string } };
        assert.equal(e.driverError?.code, CHECK);
        assert.equal(e.driverError?.constraint, constraint);
        return true;
      });
    });
  }

  test('defaults: RUNNING, heartbeat 60 s, no retries, numbering from 0', async () => {
    const [row] = await q(
      'SELECT state, heartbeat_timeout_s, retry_failed, parallelism, next_trial_number FROM studies WHERE id = $1',
      [studyId],
    );
    assert.deepEqual(row, {
      state: 'RUNNING',
      heartbeat_timeout_s: 60,
      retry_failed: 0,
      parallelism: 1,
      next_trial_number: 0,
    });
  });

  test('a study needs an existing team', async () => {
    await assert.rejects(insertStudy({ team_id: '00000000-0000-0000-0000-000000000000' }), /FK_studies_team/);
  });
});

describe('trials', () => {
  test('rejects an unknown state', async () => {
    await rejects(
      `INSERT INTO trials (study_id, number, params, state) VALUES ($1, 100, '{}', 'DONE')`,
      [studyId],
      CHECK,
      'CHK_trials_state',
    );
  });

  test('number is unique per study, not globally', async () => {
    await rejects(
      `INSERT INTO trials (study_id, number, params) VALUES ($1, 0, '{}')`,
      [studyId],
      UNIQUE,
      'UQ_trials_study_number',
    );
    await q(`INSERT INTO trials (study_id, number, params) VALUES ($1, 0, '{}')`, [otherStudyId]);
  });

  test('rejects a negative number and non-object params', async () => {
    await rejects(
      `INSERT INTO trials (study_id, number, params) VALUES ($1, -1, '{}')`,
      [studyId],
      CHECK,
      'CHK_trials_number',
    );
    await rejects(
      `INSERT INTO trials (study_id, number, params) VALUES ($1, 101, '[1]')`,
      [studyId],
      CHECK,
      'CHK_trials_params',
    );
  });

  for (const bad of ['NaN', 'Infinity', '-Infinity']) {
    test(`rejects value ${bad}`, async () => {
      await rejects(
        `UPDATE trials SET value = $2::double precision WHERE id = $1`,
        [trialId, bad],
        CHECK,
        'CHK_trials_value_finite',
      );
    });
  }

  for (const bad of ['NaN', 'Infinity', '-Infinity']) {
    test(`rejects ${bad} among values and constraint values (issue 17)`, async () => {
      await rejects(
        `UPDATE trials SET "values" = ARRAY[1, $2::double precision] WHERE id = $1`,
        [trialId, bad],
        CHECK,
        'CHK_trials_values_finite',
      );
      await rejects(
        `UPDATE trials SET constraint_values = ARRAY[$2::double precision] WHERE id = $1`,
        [trialId, bad],
        CHECK,
        'CHK_trials_constraint_values_finite',
      );
    });
  }

  test('a study inserted with only objective and direction gets them as its one objective', async () => {
    const [row] = (await q('SELECT objectives, constraints, reference_point FROM studies WHERE id = $1', [
      studyId,
    ])) as Array<{ objectives: unknown; constraints: unknown; reference_point: unknown }>;
    const [study] = (await q('SELECT objective, direction FROM studies WHERE id = $1', [studyId])) as Array<{
      objective: string;
      direction: string;
    }>;
    assert.deepEqual(row?.objectives, [{ name: study?.objective, direction: study?.direction }]);
    assert.deepEqual(row?.constraints, []);
    assert.equal(row?.reference_point, null);
  });

  test('finished_at is set exactly when the state is terminal', async () => {
    await rejects(
      `UPDATE trials SET state = 'COMPLETE', value = 1 WHERE id = $1`,
      [trialId],
      CHECK,
      'CHK_trials_finished_iff_terminal',
    );
    await rejects(
      `UPDATE trials SET finished_at = now() WHERE id = $1`,
      [trialId],
      CHECK,
      'CHK_trials_finished_iff_terminal',
    );
    await rejects(
      `UPDATE trials SET state = 'RUNNING', heartbeat_at = now() WHERE id = $1`,
      [trialId],
      CHECK,
      'CHK_trials_running_started',
    );
    const [row] = await q<{ num: number }>(
      `INSERT INTO trials (study_id, number, params, state, started_at, finished_at, value)
       VALUES ($1, 50, '{}', 'COMPLETE', now(), now(), -1.5e300) RETURNING number AS num`,
      [studyId],
    );
    assert.equal(row?.num, 50);
  });

  test('a finished trial never changes, though writing the same values again is fine', async () => {
    const [done] = await q<{ id: string }>(
      `INSERT INTO trials (study_id, number, params, state, started_at, finished_at, value)
       VALUES ($1, 60, '{"x": 2}', 'COMPLETE', now(), now(), 0.25) RETURNING id`,
      [studyId],
    );
    assert.ok(done);
    const changes = [
      `state = 'FAILED'`,
      'value = 0.5',
      'value = NULL',
      `params = '{"x": 3}'`,
      "finished_at = now() + interval '1 second'",
    ];
    for (const change of changes) {
      await rejects(
        `UPDATE trials SET ${change} WHERE id = $1`,
        [done.id],
        CHECK,
        'TRG_trials_terminal_immutable',
      );
    }
    await q(`UPDATE trials SET state = 'COMPLETE', value = 0.25, heartbeat_at = now() WHERE id = $1`, [
      done.id,
    ]);
    const [row] = await q<{ state: string; value: number }>('SELECT state, value FROM trials WHERE id = $1', [
      done.id,
    ]);
    assert.deepEqual(row, { state: 'COMPLETE', value: 0.25 });
  });

  test('a finished trial keeps its whole outcome; only its annotations change', async () => {
    for (const state of ['COMPLETE', 'PRUNED', 'FAILED']) {
      const [done] = await q<{ id: string }>(
        `INSERT INTO trials (study_id, number, params, state, started_at, finished_at, value, "values",
           constraint_values, error, prune_step, prune_reason, log_tail, environment, suggestion, worker_id)
         VALUES ($1, (SELECT coalesce(max(number), 0) + 1 FROM trials WHERE study_id = $1), '{"x": 2}', $2,
           now(), now(), 0.25, ARRAY[0.25, 3], ARRAY[-1], 'e', 4, 'median', 'tail', '{"host": "a"}',
           '{"phase": "gp"}', 'w') RETURNING id`,
        [studyId, state],
      );
      assert.ok(done);
      const changes: Array<[string, string]> = [
        ['"values" = ARRAY[0.5, 3]', 'values'],
        ['"values" = NULL', 'values'],
        ['constraint_values = ARRAY[1]', 'constraint_values'],
        ['constraint_values = NULL', 'constraint_values'],
        ["error = 'other'", 'error'],
        ['prune_step = 5', 'prune_step'],
        ['prune_step = NULL', 'prune_step'],
        ["prune_reason = 'x'", 'prune_reason'],
        ["log_tail = 'forged'", 'log_tail'],
        [`environment = '{"host": "b"}'`, 'environment'],
        ['environment = NULL', 'environment'],
        [`suggestion = '{"phase": "random"}'`, 'suggestion'],
        ["worker_id = 'w2'", 'worker_id'],
        ["started_at = now() - interval '1 hour'", 'started_at'],
        ['number = number + 1000', 'number'],
        [`state = 'RUNNING'`, 'state'],
        ['value = 0.5', 'value'],
        [`params = '{"x": 3}'`, 'params'],
      ];
      for (const [change, column] of changes) {
        await assert.rejects(q(`UPDATE trials SET ${change} WHERE id = $1`, [done.id]), (error: unknown) => {
          const e = (error as { driverError?: { code?: string; constraint?: string; column?: string } })
            .driverError;
          assert.deepEqual(
            [e?.code, e?.constraint, e?.column],
            [CHECK, 'TRG_trials_terminal_immutable', column],
            `${state}: ${change}`,
          );
          return true;
        });
      }
      // the same outcome written again, and the annotations, pass
      await q(
        `UPDATE trials SET "values" = ARRAY[0.25, 3], constraint_values = ARRAY[-1], log_tail = 'tail',
           environment = '{"host": "a"}', note = 'n', tags = ARRAY['t'], attributes = '[{"key": "k", "value": 1}]',
           heartbeat_at = now(), retry_of = NULL WHERE id = $1`,
        [done.id],
      );
      const [row] = await q<{ values: number[]; note: string; log_tail: string }>(
        'SELECT "values", note, log_tail FROM trials WHERE id = $1',
        [done.id],
      );
      assert.deepEqual(row, { values: [0.25, 3], note: 'n', log_tail: 'tail' });
    }
  });

  test('a trial needs an existing study, and retry_of an existing trial', async () => {
    await rejects(
      `INSERT INTO trials (study_id, number, params) VALUES (gen_random_uuid(), 0, '{}')`,
      [],
      FK,
      'FK_trials_study',
    );
    await rejects(
      `INSERT INTO trials (study_id, number, params, retry_of) VALUES ($1, 102, '{}', gen_random_uuid())`,
      [studyId],
      FK,
      'FK_trials_retry_of',
    );
  });
});

describe('metric points', () => {
  test('one point per (trial, name, step); ON CONFLICT DO NOTHING makes a retried report idempotent', async () => {
    const insert = `INSERT INTO metric_points (trial_id, study_id, name, step, value)
      VALUES ($1, $2, 'loss', 0, 0.5), ($1, $2, 'loss', 1, 0.4)`;
    await q(insert, [trialId, studyId]);
    await rejects(insert, [trialId, studyId], UNIQUE, 'PK_metric_points');
    await q(`${insert} ON CONFLICT DO NOTHING`, [trialId, studyId]);
    const [count] = await q<{ n: number }>(
      'SELECT count(*)::int AS n FROM metric_points WHERE trial_id = $1',
      [trialId],
    );
    assert.equal(count?.n, 2);
  });

  test('rejects a negative step, a non-finite value and a missing value', async () => {
    await rejects(
      `INSERT INTO metric_points (trial_id, study_id, name, step, value) VALUES ($1, $2, 'loss', -1, 0)`,
      [trialId, studyId],
      CHECK,
      'CHK_metric_points_step',
    );
    for (const bad of ['NaN', 'Infinity', '-Infinity']) {
      await rejects(
        `INSERT INTO metric_points (trial_id, study_id, name, step, value) VALUES ($1, $2, 'loss', 9, $3::double precision)`,
        [trialId, studyId, bad],
        CHECK,
        'CHK_metric_points_value_finite',
      );
    }
    await rejects(
      `INSERT INTO metric_points (trial_id, study_id, name, step, value) VALUES ($1, $2, 'loss', 9, NULL)`,
      [trialId, studyId],
      NOT_NULL,
    );
  });

  test('study_id must be the trial’s own study', async () => {
    await rejects(
      `INSERT INTO metric_points (trial_id, study_id, name, step, value) VALUES ($1, $2, 'loss', 5, 0)`,
      [trialId, otherStudyId],
      FK,
      'FK_metric_points_trial',
    );
  });

  test('deleting a study cascades to its trials, points and artifacts', async () => {
    const doomed = await insertStudy({ name: 'doomed' });
    const [trial] = await q<{ id: string }>(
      `INSERT INTO trials (study_id, number, params) VALUES ($1, 0, '{}') RETURNING id`,
      [doomed],
    );
    assert.ok(trial);
    await q(
      `INSERT INTO metric_points (trial_id, study_id, name, step, value) VALUES ($1, $2, 'acc', 0, 1)`,
      [trial.id, doomed],
    );
    await q(
      `INSERT INTO artifacts (trial_id, display_name, content_type, size_bytes, sha256)
       VALUES ($1, 'ckpt.bin', 'application/octet-stream', 10, repeat('a', 64))`,
      [trial.id],
    );
    await q('DELETE FROM studies WHERE id = $1', [doomed]);
    const [left] = await q<{ n: number }>(
      `SELECT (SELECT count(*) FROM trials WHERE study_id = $1)
            + (SELECT count(*) FROM metric_points WHERE study_id = $1)
            + (SELECT count(*) FROM artifacts WHERE trial_id = $2) AS n`,
      [doomed, trial.id],
    );
    assert.equal(Number(left?.n), 0);
  });
});

describe('artifacts', () => {
  test('rejects a negative size, a malformed sha256 and an unknown trial', async () => {
    const insert = `INSERT INTO artifacts (trial_id, display_name, content_type, size_bytes, sha256) VALUES ($1, 'f', 'text/plain', $2, $3)`;
    await rejects(insert, [trialId, -1, 'a'.repeat(64)], CHECK, 'CHK_artifacts_size');
    await rejects(insert, [trialId, 1, 'A'.repeat(64)], CHECK, 'CHK_artifacts_sha256');
    await rejects(
      insert,
      ['00000000-0000-0000-0000-000000000000', 1, 'a'.repeat(64)],
      FK,
      'FK_artifacts_trial',
    );
  });
});
