import * as optimizer from '@posterior/optimizer';
import {
  callerUserId,
  decide,
  memberRoleSql,
  requireCaller,
  roleFor,
  scopeSql,
} from '../authz/authorization.js';
import type { Caller } from '../authz/caller.js';
import { decodeCursor, pageSize } from '../common/cursor.js';
import type { Db, Sql } from '../common/db.js';
import { BadUserInputError, ConflictError, NotFoundError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { isUuid } from '../common/validate.js';
import { Role, StudyState, TrialState } from '../db/index.js';
import { TrialSort } from '../graphql/enums.js';
import type { MetricPointInput } from '../graphql/inputs.js';
import {
  type MetricRow,
  STUDY_COLUMNS,
  type StudyRow,
  TRIAL_COLUMNS,
  TRIAL_RETURNING,
  type TrialRow,
  toConnection,
  toMetricPoint,
  toTrial,
  trialRecord,
} from '../graphql/mapping.js';
import { type MetricPoint, ReportResult, TrialConnection, TrialEdge } from '../graphql/types.js';
import { opsMetrics } from '../ops/index.js';
import type { ApiPubSub, MetricTuple, TrialEventType } from '../pubsub/pubsub.js';
import { optimizerInputError } from '../study/study.validation.js';
import { HISTORY_FREE_SAMPLERS, type Suggester } from '../suggest/suggester.js';
import { loadStudyHistory, type StudyHistory } from './observations.js';
import type { Params, TrialRecord } from './trial.record.js';

export const MAX_ASK = 100;
export const MAX_POINTS_PER_REPORT = 10_000;
export const MAX_TRIALS_PAGE = 500;
const MAX_ERROR_CHARS = 4000;
const METRIC_NAME = /^[A-Za-z0-9_.:/-]{1,200}$/;

type StudyLockRow = StudyRow & { budget_used: number };

interface AskRequest {
  count: number;
  workerId: string | null;
  /** Authorization still to decide once the study's team is known (API tokens); null when done. */
  check: ((teamId: string) => void) | null;
  resolve: (trials: TrialRecord[]) => void;
  reject: (error: unknown) => void;
}

/** A trial with the study fields its lifecycle decisions need, and the caller's role. */
interface TrialAccess {
  trial: TrialRow;
  study: {
    teamId: string;
    state: StudyState;
    direction: 'MINIMIZE' | 'MAXIMIZE';
    objective: string;
    pruner: Record<string, unknown>;
    maxTrials: number;
    budgetUsed: number;
  };
  role: Role;
}

type TrialAccessRow = TrialRow & {
  team_id: string;
  study_state: StudyState;
  direction: 'MINIMIZE' | 'MAXIMIZE';
  objective: string;
  pruner: Record<string, unknown>;
  max_trials: number;
  budget_used: number;
  member_role: Role | null;
};

/** A 32-bit seed per (study, trial number): reproducible suggestions, distinct across trials. */
function seedFor(studyId: string, sampler: Record<string, unknown>, number: number): number {
  let base = typeof sampler.seed === 'number' && Number.isInteger(sampler.seed) ? sampler.seed >>> 0 : 0;
  if (typeof sampler.seed !== 'number') {
    for (const ch of studyId) base = (Math.imul(base, 31) + ch.charCodeAt(0)) >>> 0;
  }
  return (base + Math.imul(number + 1, 0x9e3779b1)) >>> 0;
}

const TERMINAL: ReadonlySet<string> = new Set([TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAILED]);

const SORT_KEYS: Record<TrialSort, string[]> = {
  [TrialSort.NUMBER_ASC]: ['t.number'],
  [TrialSort.NUMBER_DESC]: ['-t.number'],
  [TrialSort.VALUE_ASC]: ['(t.value IS NULL)', 'COALESCE(t.value, 0)', 't.number'],
  [TrialSort.VALUE_DESC]: ['(t.value IS NULL)', '-COALESCE(t.value, 0)', 't.number'],
};

const prunerConfigs = new Map<string, optimizer.PrunerConfig>();

/**
 * The trial lifecycle of DESIGN section 4. Every state change is one guarded UPDATE (the WHERE
 * clause states what must still be true), so concurrent workers, reapers and API processes can
 * race freely: the loser's UPDATE matches nothing and it answers from the row as it now is.
 */
export class TrialService {
  constructor(
    private readonly db: Db,
    private readonly suggester: Suggester,
    private readonly pubsub: ApiPubSub,
    private readonly logger: Logger,
  ) {}

  /** Asks waiting for their study's next lock turn, by study id (see drainAsks). */
  private readonly askQueues = new Map<string, AskRequest[]>();

  async access(caller: Caller | null, trialId: string, min: Role): Promise<TrialAccess> {
    const c = requireCaller(caller);
    if (!isUuid(trialId)) throw new NotFoundError('trial');
    const row = await this.db.one<TrialAccessRow>(
      `SELECT ${TRIAL_COLUMNS}, s.team_id, s.state AS study_state, s.direction, s.objective, s.pruner, s.max_trials,
         s.budget_used, ${memberRoleSql('s.team_id', '$2')} AS member_role
       FROM trials t JOIN studies s ON s.id = t.study_id WHERE t.id = $1`,
      [trialId, callerUserId(c)],
    );
    const role = decide(row && roleFor(c, row.team_id, row.member_role), min, 'trial');
    if (row === null) throw new NotFoundError('trial');
    return {
      trial: row,
      study: {
        teamId: row.team_id,
        state: row.study_state,
        direction: row.direction,
        objective: row.objective,
        pruner: row.pruner,
        maxTrials: row.max_trials,
        budgetUsed: row.budget_used,
      },
      role,
    };
  }

  async get(caller: Caller | null, trialId: string): Promise<TrialRecord> {
    return trialRecord((await this.access(caller, trialId, Role.VIEWER)).trial);
  }

  /** By id without authorization: for subscribers already authorized on the trial's study. */
  async byId(trialId: string): Promise<TrialRecord | null> {
    const row = await this.db.one<TrialRow>(`SELECT ${TRIAL_COLUMNS} FROM trials t WHERE t.id = $1`, [
      trialId,
    ]);
    return row && trialRecord(row);
  }

  // ---- ask -----------------------------------------------------------------------------------

  async ask(
    caller: Caller | null,
    studyId: string,
    countInput: number | null | undefined,
    workerIdInput: string | null | undefined,
  ): Promise<TrialRecord[]> {
    const c = requireCaller(caller);
    if (!isUuid(studyId)) throw new NotFoundError('study');
    const count = countInput ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > MAX_ASK) {
      throw new BadUserInputError('count', `must be an integer between 1 and ${MAX_ASK}`);
    }
    const workerId = workerIdInput?.trim() || null;
    if (workerId !== null && workerId.length > 200)
      throw new BadUserInputError('workerId', 'must be at most 200 characters');
    let check: AskRequest['check'] = null;
    if (c.kind === 'token') {
      // A token's role is known: decide against the team the locked study row names (no query).
      check = (teamId) => {
        decide(roleFor(c, teamId, null), Role.MEMBER, 'study');
      };
    } else {
      const row = await this.db.one<{ team_id: string; member_role: Role | null }>(
        `SELECT s.team_id, ${memberRoleSql('s.team_id', '$2')} AS member_role FROM studies s WHERE s.id = $1`,
        [studyId, callerUserId(c)],
      );
      decide(row && roleFor(c, row.team_id, row.member_role), Role.MEMBER, 'study');
    }

    const trials = await new Promise<TrialRecord[]>((resolve, reject) => {
      const request: AskRequest = { count, workerId, check, resolve, reject };
      const queue = this.askQueues.get(studyId);
      if (queue) {
        queue.push(request);
        return;
      }
      const fresh = [request];
      this.askQueues.set(studyId, fresh);
      void this.drainAsks(studyId, fresh);
    });
    opsMetrics.asks.inc();
    opsMetrics.trialsAsked.inc(trials.length);
    for (const trial of trials) this.publish('CLAIMED', trial);
    return trials;
  }

  /**
   * Asks for one study that arrive while its previous transaction runs wait and then share the
   * next one: each turn at the study lock serves every asker queued in this process, so
   * throughput grows with the number of concurrent workers instead of being one lock turn (a few
   * round trips) per trial. Requests are served in arrival order.
   */
  private async drainAsks(studyId: string, queue: AskRequest[]): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, queue.length);
      try {
        const out = await this.askBatch(studyId, batch);
        batch.forEach((request, i) => {
          const result = out[i] ?? [];
          if (result instanceof Error) request.reject(result);
          else request.resolve(result);
        });
      } catch (error) {
        for (const request of batch) request.reject(error);
      }
    }
    this.askQueues.delete(studyId);
  }

  /** One transaction under the study lock for a batch of asks; each request's trials or its refusal. */
  private async askBatch(
    studyId: string,
    batch: readonly AskRequest[],
  ): Promise<Array<TrialRecord[] | Error>> {
    const refused = new Map<AskRequest, Error>();
    let slots: Array<string | null> = [];
    const { bySlot, done } = await this.db.tx(
      async (sql) => {
        // The study row lock is the per-study lock: askers of one study take turns, so parallelism
        // and maxTrials are exact and each suggestion sees the previous ones as pending.
        const study = await sql.one<StudyLockRow>(
          `SELECT ${STUDY_COLUMNS}, s.budget_used FROM studies s WHERE s.id = $1 FOR NO KEY UPDATE OF s`,
          [studyId],
        );
        if (study === null) throw new NotFoundError('study');
        for (const request of batch) {
          try {
            request.check?.(study.team_id);
          } catch (error) {
            refused.set(request, error instanceof Error ? error : new Error(String(error)));
          }
        }
        slots = batch
          .filter((request) => !refused.has(request))
          .flatMap((request) => Array.from({ length: request.count }, () => request.workerId));
        const none = { bySlot: [] as TrialRow[], done: false };
        if (study.state !== StudyState.RUNNING || slots.length === 0) return none;

        const counts = await sql.one<{ running: number; waiting: number }>(
          `SELECT count(*) FILTER (WHERE state = 'RUNNING')::int AS running,
                  count(*) FILTER (WHERE state = 'WAITING')::int AS waiting
           FROM trials WHERE study_id = $1 AND state IN ('RUNNING', 'WAITING')`,
          [studyId],
        );
        const running = counts?.running ?? 0;
        const waiting = counts?.waiting ?? 0;
        let room = Math.min(slots.length, study.parallelism - running);
        if (room <= 0) return none;

        const bySlot: TrialRow[] = [];
        if (waiting > 0) {
          // Enqueued trials first, oldest first; the i-th claimed goes to the i-th slot's worker.
          const claimed = await sql.rows<TrialRow & { rn: number }>(
            `WITH picked AS (
               SELECT id, number FROM trials WHERE study_id = $1 AND state = 'WAITING'
               ORDER BY number LIMIT $2 FOR UPDATE SKIP LOCKED),
             ranked AS (SELECT id, (row_number() OVER (ORDER BY number))::int AS rn FROM picked)
             UPDATE trials t SET state = 'RUNNING', worker_id = ($3::text[])[ranked.rn], started_at = now(),
               heartbeat_at = now()
             FROM ranked WHERE t.id = ranked.id
             RETURNING ${TRIAL_COLUMNS}, ranked.rn`,
            [studyId, room, slots.slice(0, room)],
          );
          claimed.sort((a, b) => a.rn - b.rn);
          bySlot.push(...claimed);
          room -= claimed.length;
        }

        const fresh = Math.min(room, study.max_trials - study.budget_used);
        let exhausted = false;
        if (fresh > 0) {
          const workerIds = slots.slice(bySlot.length, bySlot.length + fresh);
          const created = await this.suggestAndInsert(sql, study, fresh, workerIds);
          // Fewer suggestions than asked: a finite space with every point taken or running.
          exhausted = created.length < fresh;
          bySlot.push(...created.sort((a, b) => a.number - b.number));
        }

        let done = false;
        if (bySlot.length === 0 && running === 0 && waiting === 0) {
          // Nothing left to hand out and nothing in flight: the budget is spent or the space exhausted.
          if (study.budget_used >= study.max_trials || exhausted) {
            done = await this.markDoneIfSpent(sql, studyId, exhausted);
          }
        }
        return { bySlot, done };
      },
      { asyncCommit: true },
    );
    if (done) this.logger.info({ studyId }, 'study budget spent: DONE');
    const out: Array<TrialRecord[] | Error> = [];
    let next = 0;
    for (const request of batch) {
      const error = refused.get(request);
      if (error) {
        out.push(error);
        continue;
      }
      out.push(bySlot.slice(next, next + request.count).map(trialRecord));
      next += request.count;
    }
    return out;
  }

  private async suggestAndInsert(
    sql: Sql,
    study: StudyLockRow,
    fresh: number,
    workerIds: ReadonlyArray<string | null>,
  ): Promise<TrialRow[]> {
    const samplerType = typeof study.sampler.type === 'string' ? study.sampler.type : 'gp';
    let history: StudyHistory = { observed: [], pending: [] };
    // A history-free sampler still needs the taken points when the space is finite (no continuous
    // float): it avoids repeating them and reports exhaustion.
    const continuous = study.search_space.some(
      (e) =>
        typeof e === 'object' &&
        e !== null &&
        (e as { type?: unknown }).type === 'float' &&
        (e as { step?: unknown }).step === undefined,
    );
    if (!HISTORY_FREE_SAMPLERS.has(samplerType) || !continuous) {
      history = await loadStudyHistory(sql, study.id, study.objective);
    }
    const seeds = Array.from({ length: fresh }, (_, i) =>
      seedFor(study.id, study.sampler, study.next_trial_number + i),
    );
    const stopTimer = opsMetrics.timeSuggestion(samplerType);
    const suggestions = await this.suggester.suggest(
      {
        searchSpace: study.search_space,
        sampler: study.sampler,
        direction: study.direction,
        completed: history.observed,
        pending: history.pending,
        seeds,
      },
      samplerType,
    );
    stopTimer();
    const n = suggestions.length;
    if (n === 0) return [];
    // Numbers and budget are taken and the trials inserted in one statement, under the study lock.
    return sql.rows<TrialRow>(
      `WITH alloc AS (
         UPDATE studies SET next_trial_number = next_trial_number + $2, budget_used = budget_used + $2
         WHERE id = $1 RETURNING next_trial_number - $2 AS first)
       INSERT INTO trials (study_id, number, state, params, suggestion, worker_id, started_at, heartbeat_at)
       SELECT $1, alloc.first + x.ord::int - 1, 'RUNNING', x.p, x.s, ($3::text[])[x.ord], now(), now()
       FROM alloc, unnest($4::jsonb[], $5::jsonb[]) WITH ORDINALITY AS x(p, s, ord)
       RETURNING ${TRIAL_RETURNING}`,
      [
        study.id,
        n,
        workerIds.slice(0, n),
        suggestions.map((s) => JSON.stringify(s.params)),
        suggestions.map((s) => JSON.stringify(s.info)),
      ],
    );
  }

  /**
   * DONE once the budget is used (or, with `exhausted`, the search space has no point left) and
   * nothing is waiting or running; true when it changed.
   */
  private async markDoneIfSpent(sql: Sql, studyId: string, exhausted = false): Promise<boolean> {
    const row = await sql.one<{ id: string }>(
      `UPDATE studies s SET state = 'DONE', updated_at = now()
       WHERE s.id = $1 AND s.state = 'RUNNING' AND ($2 OR s.budget_used >= s.max_trials)
         AND NOT EXISTS (SELECT 1 FROM trials t WHERE t.study_id = s.id AND t.state IN ('WAITING', 'RUNNING'))
       RETURNING s.id`,
      [studyId, exhausted],
    );
    return row !== null;
  }

  // ---- enqueue -------------------------------------------------------------------------------

  async enqueue(caller: Caller | null, studyId: string, paramsInput: unknown): Promise<TrialRecord> {
    const c = requireCaller(caller);
    if (!isUuid(studyId)) throw new NotFoundError('study');
    const row = await this.db.tx(async (sql) => {
      const study = await sql.one<StudyLockRow & { member_role: Role | null }>(
        `SELECT ${STUDY_COLUMNS}, s.budget_used, ${memberRoleSql('s.team_id', '$2')} AS member_role
         FROM studies s WHERE s.id = $1 FOR NO KEY UPDATE OF s`,
        [studyId, callerUserId(c)],
      );
      decide(study && roleFor(c, study.team_id, study.member_role), Role.MEMBER, 'study');
      if (study === null) throw new NotFoundError('study');
      let params: Params;
      try {
        params = optimizer.parseSearchSpace(study.search_space).validateParams(paramsInput) as Params;
      } catch (error) {
        throw optimizerInputError(error, null, 'params') ?? error;
      }
      if (study.state === StudyState.DONE || study.state === StudyState.ARCHIVED) {
        throw new ConflictError(`study is ${study.state}; it takes no new trials`);
      }
      if (study.budget_used >= study.max_trials) {
        throw new ConflictError(`study has used its budget of ${study.max_trials} trials`);
      }
      const alloc = await sql.one<{ first: number }>(
        `UPDATE studies SET next_trial_number = next_trial_number + 1, budget_used = budget_used + 1
         WHERE id = $1 RETURNING next_trial_number - 1 AS first`,
        [studyId],
      );
      if (alloc === null) throw new NotFoundError('study');
      return sql.one<TrialRow>(
        `INSERT INTO trials (study_id, number, state, params) VALUES ($1, $2, 'WAITING', $3) RETURNING ${TRIAL_RETURNING}`,
        [studyId, alloc.first, JSON.stringify(params)],
      );
    });
    if (row === null) throw new Error('insert returned nothing');
    const trial = trialRecord(row);
    this.publish('CREATED', trial);
    return trial;
  }

  // ---- heartbeat -----------------------------------------------------------------------------

  async heartbeat(caller: Caller | null, trialId: string): Promise<boolean> {
    const c = requireCaller(caller);
    opsMetrics.heartbeats.inc();
    if (!isUuid(trialId)) throw new NotFoundError('trial');
    const scope = scopeSql(c, 's.team_id', '$2', Role.MEMBER);
    if (scope) {
      // Fast path: authorize and refresh in one statement (a lost heartbeat is harmless).
      const row = await this.db.telemetry.one<{ study_state: StudyState }>(
        `UPDATE trials t SET heartbeat_at = now() FROM studies s
         WHERE t.id = $1 AND s.id = t.study_id AND t.state = 'RUNNING' AND ${scope.sql}
         RETURNING s.state AS study_state`,
        [trialId, scope.value],
      );
      if (row) return row.study_state === StudyState.DONE || row.study_state === StudyState.ARCHIVED;
    }
    // Not running, not found, or not allowed: the slow path answers which.
    const { trial, study } = await this.access(caller, trialId, Role.MEMBER);
    if (trial.state !== TrialState.RUNNING) return true;
    const row = await this.db.one<{ id: string }>(
      "UPDATE trials SET heartbeat_at = now() WHERE id = $1 AND state = 'RUNNING' RETURNING id",
      [trialId],
    );
    return row === null || study.state === StudyState.DONE || study.state === StudyState.ARCHIVED;
  }

  // ---- reportMetrics -------------------------------------------------------------------------

  async report(
    caller: Caller | null,
    trialId: string,
    points: readonly MetricPointInput[],
  ): Promise<ReportResult> {
    const c = requireCaller(caller);
    if (!isUuid(trialId)) throw new NotFoundError('trial');
    if (points.length > MAX_POINTS_PER_REPORT) {
      throw new BadUserInputError('points', `at most ${MAX_POINTS_PER_REPORT} points per call`);
    }
    const names: string[] = [];
    const steps: number[] = [];
    const values: number[] = [];
    points.forEach((p, i) => {
      if (!METRIC_NAME.test(p.name)) {
        throw new BadUserInputError(`points[${i}].name`, 'must be 1-200 characters of [A-Za-z0-9_.:/-]');
      }
      if (!Number.isInteger(p.step) || p.step < 0 || p.step > 2_147_483_647) {
        throw new BadUserInputError(`points[${i}].step`, 'must be a non-negative 32-bit integer');
      }
      if (typeof p.value !== 'number' || !Number.isFinite(p.value)) {
        throw new BadUserInputError(`points[${i}].value`, 'must be a finite number (not NaN or infinite)');
      }
      names.push(p.name);
      steps.push(p.step);
      values.push(p.value);
    });

    // One statement authorizes, refreshes the heartbeat (reporting is a sign of life) and inserts
    // the batch only while the trial is still RUNNING; duplicates of (trial, name, step) are
    // skipped. Points are telemetry: the telemetry pool commits without waiting for the flush.
    const scope = points.length > 0 ? scopeSql(c, 's.team_id', '$5', Role.MEMBER) : null;
    type Row = {
      study_id: string | null;
      objective: string | null;
      direction: 'MINIMIZE' | 'MAXIMIZE' | null;
      pruner: Record<string, unknown> | null;
      inserted: number;
    };
    const rows = scope
      ? await this.db.telemetry.rows<Row>(
          `WITH hb AS (
             UPDATE trials t SET heartbeat_at = now() FROM studies s
             WHERE t.id = $1 AND s.id = t.study_id AND t.state = 'RUNNING' AND ${scope.sql}
             RETURNING t.id, t.study_id, s.objective, s.direction, s.pruner),
           ins AS (
             INSERT INTO metric_points (trial_id, study_id, name, step, value)
             SELECT hb.id, hb.study_id, p.name, p.step, p.value
             FROM hb, unnest($2::text[], $3::int[], $4::float8[]) AS p(name, step, value)
             ON CONFLICT DO NOTHING
             RETURNING 1)
           SELECT hb.study_id, hb.objective, hb.direction, hb.pruner, (SELECT count(*) FROM ins)::int AS inserted
           FROM (SELECT 1) AS one LEFT JOIN hb ON true`,
          [trialId, names, steps, values, scope.value],
        )
      : [];
    const head = rows[0];
    if (!head?.study_id || !head.objective || !head.direction || !head.pruner) {
      // Unknown, not allowed, finished, or an empty batch: the slow path answers which.
      const { trial } = await this.access(caller, trialId, Role.MEMBER);
      if (trial.state !== TrialState.RUNNING) throw this.finished(trial, 'accepts no more metrics');
      if (points.length === 0)
        return Object.assign(new ReportResult(), { accepted: 0, inserted: 0, shouldPrune: false });
      throw new ConflictError(`trial #${trial.number} changed while reporting; retry`);
    }
    // Only the count comes back (not the rows: half the traffic at 1000 points a call). A batch is
    // one statement, so a retry is all duplicates (nothing to announce) and a first report all new;
    // a batch overlapping an earlier one is announced whole (subscribers key points by step).
    if (head.inserted > 0) {
      opsMetrics.metricPointsIngested.inc(head.inserted);
      const now = Date.now();
      this.pubsub.publishMetricPoints(
        head.study_id,
        trialId,
        names.map((name, i): MetricTuple => [name, steps[i] ?? 0, values[i] ?? 0, now]),
      );
    }

    let shouldPrune = false;
    if (head.pruner.type !== 'none' && names.includes(head.objective)) {
      shouldPrune = await this.shouldPrune(
        trialId,
        head.study_id,
        head.pruner,
        head.objective,
        head.direction,
      );
    }
    return Object.assign(new ReportResult(), {
      accepted: points.length,
      inserted: head.inserted,
      shouldPrune,
    });
  }

  private async shouldPrune(
    trialId: string,
    studyId: string,
    pruner: Record<string, unknown>,
    objective: string,
    direction: 'MINIMIZE' | 'MAXIMIZE',
  ): Promise<boolean> {
    const key = JSON.stringify(pruner);
    let config = prunerConfigs.get(key);
    if (config === undefined) {
      config = optimizer.parsePrunerConfig(pruner);
      prunerConfigs.set(key, config);
    }
    const rows = await this.db.rows<{ trial_id: string; state: string; step: number; value: number }>(
      `SELECT mp.trial_id, t.state, mp.step, mp.value FROM metric_points mp JOIN trials t ON t.id = mp.trial_id
       WHERE mp.study_id = $1 AND mp.name = $2 AND t.state IN ('COMPLETE', 'PRUNED', 'RUNNING')
       ORDER BY mp.trial_id, mp.step`,
      [studyId, objective],
    );
    const own: { step: number; value: number }[] = [];
    const others = new Map<
      string,
      { state: 'COMPLETE' | 'PRUNED' | 'RUNNING'; values: { step: number; value: number }[] }
    >();
    for (const r of rows) {
      if (r.trial_id === trialId) {
        own.push({ step: r.step, value: r.value });
        continue;
      }
      let other = others.get(r.trial_id);
      if (!other) {
        other = { state: r.state as 'COMPLETE' | 'PRUNED' | 'RUNNING', values: [] };
        others.set(r.trial_id, other);
      }
      other.values.push({ step: r.step, value: r.value });
    }
    return optimizer.shouldPrune(config, direction, own, [...others.values()]);
  }

  // ---- tellTrial -----------------------------------------------------------------------------

  async tell(
    caller: Caller | null,
    trialId: string,
    state: TrialState,
    valueInput: number | null | undefined,
    errorInput: string | null | undefined,
  ): Promise<TrialRecord> {
    if (!TERMINAL.has(state)) throw new BadUserInputError('state', 'must be COMPLETE, PRUNED or FAILED');
    if (valueInput !== null && valueInput !== undefined && !Number.isFinite(valueInput)) {
      throw new BadUserInputError('value', 'must be a finite number (not NaN or infinite)');
    }
    const c = requireCaller(caller);
    if (!isUuid(trialId)) throw new NotFoundError('trial');
    const hasValue = valueInput !== null && valueInput !== undefined;
    const scope = scopeSql(c, 's.team_id', '$5', Role.MEMBER);
    if (scope && (hasValue || state === TrialState.FAILED)) {
      // Fast path: authorize and finish in one statement; anything unusual (already finished,
      // not allowed, unknown) falls through to the path below, which says what.
      const row = await this.db.one<TrialRow & { budget_used: number; max_trials: number }>(
        `UPDATE trials t SET state = $2, value = $3, error = $4, finished_at = now() FROM studies s
         WHERE t.id = $1 AND s.id = t.study_id AND t.state = 'RUNNING' AND ${scope.sql}
         RETURNING ${TRIAL_COLUMNS}, s.budget_used, s.max_trials`,
        [
          trialId,
          state,
          state === TrialState.FAILED ? null : valueInput,
          state === TrialState.FAILED ? (errorInput ?? 'failed').slice(0, MAX_ERROR_CHARS) : null,
          scope.value,
        ],
      );
      if (row) return this.told(row, row.budget_used >= row.max_trials);
    }
    const { trial, study } = await this.access(caller, trialId, Role.MEMBER);
    const error = state === TrialState.FAILED ? (errorInput ?? 'failed').slice(0, MAX_ERROR_CHARS) : null;
    let value: number | null = state === TrialState.FAILED ? null : (valueInput ?? null);
    if (value === null && state !== TrialState.FAILED && !TERMINAL.has(trial.state)) {
      // The worker contract (DESIGN 6b) lets an objective return nothing: the study's objective
      // metric's last reported point is the value.
      const last = await this.db.one<{ value: number }>(
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
      row = await this.db.one<TrialRow>(
        `UPDATE trials SET state = $2, value = $3, error = $4, finished_at = now()
         WHERE id = $1 AND state = 'RUNNING' RETURNING ${TRIAL_RETURNING}`,
        [trialId, state, value, error],
      );
    }
    if (row === null) {
      // Already finished (by an earlier tell, a retry of this one, or the reaper).
      const now = await this.db.one<TrialRow>(`SELECT ${TRIAL_COLUMNS} FROM trials t WHERE t.id = $1`, [
        trialId,
      ]);
      if (now === null) throw new NotFoundError('trial');
      const same =
        now.state === state &&
        (valueInput === null || valueInput === undefined || now.value === valueInput) &&
        (state !== TrialState.FAILED ||
          errorInput === null ||
          errorInput === undefined ||
          now.error === error);
      if (same) return trialRecord(now);
      throw this.finished(now, `cannot be told ${state}`);
    }
    return this.told(row, study.budgetUsed >= study.maxTrials);
  }

  /** After a trial finished: tell subscribers, and end the study if that was its last trial. */
  private async told(row: TrialRow, budgetSpent: boolean): Promise<TrialRecord> {
    const record = trialRecord(row);
    opsMetrics.tells.inc({ state: record.state });
    this.publish(record.state as TrialEventType, record);
    if (budgetSpent && (await this.markDoneIfSpent(this.db, record.studyId))) {
      this.logger.info({ studyId: record.studyId }, 'study budget spent: DONE');
    }
    return record;
  }

  private finished(trial: TrialRow, what: string): ConflictError {
    const detail = trial.value === null ? '' : ` with value ${trial.value}`;
    return new ConflictError(`trial #${trial.number} is already ${trial.state}${detail}; it ${what}`);
  }

  // ---- reaper --------------------------------------------------------------------------------

  /**
   * Fails RUNNING trials whose heartbeat is older than their study's timeout and enqueues a
   * WAITING copy for those with retries left. SKIP LOCKED lets every API process run this.
   */
  async reapStale(): Promise<number> {
    const events: Array<[TrialEventType, TrialRecord]> = [];
    const studies = new Set<string>();
    await this.db.tx(async (sql) => {
      const failed = await sql.rows<TrialRow & { retry_failed: number }>(
        `WITH stale AS (
           SELECT t.id FROM trials t JOIN studies s ON s.id = t.study_id
           WHERE t.state = 'RUNNING'
             AND COALESCE(t.heartbeat_at, t.started_at) < now() - make_interval(secs => s.heartbeat_timeout_s)
           LIMIT 500 FOR UPDATE OF t SKIP LOCKED)
         UPDATE trials t SET state = 'FAILED', error = 'stale', finished_at = now()
         FROM stale, studies s WHERE t.id = stale.id AND s.id = t.study_id
         RETURNING ${TRIAL_COLUMNS}, s.retry_failed`,
      );
      for (const trial of failed) {
        events.push(['FAILED', trialRecord(trial)]);
        studies.add(trial.study_id);
        if (trial.retry_failed <= 0) continue;
        const depth = await sql.one<{ n: number }>(
          `WITH RECURSIVE chain AS (
             SELECT id, retry_of FROM trials WHERE id = $1
             UNION ALL SELECT p.id, p.retry_of FROM trials p JOIN chain c ON p.id = c.retry_of)
           SELECT (count(*) - 1)::int AS n FROM chain`,
          [trial.id],
        );
        if ((depth?.n ?? 0) >= trial.retry_failed) continue;
        const alloc = await sql.one<{ first: number }>(
          `UPDATE studies SET next_trial_number = next_trial_number + 1 WHERE id = $1
           RETURNING next_trial_number - 1 AS first`,
          [trial.study_id],
        );
        if (alloc === null) continue;
        const copy = await sql.one<TrialRow>(
          `INSERT INTO trials (study_id, number, state, params, suggestion, retry_of)
           VALUES ($1, $2, 'WAITING', $3, $4, $5) RETURNING ${TRIAL_RETURNING}`,
          [
            trial.study_id,
            alloc.first,
            JSON.stringify(trial.params),
            trial.suggestion && JSON.stringify(trial.suggestion),
            trial.id,
          ],
        );
        if (copy) events.push(['CREATED', trialRecord(copy)]);
      }
    });
    for (const studyId of studies) {
      if (await this.markDoneIfSpent(this.db, studyId))
        this.logger.info({ studyId }, 'study budget spent: DONE');
    }
    for (const [type, trial] of events) this.publish(type, trial);
    if (events.length > 0)
      this.logger.info({ failed: events.filter((e) => e[0] === 'FAILED').length }, 'reaped stale trials');
    const failed = events.filter((e) => e[0] === 'FAILED').length;
    if (failed > 0) opsMetrics.staleTrials.inc(failed);
    return failed;
  }

  // ---- reads ---------------------------------------------------------------------------------

  async list(
    studyId: string,
    options: {
      states: readonly TrialState[] | null;
      first: number | null | undefined;
      after: string | null | undefined;
      sort: TrialSort | null | undefined;
    },
  ): Promise<TrialConnection> {
    const first = pageSize('first', options.first, 100, MAX_TRIALS_PAGE);
    const cursor = decodeCursor('after', options.after);
    const keys = SORT_KEYS[options.sort ?? TrialSort.NUMBER_ASC];
    const states = options.states && options.states.length > 0 ? options.states : null;
    const after = `(${keys.join(', ')}) > (SELECT ${keys.map((k) => k.replaceAll('t.', 'c.')).join(', ')} FROM trials c WHERE c.id = $3)`;
    const rows = await this.db.rows<TrialRow>(
      `SELECT ${TRIAL_COLUMNS} FROM trials t
       WHERE t.study_id = $1 AND ($2::text[] IS NULL OR t.state = ANY($2::text[]))
         AND ($3::uuid IS NULL OR ${after})
       ORDER BY ${keys.join(', ')} LIMIT $4`,
      [studyId, states, cursor, first + 1],
    );
    const total = await this.db.one<{ n: number }>(
      'SELECT count(*)::int AS n FROM trials t WHERE t.study_id = $1 AND ($2::text[] IS NULL OR t.state = ANY($2::text[]))',
      [studyId, states],
    );
    return toConnection(
      TrialConnection,
      TrialEdge,
      rows.slice(0, first).map((row) => toTrial(trialRecord(row))),
      rows.length > first,
      total?.n ?? 0,
    );
  }

  async metrics(trialId: string, name: string | null | undefined): Promise<MetricPoint[]> {
    const rows = await this.db.rows<MetricRow>(
      `SELECT trial_id, name, step, value, time FROM metric_points
       WHERE trial_id = $1 AND ($2::text IS NULL OR name = $2) ORDER BY name, step`,
      [trialId, name ?? null],
    );
    return rows.map(toMetricPoint);
  }

  /**
   * Metrics of many trials at once (the per-request loader's fetch): one query per metric-name
   * filter. Keys are `trialId` or `trialId\u0000name`.
   */
  async metricsMany(keys: readonly string[]): Promise<Map<string, MetricPoint[]>> {
    const byName = new Map<string | null, string[]>();
    for (const key of keys) {
      const [trialId = '', name] = key.split('\u0000');
      const list = byName.get(name ?? null) ?? [];
      list.push(trialId);
      byName.set(name ?? null, list);
    }
    const out = new Map<string, MetricPoint[]>();
    for (const [name, trialIds] of byName) {
      const rows = await this.db.rows<MetricRow>(
        `SELECT trial_id, name, step, value, time FROM metric_points
         WHERE trial_id = ANY($1::uuid[]) AND ($2::text IS NULL OR name = $2) ORDER BY trial_id, name, step`,
        [trialIds, name],
      );
      for (const row of rows) {
        const key = name === null ? row.trial_id : `${row.trial_id}\u0000${name}`;
        const list = out.get(key) ?? [];
        list.push(toMetricPoint(row));
        out.set(key, list);
      }
    }
    return out;
  }

  private publish(type: TrialEventType, trial: TrialRecord): void {
    this.pubsub.publishTrialEvent(trial.studyId, type, trial);
  }
}
