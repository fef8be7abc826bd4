import { writeFile } from 'node:fs/promises';
import {
  type CsvOutcomeStudy,
  type CsvValue,
  csvOutcomeCells,
  csvOutcomeColumns,
  csvText,
} from '@posterior/core';
import type { PosteriorClient, Trial, TrialState } from '@posterior/sdk';
import { type Command, Option } from 'commander';
import { connect, resolveConnection, withConnection } from '../connection.js';
import { UsageError } from '../errors.js';

const STATES: readonly TrialState[] = ['WAITING', 'RUNNING', 'COMPLETE', 'PRUNED', 'FAILED'];

interface ExportOptions {
  output?: string;
  state?: string;
  metrics?: boolean;
  api?: string;
  token?: string;
}

/** The trial fields first, as the dashboard's "Export CSV" writes them (docs/DESIGN.md section 2). */
const FIELDS = ['number', 'state', 'value', 'worker', 'error', 'duration_s', 'started_at', 'finished_at'];

function fieldValues(t: Trial): CsvValue[] {
  const duration =
    t.startedAt && t.finishedAt ? (t.finishedAt.getTime() - t.startedAt.getTime()) / 1000 : null;
  return [
    t.number,
    t.state,
    t.value,
    t.workerId,
    t.error,
    duration,
    t.startedAt?.toISOString() ?? null,
    t.finishedAt?.toISOString() ?? null,
  ];
}

/** Each trial's last reported value of every metric (the point at its highest step). */
async function lastMetrics(client: PosteriorClient, trials: readonly Trial[]) {
  const byTrial = new Map<string, Map<string, { step: number; value: number }>>();
  const names = new Set<string>();
  for (const t of trials) {
    const detail = await client.trial(t.id);
    const last = new Map<string, { step: number; value: number }>();
    for (const p of detail?.metrics ?? []) {
      names.add(p.name);
      const seen = last.get(p.name);
      if (!seen || p.step >= seen.step) last.set(p.name, { step: p.step, value: p.value });
    }
    byTrial.set(t.id, last);
  }
  return { byTrial, names: [...names].sort() };
}

/**
 * Writes the trials of a study as CSV: fields, then for a multi-objective or constrained study
 * `value_<objective>`, `constraint_<name>` and `feasible`, then `params.<name>`, and with --metrics
 * `metrics.<name>`.
 */
export function trialsCsv(
  trials: readonly Trial[],
  paramNames: readonly string[],
  metrics?: {
    names: readonly string[];
    byTrial: ReadonlyMap<string, ReadonlyMap<string, { value: number }>>;
  },
  study: CsvOutcomeStudy = {},
): string {
  const header = [
    ...FIELDS,
    ...csvOutcomeColumns(study),
    ...paramNames.map((p) => `params.${p}`),
    ...(metrics?.names ?? []).map((m) => `metrics.${m}`),
  ];
  const rows = [...trials]
    .sort((a, b) => a.number - b.number)
    .map((t) => [
      ...fieldValues(t),
      ...csvOutcomeCells(study, t),
      ...paramNames.map((p) => (Object.hasOwn(t.params, p) ? t.params[p] : null)),
      ...(metrics?.names ?? []).map((m) => metrics?.byTrial.get(t.id)?.get(m)?.value ?? null),
    ]);
  return csvText(header, rows);
}

export function register(program: Command): void {
  withConnection(
    program
      .command('export')
      .description("a study's trials as CSV: fields, params and, with --metrics, each metric's last value")
      .argument('<study>', 'study id')
      .option('-o, --output <file>', 'write the CSV here (e.g. trials.csv) instead of stdout')
      .addOption(new Option('--state <state>', 'only trials in this state').choices(STATES.map((s) => s)))
      .option(
        '--metrics',
        "add a column per reported metric: each trial's last value (one request per trial)",
      ),
  ).action(async (studyId: string, options: ExportOptions) => {
    if (options.output !== undefined && options.output.trim() === '')
      throw new UsageError('--output needs a file name');
    const client = connect(resolveConnection(options));
    try {
      const study = await client.study(studyId);
      if (!study) throw new Error(`study ${studyId} not found`);
      const trials = await client.allTrials(studyId, options.state as TrialState | undefined);
      const names = study.searchSpace.map((p) => p.name);
      for (const t of trials) for (const k of Object.keys(t.params)) if (!names.includes(k)) names.push(k);
      const metrics = options.metrics ? await lastMetrics(client, trials) : undefined;
      const csv = trialsCsv(trials, names, metrics, study);
      if (options.output) {
        await writeFile(options.output, csv);
        process.stderr.write(`wrote ${trials.length} trials to ${options.output}\n`);
      } else process.stdout.write(csv);
    } finally {
      await client.close();
    }
  });
}
