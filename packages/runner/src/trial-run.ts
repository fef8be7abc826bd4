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
import { normalizeObjectiveResult, type ResultShape } from './objective-result.js';
import { describe, formatDelay, logRetries, persist } from './persist.js';
import { LogTail, stackOf, withLogTail, workerEnvironment } from './run-info.js';
import {
  type AttributeValue,
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
  /** How long a metric report rides out an unreachable API before the trial is handed back. */
  readonly apiRetryWindowMs: number;
  readonly apiRetryDelayMs: number;
  /** How long a checkpoint upload is retried before the trial completes without it. */
  readonly checkpointRetryWindowMs: number;
  /** After a hard stop: how long the last tell or hand-back may still try to reach the API. */
  readonly shutdownGraceMs: number;
  /** Read the study's counts after each trial for the host's progress display (one more request). */
  readonly progress: boolean;
  /** Told with each result as what the trial ran on. */
  readonly workerId: string;
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
  const keepTrying = (what: string) => ({
    windowMs: ctx.apiRetryWindowMs,
    initialDelayMs: ctx.apiRetryDelayMs,
    signal: ctx.hardStop,
    onWait: logRetries(log, what),
  });

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

  // Heartbeats fail every period during an outage: say so once, then every 10 s, then when they recover.
  let beatFailingSince: number | undefined;
  let beatLoggedAt = 0;
  const beats = new AbortController();
  let beating: Promise<void> | undefined;
  const beat = async () => {
    try {
      const { shouldStop } = await api.heartbeat(trial.id, { signal: beats.signal });
      if (beatFailingSince !== undefined) {
        log(
          `heartbeat for trial #${trial.number} recovered after ${formatDelay(Date.now() - beatFailingSince)}`,
        );
        beatFailingSince = undefined;
      }
      // The server says stop when the study is DONE/ARCHIVED or the trial is no longer ours (reaped):
      // either way nobody wants these params run again by us.
      if (shouldStop)
        stop(
          new StopCause('stopped: the server asked this trial to stop (study done or trial reaped)', false),
        );
    } catch (error) {
      if (beats.signal.aborted || lostTrial(error)) return;
      const now = Date.now();
      beatFailingSince ??= now;
      if (beatFailingSince === now || now - beatLoggedAt >= 10_000) {
        beatLoggedAt = now;
        const since = now - beatFailingSince;
        log(
          `heartbeat for trial #${trial.number} failed: ${describe(error)}` +
            (since > 0 ? ` (failing for ${formatDelay(since)})` : ''),
        );
      }
    }
  };
  const timer = setInterval(() => {
    beating ??= beat().finally(() => {
      beating = undefined;
    });
  }, ctx.heartbeatMs);

  const shape = resultShape(study);
  // The last finite value reported for each metric: what an objective that returns nothing means.
  const reported = new Map<string, number>();
  let lastStep: number | undefined;
  let checkpointError: string | null = null;
  const handle: TrialHandle = {
    id: trial.id,
    number: trial.number,
    params: trial.params,
    objectives: shape.objectives,
    constraints: shape.constraints,
    signal: controller.signal,
    async report(step: number, metrics: Readonly<Record<string, number>>): Promise<ReportResult> {
      const points = Object.entries(metrics)
        .filter(([, value]) => Number.isFinite(value))
        .map(([name, value]) => ({ name, step, value }));
      const skipped = Object.keys(metrics).filter((name) => !Number.isFinite(metrics[name]));
      if (skipped.length > 0)
        log(`trial #${trial.number} step ${step}: not reporting non-finite ${skipped.join(', ')}`);
      lastStep = step;
      for (const point of points) reported.set(point.name, point.value);
      if (points.length === 0) return { shouldPrune: false };
      try {
        const result = await persist(
          (signal) => api.reportMetrics(trial.id, points, { signal }),
          keepTrying(`metrics of trial #${trial.number} step ${step}`),
        );
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
        // The API stayed unreachable for the whole window: the params are not at fault, so the
        // trial goes back to the queue (once the API answers again) instead of being told FAILED.
        if (isPosteriorError(error) && error.retryable) {
          stop(new StopCause(`interrupted: ${describe(error)}`, true));
          throw controller.signal.reason;
        }
        throw error;
      }
    },
    prune(): never {
      throw new TrialPruned(lastStep);
    },
    async setAttributes(attributes: Readonly<Record<string, AttributeValue | null>>): Promise<void> {
      try {
        await persist(
          (signal) => api.setTrialAttributes(trial.id, attributes, { signal }),
          keepTrying(`attributes of trial #${trial.number}`),
        );
      } catch (error) {
        if (lostTrial(error)) throw controller.signal.reason;
        throw error;
      }
    },
    async saveCheckpoint(file: CheckpointFile): Promise<void> {
      try {
        await persist((signal) => api.uploadArtifact(trial.id, file, { signal }), {
          ...keepTrying(`checkpoint upload of trial #${trial.number}`),
          windowMs: ctx.checkpointRetryWindowMs,
        });
        checkpointError = null;
      } catch (error) {
        if (lostTrial(error)) throw controller.signal.reason;
        if (controller.signal.aborted) throw controller.signal.reason;
        // A checkpoint is a by-product: the objective's value is the trial's result and has cost
        // the training already. Keep it; the trial completes with the checkpoint reported missing.
        checkpointError = describe(error);
        log(`trial #${trial.number}: checkpoint not saved (${checkpointError}); the trial's result is kept`);
      }
    },
  };

  let tell: TellInput;
  let handBack = false;
  // The objective's output (stdout, stderr), its last lines told with a FAILED result.
  const output = new LogTail();
  try {
    // A trial claimed with the last tell, just before a hard stop: hand it back without running it.
    if (controller.signal.aborted) throw controller.signal.reason;
    const returned: unknown = await withLogTail(output, () => ctx.objective(handle));
    const result = normalizeObjectiveResult(returned, shape, reported);
    // `values` only for a multi-objective study and `constraints` only for a constrained one: a
    // single-objective tell stays what older servers understand.
    tell = result.ok
      ? {
          state: 'COMPLETE',
          value: result.values[0] ?? null,
          ...(result.values.length >= 2 ? { values: result.values } : {}),
          ...(result.constraints === null ? {} : { constraints: result.constraints }),
        }
      : { state: 'FAILED', error: result.error };
  } catch (error) {
    const cause: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
    if (error instanceof TrialPruned) {
      // The first objective's last report, as the pruner compares it; a multi-objective study's
      // pruned trial carries no values (its intermediate points are in its metrics).
      tell = {
        state: 'PRUNED',
        value: shape.objectives.length === 1 ? (reported.get(shape.objectives[0] as string) ?? null) : null,
      };
    } else if (cause instanceof StopCause) {
      tell = { state: 'FAILED', error: cause.message };
      handBack = cause.handBack;
    } else {
      tell = { state: 'FAILED', error: describe(error), logTail: output.text(stackOf(error)) };
    }
  } finally {
    clearInterval(timer);
    ctx.hardStop.removeEventListener('abort', onHardStop);
    beats.abort();
    await beating;
  }

  if (tell.state === 'FAILED' && tell.logTail === undefined) tell = { ...tell, logTail: output.text() };
  tell = { ...tell, environment: workerEnvironment(ctx.workerId) };
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
    values: told.state === 'COMPLETE' && tell.state === 'COMPLETE' ? (tell.values ?? null) : null,
    error: told.error,
    checkpointError,
    progress,
  });
  return { outcome: { trialId: trial.id, number: trial.number, ...told, handedBack, checkpointError }, next };
}

