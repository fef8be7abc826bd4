/**
 * What an objective sees of a trial (docs/DESIGN.md 6b). The worker loop builds one per claimed trial;
 * built-in tasks (transfer-learning) and user objectives (`--objective ./file.mjs`) receive the same.
 */
import type { ObjectiveResult } from './objective-result.js';

export type { NamedNumbers, ObjectiveResult, ObjectiveValues } from './objective-result.js';
export type ParamValue = number | string | boolean;
/** A trial attribute's value (`setAttributes`). */
export type AttributeValue = string | number | boolean;
export type Params = Readonly<Record<string, ParamValue>>;

export interface ReportResult {
  /** The study's pruner says this trial should stop now. */
  readonly shouldPrune: boolean;
}

export interface CheckpointFile {
  /** Display name; carries the hyperparameter values, e.g. `trial-3_lr=0.001_dropout=0.2.json`. */
  readonly fileName: string;
  readonly contentType: string;
  readonly data: Uint8Array;
}

export interface TrialHandle {
  readonly id: string;
  readonly number: number;
  readonly params: Params;
  /** The study's objective names, in study order (one for a single-objective study). */
  readonly objectives: readonly string[];
  /** The study's constraint names, in study order ([] when it has none); feasible when every value <= 0. */
  readonly constraints: readonly string[];
  /** Aborted when the trial must stop (study paused/done, heartbeat says stop, worker shutting down). */
  readonly signal: AbortSignal;
  /** Streams one step's metrics (e.g. one epoch); resolves with the pruner's verdict. */
  report(step: number, metrics: Readonly<Record<string, number>>): Promise<ReportResult>;
  /** Stops the trial as PRUNED: throws a TrialPruned the worker recognises. */
  prune(): never;
  /**
   * Sets user attributes on the trial (key -> string, number or boolean; null removes a key), e.g.
   * `{ batch: 64, dataset: 'v2' }`: shown on the dashboard and filterable there (`attr.batch > 32`).
   */
  setAttributes(attributes: Readonly<Record<string, AttributeValue | null>>): Promise<void>;
  /** Uploads a checkpoint as this trial's artifact. */
  saveCheckpoint(file: CheckpointFile): Promise<void>;
}

/** Thrown by `prune()`; the worker tells PRUNED instead of FAILED. */
export class TrialPruned extends Error {
  override name = 'TrialPruned';
  constructor(readonly step?: number) {
    super(step === undefined ? 'trial pruned' : `trial pruned at step ${step}`);
  }
}

/**
 * An objective returns its value (a number), one value per objective (an array, study order),
 * `{ values, constraints? }` (arrays in study order or records by name), or nothing: then each
 * objective and constraint is read from the last reported point of the metric with its name
 * (docs/DESIGN.md 6b; objective-result.ts).
 */
export type Objective = (trial: TrialHandle) => Promise<ObjectiveResult> | ObjectiveResult;
