import { satisfiesConstraints, type TrialState } from '@posterior/core';
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
  /** Per-objective predictions and P(feasible) (multi-objective or constrained studies). */
  means?: number[] | null;
  stds?: number[] | null;
  feasibility?: number | null;
}

/** The informational fields (`TRIAL_INFO`, beside the trial entity) come along by name. */
export interface TrialRecord extends TrialInfo {
  id: string;
  studyId: string;
  number: number;
  state: TrialState;
  params: Params;
  value: number | null;
  /** One per objective in study order (single-objective: [value]); null until told. */
  values: number[] | null;
  /** One per constraint in study order; null until told or without constraints. */
  constraints: number[] | null;
  /** Null until COMPLETE; true when every constraint value is <= 0 (or there are none). */
  feasible: boolean | null;
  suggestion: SuggestionRecord | null;
  workerId: string | null;
  error: string | null;
  retryOf: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  heartbeatAt: string | null;
}

/**
 * A trial's objective values: stored per objective (issue 17); a single-objective trial told before
 * (or with `value` alone) reads as `[value]`.
 */
export function valuesOf(row: { value: number | null; values: number[] | null }): number[] | null {
  return row.values ?? (row.value === null ? null : [row.value]);
}

/** Feasible: COMPLETE with every constraint value <= 0 (no constraints: true); null before COMPLETE. */
export function feasibleOf(row: { state: string; constraint_values: number[] | null }): boolean | null {
  if (row.state !== 'COMPLETE') return null;
  return satisfiesConstraints(row.constraint_values);
}
