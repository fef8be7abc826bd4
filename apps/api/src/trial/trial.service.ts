import type { Caller } from '../authz/caller.js';
import type { AttributeValue } from '../common/annotations.js';
import type { Db } from '../common/db.js';
import { BadUserInputError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { TrialRecord } from '../common/trial-record.js';
import { Role, type TrialState } from '../db/index.js';
import type { MetricPointInput } from '../graphql/inputs.js';
import type { MetricPoint, ReportResult, TrialConnection } from '../graphql/types.js';
import { pruneEventLog } from '../pubsub/event-log.js';
import type { ApiPubSub } from '../pubsub/pubsub.js';
import type { Suggester } from '../suggest/suggester.js';
import { setTrialAttributes, setTrialNote, setTrialTags } from './annotate.js';
import { TrialAsker } from './ask.js';
import { enqueueTrial } from './enqueue.js';
import { heartbeat } from './heartbeat.js';
import { reportMetrics } from './metric-report.js';
import { ReaperClock, reapStaleTrials } from './reaper.js';
import { releaseTrial } from './release.js';
import { type TellOutcomes, type TellRunInfo, TrialTeller } from './tell.js';
import { loadTrialAccess, type TrialAccess } from './trial-access.js';
import type { TrialDeps } from './trial-deps.js';
import {
  listTrials,
  type TrialListOptions,
  trialById,
  trialMetrics,
  trialMetricsMany,
} from './trial-reads.js';
import { trialRecord } from './trial-row.js';

/** Distinct metric names one reportMetrics call may carry. */
export const MAX_METRIC_NAMES_PER_CALL = 100;

export { MAX_ASK } from './ask.js';
export { MAX_POINTS_PER_REPORT } from './metric-report.js';
export { MAX_TRIALS_PAGE } from './trial-reads.js';

/**
 * The trial lifecycle of docs/DESIGN.md section 4, one module per operation (ask, tell, metric-report,
 * heartbeat, enqueue, reaper, trial-reads). Every state change is one guarded statement (the
 * WHERE clause states what must still be true), so concurrent workers, reapers and API processes
 * can race freely: the loser's statement matches nothing and it answers from the row as it is.
 */
export class TrialService {
  private readonly deps: TrialDeps;
  private readonly asker: TrialAsker;
  private readonly teller: TrialTeller;

  constructor(db: Db, suggester: Suggester, pubsub: ApiPubSub, logger: Logger) {
    this.deps = { db, suggester, pubsub, logger };
    this.asker = new TrialAsker(this.deps);
    this.teller = new TrialTeller(this.deps);
  }

  access(caller: Caller | null, trialId: string, min: Role): Promise<TrialAccess> {
    return loadTrialAccess(this.deps.db, caller, trialId, min);
  }

  async get(caller: Caller | null, trialId: string): Promise<TrialRecord> {
    return trialRecord((await this.access(caller, trialId, Role.VIEWER)).trial);
  }

  byId(trialId: string): Promise<TrialRecord | null> {
    return trialById(this.deps.db, trialId);
  }

  ask(
    caller: Caller | null,
    studyId: string,
    count: number | null | undefined,
    workerId: string | null | undefined,
    requestKey: string | null | undefined = null,
  ): Promise<TrialRecord[]> {
    return this.asker.ask(caller, studyId, count, workerId, requestKey);
  }

  tell(
    caller: Caller | null,
    trialId: string,
    state: TrialState,
    value: number | null | undefined,
    error: string | null | undefined,
    outcomes: TellOutcomes = {},
    runInfo: TellRunInfo = {},
  ): Promise<TrialRecord> {
    return this.teller.tell(caller, trialId, state, value, error, outcomes, runInfo);
  }

  enqueue(caller: Caller | null, studyId: string, params: unknown): Promise<TrialRecord> {
    return enqueueTrial(this.deps, caller, studyId, params);
  }

  release(caller: Caller | null, trialId: string): Promise<TrialRecord> {
    return releaseTrial(this.deps, caller, trialId);
  }

  setNote(caller: Caller | null, trialId: string, note: string | null): Promise<TrialRecord> {
    return setTrialNote(this.deps, caller, trialId, note);
  }

  setTags(caller: Caller | null, trialId: string, tags: readonly string[]): Promise<TrialRecord> {
    return setTrialTags(this.deps, caller, trialId, tags);
  }

  setAttributes(
    caller: Caller | null,
    trialId: string,
    changes: ReadonlyArray<{ key: string; value?: AttributeValue | null }>,
    replace: boolean,
  ): Promise<TrialRecord> {
    return setTrialAttributes(this.deps, caller, trialId, changes, replace);
  }

  heartbeat(caller: Caller | null, trialId: string): Promise<boolean> {
    return heartbeat(this.deps, caller, trialId);
  }

  report(caller: Caller | null, trialId: string, points: readonly MetricPointInput[]): Promise<ReportResult> {
    // Each distinct name is a curve every reader of the study loads: bounded per call (issue 12).
    if (points.length > MAX_METRIC_NAMES_PER_CALL) {
      const names = new Set(points.map((p) => p.name));
      if (names.size > MAX_METRIC_NAMES_PER_CALL)
        return Promise.reject(
          new BadUserInputError(
            'points',
            `at most ${MAX_METRIC_NAMES_PER_CALL} distinct metric names per call (got ${names.size})`,
          ),
        );
    }
    return reportMetrics(this.deps, caller, trialId, points);
  }

  /** This process's record of its reach to the database, which the reaper's outage grace uses. */
  readonly reaperClock = new ReaperClock();

  private lastPrune = 0;

  /** Reaps stale trials; about once a minute also prunes the event log past its retention. */
  async reapStale(): Promise<number> {
    const failed = await reapStaleTrials(this.deps, this.reaperClock);
    if (Date.now() - this.lastPrune > 60_000) {
      this.lastPrune = Date.now();
      await pruneEventLog(this.deps.db).catch((error: unknown) =>
        this.deps.logger.warn({ err: error }, 'event log pruning failed'),
      );
    }
    return failed;
  }

  list(studyId: string, options: TrialListOptions): Promise<TrialConnection> {
    return listTrials(this.deps.db, studyId, options);
  }

  metrics(trialId: string, name: string | null | undefined): Promise<MetricPoint[]> {
    return trialMetrics(this.deps.db, trialId, name);
  }

  metricsMany(keys: readonly string[]): Promise<Map<string, MetricPoint[]>> {
    return trialMetricsMany(this.deps.db, keys);
  }
}
