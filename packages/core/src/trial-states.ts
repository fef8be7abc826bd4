/**
 * Trial and study states (docs/DESIGN.md section 4) and the sets every package reasons with: a trial
 * is active (WAITING or RUNNING: it holds a slot and may still produce a value) until it reaches a
 * terminal state (COMPLETE, PRUNED, FAILED), after which it never changes.
 */

export const TRIAL_STATES = ['WAITING', 'RUNNING', 'COMPLETE', 'PRUNED', 'FAILED'] as const;
export type TrialState = (typeof TRIAL_STATES)[number];

export const TERMINAL_TRIAL_STATES = ['COMPLETE', 'PRUNED', 'FAILED'] as const;
export type TerminalTrialState = (typeof TERMINAL_TRIAL_STATES)[number];

export const ACTIVE_TRIAL_STATES = ['WAITING', 'RUNNING'] as const;
export type ActiveTrialState = (typeof ACTIVE_TRIAL_STATES)[number];

export const STUDY_STATES = ['RUNNING', 'PAUSED', 'DONE', 'ARCHIVED'] as const;
export type StudyState = (typeof STUDY_STATES)[number];

const terminal: ReadonlySet<string> = new Set(TERMINAL_TRIAL_STATES);
const active: ReadonlySet<string> = new Set(ACTIVE_TRIAL_STATES);

/** Finished for good: the trial's row no longer changes (a database trigger enforces it). */
export function isTerminal(state: string): state is TerminalTrialState {
  return terminal.has(state);
}

/** Waiting for or held by a worker: counts against parallelism and may still report. */
export function isActive(state: string): state is ActiveTrialState {
  return active.has(state);
}
