import { BadUserInputError } from './errors.js';
import { isUuid } from './validate.js';

/** Opaque cursors: the id of the last row seen, so keyset pagination survives inserts. */
export function encodeCursor(id: string): string {
  return Buffer.from(`c:${id}`).toString('base64url');
}

export function decodeCursor(field: string, cursor: string | null | undefined): string | null {
  if (cursor === null || cursor === undefined || cursor === '') return null;
  const raw = Buffer.from(cursor, 'base64url').toString();
  const id = raw.startsWith('c:') ? raw.slice(2) : '';
  if (!isUuid(id)) throw new BadUserInputError(field, 'is not a cursor from this API');
  return id;
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
