import { BadUserInputError } from './errors.js';
import { isUuid } from './validate.js';

/**
 * Opaque cursors: the id of the last row seen, so keyset pagination survives inserts, sealed
 * together with the id of the parent the list was read under (a study for its trials, a team for
 * its studies). A cursor decodes only under the same parent, so a client cannot make one list
 * resolve another list's rows (issue 12, item 3): every paginated read goes through
 * `decodeCursor(field, cursor, parentId)`, and there is no way to decode one without naming the
 * parent it must belong to.
 */
export interface ScopedCursor<T> {
  /** The id of the parent (study, team) the cursor was issued under. */
  parentId: string;
  value: T;
}

export function sealCursor<T>(parentId: string, value: T): string {
  return Buffer.from(JSON.stringify(['c1', parentId, value])).toString('base64url');
}

/**
 * The value sealed in `cursor` when it was issued under `parentId`; BAD_USER_INPUT naming `field`
 * for anything else: malformed, forged, or issued under another parent. `check` validates the
 * value's shape (it returns null for a bad one).
 */
export function openCursor<T>(
  field: string,
  cursor: string | null | undefined,
  parentId: string,
  check: (value: unknown) => T | null,
): T | null {
  if (cursor === null || cursor === undefined || cursor === '') return null;
  const bad = () => new BadUserInputError(field, 'is not a cursor from this API');
  if (cursor.length > 2048) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || parsed[0] !== 'c1' || typeof parsed[1] !== 'string')
    throw bad();
  if (parsed[1] !== parentId) throw new BadUserInputError(field, 'is a cursor of another list');
  const value = check(parsed[2]);
  if (value === null) throw bad();
  return value;
}

/** A cursor holding one row id, issued under `parentId`. */
export function encodeCursor(parentId: string, id: string): string {
  return sealCursor(parentId, id);
}

/** The row id of a cursor issued under `parentId` (see openCursor). */
export function decodeCursor(
  field: string,
  cursor: string | null | undefined,
  parentId: string,
): string | null {
  return openCursor(field, cursor, parentId, (v) => (typeof v === 'string' && isUuid(v) ? v : null));
}

export function pageSize(
  field: string,
  first: number | null | undefined,
  fallback: number,
  max: number,
): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 0 || n > max)
    throw new BadUserInputError(field, `must be between 0 and ${max}`);
  return n;
}
