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
