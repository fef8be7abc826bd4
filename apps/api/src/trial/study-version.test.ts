import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Harness, newStudy, startTeamHarness, TELL } from '../test-support/harness.js';

/**
 * The claim fast path trusts its snapshot only while the study row is the version (`xmin`) it saw
 * (trial/ask-statements.ts). So every kind of write that puts a trial into RUNNING or WAITING must
 * move that version, whoever runs it: each write kind the API has is performed here, plus the same
 * changes as bare SQL (no API code to remember anything), and the version is checked after each.
 * Leaving RUNNING (tell, heartbeat) does not have to move it: that only makes a stale count
 * conservative, and not writing the row keeps tells off the lock a claim holds through its commit.
 */
describe('study row version: every write that adds RUNNING or WAITING trials moves it', () => {
  let h: Harness;
  let token: string;
  let teamId: string;

  before(async () => {
    ({ h, token, teamId } = await startTeamHarness());
  });
  after(async () => h.close());

  const version = async (studyId: string): Promise<string> => {
    const rows: Array<{ v: string }> = await h.db.dataSource.query(
      'SELECT xmin::text AS v FROM studies WHERE id = $1',
      [studyId],
    );
    const v = rows[0]?.v;
    assert.ok(v, 'study row');
    return v;
  };
  const gql = async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
    const r = await h.gql<T>(query, variables, token);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    assert.ok(r.data);
    return r.data;
  };
  const ask = async (studyId: string): Promise<{ id: string; state: string }> => {
    const data = await gql<{ askTrials: Array<{ id: string; state: string }> }>(
      'mutation($s: ID!) { askTrials(studyId: $s, count: 1, workerId: "w") { id state } }',
      { s: studyId },
    );
    const trial = data.askTrials[0];
    assert.ok(trial, 'a trial was handed out');
    return trial;
  };
  /** Runs `write` and reports whether the study's row version moved. */
  const moves = async (studyId: string, write: () => Promise<unknown>): Promise<boolean> => {
    const before = await version(studyId);
    await write();
    return (await version(studyId)) !== before;
  };

  test('each write kind of the API', async () => {
    // A history-free sampler over a continuous space: asks take the single-statement fast path.
    const fast = await newStudy(h, token, teamId, { maxTrials: 50, retryFailed: 1 });
    // GP: asks take the locked path (suggestions need the history).
    const locked = await newStudy(h, token, teamId, { maxTrials: 50, sampler: { type: 'gp', seed: 1 } });

    let running: { id: string } | null = null;
    const writers: Array<[string, string, () => Promise<unknown>]> = [
      ['ask, claim statement (insert RUNNING)', fast, async () => (running = await ask(fast))],
      [
        'enqueueTrial (insert WAITING)',
        fast,
        () =>
          gql('mutation($s: ID!, $p: JSON!) { enqueueTrial(studyId: $s, params: $p) { id } }', {
            s: fast,
            p: { x: 1, y: 2 },
          }),
      ],
      [
        'ask, locked path, WAITING -> RUNNING',
        fast,
        async () => assert.equal((await ask(fast)).state, 'RUNNING'),
      ],
      ['ask, locked path (insert RUNNING)', locked, () => ask(locked)],
      [
        'releaseTrial (RUNNING -> FAILED, insert WAITING copy)',
        fast,
        () => gql('mutation($t: ID!) { releaseTrial(trialId: $t) { id } }', { t: running?.id }),
      ],
      [
        'reaper (stale RUNNING -> FAILED, insert WAITING retry)',
        fast,
        async () => {
          const trial = await ask(fast);
          await h.db.dataSource.query(
            "UPDATE trials SET heartbeat_at = now() - interval '30 days' WHERE id = $1",
            [trial.id],
          );
          assert.equal(await h.server.services.trials.reapStale(), 1);
        },
      ],
      [
        'setStudyState',
        locked,
        () => gql('mutation($s: ID!) { setStudyState(id: $s, state: PAUSED) { id } }', { s: locked }),
      ],
    ];
    for (const [name, studyId, write] of writers) {
      assert.equal(await moves(studyId, write), true, `${name} must move the study row version`);
    }
  });

  test('bare SQL that adds RUNNING or WAITING trials moves it too (the trigger, not the callers)', async () => {
    const study = await newStudy(h, token, teamId, { maxTrials: 50 });
    const insert = (number: number, state: string) =>
      h.db.dataSource.query(
        `INSERT INTO trials (study_id, number, state, params, started_at, heartbeat_at)
         VALUES ($1, $2, $3, '{"x": 1, "y": 2}', CASE WHEN $3 = 'RUNNING' THEN now() END,
           CASE WHEN $3 = 'RUNNING' THEN now() END) RETURNING id`,
        [study, number, state],
      );
    assert.equal(await moves(study, () => insert(1000, 'WAITING')), true, 'insert WAITING');
    assert.equal(await moves(study, () => insert(1001, 'RUNNING')), true, 'insert RUNNING');
    assert.equal(
      await moves(study, () =>
        h.db.dataSource.query(
          "UPDATE trials SET state = 'RUNNING', started_at = now() WHERE study_id = $1 AND number = 1000",
          [study],
        ),
      ),
      true,
      'WAITING -> RUNNING',
    );
    // Several trials in one transaction that already wrote the row: it is written once (the version
    // moved already), so a batch claim does not rewrite its study row per trial.
    // A row version is a tuple: its ctid changes with every write, its xmin with every transaction.
    const [before, afterInserts] = await h.db.dataSource.transaction(async (manager) => {
      const tuple = async (): Promise<string> =>
        (await manager.query('SELECT ctid::text AS t FROM studies WHERE id = $1', [study]))[0]?.t;
      await manager.query('UPDATE studies SET next_trial_number = next_trial_number + 2 WHERE id = $1', [
        study,
      ]);
      const written = await tuple();
      await manager.query(
        `INSERT INTO trials (study_id, number, state, params) VALUES ($1, 1002, 'WAITING', '{}'), ($1, 1003, 'WAITING', '{}')`,
        [study],
      );
      return [written, await tuple()];
    });
    assert.equal(afterInserts, before, 'the study row is not written again in that transaction');
  });

  test('tells and heartbeats leave it alone', async () => {
    const study = await newStudy(h, token, teamId, { maxTrials: 50 });
    const trial = await ask(study);
    assert.equal(
      await moves(study, () =>
        gql('mutation($t: ID!) { heartbeat(trialId: $t) { shouldStop } }', { t: trial.id }),
      ),
      false,
      'heartbeat',
    );
    assert.equal(await moves(study, () => gql(TELL, { t: trial.id, st: 'COMPLETE', v: 1 })), false, 'tell');
  });
});
