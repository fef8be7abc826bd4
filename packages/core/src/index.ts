// The public surface of @posterior/core: each rule is exported from its own module.
export type { TrialTable, TrialTableRow, TrialTableState } from './trial-table.js';
