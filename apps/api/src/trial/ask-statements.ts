import { ACTIVE_TRIAL_STATES } from '@posterior/core';
import type { Sql } from '../common/db.js';
import { type StudyState, sqlList } from '../db/index.js';
import { STUDY_COLUMNS, type StudyRow } from '../study/study-row.js';
import type { SuggestionResult } from '../suggest/compute.js';
import { TRIAL_COLUMNS, TRIAL_RETURNING, type TrialRow } from './trial-row.js';

const ACTIVE = sqlList(ACTIVE_TRIAL_STATES);

/**
 * The statements an ask runs (trial/ask.ts reads the ask top-down and calls these): the claim
 * fast path's single statement, and the locked path's steps inside one transaction.
 *
 * Study row version: the fast path trusts a snapshot only while the study row is the version
 * (`xmin`) it saw. A trigger (migration 1764310000000) writes the study row in every statement
 * that puts a trial into RUNNING or WAITING, so no writer has to remember to.
 */

/** One trial wanted by an ask: who will run it, and the key of the ask that claims it. */
export interface Slot {
  workerId: string | null;
  requestKey: string | null;
}

/**
 * What this process last knew of a study row, and the row version (`xmin`) it read it from. The
 * claim statement only acts when the row is still at that version, so a stale entry is never
 * trusted: it costs one retry with the row the statement returned. Nothing else invalidates it.
 */
export interface KnownStudy {
  version: string | null;
  teamId: string;
  state: StudyState;
  direction: 'MINIMIZE' | 'MAXIMIZE';
  objective: string;
  objectives: Array<{ name: string; direction: 'MINIMIZE' | 'MAXIMIZE' }>;
  constraints: Array<{ name: string }>;
  referencePoint: number[] | null;
  searchSpace: unknown;
  sampler: Record<string, unknown>;
  parallelism: number;
  maxTrials: number;
  budgetUsed: number;
  nextTrialNumber: number;
}

interface StudyJson {
  v: string;
  team_id: string;
  state: StudyState;
  direction: 'MINIMIZE' | 'MAXIMIZE';
  objective: string;
  objectives: Array<{ name: string; direction: 'MINIMIZE' | 'MAXIMIZE' }> | null;
  constraints: Array<{ name: string }> | null;
  reference_point: number[] | null;
  search_space: unknown;
  sampler: Record<string, unknown>;
  parallelism: number;
  max_trials: number;
  budget_used: number;
  next_trial_number: number;
}

type ClaimRow = Partial<TrialRow> & {
  planned: boolean;
  running: number;
  waiting: number;
  new_version: string | null;
  study: StudyJson | null;
};

export type ClaimOutcome =
  /** Acted on the expected version: the trials created (maybe none: no room or no budget). */
  | { kind: 'claimed'; trials: TrialRow[]; running: number; study: KnownStudy }
  /** Did nothing: the row moved on since `study` was read; this is the current one. */
  | { kind: 'stale'; study: KnownStudy }
  /** Did nothing: the study is paused or over. */
  | { kind: 'notRunning'; study: KnownStudy }
  /** Did nothing: WAITING trials go first, and they need the locked path. */
  | { kind: 'waiting'; study: KnownStudy }
  | { kind: 'missing' };

/**
 * One statement, one round trip, for an ask of a study whose suggestions need no history: lock
 * the study row, count its RUNNING trials, take numbers and budget and insert the new trials.
 *
 * READ COMMITTED gives the statement one snapshot, taken before it waited for the row lock, so
 * trials another ask committed meanwhile would be invisible to the count. Every statement that
 * makes a trial RUNNING or WAITING writes the study row (the trigger), so the statement acts only
 * when the row it locked is the version its snapshot saw (and the version the caller
 * computed its suggestions for): then the snapshot holds every RUNNING and WAITING trial, and
 * parallelism, maxTrials and the numbers are exact. Otherwise it changes nothing and returns the
 * current row, and the caller retries with it. Trials that finished meanwhile only make the
 * count conservative. A study with WAITING trials goes to the locked path (they come first).
 */
