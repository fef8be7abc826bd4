import { writeFile } from 'node:fs/promises';
import { trialsCsv } from '@posterior/core';
import { isPosteriorError, type PosteriorClient, type Trial, type TrialState } from '@posterior/sdk';
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
  return { names: [...names].sort(), byTrial };
}

/** The trials CSV as core writes it (the API's `Study.trialsExport` uses the same writer). */
export { trialsCsv };

/**
 * The CSV from the server (`Study.trialsExport`: one request, metrics included without a request per
 * trial); from a server without that field, built here from the trials as before.
 */
async function exportCsv(
  client: PosteriorClient,
  studyId: string,
  state: TrialState | undefined,
  metrics: boolean,
): Promise<{ csv: string; count: number }> {
  try {
    const csv = await client.trialsExport(studyId, { ...(state ? { state } : {}), metrics });
    if (csv === null) throw new Error(`study ${studyId} not found`);
    // One line per trial after the header (a quoted cell may hold a line break: count records).
    return { csv, count: countRecords(csv) };
  } catch (error) {
    if (!isPosteriorError(error, 'BAD_REQUEST')) throw error;
  }
  const study = await client.study(studyId);
  if (!study) throw new Error(`study ${studyId} not found`);
  const trials = await client.allTrials(studyId, state);
  const names = study.searchSpace.map((p) => p.name);
  for (const t of trials) for (const k of Object.keys(t.params)) if (!names.includes(k)) names.push(k);
  const csv = trialsCsv(trials, names, metrics ? await lastMetrics(client, trials) : undefined, study);
  return { csv, count: trials.length };
}

/** Records after the header of an RFC 4180 text (CRLF ends outside quotes). */
function countRecords(csv: string): number {
  let records = 0;
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const c = csv[i];
    if (c === '"') quoted = !quoted;
    else if (c === '\n' && !quoted) records++;
  }
  return Math.max(0, records - 1);
}

export function register(program: Command): void {
  withConnection(
    program
      .command('export')
      .description("a study's trials as CSV: fields, params and, with --metrics, each metric's last value")
      .argument('<study>', 'study id')
      .option('-o, --output <file>', 'write the CSV here (e.g. trials.csv) instead of stdout')
      .addOption(new Option('--state <state>', 'only trials in this state').choices(STATES.map((s) => s)))
      .option('--metrics', "add a column per reported metric: each trial's last value"),
  ).action(async (studyId: string, options: ExportOptions) => {
    if (options.output !== undefined && options.output.trim() === '')
      throw new UsageError('--output needs a file name');
    const client = connect(resolveConnection(options));
    try {
      const { csv, count } = await exportCsv(
        client,
        studyId,
        options.state as TrialState | undefined,
        options.metrics === true,
      );
      if (options.output) {
        await writeFile(options.output, csv);
        process.stderr.write(`wrote ${count} trials to ${options.output}\n`);
      } else process.stdout.write(csv);
    } finally {
      await client.close();
    }
  });
}
