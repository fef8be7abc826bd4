import { isTerminal } from '@posterior/core';
import { requireCaller, scopeSql } from '../authz/authorization.js';
import type { Caller } from '../authz/caller.js';
import { boundLogTail, type EnvironmentInput, validateEnvironment } from '../common/annotations.js';
import { BadUserInputError, ConflictError, NotFoundError } from '../common/errors.js';
import type { TrialRecord } from '../common/trial-record.js';
import { isUuid } from '../common/validate.js';
import { Role, TrialState } from '../db/index.js';
import { opsMetrics } from '../ops/index.js';
import type { TrialEventType } from '../pubsub/pubsub.js';
import { GroupCommit } from './group-commit.js';
import { endStudyIfSpent } from './study-done.js';
import { finishedConflict, loadTrialAccess } from './trial-access.js';
import { MAX_ERROR_CHARS, publishTrial, type TrialDeps } from './trial-deps.js';
import { TRIAL_COLUMNS, TRIAL_RETURNING, type TrialRow, trialRecord } from './trial-row.js';

interface FastTell {
  trialId: string;
  state: TrialState;
  value: number | null;
  error: string | null;
  /** The caller's team (token) or user id, bound to the scope condition. */
  who: string;
  /** Run information stored with the result (null keeps what the trial has). */
  logTail: string | null;
  /** The validated environment as JSON, or null. */
  environment: string | null;
}

type ToldRow = TrialRow & { budget_used: number; max_trials: number };

/** What a tell reports beyond `value` (issue 17): one value per objective and per constraint. */
export interface TellOutcomes {
  values?: readonly number[] | null;
  constraints?: readonly number[] | null;
}

/**
 * What a worker tells with a result besides it (tellTrial `logTail`, `environment`): written by the
 * same statement that finishes the trial, so a tell refused for any reason stores none of it, and
 * only while the trial is RUNNING (an identical retry of a finished tell changes nothing).
 */
export interface TellRunInfo {
  logTail?: string | null;
  environment?: EnvironmentInput | null;
}

function checkFinite(field: 'values' | 'constraints', list: readonly number[] | null | undefined): void {
  if (list === null || list === undefined) return;
  const i = list.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
  if (i >= 0) throw new BadUserInputError(`${field}[${i}]`, 'must be a finite number (not NaN or infinite)');
}

const given = <T>(v: T | null | undefined): v is T => v !== null && v !== undefined;

/**
 * The stored outcome of a tell against its study (docs/DESIGN.md 6f): a multi-objective COMPLETE
 * needs `values`, one per objective; a constrained COMPLETE needs `constraints`, one per
 * constraint; PRUNED may give either (then with the right length); FAILED stores neither. Throws
 * BAD_USER_INPUT naming the field before anything is written.
 */
export function tellOutcome(
  study: { objectives: ReadonlyArray<{ name: string }>; constraints: ReadonlyArray<{ name: string }> },
  state: TrialState,
  valueInput: number | null | undefined,
  outcomes: TellOutcomes,
): { value: number | null | undefined; values: number[] | null; constraints: number[] | null } {
  if (state === TrialState.FAILED) return { value: null, values: null, constraints: null };
  const m = study.objectives.length;
  const k = study.constraints.length;
  const names = (list: ReadonlyArray<{ name: string }>) => list.map((o) => o.name).join(', ');
  let value = valueInput;
  let values: number[] | null = null;
  if (given(outcomes.values)) {
    if (outcomes.values.length !== m) {
      throw new BadUserInputError(
        'values',
        `must hold ${m} value${m === 1 ? '' : 's'}, one per objective (${names(study.objectives)}); got ${outcomes.values.length}`,
      );
    }
    values = [...outcomes.values];
    if (given(valueInput) && valueInput !== values[0]) {
      throw new BadUserInputError('value', 'must equal values[0] (the first objective) when both are given');
    }
    value = values[0];
  } else if (m >= 2 && state === TrialState.COMPLETE) {
    throw new BadUserInputError(
      'values',
      `is required for COMPLETE in a multi-objective study: one value per objective (${names(study.objectives)})`,
    );
  } else if (m >= 2 && given(valueInput)) {
    throw new BadUserInputError(
      'values',
      `a multi-objective study takes values (${names(study.objectives)}), not value`,
    );
  }
  let constraints: number[] | null = null;
  if (given(outcomes.constraints)) {
    if (outcomes.constraints.length !== k) {
      throw new BadUserInputError(
        'constraints',
        k === 0
          ? 'must be left out: the study has no constraints'
          : `must hold ${k} value${k === 1 ? '' : 's'}, one per constraint (${names(study.constraints)}); got ${outcomes.constraints.length}`,
      );
    }
    constraints = k === 0 ? null : [...outcomes.constraints];
  } else if (k >= 1 && state === TrialState.COMPLETE) {
    throw new BadUserInputError(
      'constraints',
      `is required for COMPLETE in a constrained study: one value per constraint (${names(study.constraints)})`,
    );
  }
  return { value, values, constraints };
}

