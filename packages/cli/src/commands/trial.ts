import type { Trial } from '@posterior/sdk';
import type { Command } from 'commander';
import { connect, resolveConnection, withConnection } from '../connection.js';
import { UsageError } from '../errors.js';
import { asUsageError, printJson } from '../output.js';

/** The API's bounds (docs/DESIGN.md section 5e), checked here so bad usage needs no server. */
const MAX_NOTE_CHARS = 10_000;
const MAX_TAGS = 20;
const MAX_TAG_CHARS = 64;

interface AnnotateOptions {
  api?: string;
  token?: string;
  json?: boolean;
  clear?: boolean;
}

function checkNote(text: string | undefined, clear: boolean | undefined): string | null {
  if (clear) {
    if (text !== undefined) throw new UsageError('give a note or --clear, not both');
    return null;
  }
  if (text === undefined) throw new UsageError('missing note text (or --clear to remove the note)');
  if (text.length > MAX_NOTE_CHARS) throw new UsageError(`a note is at most ${MAX_NOTE_CHARS} characters`);
  return text;
}

function checkTags(tags: readonly string[], clear: boolean | undefined): string[] {
  if (clear) {
    if (tags.length > 0) throw new UsageError('give tags or --clear, not both');
    return [];
  }
  if (tags.length === 0) throw new UsageError('missing tags (or --clear to remove them all)');
  const trimmed = tags.map((t) => t.trim());
  if (trimmed.some((t) => t.length === 0)) throw new UsageError('a tag must not be empty');
  const long = trimmed.find((t) => t.length > MAX_TAG_CHARS);
  if (long !== undefined)
    throw new UsageError(`a tag is at most ${MAX_TAG_CHARS} characters: ${JSON.stringify(long)}`);
  if (new Set(trimmed).size > MAX_TAGS) throw new UsageError(`at most ${MAX_TAGS} tags`);
  return trimmed;
}

function print(trial: Trial, json: boolean | undefined): void {
  if (json)
    printJson({
      id: trial.id,
      number: trial.number,
      state: trial.state,
      note: trial.note ?? null,
      tags: trial.tags,
    });
  else
    process.stdout.write(
      `trial #${trial.number} (${trial.id}): tags [${trial.tags.join(', ')}]; note ${trial.note === null || trial.note === undefined ? '(none)' : JSON.stringify(trial.note)}\n`,
    );
}

export function register(program: Command): void {
  const trial = program.command('trial').description("annotate a study's trials");
  withConnection(
    trial
      .command('note')
      .description('set a trial note (any state; MEMBER or above)')
      .argument('<trial>', 'trial id')
      .argument('[text]', 'the note (replaces the current one)')
      .option('--clear', 'remove the note')
      .option('--json', 'print the trial id, note and tags as JSON'),
  ).action(async (trialId: string, text: string | undefined, options: AnnotateOptions) => {
    const note = checkNote(text, options.clear);
    const client = connect(resolveConnection(options));
    const updated = await client.setTrialNote(trialId, note).catch((error: unknown) => {
      throw asUsageError(error);
    });
    print(updated, options.json);
  });

  withConnection(
    trial
      .command('tag')
      .description('set the tags of a trial, replacing its current ones (any state; MEMBER or above)')
      .argument('<trial>', 'trial id')
      .argument('[tags...]', `up to ${MAX_TAGS} tags of up to ${MAX_TAG_CHARS} characters`)
      .option('--clear', 'remove every tag')
      .option('--json', 'print the trial id, note and tags as JSON'),
  ).action(async (trialId: string, tags: string[], options: AnnotateOptions) => {
    const checked = checkTags(tags, options.clear);
    const client = connect(resolveConnection(options));
    const updated = await client.setTrialTags(trialId, checked).catch((error: unknown) => {
      throw asUsageError(error);
    });
    print(updated, options.json);
  });
}