/**
 * The names an objective's result is checked against: the study's objectives and constraints, in
 * study order (a single-objective study: its `objective`).
 */
export function resultShape(study: {
  readonly objective: string;
  readonly objectives?: readonly { readonly name: string }[] | null;
  readonly constraints?: readonly { readonly name: string }[] | null;
}): ResultShape {
  const objectives = study.objectives?.map((o) => o.name) ?? [];
  return {
    objectives: objectives.length > 0 ? objectives : [study.objective],
    constraints: study.constraints?.map((c) => c.name) ?? [],
  };
}

type Told = Pick<TrialOutcome, 'state' | 'value' | 'error'>;

/** What `untilApiReturns` throws when a hard stop's last try could not reach the API either. */
const unreachableOnShutdown = (error: unknown): boolean =>
  isPosteriorError(error) && (error.retryable || error.code === 'ABORTED');

/**
 * A call that must land (a result, a hand-back): retried until the API answers again, however
 * long that takes, logging each attempt. A hard stop cuts the wait short: then the call gets one
 * last bounded try (`shutdownGraceMs`, which may reach another replica) and its error surfaces.
 */
async function untilApiReturns<T>(
  ctx: TrialRunContext,
  what: string,
  call: (signal: AbortSignal | undefined) => Promise<T>,
): Promise<T> {
  const onWait = logRetries(
    (message) => ctx.emit({ type: 'log', slot: ctx.slot, level: 'warn', message }),
    what,
  );
  if (!ctx.hardStop.aborted) {
    try {
      return await persist(call, {
        windowMs: Number.POSITIVE_INFINITY,
        initialDelayMs: ctx.apiRetryDelayMs,
        signal: ctx.hardStop,
        onWait,
      });
    } catch (error) {
      if (!ctx.hardStop.aborted) throw error;
    }
  }
  // The last bounded try: on timeout, what surfaces is why the API could not be reached.
  let lastFailure: PosteriorError | undefined;
  try {
    return await persist(call, {
      windowMs: ctx.shutdownGraceMs,
      initialDelayMs: Math.min(ctx.apiRetryDelayMs, 250),
      signal: AbortSignal.timeout(ctx.shutdownGraceMs),
      onWait: (error, attempt, delayMs) => {
        lastFailure = error;
        onWait?.(error, attempt, delayMs);
      },
    });
  } catch (error) {
    if (isPosteriorError(error, 'ABORTED') && lastFailure !== undefined) throw lastFailure;
    throw error;
  }
}

