// Command-line parsing shared by the bench scripts: bad input is one line on stderr and exit 2,
// like the CLI, instead of a parseArgs stack trace.
import { basename } from 'node:path';
import { parseArgs } from 'node:util';

/** Prints `<bench>: message` and exits 2. */
export function usageError(message) {
  console.error(`${basename(process.argv[1] ?? 'bench', '.mjs')}: ${message}`);
  process.exit(2);
}

/** parseArgs' values for these options, or a usage error naming what was wrong. */
export function parseBenchArgs(options) {
  try {
    return parseArgs({ options }).values;
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error));
  }
}
