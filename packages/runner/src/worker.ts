import { hostname } from 'node:os';
import { isPosteriorError, newRequestKey, PosteriorError, type Study, sleep } from '@posterior/sdk';
import type { EventListener, StopReason, StudySummary, TrialOutcome, WorkerSummary } from './events.js';
import { logRetries, persist } from './persist.js';
import type { Objective } from './trial-handle.js';
import { handBackAsk, type PrefetchedClaim, progressOf, runTrial } from './trial-run.js';
import type { WorkerApi } from './worker-api.js';

export interface WorkerOptions {
  readonly api: WorkerApi;
  readonly studyId: string;
  readonly objective: Objective;
  readonly workerId?: string;
  /** Index of this worker among a pool's processes, carried on every event. */
  readonly slot?: number;
  readonly onEvent?: EventListener;
  /** Aborted: finish the trial in flight, then stop. */
  readonly drain?: AbortSignal;
  /** Aborted: interrupt the trial in flight, tell it FAILED and hand its params back, then stop. */
  readonly hardStop?: AbortSignal;
  /** Stop after this many trials (tests, `--max-trials`). */
  readonly maxTrials?: number;
  /** How often to ask again while the study is running but has nothing to hand out. */
  readonly pollMs?: number;
  /** Overrides the heartbeat period derived from the study's `heartbeatTimeoutS`. */
  readonly heartbeatMs?: number;
  /**
   * How long to ride out an unreachable API (default 10 min) before giving up: on asking (the
   * worker then fails) and on a running trial's metric reports (the trial is handed back once the
   * API answers again). Results and hand-backs wait for the API however long it takes.
   */
  readonly apiRetryWindowMs?: number;
  /** First wait after a failed call to an unreachable API. */
  readonly apiRetryDelayMs?: number;
  /** How long a checkpoint upload is retried before the trial completes without it (default 60 s). */
  readonly checkpointRetryWindowMs?: number;
  /** After a hard stop, how long the last tell or hand-back may still try (default 3 s). */
  readonly shutdownGraceMs?: number;
  /**
   * Carry the study's progress (trials done, best value) on each `trial-finished` event, at the
   * cost of one study query per trial. Default true; hosts that show no progress turn it off.
   */
  readonly progress?: boolean;
}

export function defaultWorkerId(slot = 0): string {
  return `${hostname()}-${process.pid}${slot > 0 ? `-${slot}` : ''}`;
}

export function summarize(study: Study): StudySummary {
  return {
    id: study.id,
    name: study.name,
    objective: study.objective,
    direction: study.direction,
    objectives: study.objectives.map((o) => o.name),
    maxTrials: study.maxTrials,
  };
}

/** A third of the stale timeout leaves room for two lost heartbeats before the reaper acts. */
export function heartbeatPeriodMs(heartbeatTimeoutS: number): number {
  return Math.max(200, Math.min(15_000, (heartbeatTimeoutS * 1000) / 3));
}

const never = new AbortController().signal;

/**
 * The worker loop of one process: ask, train, stream metrics, heartbeat, tell; until the study is
 * done or paused, or the host asks it to stop.
 */