const sameList = (a: readonly number[] | null, b: readonly number[] | null | undefined): boolean =>
  !given(b) || (a !== null && a.length === b.length && a.every((v, i) => v === b[i]));

/**
 * Tell statements of one kind running at once. Below this a tell goes out at once on its own
 * connection: PostgreSQL merges the WAL flushes of commits that arrive together, and in the bench
 * here (8 workers) queueing tells behind another batch's flush cost more latency than the saved
 * round trips won. Above it, tells wait and share a statement, so a burst never takes the pool.
 */
const MAX_TELLS_IN_FLIGHT = 8;

/**
 * tellTrial. Concurrent tells beyond MAX_TELLS_IN_FLIGHT share one statement and one durable
 * commit (see GroupCommit): each still authorizes and finishes only its own RUNNING trial. A
 * tell the fast statement did not finish (already finished, not allowed, unknown, no value given)
 * takes the slow path, which says why or accepts an identical retry.
 */
export class TrialTeller {
  /** One group commit per authorization condition (tokens and users bind different SQL). */
  private readonly groups = new Map<string, GroupCommit<FastTell, ToldRow | null>>();

  constructor(private readonly deps: TrialDeps) {}

  async tell(
    caller: Caller | null,
    trialId: string,
    state: TrialState,
    valueInput: number | null | undefined,
    errorInput: string | null | undefined,
    outcomes: TellOutcomes = {},
    runInfo: TellRunInfo = {},
  ): Promise<TrialRecord> {
    if (!isTerminal(state)) throw new BadUserInputError('state', 'must be COMPLETE, PRUNED or FAILED');
    if (valueInput !== null && valueInput !== undefined && !Number.isFinite(valueInput)) {
      throw new BadUserInputError('value', 'must be a finite number (not NaN or infinite)');
    }
    checkFinite('values', outcomes.values);
    checkFinite('constraints', outcomes.constraints);
    const logTail = boundLogTail(runInfo.logTail);
    const env = validateEnvironment(runInfo.environment);
    const environment = env === null ? null : JSON.stringify(env);
    // Values and constraints are checked against the study, which only the slow path reads.
    const extended = given(outcomes.values) || given(outcomes.constraints);
    const c = requireCaller(caller);
    if (!isUuid(trialId)) throw new NotFoundError('trial');
    const hasValue = valueInput !== null && valueInput !== undefined;
    const error = state === TrialState.FAILED ? (errorInput ?? 'failed').slice(0, MAX_ERROR_CHARS) : null;
    const scope = scopeSql(c, 's.team_id', 'x.who', Role.MEMBER);
    if (scope && !extended && (hasValue || state === TrialState.FAILED)) {
      const row = await this.group(scope.sql).submit({
        trialId,
        state,
        value: state === TrialState.FAILED ? null : (valueInput ?? null),
        error,
        who: scope.value,
        logTail,
        environment,
      });
      if (row) return this.told(row, row.budget_used >= row.max_trials);
    }
    return this.tellSlowly(caller, trialId, state, valueInput, errorInput, error, outcomes, {
      logTail,
      environment,
    });
  }