/**
 * A stop cut off an ask whose claim may have landed (a plain ask, or the ask riding in a tell's
 * request): nobody would hold that trial until the stale reaper fails it. Asking again with the
 * same key returns what it claimed (or claims afresh), and whatever comes back is handed back at
 * once, each call bounded by the shutdown grace.
 */
export async function handBackAsk(
  ctx: Pick<TrialRunContext, 'api' | 'emit' | 'slot' | 'shutdownGraceMs'>,
  ask: AskInput,
): Promise<void> {
  const grace = () => AbortSignal.timeout(ctx.shutdownGraceMs);
  try {
    const held = await ctx.api.askTrials(ask.studyId, ask.count ?? 1, ask.workerId, {
      signal: grace(),
      ...(ask.requestKey === undefined ? {} : { requestKey: ask.requestKey }),
    });
    for (const t of held) await ctx.api.releaseTrial(t.id, { signal: grace() });
  } catch (error) {
    ctx.emit({
      type: 'log',
      slot: ctx.slot,
      level: 'warn',
      message: `an interrupted ask may hold a trial (${describe(error)}); the stale reaper will fail it`,
    });
  }
}

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
  const asTold = (result: Trial | null): Told =>
    result !== null && isTerminal(result.state)
      ? { state: result.state, value: result.value, error: result.error }
      : { state: tell.state, value: tell.value ?? null, error: tell.error ?? null };
  const what = `telling trial #${trial.number} ${tell.state}`;
  try {
    const tellAndAsk = ctx.api.tellAndAsk?.bind(ctx.api);
    if (ask !== null && tellAndAsk && !ctx.hardStop.aborted) {
      try {
        const result = await untilApiReturns(ctx, what, (signal) =>
          tellAndAsk(trial.id, tell, ask, { signal }),
        );
        return { told: asTold(result.told), applied: true, next: result.asked };
      } catch (error) {
        // A hard stop cut the request off (and its last try failed): its ask may have claimed a
        // trial nobody will run. The tell's own failure is handled below.
        if (ctx.hardStop.aborted && ask.requestKey !== undefined) await handBackAsk(ctx, ask);
        throw error;
      }
    }
    const result = await untilApiReturns(ctx, what, (signal) =>
      ctx.api.tellTrial(trial.id, tell, { signal }),
    );
    return { told: asTold(result), applied: true, next: null };
  } catch (error) {
    if (unreachableOnShutdown(error)) {
      // The tell waits for the API except on a hard stop, whose last short try failed too.
      ctx.emit({
        type: 'log',
        slot: ctx.slot,
        level: 'warn',
        message: `trial #${trial.number}: ${tell.state} not told (${describe(error)}); the stale reaper will fail it`,
      });
      return {
        told: { state: 'FAILED', value: null, error: `not told: ${describe(error)}` },
        applied: false,
        next: null,
      };
    }
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
  const current = await untilApiReturns(ctx, `reading trial #${trial.number} back`, (signal) =>
    ctx.api.trial(trial.id, { signal }),
  );
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
 * is idempotent, so a retry after a lost answer is safe, and it waits for an unreachable API to
 * return (a hard stop allows one short last try). CONFLICT means the trial finished anyway (told
 * before a hard stop landed, or reaped): read back what the server holds.
 */
async function releaseOnce(
  ctx: TrialRunContext,
  trial: Trial,
): Promise<{ told: Told; applied: boolean; next: null }> {
  try {
    await untilApiReturns(ctx, `handing back trial #${trial.number}`, (signal) =>
      ctx.api.releaseTrial(trial.id, { signal }),
    );
    // What the server set on the released trial (the answer is its WAITING copy).
    return { told: { state: 'FAILED', value: null, error: 'interrupted' }, applied: true, next: null };
  } catch (error) {
    if (unreachableOnShutdown(error)) {
      ctx.emit({
        type: 'log',
        slot: ctx.slot,
        level: 'warn',
        message: `trial #${trial.number} not handed back (${describe(error)}); the stale reaper will fail it`,
      });
      return {
        told: { state: 'FAILED', value: null, error: `interrupted; not handed back: ${describe(error)}` },
        applied: false,
        next: null,
      };
    }
    return {
      told: await finishedOnServer(ctx, trial, error, '; not handed back'),
      applied: false,
      next: null,
    };
  }
}

export async function studyProgress(
  ctx: Pick<TrialRunContext, 'api' | 'study' | 'hardStop'>,
): Promise<StudyProgress | null> {
  try {
    const study = await ctx.api.study(ctx.study.id, { signal: ctx.hardStop });
    return study ? progressOf(study) : null;
  } catch {
    return null; // progress is cosmetic; never fail a trial over it
  }
}

/**
 * Budget trials done: finished trials, less those a retry copy stands in for (each copy replaces
 * one FAILED trial, so a chain of retries counts once, when its last trial finishes).
 */
export function progressOf(study: Study): StudyProgress {
  const c = study.trialCounts;
  const retries = c.retries;
  return {
    done: Math.max(0, c.COMPLETE + c.PRUNED + c.FAILED - retries),
    total: study.maxTrials,
    best: study.bestTrial?.value ?? null,
    front: study.isMultiObjective ? study.paretoFront.length : null,
    retries,
  };
}

export { describe };