const CLAIM = `WITH snap AS (
    SELECT s.xmin::text AS v FROM studies s WHERE s.id = $1
  ), locked AS (
    SELECT s.xmin::text AS v, s.team_id, s.state, s.direction, s.objective, s.objectives, s.constraints,
      s.reference_point, s.search_space, s.sampler,
      s.parallelism, s.max_trials, s.budget_used, s.next_trial_number
    FROM studies s WHERE s.id = $1 FOR NO KEY UPDATE
  ), load AS (
    SELECT count(*) FILTER (WHERE t.state = 'RUNNING')::int AS running,
      count(*) FILTER (WHERE t.state = 'WAITING')::int AS waiting
    FROM trials t WHERE t.study_id = $1 AND t.state IN (${ACTIVE})
  ), plan AS (
    SELECT l.next_trial_number AS first,
      GREATEST(0, LEAST(cardinality($3::jsonb[]), l.parallelism - load.running, l.max_trials - l.budget_used))::int AS fresh
    FROM locked l, snap, load
    WHERE l.v = $2 AND snap.v = $2 AND l.state = 'RUNNING' AND load.waiting = 0
  ), alloc AS (
    UPDATE studies s SET next_trial_number = s.next_trial_number + plan.fresh,
      budget_used = s.budget_used + plan.fresh
    FROM plan WHERE s.id = $1 AND plan.fresh > 0
    RETURNING s.xmin::text AS v
  ), ins AS (
    INSERT INTO trials (study_id, number, state, params, suggestion, worker_id, request_key, started_at,
      heartbeat_at)
    SELECT $1, plan.first + x.ord::int - 1, 'RUNNING', x.p, x.s, ($5::text[])[x.ord], ($6::text[])[x.ord],
      clock_timestamp(), clock_timestamp()
    FROM plan, unnest($3::jsonb[], $4::jsonb[]) WITH ORDINALITY AS x(p, s, ord)
    WHERE x.ord <= plan.fresh
    RETURNING ${TRIAL_RETURNING}
  )
  SELECT (plan.first IS NOT NULL) AS planned, load.running, load.waiting,
    (SELECT v FROM alloc) AS new_version,
    CASE WHEN plan.first IS NULL THEN to_jsonb(locked) END AS study,
    ins.*
  FROM locked CROSS JOIN load LEFT JOIN plan ON true LEFT JOIN ins ON true
  ORDER BY ins.number`;

function known(json: StudyJson): KnownStudy {
  return {
    version: json.v,
    teamId: json.team_id,
    state: json.state,
    direction: json.direction,
    objective: json.objective,
    objectives: json.objectives ?? [{ name: json.objective, direction: json.direction }],
    constraints: json.constraints ?? [],
    referencePoint: json.reference_point ?? null,
    searchSpace: json.search_space,
    sampler: json.sampler,
    parallelism: json.parallelism,
    maxTrials: json.max_trials,
    budgetUsed: json.budget_used,
    nextTrialNumber: json.next_trial_number,
  };
}

/**
 * Runs the claim for `suggestions` (made for trial numbers `study.nextTrialNumber` on), worker
 * ids and request keys by slot, as one synchronously committed statement. started_at is
 * clock_timestamp(), the moment the row is written under the study lock: now() is the statement's
 * start, before its wait for that lock, and made trials look RUNNING before their slot was free.
 */
export async function claimFresh(
  sql: Sql,
  studyId: string,
  study: KnownStudy | null,
  suggestions: readonly SuggestionResult[],
  slots: readonly Slot[],
): Promise<ClaimOutcome> {
  const taken = slots.slice(0, suggestions.length);
  const rows = await sql.rows<ClaimRow>(
    CLAIM,
    [
      studyId,
      study?.version ?? null,
      suggestions.map((s) => JSON.stringify(s.params)),
      suggestions.map((s) => JSON.stringify(s.info)),
      taken.map((slot) => slot.workerId),
      taken.map((slot) => slot.requestKey),
    ],
    true,
  );
  const head = rows[0];
  if (head === undefined) return { kind: 'missing' };
  if (!head.planned || study === null) {
    if (head.study === null) throw new Error('claim statement returned no study');
    const current = known(head.study);
    if (study === null || current.version !== study.version) return { kind: 'stale', study: current };
    if (current.state !== 'RUNNING') return { kind: 'notRunning', study: current };
    return { kind: 'waiting', study: current };
  }
  const trials = rows.filter((row): row is ClaimRow & TrialRow => typeof row.id === 'string');
  const n = trials.length;
  return {
    kind: 'claimed',
    trials,
    running: head.running,
    study: {
      ...study,
      version: n > 0 ? head.new_version : study.version,
      budgetUsed: study.budgetUsed + n,
      nextTrialNumber: study.nextTrialNumber + n,
    },
  };
}

export type LockedStudy = StudyRow & { budget_used: number };

