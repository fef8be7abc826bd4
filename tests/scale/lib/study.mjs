// Bootstrap and verification shared by the multi-process test and the scale benchmark: a user, a
// team, a worker token and a study through the SDK; subscribers that record every trial event; and
// the database-side facts the assertions are made on.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNodeClient } from '@posterior/sdk/node';
import pg from 'pg';
import { sleep, waitFor } from './procs.mjs';

export const BRANIN_SPACE = [
  { name: 'x', type: 'float', low: -5, high: 10 },
  { name: 'y', type: 'float', low: 0, high: 15 },
];

export async function bootstrap(
  apiUrl,
  { email = `scale-${Date.now()}@example.com`, password = 'correct horse battery staple' } = {},
) {
  const client = createNodeClient({ url: apiUrl });
  const auth = await client.signUp(email, password, 'Scale Test');
  client.setToken(auth.token);
  const team = await client.createTeam(`scale-${Date.now()}`);
  const workerToken = await client.createApiToken(team.id, 'scale-workers', 'MEMBER');
  return { client, sessionToken: auth.token, team, workerToken: workerToken.token };
}

export async function createStudy(client, teamId, overrides = {}) {
  return client.createStudy({
    teamId,
    name: `scale ${new Date().toISOString()}`,
    direction: 'MINIMIZE',
    objective: 'loss',
    searchSpace: BRANIN_SPACE,
    sampler: { type: 'random', seed: 7 },
    pruner: { type: 'none' },
    maxTrials: 64,
    parallelism: 8,
    heartbeatTimeoutS: 60,
    retryFailed: 0,
    ...overrides,
  });
}

/** One subscriber: its own client (own WebSocket) on `apiUrl`, recording every trial event. */
export function subscribe(apiUrl, token, studyId, name) {
  const client = createNodeClient({ url: apiUrl, token, subscriptionRetryAttempts: 1000 });
  const events = [];
  const errors = [];
  const unsubscribe = client.trialEvents(studyId, {
    next: (e) => events.push({ type: e.type, trialId: e.trial.id, number: e.trial.number, at: Date.now() }),
    error: (err) => errors.push(err),
    complete: () => errors.push(new Error('subscription completed by the server')),
  });
  return {
    name,
    events,
    errors,
    seen: (trialId, type) => events.some((e) => e.trialId === trialId && e.type === type),
    async close() {
      unsubscribe();
      await client.close();
    },
  };
}

/**
 * Waits until every subscription is live. graphql-ws acknowledges the connection, not each
 * subscription, so probe with an event (`ping`, e.g. enqueueTrial) and repeat the probe until every
 * subscriber has received one: an event sent before the server registered a subscription is lost.
 */
export async function subscribersLive(subscribers, ping, { attempts = 10, waitMs = 3000 } = {}) {
  for (let i = 0; i < attempts; i++) {
    await ping();
    const live = await waitFor(() => subscribers.every((s) => s.events.length > 0), {
      timeoutMs: waitMs,
      what: 'subscribers to receive a probe event',
    }).catch(() => false);
    if (live) return i + 1;
  }
  const errors = subscribers.flatMap((s) => s.errors.map((e) => `${s.name}: ${e.message}`));
  throw new Error(
    `subscribers received none of ${attempts} probe events${errors.length ? `: ${errors.join('; ')}` : ''}`,
  );
}

export function database(url) {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  // An idle connection dropped by a PostgreSQL restart is expected here; the next query reconnects.
  pool.on('error', () => {});
  return {
    pool,
    async trials(studyId) {
      const { rows } = await pool.query(
        `SELECT id, number, state, value, error, worker_id AS "workerId", retry_of AS "retryOf",
                finished_at AS "finishedAt"
           FROM trials WHERE study_id = $1 ORDER BY number`,
        [studyId],
      );
      return rows;
    },
    async metricPoints(studyId) {
      const { rows } = await pool.query(
        `SELECT trial_id AS "trialId", name, step, value FROM metric_points WHERE study_id = $1`,
        [studyId],
      );
      return rows;
    },
    async studyState(studyId) {
      const { rows } = await pool.query('SELECT state FROM studies WHERE id = $1', [studyId]);
      return rows[0]?.state;
    },
    close: () => pool.end(),
  };
}

/** Every record the objective fixture logged, across worker processes. */
export function readWorkerLogs(dir) {
  let files;
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  } catch {
    return [];
  }
  return files.flatMap((f) =>
    readFileSync(join(dir, f), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .flatMap((l) => {
        try {
          return [JSON.parse(l)];
        } catch {
          return []; // a line cut by kill -9
        }
      }),
  );
}

/** Waits until `n` trials of the study are COMPLETE and none is WAITING or RUNNING. */
export async function waitStudyFinished(db, studyId, n, { timeoutMs = 300_000, onPoll } = {}) {
  return waitFor(
    async () => {
      onPoll?.();
      const trials = await db.trials(studyId);
      const complete = trials.filter((t) => t.state === 'COMPLETE').length;
      const open = trials.filter((t) => t.state === 'WAITING' || t.state === 'RUNNING').length;
      return complete >= n && open === 0 ? trials : false;
    },
    { timeoutMs, intervalMs: 250, what: `${n} COMPLETE trials of study ${studyId}` },
  );
}

/**
 * Loss accounting after a run: an acknowledged metric report missing from the database, a trial a
 * subscriber saw COMPLETE that is not COMPLETE in the database, a trial claimed twice.
 */
export function accountLosses({ trials, points, logs, subscribers }) {
  const byId = new Map(trials.map((t) => [t.id, t]));
  const stored = new Set(points.map((p) => `${p.trialId}/${p.name}/${p.step}`));
  const acknowledged = logs.filter((r) => r.event === 'reported');
  const lostPoints = acknowledged.filter((r) => !stored.has(`${r.trialId}/loss/${r.step}`));
  const claims = new Map();
  for (const r of logs.filter((x) => x.event === 'claimed'))
    claims.set(r.trialId, (claims.get(r.trialId) ?? 0) + 1);
  const claimedTwice = [...claims].filter(([, n]) => n > 1).map(([id]) => id);
  const lostCompletions = [];
  for (const s of subscribers) {
    for (const e of s.events.filter((x) => x.type === 'COMPLETE')) {
      if (byId.get(e.trialId)?.state !== 'COMPLETE')
        lostCompletions.push({ subscriber: s.name, trialId: e.trialId });
    }
  }
  const missedEvents = [];
  for (const s of subscribers) {
    for (const t of trials) {
      if (t.state === 'COMPLETE' && !s.seen(t.id, 'COMPLETE'))
        missedEvents.push({
          subscriber: s.name,
          trial: t.number,
          type: 'COMPLETE',
          finishedAt: t.finishedAt,
        });
    }
  }
  return {
    acknowledgedPoints: acknowledged.length,
    lostPoints: lostPoints.length,
    claims: claims.size,
    claimedTwice,
    lostCompletions,
    missedEvents,
  };
}

export { sleep };
