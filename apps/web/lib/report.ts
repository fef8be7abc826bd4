import { formatStudyReport } from '@posterior/core';
import type { Study, Trial } from './types.ts';

/**
 * The text report (bayes_opt.txt) from what the dashboard already holds, for when the server's
 * `Study.report` cannot be fetched (and for the preview study): the same formatter, so the file reads
 * the same either way. Without the model's recommendation, which only the server can compute.
 */
export function buildReport(study: Study, trials: readonly Trial[]): string {
  return formatStudyReport(study, trials);
}
