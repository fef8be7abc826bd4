import type { Sql } from '../common/db.js';
import type { StudyState } from '../db/index.js';
import type { SuggestionResult } from '../suggest/compute.js';
import type { Slot } from './ask-batch.js';
import { TRIAL_RETURNING, type TrialRow } from './trial-row.js';

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
 * trials another ask committed meanwhile would be invisible to the count. Every ask that hands
 * out a trial, every enqueue and every reaper retry updates the study row, so the statement
 * acts only when the row it locked is the version its snapshot saw (and the version the caller
 * computed its suggestions for): then the snapshot holds every RUNNING and WAITING trial, and
 * parallelism, maxTrials and the numbers are exact. Otherwise it changes nothing and returns the
 * current row, and the caller retries with it. Trials that finished meanwhile only make the
 * count conservative. A study with WAITING trials goes to the locked path (they come first).
 */
const CLAIM = `WITH snap AS (
    SELECT s.xmin::text AS v FROM studies s WHERE s.id = $1
  ), locked AS (
    SELECT s.xmin::text AS v, s.team_id, s.state, s.direction, s.objective, s.search_space, s.sampler,
      s.parallelism, s.max_trials, s.budget_used, s.next_trial_number
    FROM studies s WHERE s.id = $1 FOR NO KEY UPDATE
  ), load AS (
    SELECT count(*) FILTER (WHERE t.state = 'RUNNING')::int AS running,
      count(*) FILTER (WHERE t.state = 'WAITING')::int AS waiting
    FROM trials t WHERE t.study_id = $1 AND t.state IN ('RUNNING', 'WAITING')
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
