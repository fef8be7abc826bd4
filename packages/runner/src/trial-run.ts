import {
  type AskInput,
  isPosteriorError,
  isTerminal,
  type PosteriorError,
  type Study,
  type TellInput,
  type Trial,
} from '@posterior/sdk';
import type { EventListener, StudyProgress, TrialOutcome } from './events.js';
import { persist } from './persist.js';
import {
  type CheckpointFile,
  type Objective,
  type ReportResult,
  type TrialHandle,
  TrialPruned,
} from './trial-handle.js';
import type { WorkerApi } from './worker-api.js';

export interface TrialRunContext {
  readonly api: WorkerApi;
  readonly study: Study;
  readonly objective: Objective;
  readonly slot: number;
  readonly emit: EventListener;
  /** Aborted on a hard stop: the trial is interrupted and handed back. */
  readonly hardStop: AbortSignal;
  readonly heartbeatMs: number;
  readonly apiRetryWindowMs: number;
  readonly apiRetryDelayMs: number;
  /** Read the study's counts after each trial for the host's progress display (one more request). */
  readonly progress: boolean;
}

/** Why the trial's own signal fired; decides between FAILED-and-handed-back and plain FAILED. */
class StopCause extends Error {
  constructor(
    message: string,
    readonly handBack: boolean,
  ) {
    super(message);
  }
}

/** The next claim made in the same request as a trial's tell: the trials, or why the ask failed. */
export type PrefetchedClaim = { readonly trials: readonly Trial[] } | { readonly error: PosteriorError };

export interface TrialRunResult {
  readonly outcome: TrialOutcome;
  /** Set when the tell also asked for the next trial (`nextAsk` answered an ask and it was sent). */
  readonly next: PrefetchedClaim | null;
}

/**
 * Runs one claimed trial to a terminal state: heartbeat, objective, metrics, tell. `nextAsk`,
 * called when the result is ready, says whether to claim the next trial in the tell's request.
 */
