import { dictionary } from '@zxcvbn-ts/language-common';

/**
 * The ~49,000 most common passwords from breach corpora, as zxcvbn-ts ships them (lower case).
 * Built on first use: the API process pays for it once, other importers never.
 */
let common: Set<string> | null = null;

/** True for a password on the common list, compared case-insensitively (`Password1` is `password1`). */
export function isCommonPassword(password: string): boolean {
  common ??= new Set(dictionary['passwords-common'] ?? []);
  return common.has(password.toLowerCase());
}
