import type { Command } from 'commander';

/**
 * Every verb of DESIGN section 2 registers itself here: one module per verb under ./commands,
 * each exporting `register(program)`. Keep this list the only place that knows them all.
 */
export function registerCommands(program: Command): void {
  void program;
}