export async function runTrial(
  ctx: TrialRunContext,
  trial: Trial,
  nextAsk: () => AskInput | null = () => null,
): Promise<TrialRunResult> {
  const { api, study, slot, emit } = ctx;
  const controller = new AbortController();
  const stop = (cause: StopCause) => {
    if (!controller.signal.aborted) controller.abort(cause);
  };
  const onHardStop = () => stop(new StopCause('interrupted: the worker was stopped', true));
  if (ctx.hardStop.aborted) onHardStop();
  else ctx.hardStop.addEventListener('abort', onHardStop, { once: true });

  const log = (message: string) => emit({ type: 'log', slot, level: 'warn', message });
  const keepTrying = {
    windowMs: ctx.apiRetryWindowMs,
    initialDelayMs: ctx.apiRetryDelayMs,
    signal: ctx.hardStop,
  };

  // A trial that the server no longer considers ours (reaped as stale, finished elsewhere) must stop.
  const lostTrial = (error: unknown): boolean => {
    if (isPosteriorError(error, 'CONFLICT') || isPosteriorError(error, 'NOT_FOUND')) {
      stop(
        new StopCause(`trial #${trial.number} is no longer running on the server: ${error.message}`, false),
      );
      return true;
    }
    return false;
  };

  let beating: Promise<void> | undefined;
  const beat = async () => {
    try {
      const { shouldStop } = await api.heartbeat(trial.id);
      // The server says stop when the study is DONE/ARCHIVED or the trial is no longer ours (reaped):
      // either way nobody wants these params run again by us.
      if (shouldStop)
        stop(
          new StopCause('stopped: the server asked this trial to stop (study done or trial reaped)', false),
        );
    } catch (error) {
      if (!lostTrial(error)) log(`heartbeat for trial #${trial.number} failed: ${describe(error)}`);
    }
  };
  const timer = setInterval(() => {
    beating ??= beat().finally(() => {
      beating = undefined;
    });
  }, ctx.heartbeatMs);

  let lastObjective: number | undefined;
  let lastStep: number | undefined;
  const handle: TrialHandle = {
    id: trial.id,
    number: trial.number,
    params: trial.params,
    signal: controller.signal,
    async report(step: number, metrics: Readonly<Record<string, number>>): Promise<ReportResult> {
      const points = Object.entries(metrics)
        .filter(([, value]) => Number.isFinite(value))
        .map(([name, value]) => ({ name, step, value }));
      const skipped = Object.keys(metrics).filter((name) => !Number.isFinite(metrics[name]));
      if (skipped.length > 0)
        log(`trial #${trial.number} step ${step}: not reporting non-finite ${skipped.join(', ')}`);
      lastStep = step;
      const objectiveValue = metrics[study.objective];
      if (objectiveValue !== undefined && Number.isFinite(objectiveValue)) lastObjective = objectiveValue;
      if (points.length === 0) return { shouldPrune: false };
      try {
        const result = await persist(() => api.reportMetrics(trial.id, points), keepTrying);
        emit({
          type: 'metrics',
          slot,
          trialId: trial.id,
          number: trial.number,
          step,
          metrics,
          shouldPrune: result.shouldPrune,
        });
        return { shouldPrune: result.shouldPrune };
      } catch (error) {
        if (lostTrial(error)) throw controller.signal.reason;
        throw error;
      }
    },
    prune(): never {
      throw new TrialPruned(lastStep);
    },
    async saveCheckpoint(file: CheckpointFile): Promise<void> {
      await persist(() => api.uploadArtifact(trial.id, file), keepTrying);
    },
  };

  let tell: TellInput;
  let handBack = false;
  try {
    // A trial claimed with the last tell, just before a hard stop: hand it back without running it.
    if (controller.signal.aborted) throw controller.signal.reason;
    const returned: unknown = await ctx.objective(handle);
    const value = returned ?? lastObjective;
    if (typeof value !== 'number' && value !== undefined) {
      tell = { state: 'FAILED', error: `the objective returned a ${typeof value}, expected a number` };
    } else if (value === undefined) {
      tell = {
        state: 'FAILED',
        error: `the objective returned no value and never reported the metric ${study.objective}`,
      };
    } else if (!Number.isFinite(value)) {
      tell = { state: 'FAILED', error: `the objective value is not finite (${value})` };
    } else {
      tell = { state: 'COMPLETE', value };
    }
  } catch (error) {
    const cause: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
    if (error instanceof TrialPruned) {
      tell = { state: 'PRUNED', value: lastObjective ?? null };
    } else if (cause instanceof StopCause) {
      tell = { state: 'FAILED', error: cause.message };
      handBack = cause.handBack;
    } else {
      tell = { state: 'FAILED', error: describe(error) };
    }
  } finally {
    clearInterval(timer);
    ctx.hardStop.removeEventListener('abort', onHardStop);
    await beating;
  }

  const { told, applied, next } = handBack
    ? await releaseOnce(ctx, trial)
    : await tellOnce(ctx, trial, tell, nextAsk());
  const handedBack = handBack && applied;
  const progress = ctx.progress ? await studyProgress(ctx) : null;
  emit({
    type: 'trial-finished',
    slot,
    trialId: trial.id,
    number: trial.number,
    state: told.state,
    value: told.value,
    error: told.error,
    progress,
  });
  return { outcome: { trialId: trial.id, number: trial.number, ...told, handedBack }, next };
}

type Told = Pick<TrialOutcome, 'state' | 'value' | 'error'>;

/**
 * Tells the result exactly once in effect. If a retried tell meets CONFLICT, an earlier attempt
 * (whose answer was lost in an API restart) or the stale reaper already finished the trial: read
 * back what the server holds instead of telling twice.
 *
 * With `ask` (and an API that has `tellAndAsk`), the next claim rides in the tell's request. A
 * refused tell stops that request before its ask, so nothing is claimed and `next` is null (the
 * worker then asks on its own); an ask refused after the tell landed comes back in `next`.
 */
