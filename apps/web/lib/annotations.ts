// A trial's tags as the dashboard edits them: one comma-separated text box. The API's bounds
// (docs/DESIGN.md section 5e) are checked here too, so the form says what is wrong before sending.

export const MAX_TAGS = 20;
export const MAX_TAG_CHARS = 64;
export const MAX_NOTE_CHARS = 10_000;

/** `"a, b,,a "` -> `{ tags: ['a', 'b'] }` (trimmed, empty and repeated entries dropped), or why not. */
export function parseTagInput(text: string): { tags: string[]; error: null } | { tags: null; error: string } {
  const tags: string[] = [];
  for (const raw of text.split(',')) {
    const t = raw.trim();
    if (t.length === 0 || tags.includes(t)) continue;
    if (t.length > MAX_TAG_CHARS)
      return { tags: null, error: `A tag is at most ${MAX_TAG_CHARS} characters.` };
    tags.push(t);
  }
  if (tags.length > MAX_TAGS) return { tags: null, error: `At most ${MAX_TAGS} tags.` };
  return { tags, error: null };
}

/** The text box's content for a trial's tags. */
export const tagInputOf = (tags: readonly string[] | null | undefined): string => (tags ?? []).join(', ');
