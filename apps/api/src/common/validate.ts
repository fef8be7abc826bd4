import { BadUserInputError } from './errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are uuids; anything else cannot name an object, so callers answer NOT_FOUND without a query. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export function requireInt(
  field: string,
  value: number | null | undefined,
  min: number,
  max: number,
  fallback?: number,
): number {
  const v = value ?? fallback;
  if (v === undefined || v === null) throw new BadUserInputError(field, 'is required');
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new BadUserInputError(field, `must be an integer between ${min} and ${max}`);
  }
  return v;
}

export function requireText(field: string, value: string, maxLength: number): string {
  const v = value.trim();
  if (v.length === 0) throw new BadUserInputError(field, 'must not be empty');
  if (v.length > maxLength) throw new BadUserInputError(field, `must be at most ${maxLength} characters`);
  return v;
}

export function optionalText(
  field: string,
  value: string | null | undefined,
  maxLength: number,
): string | null {
  if (value === null || value === undefined) return null;
  const v = value.trim();
  if (v.length === 0) return null;
  if (v.length > maxLength) throw new BadUserInputError(field, `must be at most ${maxLength} characters`);
  return v;
}
