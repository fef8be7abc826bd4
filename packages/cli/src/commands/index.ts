import type { Command } from 'commander';
import { register as registerBench } from './bench.js';
import { register as registerExport } from './export.js';
import { register as registerPlot } from './plot.js';
import { register as registerReport } from './report.js';
import { register as registerServe } from './serve.js';
import { register as registerStudy } from './study.js';
import { register as registerToken } from './token.js';
import { register as registerTrial } from './trial.js';
import { register as registerWorker } from './worker.js';

/**
 * Every verb of docs/DESIGN.md section 2 registers itself here: one module per verb under ./commands,
 * each exporting `register(program)`. Keep this list the only place that knows them all.
 */
export function registerCommands(program: Command): void {
  registerBench(program);
  registerServe(program);
  registerWorker(program);
  registerStudy(program);
  registerReport(program);
  registerExport(program);
  registerPlot(program);
  registerToken(program);
  registerTrial(program);
}
