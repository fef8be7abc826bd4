import type { Trial } from '@posterior/sdk';
import type { Command } from 'commander';
import { connect, resolveConnection, withConnection } from '../connection.js';
import { UsageError } from '../errors.js';
import { asUsageError, printJson } from '../output.js';

/** The API's bounds (docs/DESIGN.md section 5e), checked here so bad usage needs no server. */
const MAX_NOTE_CHARS = 10_000;
const MAX_TAGS = 20;
const MAX_TAG_CHARS = 64;
const MAX_ATTRIBUTES = 50;
const MAX_ATTRIBUTE_KEY_CHARS = 64;
const MAX_ATTRIBUTE_STRING_CHARS = 1_000;

interface AnnotateOptions {
  api?: string;
  token?: string;
  json?: boolean;
  clear?: boolean;
  unset?: string[];
  string?: boolean;
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

type AttributeValue = string | number | boolean;

/** `key=value`: true/false are booleans and numbers numbers (unless `asString`), anything else a string. */
export function parseAttribute(arg: string, asString: boolean): [string, AttributeValue] {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new UsageError(`expected key=value, got ${JSON.stringify(arg)}`);
  const key = arg.slice(0, eq).trim();
  const raw = arg.slice(eq + 1);
  if (key.length === 0) throw new UsageError('an attribute key must not be empty');
  if (key.length > MAX_ATTRIBUTE_KEY_CHARS)
    throw new UsageError(`an attribute key is at most ${MAX_ATTRIBUTE_KEY_CHARS} characters`);
  if (raw.length > MAX_ATTRIBUTE_STRING_CHARS)
    throw new UsageError(`attribute ${key}: a value is at most ${MAX_ATTRIBUTE_STRING_CHARS} characters`);
  if (asString) return [key, raw];
  if (raw === 'true' || raw === 'false') return [key, raw === 'true'];
  const n = raw.trim() === '' ? Number.NaN : Number(raw);
  return [key, Number.isFinite(n) ? n : raw];
}

function checkAttributes(
  pairs: readonly string[],
  unset: readonly string[],
  clear: boolean | undefined,
  asString: boolean,
): { changes: Record<string, AttributeValue | null>; replace: boolean } {
  if (pairs.length === 0 && unset.length === 0 && !clear)
    throw new UsageError('missing key=value pairs (or --unset KEY, or --clear)');
  const changes: Record<string, AttributeValue | null> = {};
  for (const pair of pairs) {
    const [key, value] = parseAttribute(pair, asString);
    changes[key] = value;
  }
  for (const key of unset) {
    const k = key.trim();
    if (k.length === 0) throw new UsageError('--unset needs a key');
    if (Object.hasOwn(changes, k)) throw new UsageError(`${k} is both set and unset`);
    changes[k] = null;
  }
  if (pairs.length > MAX_ATTRIBUTES) throw new UsageError(`at most ${MAX_ATTRIBUTES} attributes`);
  return { changes, replace: clear === true };
}

const attributeText = (trial: Trial): string =>
  (trial.attributes ?? []).map((a) => `${a.key}=${JSON.stringify(a.value)}`).join(', ');

function print(trial: Trial, json: boolean | undefined): void {
  if (json)
    printJson({
      id: trial.id,
      number: trial.number,
      state: trial.state,
      note: trial.note ?? null,
      tags: trial.tags,
      attributes: Object.fromEntries((trial.attributes ?? []).map((a) => [a.key, a.value])),
    });
  else
    process.stdout.write(
      `trial #${trial.number} (${trial.id}): tags [${trial.tags.join(', ')}]; note ${trial.note === null || trial.note === undefined ? '(none)' : JSON.stringify(trial.note)}; attributes {${attributeText(trial)}}\n`,
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

  withConnection(
    trial
      .command('attr')
      .description(
        'set user attributes of a trial, key=value (numbers and true/false typed; any state; MEMBER or above)',
      )
      .argument('<trial>', 'trial id')
      .argument('[pairs...]', `key=value, up to ${MAX_ATTRIBUTES} per trial`)
      .option('--unset <key...>', 'remove these keys')
      .option('--clear', 'remove every other attribute first')
      .option('--string', 'keep every value as a string (no number or boolean parsing)')
      .option('--json', 'print the trial id, note, tags and attributes as JSON'),
  ).action(async (trialId: string, pairs: string[], options: AnnotateOptions) => {
    const { changes, replace } = checkAttributes(
      pairs,
      options.unset ?? [],
      options.clear,
      options.string === true,
    );
    const client = connect(resolveConnection(options));
    const updated = await client.setTrialAttributes(trialId, changes, { replace }).catch((error: unknown) => {
      throw asUsageError(error);
    });
    print(updated, options.json);
  });
}