async function tellOnce(
  ctx: TrialRunContext,
  trial: Trial,
  tell: TellInput,
  ask: AskInput | null,
): Promise<{ told: Told; applied: boolean; next: PrefetchedClaim | null }> {
  const keepTrying = { windowMs: ctx.apiRetryWindowMs, initialDelayMs: ctx.apiRetryDelayMs };
  const asTold = (result: Trial | null): Told =>
    result !== null && isTerminal(result.state)
      ? { state: result.state, value: result.value, error: result.error }
      : { state: tell.state, value: tell.value ?? null, error: tell.error ?? null };
  try {
    const tellAndAsk = ctx.api.tellAndAsk?.bind(ctx.api);
    if (ask !== null && tellAndAsk) {
      const result = await persist(() => tellAndAsk(trial.id, tell, ask), keepTrying);
      return { told: asTold(result.told), applied: true, next: result.asked };
    }
    const result = await persist(() => ctx.api.tellTrial(trial.id, tell), keepTrying);
    return { told: asTold(result), applied: true, next: null };
  } catch (error) {
    const current = await finishedOnServer(ctx, trial, error, '');
    // Our earlier attempt may have been the one that landed; only an identical state proves it.
    const applied = current.state === tell.state && (current.error ?? null) === (tell.error ?? null);
    return { told: current, applied, next: null };
  }
}

/**
 * After a CONFLICT on a tell or a release: the trial finished without this call (told by an
 * earlier attempt whose answer was lost, or reaped). Reads back and warns what the server holds;
 * any other error, or a trial somehow not finished, is rethrown.
 */
async function finishedOnServer(
  ctx: TrialRunContext,
  trial: Trial,
  error: unknown,
  note: string,
): Promise<Told> {
  if (!isPosteriorError(error, 'CONFLICT')) throw error;
  const keepTrying = { windowMs: ctx.apiRetryWindowMs, initialDelayMs: ctx.apiRetryDelayMs };
  const current = await persist(() => ctx.api.trial(trial.id), keepTrying);
  if (!current || !isTerminal(current.state)) throw error;
  ctx.emit({
    type: 'log',
    slot: ctx.slot,
    level: 'warn',
    message: `trial #${trial.number} was already ${current.state} on the server (${current.error ?? 'told before'})${note}`,
  });
  return { state: current.state, value: current.value, error: current.error };
}

/**
 * An interrupted trial is not the params' fault: hand it back with releaseTrial, which fails it
 * ('interrupted') and queues a WAITING copy with its params in one transaction, without using
 * budget (a tell then an enqueue would spend a trial, and fail once the budget is spent). The call
 * is idempotent, so a retry after a lost answer is safe. CONFLICT means the trial finished anyway
 * (told before a hard stop landed, or reaped): read back what the server holds.
 */
async function releaseOnce(
  ctx: TrialRunContext,
  trial: Trial,
): Promise<{ told: Told; applied: boolean; next: null }> {
  const keepTrying = { windowMs: ctx.apiRetryWindowMs, initialDelayMs: ctx.apiRetryDelayMs };
  try {
    await persist(() => ctx.api.releaseTrial(trial.id), keepTrying);
    // What the server set on the released trial (the answer is its WAITING copy).
    return { told: { state: 'FAILED', value: null, error: 'interrupted' }, applied: true, next: null };
  } catch (error) {
    return {
      told: await finishedOnServer(ctx, trial, error, '; not handed back'),
      applied: false,
      next: null,
    };
  }
}

export async function studyProgress(
  ctx: Pick<TrialRunContext, 'api' | 'study'>,
): Promise<StudyProgress | null> {
  try {
    const study = await ctx.api.study(ctx.study.id);
    return study ? progressOf(study) : null;
  } catch {
    return null; // progress is cosmetic; never fail a trial over it
  }
}

export function progressOf(study: Study): StudyProgress {
  const c = study.trialCounts;
  return {
    done: c.COMPLETE + c.PRUNED + c.FAILED,
    total: study.maxTrials,
    best: study.bestTrial?.value ?? null,
  };
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
