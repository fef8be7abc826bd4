import {
  BUILT_IN_TASKS,
  createWorkerClient,
  loadObjective,
  ObjectiveLoadError,
  type ObjectiveSpec,
  runWorker,
  runWorkerPool,
  type TrialOutcome,
  taskProblem,
  type WorkerSummary,
} from '@posterior/runner';
import type { Command } from 'commander';
import { parsePositiveInt, resolveConnection, withConnection } from '../connection.js';
import { readEnv } from '../env.js';
import { UsageError } from '../errors.js';
import { printJson } from '../output.js';
import { WorkerProgress } from '../progress.js';

interface WorkerCommandOptions {
  study: string;
  task?: string;
  objective?: string;
  concurrency: number;
  maxTrials?: number;
  workerId?: string;
  apiRetryWindow?: number;
  checkpointRetryWindow?: number;
  api?: string;
  token?: string;
  json?: boolean;
  quiet?: boolean;
}

function objectiveSpec(options: WorkerCommandOptions): ObjectiveSpec {
  if (options.task !== undefined && options.objective !== undefined) {
    throw new UsageError('pass either --task or --objective, not both');
  }
  if (options.objective !== undefined) return { kind: 'module', path: options.objective };
  const name = options.task ?? 'transfer-learning';
  if (!BUILT_IN_TASKS[name])
    throw new UsageError(`unknown task ${name} (known: ${Object.keys(BUILT_IN_TASKS).join(', ')})`);
  return { kind: 'task', name, dataDir: readEnv().dataDir };
}

/**
 * Loads a user module up front (cheap) so a bad one is bad usage (exit 2), not N crashed children;
 * a built-in task is only checked for presence here, since loading it means loading TensorFlow.js.
 */
async function checkObjective(spec: ObjectiveSpec): Promise<void> {
  if (spec.kind === 'task') {
    const problem = taskProblem(spec.name);
    if (problem) throw new UsageError(problem);
    return;
  }
  try {
    await loadObjective(spec);
  } catch (error) {
    if (error instanceof ObjectiveLoadError) throw new UsageError(error.message);
    throw error;
  }
}

export function register(program: Command): void {
  withConnection(
    program
      .command('worker')
      .description('run trials of a study until it is done (ask, train, stream metrics, tell)')
      .requiredOption('--study <id>', 'study id')
      .option('--task <name>', `built-in task (${Object.keys(BUILT_IN_TASKS).join(', ')}); the default`)
      .option(
        '--objective <file>',
        'an ES module whose default export is an async function of a trial (docs/DESIGN.md section 6b)',
      )
      .option(
        '--concurrency <n>',
        'trials at once, each in its own process',
        parsePositiveInt('--concurrency'),
        1,
      )
      .option('--max-trials <n>', 'stop after this many trials per process', parsePositiveInt('--max-trials'))
      .option('--worker-id <id>', 'name recorded on claimed trials (default host-pid)')
      .option(
        '--api-retry-window <seconds>',
        'how long to ride out an unreachable API before giving up asking, or handing back a running trial (default 600)',
        parsePositiveInt('--api-retry-window'),
      )
      .option(
        '--checkpoint-retry-window <seconds>',
        'how long to retry a checkpoint upload before the trial completes without it (default 60)',
        parsePositiveInt('--checkpoint-retry-window'),
      )
      .option('--json', 'print a JSON summary on stdout at the end')
      .option('--quiet', 'no progress output'),
  ).action(async (options: WorkerCommandOptions) => {
    const spec = objectiveSpec(options);
    const windows = {
      ...(options.apiRetryWindow === undefined ? {} : { apiRetryWindowMs: options.apiRetryWindow * 1000 }),
      ...(options.checkpointRetryWindow === undefined
        ? {}
        : { checkpointRetryWindowMs: options.checkpointRetryWindow * 1000 }),
    };
    const connection = resolveConnection(options);
    await checkObjective(spec);

    const progress = new WorkerProgress({
      tty: process.stderr.isTTY === true && !options.json,
      quiet: options.quiet,
    });
    const drain = new AbortController();
    const hardStop = new AbortController();
    // First Ctrl-C: finish the trials in flight. Second (or SIGTERM): interrupt and hand them back.
    const onSigint = () => {
      if (!drain.signal.aborted) {
        drain.abort();
        progress.note('stopping after the trial in flight; Ctrl-C again to interrupt it and hand it back');
      } else hardStop.abort();
    };
    const onSigterm = () => hardStop.abort();
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigterm);

    let workers: readonly WorkerSummary[];
    let failures: readonly string[] = [];
    try {
      if (options.concurrency === 1) {
        const api = createWorkerClient(connection.urls, connection.token, (line) => progress.note(line));
        const objective = await loadObjective(spec, { log: (line) => progress.note(line) });
        const summary = await runWorker({
          api,
          studyId: options.study,
          objective,
          onEvent: (event) => progress.handle(event),
          drain: drain.signal,
          hardStop: hardStop.signal,
          // --quiet shows no progress: spare the study query per trial that feeds it.
          progress: !options.quiet,
          ...(options.workerId === undefined ? {} : { workerId: options.workerId }),
          ...(options.maxTrials === undefined ? {} : { maxTrials: options.maxTrials }),
          ...windows,
        });
        workers = [summary];
      } else {
        const pool = await runWorkerPool({
          url: connection.urls,
          token: connection.token,
          studyId: options.study,
          objective: spec,
          concurrency: options.concurrency,
          onEvent: (event) => progress.handle(event),
          drain: drain.signal,
          hardStop: hardStop.signal,
          progress: !options.quiet,
          ...(options.maxTrials === undefined ? {} : { maxTrialsPerWorker: options.maxTrials }),
          ...windows,
        });
        workers = pool.workers;
        failures = pool.failures;
      }
    } finally {
      progress.stop();
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
    }

    const trials: TrialOutcome[] = workers.flatMap((w) => [...w.trials]).sort((a, b) => a.number - b.number);
    const reasons = [...new Set(workers.map((w) => w.reason))];
    if (options.json) printJson({ studyId: options.study, stopped: reasons, trials, failures });
    else if (!options.quiet) {
      const counts = trials.reduce<Record<string, number>>((acc, t) => {
        acc[t.state] = (acc[t.state] ?? 0) + 1;
        return acc;
      }, {});
      const tally =
        Object.entries(counts)
          .map(([state, n]) => `${n} ${state.toLowerCase()}`)
          .join(', ') || 'no trials';
      process.stderr.write(`worker stopped (${reasons.join(', ') || 'no workers'}): ${tally}\n`);
    }
    if (failures.length > 0) throw new Error(`worker processes failed: ${failures.join('; ')}`);
  });
}