  private group(scope: string): GroupCommit<FastTell, ToldRow | null> {
    let group = this.groups.get(scope);
    if (!group) {
      const text = `UPDATE trials t SET state = x.state, value = x.value, error = x.error, finished_at = now(),
          log_tail = COALESCE(x.log_tail, t.log_tail), environment = COALESCE(x.environment, t.environment)
        FROM studies s, unnest($1::uuid[], $2::text[], $3::float8[], $4::text[], $5::text[], $6::text[], $7::jsonb[])
          AS x(id, state, value, error, who, log_tail, environment)
        WHERE t.id = x.id AND s.id = t.study_id AND t.state = 'RUNNING' AND ${scope}
          AND (x.state = 'FAILED' OR (jsonb_array_length(s.objectives) = 1 AND jsonb_array_length(s.constraints) = 0))
        RETURNING ${TRIAL_COLUMNS}, s.budget_used, s.max_trials`;
      group = new GroupCommit(async (tells) => {
        // A trial told twice in one batch would match both requests: the repeat waits for the
        // slow path, which then sees the first one's result (identical retry or CONFLICT).
        const seen = new Set<string>();
        const batch = tells.filter((t) => !seen.has(t.trialId) && seen.add(t.trialId));
        const rows = await this.deps.db.rows<ToldRow>(
          text,
          [
            batch.map((t) => t.trialId),
            batch.map((t) => t.state),
            batch.map((t) => t.value),
            batch.map((t) => t.error),
            batch.map((t) => t.who),
            batch.map((t) => t.logTail),
            batch.map((t) => t.environment),
          ],
          true,
        );
        const byId = new Map(rows.map((row) => [row.id, row]));
        const answered = new Set<string>();
        return tells.map((t) => {
          if (answered.has(t.trialId)) return null;
          answered.add(t.trialId);
          return byId.get(t.trialId) ?? null;
        });
      }, MAX_TELLS_IN_FLIGHT);
      this.groups.set(scope, group);
    }
    return group;
  }

  private async tellSlowly(
    caller: Caller | null,
    trialId: string,
    state: TrialState,
    valueInput: number | null | undefined,
    errorInput: string | null | undefined,
    error: string | null,
    outcomes: TellOutcomes,
    runInfo: { logTail: string | null; environment: string | null },
  ): Promise<TrialRecord> {
    const { db } = this.deps;
    const { trial, study } = await loadTrialAccess(db, caller, trialId, Role.MEMBER);
    const outcome = tellOutcome(study, state, valueInput, outcomes);
    let value: number | null = state === TrialState.FAILED ? null : (outcome.value ?? null);
    if (
      value === null &&
      state !== TrialState.FAILED &&
      !isTerminal(trial.state) &&
      study.objectives.length === 1
    ) {
      // The worker contract (docs/DESIGN.md 6b) lets an objective return nothing: the study's objective
      // metric's last reported point is the value.
      const last = await db.one<{ value: number }>(
        'SELECT value FROM metric_points WHERE trial_id = $1 AND name = $2 ORDER BY step DESC LIMIT 1',
        [trialId, study.objective],
      );
      value = last?.value ?? null;
      if (value === null && state === TrialState.COMPLETE) {
        throw new BadUserInputError(
          'value',
          `is required for COMPLETE (no "${study.objective}" metric was reported)`,
        );
      }
    }

    if (trial.state === TrialState.WAITING) {
      throw new ConflictError(`trial #${trial.number} is WAITING; ask for it before telling its result`);
    }
    let row: TrialRow | null = null;
    if (trial.state === TrialState.RUNNING) {
      // Everything validated above; the result and the run information land together or not at all.
      row = await db.one<TrialRow>(
        `UPDATE trials SET state = $2, value = $3, error = $4, "values" = $5, constraint_values = $6, finished_at = now(),
           log_tail = COALESCE($7, log_tail), environment = COALESCE($8::jsonb, environment)
         WHERE id = $1 AND state = 'RUNNING' RETURNING ${TRIAL_RETURNING}`,
        [
          trialId,
          state,
          value,
          error,
          outcome.values,
          outcome.constraints,
          runInfo.logTail,
          runInfo.environment,
        ],
      );
    }
    if (row === null) {
      // Already finished (by an earlier tell, a retry of this one, or the reaper).
      const now = await db.one<TrialRow>(`SELECT ${TRIAL_COLUMNS} FROM trials t WHERE t.id = $1`, [trialId]);
      if (now === null) throw new NotFoundError('trial');
      const same =
        now.state === state &&
        (valueInput === null || valueInput === undefined || now.value === valueInput) &&
        sameList(now.values, outcomes.values) &&
        sameList(now.constraint_values, outcomes.constraints) &&
        (state !== TrialState.FAILED ||
          errorInput === null ||
          errorInput === undefined ||
          now.error === error);
      if (same) return trialRecord(now);
      throw finishedConflict(now, `cannot be told ${state}`);
    }
    return this.told(row, study.budgetUsed >= study.maxTrials);
  }

  /** After a trial finished: tell subscribers, and end the study if that was its last trial. */
  private async told(row: TrialRow, budgetSpent: boolean): Promise<TrialRecord> {
    const record = trialRecord(row);
    opsMetrics.tells.inc({ state: record.state });
    publishTrial(this.deps, record.state as TrialEventType, record);
    if (budgetSpent) await endStudyIfSpent(this.deps, record.studyId);
    return record;
  }
}
