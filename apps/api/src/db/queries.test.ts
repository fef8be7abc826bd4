import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../testing/index.js';

// The access paths the schema was designed for: race-free trial numbers, and an index (with no sort
// step) behind each hot read.

let db: TestDatabase;
let studyId: string;

before(async () => {
  db = await createTestDatabase();
  const [team] = await db.dataSource.query<{ id: string }[]>(
    `INSERT INTO teams (name) VALUES ('t') RETURNING id`,
  );
  assert.ok(team);
  const [study] = await db.dataSource.query<{ id: string }[]>(
    `INSERT INTO studies (team_id, name, direction, objective, search_space, sampler, pruner, max_trials)
     VALUES ($1, 's', 'MINIMIZE', 'val_loss', '[]', '{}', '{}', 100) RETURNING id`,
    [team.id],
  );
  assert.ok(study);
  studyId = study.id;
});
after(async () => {
  await db?.drop();
});

test('concurrent transactions allocating trial numbers get 0..n-1, dense and distinct', async () => {
  const n = 24;
  const numbers = await Promise.all(
    Array.from({ length: n }, () =>
      db.dataSource.transaction(async (tx) => {
        // TypeORM answers an UPDATE on PostgreSQL with [rows, affected], not rows.
        const [rows] = await tx.query<[{ number: number }[], number]>(
          `UPDATE studies SET next_trial_number = next_trial_number + 1 WHERE id = $1
           RETURNING next_trial_number - 1 AS number`,
          [studyId],
        );
        const [row] = rows;
        assert.ok(row);
        await tx.query(`INSERT INTO trials (study_id, number, params) VALUES ($1, $2, '{}')`, [
          studyId,
          row.number,
        ]);
        return row.number;
      }),
    ),
  );
  assert.deepEqual(
    numbers.sort((a, b) => a - b),
    Array.from({ length: n }, (_, i) => i),
  );
});

/** The plan PostgreSQL picks when sequential scans are off: proves an index can serve the query. */
async function plan(sql: string, params: unknown[]): Promise<string> {
  const runner = db.dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    await runner.query('SET LOCAL enable_seqscan = off');
    const rows: { 'QUERY PLAN': unknown }[] = await runner.query(`EXPLAIN (FORMAT JSON) ${sql}`, params);
    await runner.rollbackTransaction();
    return JSON.stringify(rows[0]?.['QUERY PLAN']);
  } finally {
    await runner.release();
  }
}

const cases: [string, string, () => unknown[], string][] = [
  [
    'one metric across a study, each curve in step order',
    `SELECT trial_id, step, value FROM metric_points WHERE study_id = $1 AND name = 'val_loss' ORDER BY trial_id, step`,
    () => [studyId],
    'IDX_metric_points_study_name_trial_step',
  ],
  [
    'one metric of one trial in step order',
    `SELECT step, value FROM metric_points WHERE trial_id = $1 AND name = 'val_loss' ORDER BY step`,
    () => ['00000000-0000-0000-0000-000000000000'],
    'PK_metric_points',
  ],
  [
    'waiting trials of a study (askTrials)',
    `SELECT id FROM trials WHERE study_id = $1 AND state = 'WAITING'`,
    () => [studyId],
    'IDX_trials_study_state',
  ],
  [
    'stale running trials (the reaper)',
    `SELECT id FROM trials WHERE state = 'RUNNING' AND heartbeat_at < now() - interval '60 seconds'`,
    () => [],
    'IDX_trials_state_heartbeat',
  ],
  [
    'a user by email, any case',
    `SELECT id FROM users WHERE lower(email) = lower($1)`,
    () => ['Ada@Example.com'],
    'UQ_users_email_lower',
  ],
  [
    'a session by token hash',
    `SELECT user_id FROM sessions WHERE token_hash = $1`,
    () => ['h'],
    'UQ_sessions_token_hash',
  ],
];

for (const [label, sql, params, index] of cases) {
  test(`index for ${label}: ${index}`, async () => {
    const p = await plan(sql, params());
    assert.ok(p.includes(`"Index Name":"${index}"`), `expected ${index} in ${p}`);
    assert.ok(!p.includes('"Node Type":"Sort"'), `no sort step expected in ${p}`);
  });
}