/** The locked path's first step: the study row, locked until the transaction ends. */
export function lockStudy(sql: Sql, studyId: string): Promise<LockedStudy | null> {
  return sql.one<LockedStudy>(
    `SELECT ${STUDY_COLUMNS}, s.budget_used FROM studies s WHERE s.id = $1 FOR NO KEY UPDATE OF s`,
    [studyId],
  );
}

/** RUNNING and WAITING trials of a study (exact under the study lock). */
export async function studyLoad(sql: Sql, studyId: string): Promise<{ running: number; waiting: number }> {
  const counts = await sql.one<{ running: number; waiting: number }>(
    `SELECT count(*) FILTER (WHERE state = 'RUNNING')::int AS running,
            count(*) FILTER (WHERE state = 'WAITING')::int AS waiting
     FROM trials WHERE study_id = $1 AND state IN (${ACTIVE})`,
    [studyId],
  );
  return { running: counts?.running ?? 0, waiting: counts?.waiting ?? 0 };
}

/** Claims up to `slots.length` WAITING trials, oldest first; the i-th goes to the i-th slot. */
export async function claimWaiting(sql: Sql, studyId: string, slots: readonly Slot[]): Promise<TrialRow[]> {
  const claimed = await sql.rows<TrialRow & { rn: number }>(
    `WITH picked AS (
         SELECT id, number FROM trials WHERE study_id = $1 AND state = 'WAITING'
         ORDER BY number LIMIT $2 FOR UPDATE SKIP LOCKED),
       ranked AS (SELECT id, (row_number() OVER (ORDER BY number))::int AS rn FROM picked)
     UPDATE trials t SET state = 'RUNNING', worker_id = ($3::text[])[ranked.rn],
       request_key = ($4::text[])[ranked.rn], started_at = clock_timestamp(),
       heartbeat_at = clock_timestamp()
     FROM ranked WHERE t.id = ranked.id
     RETURNING ${TRIAL_COLUMNS}, ranked.rn`,
    [studyId, slots.length, slots.map((slot) => slot.workerId), slots.map((slot) => slot.requestKey)],
  );
  return claimed.sort((a, b) => a.rn - b.rn);
}

/**
 * Takes numbers and budget for `suggestions` (made for the study's next numbers, under its lock)
 * and inserts them RUNNING for their slots, in one statement.
 */
export function insertClaimed(
  sql: Sql,
  studyId: string,
  suggestions: readonly SuggestionResult[],
  slots: readonly Slot[],
): Promise<TrialRow[]> {
  const n = suggestions.length;
  if (n === 0) return Promise.resolve([]);
  return sql.rows<TrialRow>(
    `WITH alloc AS (
       UPDATE studies SET next_trial_number = next_trial_number + $2, budget_used = budget_used + $2
       WHERE id = $1 RETURNING next_trial_number - $2 AS first)
     INSERT INTO trials (study_id, number, state, params, suggestion, worker_id, request_key, started_at,
       heartbeat_at)
     SELECT $1, alloc.first + x.ord::int - 1, 'RUNNING', x.p, x.s, ($3::text[])[x.ord], ($6::text[])[x.ord],
       clock_timestamp(), clock_timestamp()
     FROM alloc, unnest($4::jsonb[], $5::jsonb[]) WITH ORDINALITY AS x(p, s, ord)
     RETURNING ${TRIAL_RETURNING}`,
    [
      studyId,
      n,
      slots.slice(0, n).map((slot) => slot.workerId),
      suggestions.map((s) => JSON.stringify(s.params)),
      suggestions.map((s) => JSON.stringify(s.info)),
      slots.slice(0, n).map((slot) => slot.requestKey),
    ],
  );
}

/** The study row as the locked path leaves it (the lock is still held), for the next fast claim. */
export async function studyAfter(sql: Sql, locked: LockedStudy): Promise<KnownStudy> {
  const after = await sql.one<{
    v: string;
    budget_used: number;
    next_trial_number: number;
    state: StudyState;
  }>('SELECT xmin::text AS v, budget_used, next_trial_number, state FROM studies WHERE id = $1', [locked.id]);
  return {
    version: after?.v ?? null,
    teamId: locked.team_id,
    state: after?.state ?? locked.state,
    direction: locked.direction,
    objective: locked.objective,
    objectives: locked.objectives,
    constraints: locked.constraints,
    referencePoint: locked.reference_point,
    searchSpace: locked.search_space,
    sampler: locked.sampler,
    parallelism: locked.parallelism,
    maxTrials: locked.max_trials,
    budgetUsed: after?.budget_used ?? locked.budget_used,
    nextTrialNumber: after?.next_trial_number ?? locked.next_trial_number,
  };
}
