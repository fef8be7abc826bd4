import { isTerminal } from '@posterior/core';
import { requireCaller, scopeSql } from '../authz/authorization.js';
import type { Caller } from '../authz/caller.js';
import { BadUserInputError, ConflictError, NotFoundError } from '../common/errors.js';
import { isUuid } from '../common/validate.js';
import { Role, TrialState } from '../db/index.js';
import { TRIAL_COLUMNS, TRIAL_RETURNING, type TrialRow, trialRecord } from '../graphql/mapping.js';
import { opsMetrics } from '../ops/index.js';
import type { TrialEventType } from '../pubsub/pubsub.js';
import { GroupCommit } from './group-commit.js';
import { endStudyIfSpent } from './study-done.js';
import type { TrialRecord } from './trial.record.js';
import { finishedConflict, loadTrialAccess } from './trial-access.js';
import { MAX_ERROR_CHARS, publishTrial, type TrialDeps } from './trial-deps.js';

interface FastTell {
  trialId: string;
  state: TrialState;
  value: number | null;
  error: string | null;
  /** The caller's team (token) or user id, bound to the scope condition. */
  who: string;
}

type ToldRow = TrialRow & { budget_used: number; max_trials: number };

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
  ): Promise<TrialRecord> {
    if (!isTerminal(state)) throw new BadUserInputError('state', 'must be COMPLETE, PRUNED or FAILED');
    if (valueInput !== null && valueInput !== undefined && !Number.isFinite(valueInput)) {
      throw new BadUserInputError('value', 'must be a finite number (not NaN or infinite)');
    }
    const c = requireCaller(caller);
    if (!isUuid(trialId)) throw new NotFoundError('trial');
    const hasValue = valueInput !== null && valueInput !== undefined;
    const error = state === TrialState.FAILED ? (errorInput ?? 'failed').slice(0, MAX_ERROR_CHARS) : null;
    const scope = scopeSql(c, 's.team_id', 'x.who', Role.MEMBER);
    if (scope && (hasValue || state === TrialState.FAILED)) {
      const row = await this.group(scope.sql).submit({
        trialId,
        state,
        value: state === TrialState.FAILED ? null : (valueInput ?? null),
        error,
        who: scope.value,
      });
      if (row) return this.told(row, row.budget_used >= row.max_trials);
    }
    return this.tellSlowly(caller, trialId, state, valueInput, errorInput, error);
  }

  private group(scope: string): GroupCommit<FastTell, ToldRow | null> {
    let group = this.groups.get(scope);
    if (!group) {
      const text = `UPDATE trials t SET state = x.state, value = x.value, error = x.error, finished_at = now()
        FROM studies s, unnest($1::uuid[], $2::text[], $3::float8[], $4::text[], $5::text[]) AS x(id, state, value, error, who)
        WHERE t.id = x.id AND s.id = t.study_id AND t.state = 'RUNNING' AND ${scope}
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
  ): Promise<TrialRecord> {
    const { db } = this.deps;
    const { trial, study } = await loadTrialAccess(db, caller, trialId, Role.MEMBER);
    let value: number | null = state === TrialState.FAILED ? null : (valueInput ?? null);
    if (value === null && state !== TrialState.FAILED && !isTerminal(trial.state)) {
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
      row = await db.one<TrialRow>(
        `UPDATE trials SET state = $2, value = $3, error = $4, finished_at = now()
         WHERE id = $1 AND state = 'RUNNING' RETURNING ${TRIAL_RETURNING}`,
        [trialId, state, value, error],
      );
    }
    if (row === null) {
      // Already finished (by an earlier tell, a retry of this one, or the reaper).
      const now = await db.one<TrialRow>(`SELECT ${TRIAL_COLUMNS} FROM trials t WHERE t.id = $1`, [trialId]);
      if (now === null) throw new NotFoundError('trial');
      const same =
        now.state === state &&
        (valueInput === null || valueInput === undefined || now.value === valueInput) &&
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
