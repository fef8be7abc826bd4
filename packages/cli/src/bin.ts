#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.js';
import { UsageError } from './errors.js';

const program = new Command('posterior')
  .description('Posterior: Gaussian-process hyperparameter optimization and experiment tracking')
  .showHelpAfterError(false)
  .exitOverride()
  .configureOutput({ outputError: () => {} });

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitCodeFor(error);
}

// docs/DESIGN.md section 2: invalid usage exits 2 with one line on stderr; a failed run exits 1.
function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    if (error.exitCode === 0) return 0; // --help, --version
    process.stderr.write(`posterior: ${error.message.replace(/^error: /, '')}\n`);
    return 2;
  }
  if (error instanceof UsageError) {
    process.stderr.write(`posterior: ${error.message}\n`);
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`posterior: ${message}\n`);
  return 1;
}
