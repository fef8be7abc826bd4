// String enums whose values are stored verbatim in text columns guarded by CHECK constraints
// (not PostgreSQL enum types, which cannot drop or rename a value inside a transaction).

export enum Role {
  OWNER = 'OWNER',
  ADMIN = 'ADMIN',
  MEMBER = 'MEMBER',
  VIEWER = 'VIEWER',
}

export enum Direction {
  MINIMIZE = 'MINIMIZE',
  MAXIMIZE = 'MAXIMIZE',
}

export enum StudyState {
  RUNNING = 'RUNNING',
  PAUSED = 'PAUSED',
  DONE = 'DONE',
  ARCHIVED = 'ARCHIVED',
}

export enum TrialState {
  WAITING = 'WAITING',
  RUNNING = 'RUNNING',
  COMPLETE = 'COMPLETE',
  PRUNED = 'PRUNED',
  FAILED = 'FAILED',
}

/** A PENDING invitation past `expires_at` reads as EXPIRED (and is stored so when it is replaced). */
export enum InvitationState {
  PENDING = 'PENDING',
  ACCEPTED = 'ACCEPTED',
  DECLINED = 'DECLINED',
  REVOKED = 'REVOKED',
  EXPIRED = 'EXPIRED',
}

export { TERMINAL_TRIAL_STATES } from '@posterior/core';

/** `'A', 'B'` for a CHECK constraint; enum values are fixed identifiers, never user input. */
export function sqlList(values: readonly string[]): string {
  return values.map((v) => `'${v}'`).join(', ');
}
