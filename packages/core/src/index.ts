// The public surface of @posterior/core: each rule is exported from its own module.
export * from './best-trial.js';
export {
  type CsvOutcomeStudy,
  type CsvOutcomeTrial,
  type CsvTrial,
  type CsvValue,
  csvCell,
  csvOutcomeCells,
  csvOutcomeColumns,
  csvText,
  TRIALS_CSV_FIELDS,
  trialsCsv,
} from './csv.js';
export * from './direction.js';
export { dominates, satisfiesConstraints } from './outcomes.js';
export { type Backoff, backoffDelay, type RetryOptions, retry, sleep } from './retry.js';
export * from './study-input.js';
export * from './study-report.js';
export * from './trial-states.js';
export type { TrialTable, TrialTableInfoValue, TrialTableRow, TrialTableState } from './trial-table.js';
export { TRIAL_TABLE_INFO_START } from './trial-table.js';
