import { isPosteriorError } from '@posterior/sdk';
import { UsageError } from './errors.js';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * The server rejecting what the user typed or wrote in a file is bad usage (exit 2); anything
 * else the API says (not found, unauthenticated, unreachable) is a failed run (exit 1).
 */
export function asUsageError(error: unknown): unknown {
  if (isPosteriorError(error, 'BAD_USER_INPUT')) return new UsageError(error.message.replace(/\s+/g, ' '));
  return error;
}