export async function runWorker(options: WorkerOptions): Promise<WorkerSummary> {
  const { api, studyId } = options;
  const slot = options.slot ?? 0;
  const workerId = options.workerId ?? defaultWorkerId(slot);
  const emit: EventListener = options.onEvent ?? (() => {});
  const drain = options.drain ?? never;
  const hardStop = options.hardStop ?? never;
  const stopping = AbortSignal.any([drain, hardStop]);
  const apiRetryWindowMs = options.apiRetryWindowMs ?? 10 * 60_000;
  const apiRetryDelayMs = options.apiRetryDelayMs ?? 500;
  const log = (message: string) => emit({ type: 'log', slot, level: 'warn', message });
  const keepTrying = (what: string) => ({
    windowMs: apiRetryWindowMs,
    initialDelayMs: apiRetryDelayMs,
    signal: stopping,
    onWait: logRetries(log, what),
  });

  const study = await persist((signal) => api.study(studyId, { signal }), keepTrying('reading the study'));
  if (!study) throw new PosteriorError('NOT_FOUND', `study ${studyId} not found`);
  emit({ type: 'started', slot, workerId, study: summarize(study) });

  const trials: TrialOutcome[] = [];
  const finish = (reason: StopReason): WorkerSummary => {
    emit({ type: 'stopped', slot, reason });
    return { workerId, reason, trials };
  };
  const ctx = {
    api,
    study,
    objective: options.objective,
    slot,
    emit,
    hardStop,
    heartbeatMs: options.heartbeatMs ?? heartbeatPeriodMs(study.heartbeatTimeoutS),
    apiRetryWindowMs,
    apiRetryDelayMs,
    checkpointRetryWindowMs: options.checkpointRetryWindowMs ?? 60_000,
    shutdownGraceMs: options.shutdownGraceMs ?? 3_000,
    progress: options.progress ?? true,
    workerId,
  };

  // The next ask rides in the request of the tell before it (one request per trial, not two), as
  // long as this worker will run another trial.
  const nextAsk = () =>
    stopping.aborted || (options.maxTrials !== undefined && trials.length + 1 >= options.maxTrials)
      ? null
      : { studyId, count: 1, workerId, requestKey: newRequestKey() };
  let prefetched: PrefetchedClaim | null = null;
  for (;;) {
    let claimed: Awaited<ReturnType<WorkerApi['askTrials']>>;
    if (prefetched !== null && 'trials' in prefetched) {
      // Claimed already, so ours to finish whatever happened since (a hard stop hands it back).
      claimed = prefetched.trials;
      prefetched = null;
    } else {
      const askError = prefetched?.error;
      prefetched = null;
      if (stopping.aborted) return finish('interrupted');
      if (options.maxTrials !== undefined && trials.length >= options.maxTrials) return finish('trial-limit');
      // One key for every attempt of this ask: an attempt whose answer was lost hands its trial
      // to the next instead of leaving it claimed by nobody.
      const requestKey = newRequestKey();
      try {
        // A refused ask (CONFLICT) that came with the last tell is as good as asking again.
        if (isPosteriorError(askError, 'CONFLICT')) throw askError;
        claimed = await persist(
          (signal) => api.askTrials(studyId, 1, workerId, { signal, requestKey }),
          keepTrying('asking for a trial'),
        );
      } catch (error) {
        if (stopping.aborted) {
          if (!isPosteriorError(askError, 'CONFLICT'))
            await handBackAsk(ctx, { studyId, count: 1, workerId, requestKey });
          return finish('interrupted');
        }
        // A study that is not RUNNING refuses to hand out trials; find out which state it is in.
        if (!isPosteriorError(error, 'CONFLICT')) throw error;
        claimed = [];
      }
    }
    const trial = claimed[0];
    if (trial) {
      emit({ type: 'trial-started', slot, trialId: trial.id, number: trial.number, params: trial.params });
      const { outcome, next } = await runTrial(ctx, trial, nextAsk);
      trials.push(outcome);
      prefetched = next;
      continue;
    }
    const current = await persist(
      (signal) => api.study(studyId, { signal }),
      keepTrying('reading the study'),
    ).catch((error: unknown) => {
      if (stopping.aborted) return undefined;
      throw error;
    });
    if (current === undefined) return finish('interrupted');
    if (!current) throw new PosteriorError('NOT_FOUND', `study ${studyId} not found`);
    if (current.state === 'DONE') return finish('study-done');
    if (current.state === 'PAUSED') return finish('study-paused');
    if (current.state === 'ARCHIVED') return finish('study-archived');
    const c = current.trialCounts;
    const finished = c.COMPLETE + c.PRUNED + c.FAILED;
    if (current.maxTrials !== null && finished >= current.maxTrials && c.WAITING === 0 && c.RUNNING === 0) {
      return finish('study-done');
    }
    // Other workers hold the last trials; one of them may fail and be retried, so wait and ask again.
    emit({ type: 'idle', slot, progress: progressOf(current) });
    try {
      await sleep(options.pollMs ?? 2_000, stopping);
    } catch {
      return finish('interrupted');
    }
  }
}
