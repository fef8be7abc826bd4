import type { TrialState } from '@posterior/core';
import type { TrialInfo } from '../db/index.js';

/**
 * Plain trial data as the API passes it around (services, pubsub payloads, GraphQL mapping).
 * Dates are ISO strings so a record survives JSON (NOTIFY) unchanged.
 */
export type { TrialState };

export type ParamValue = number | string | boolean;
export type Params = Record<string, ParamValue>;

export interface SuggestionRecord {
  sampler: string;
  phase: string;
  mean: number | null;
  std: number | null;
  acquisition: number | null;
  acquisitionName: string | null;
}

/** The informational fields (`TRIAL_INFO`, beside the trial entity) come along by name. */
export interface TrialRecord extends TrialInfo {
  id: string;
  studyId: string;
  number: number;
  state: TrialState;
  params: Params;
  value: number | null;
  suggestion: SuggestionRecord | null;
  workerId: string | null;
  error: string | null;
  retryOf: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  heartbeatAt: string | null;
}
