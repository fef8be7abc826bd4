import { STUDY_LIMITS } from '@posterior/core';
import { BadUserInputError } from './errors.js';
import { optionalText } from './validate.js';

/** Bounds on the free-text annotations (issue 15 item 8): a trial's note and tags, a study's description. */
export const MAX_NOTE_CHARS = 10_000;
export const MAX_DESCRIPTION_CHARS = STUDY_LIMITS.description;
export const MAX_TAGS = 20;
export const MAX_TAG_CHARS = 64;

/** A note or description: trimmed, null when empty. */
export function validateAnnotation(
  field: string,
  value: string | null | undefined,
  maxLength: number,
): string | null {
  return optionalText(field, value, maxLength);
}

/** Tags: each trimmed and non-empty, duplicates dropped (first order kept), bounded in count and length. */
export function validateTags(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of tags) {
    const t = raw.trim();
    if (t.length === 0) throw new BadUserInputError('tags', 'a tag must not be empty');
    if (t.length > MAX_TAG_CHARS)
      throw new BadUserInputError('tags', `a tag must be at most ${MAX_TAG_CHARS} characters`);
    if (!out.includes(t)) out.push(t);
  }
  if (out.length > MAX_TAGS) throw new BadUserInputError('tags', `at most ${MAX_TAGS} tags`);
  return out;
}

/** Bounds on a trial's user attributes (key -> string, number or boolean). */
export const MAX_ATTRIBUTES = 50;
export const MAX_ATTRIBUTE_KEY_CHARS = 64;
export const MAX_ATTRIBUTE_STRING_CHARS = 1_000;

export type AttributeValue = string | number | boolean;
export interface Attribute {
  key: string;
  value: AttributeValue;
}

/**
 * Merges attribute changes into a trial's attributes: each key trimmed and non-empty; a null value
 * removes the key; `replace` starts from none. Keys keep their first order; a changed key keeps its
 * place. Bounded in count, key length and string length (BAD_USER_INPUT, field `attributes`).
 */
export function mergeAttributes(
  current: readonly Attribute[],
  changes: ReadonlyArray<{ key: string; value?: AttributeValue | null }>,
  replace: boolean,
): Attribute[] {
  const out = new Map<string, AttributeValue>(replace ? [] : current.map((a) => [a.key, a.value]));
  for (const change of changes) {
    const key = change.key.trim();
    if (key.length === 0) throw new BadUserInputError('attributes', 'an attribute key must not be empty');
    if (key.length > MAX_ATTRIBUTE_KEY_CHARS)
      throw new BadUserInputError(
        'attributes',
        `an attribute key must be at most ${MAX_ATTRIBUTE_KEY_CHARS} characters`,
      );
    const value = change.value ?? null;
    if (value === null) {
      out.delete(key);
      continue;
    }
    if (typeof value === 'number' && !Number.isFinite(value))
      throw new BadUserInputError('attributes', `attribute ${key}: a number must be finite`);
    if (typeof value === 'string' && value.length > MAX_ATTRIBUTE_STRING_CHARS)
      throw new BadUserInputError(
        'attributes',
        `attribute ${key}: a string must be at most ${MAX_ATTRIBUTE_STRING_CHARS} characters`,
      );
    out.set(key, value);
  }
  if (out.size > MAX_ATTRIBUTES)
    throw new BadUserInputError('attributes', `at most ${MAX_ATTRIBUTES} attributes per trial`);
  return [...out].map(([key, value]) => ({ key, value }));
}

/** Bounds on what a worker tells about a trial's run. */
export const MAX_LOG_TAIL_LINES = 64;
export const MAX_LOG_TAIL_CHARS = 8_192;
export const MAX_ENVIRONMENT_TEXT = 200;
export const MAX_ENVIRONMENT_PACKAGES = 20;

/** A log tail: its last 64 lines and 8 KB kept (a tail is cut from the front, never rejected). */
export function boundLogTail(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  let lines = text.replace(/\s+$/, '').split('\n');
  if (lines.length > MAX_LOG_TAIL_LINES) lines = lines.slice(-MAX_LOG_TAIL_LINES);
  let out = lines.join('\n');
  if (out.length > MAX_LOG_TAIL_CHARS) out = out.slice(-MAX_LOG_TAIL_CHARS);
  return out.length === 0 ? null : out;
}

export interface EnvironmentInput {
  backend?: string | null;
  host?: string | null;
  platform?: string | null;
  nodeVersion?: string | null;
  workerId?: string | null;
  packages?: ReadonlyArray<{ name: string; version: string }> | null;
}
export interface EnvironmentRecord {
  backend: string | null;
  host: string | null;
  platform: string | null;
  nodeVersion: string | null;
  workerId: string | null;
  packages: Array<{ name: string; version: string }>;
}

/** An environment as stored: texts of at most 200 chars, at most 20 packages (BAD_USER_INPUT `environment`). */
export function validateEnvironment(input: EnvironmentInput | null | undefined): EnvironmentRecord | null {
  if (input === null || input === undefined) return null;
  const text = (name: string, v: string | null | undefined): string | null => {
    const t = v?.trim() ?? '';
    if (t.length > MAX_ENVIRONMENT_TEXT)
      throw new BadUserInputError(
        'environment',
        `${name} must be at most ${MAX_ENVIRONMENT_TEXT} characters`,
      );
    return t.length === 0 ? null : t;
  };
  const packages = input.packages ?? [];
  if (packages.length > MAX_ENVIRONMENT_PACKAGES)
    throw new BadUserInputError('environment', `at most ${MAX_ENVIRONMENT_PACKAGES} packages`);
  return {
    backend: text('backend', input.backend),
    host: text('host', input.host),
    platform: text('platform', input.platform),
    nodeVersion: text('nodeVersion', input.nodeVersion),
    workerId: text('workerId', input.workerId),
    packages: packages.map((p) => ({
      name: text('a package name', p.name) ?? '?',
      version: text('a package version', p.version) ?? '?',
    })),
  };
}
