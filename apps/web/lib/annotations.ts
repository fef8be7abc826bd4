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

/** Bounds on a trial's attributes (docs/DESIGN.md section 5e). */
export const MAX_ATTRIBUTES = 50;
export const MAX_ATTRIBUTE_KEY_CHARS = 64;
export const MAX_ATTRIBUTE_STRING_CHARS = 1_000;

export type AttributeValue = string | number | boolean;
export interface Attribute {
  key: string;
  value: AttributeValue;
}

/** An attribute value as the editor writes it: strings that would read as another type are quoted. */
function valueText(v: AttributeValue): string {
  if (typeof v !== 'string') return String(v);
  return v === 'true' || v === 'false' || Number.isFinite(Number(v)) || /^".*"$/.test(v) || v.trim() !== v
    ? JSON.stringify(v)
    : v;
}

/** The editor's text for a trial's attributes: one `key = value` per line. */
export const attributeInputOf = (attrs: readonly Attribute[] | null | undefined): string =>
  (attrs ?? []).map((a) => `${a.key} = ${valueText(a.value)}`).join('\n');

/**
 * `"batch = 64\nname = resnet\nshuffle = true\nid = \"007\""` -> typed attributes: numbers and
 * true/false are typed, a "quoted" value is always a string, anything else a string. Blank lines are
 * skipped; a later line for the same key wins. Bounds checked as the API checks them.
 */
export function parseAttributeInput(
  text: string,
): { attributes: Attribute[]; error: null } | { attributes: null; error: string } {
  const out = new Map<string, AttributeValue>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '') continue;
    const eq = line.indexOf('=');
    if (eq <= 0) return { attributes: null, error: `Line ${i + 1}: expected key = value.` };
    const key = line.slice(0, eq).trim();
    const raw = line.slice(eq + 1).trim();
    if (key.length === 0) return { attributes: null, error: `Line ${i + 1}: the key is empty.` };
    if (key.length > MAX_ATTRIBUTE_KEY_CHARS)
      return { attributes: null, error: `A key is at most ${MAX_ATTRIBUTE_KEY_CHARS} characters.` };
    let value: AttributeValue;
    if (/^".*"$/.test(raw)) {
      try {
        value = String(JSON.parse(raw));
      } catch {
        value = raw.slice(1, -1);
      }
    } else if (raw === 'true' || raw === 'false') value = raw === 'true';
    else if (raw !== '' && Number.isFinite(Number(raw))) value = Number(raw);
    else value = raw;
    if (typeof value === 'string' && value.length > MAX_ATTRIBUTE_STRING_CHARS)
      return { attributes: null, error: `A value is at most ${MAX_ATTRIBUTE_STRING_CHARS} characters.` };
    out.set(key, value);
  }
  if (out.size > MAX_ATTRIBUTES) return { attributes: null, error: `At most ${MAX_ATTRIBUTES} attributes.` };
  return { attributes: [...out].map(([key, value]) => ({ key, value })), error: null };
}
