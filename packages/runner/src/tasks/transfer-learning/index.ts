import * as tf from '@tensorflow/tfjs';
import { loadTfjs } from '../../tfjs/index.js';
import type { Objective, ObjectiveValues, TrialHandle } from '../../trial-handle.js';
import { type BaseFeatures, prepareBase } from './base.js';
import { buildCheckpoint } from './checkpoint.js';
import type { DataSlice } from './data.js';
import type { BaseSettings } from './model.js';
import { formatParam, headUnits, parseHeadParams } from './params.js';
import { type EpochMetrics, trainHead } from './train.js';

export {
  type BaseFeatures,
  computeHeadFeatures,
  type FeatureSet,
  loadHeadSplit,
  type PrepareBaseOptions,
  prepareBase,
  type WeightArray,
} from './base.js';
export {
  CHECKPOINT_CONTENT_TYPE,
  type CheckpointMetadata,
  composeClassifier,
  loadCheckpoint,
  readCheckpointMetadata,
} from './checkpoint.js';
export { BASE_DIGITS, type DataSlice, HEAD_DIGITS, loadDigitSplit } from './data.js';
export { type BaseSettings, DEFAULT_BASE_SETTINGS, type HeadParams } from './model.js';
export {
  checkpointFileName,
  conditionalTransferLearningSearchSpace,
  DEFAULT_HEAD_PARAMS,
  headUnits,
  parseHeadParams,
  type SearchSpaceEntry,
  transferLearningSearchSpace,
} from './params.js';
export { type EpochMetrics, inverseTimeDecay, type TrainStopReason, trainHead } from './train.js';

export const TRANSFER_LEARNING_TASK = 'transfer-learning';

export interface TransferLearningOptions {
  /** Where the pre-trained base and its features are cached (shared by all workers on the machine). */
  readonly cacheDir: string;
  /** A slice of the data (tests); the default is all of it. */
  readonly dataSlice?: DataSlice;
  readonly maxEpochs?: number;
  /** Epochs without a better val_loss before early stopping. */
  readonly patience?: number;
  readonly log?: (line: string) => void;
  /** Overrides of the conv base's settings (part of the cache key). */
  readonly base?: Partial<BaseSettings>;
  /** Seeds the head's initializers, shuffling and dropout (the same for every trial, so trials differ only by their hyperparameters). */
  readonly seed?: number;
}

/**
 * An Objective that resolves with the best epoch's value of the study's objective (a number), or
 * for a multi-objective or constrained study its `{ values, constraints }` by name (or rejects).
 */
export type TransferLearningObjective = (trial: TrialHandle) => Promise<number | ObjectiveValues>;

export const DEFAULT_MAX_EPOCHS = 20;
export const DEFAULT_PATIENCE = 3;

/**
 * The built-in `transfer-learning` task (docs/DESIGN.md section 7): a conv base pre-trained on digits 0-4
 * (once, cached on disk), and a three-layer dense head tuned on digits 5-9 from the cached
 * features. Reports loss, val_loss, acc, val_acc and trainable_params each epoch, stops early on
 * val_loss, saves the best epoch as the checkpoint and returns that epoch's value of each of the
 * study's objectives and constraints (any of those metric names; the demo minimizes val_loss, its
 * multi-objective variant val_loss against trainable_params).
 */
export function createTransferLearningObjective(options: TransferLearningOptions): TransferLearningObjective {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const maxEpochs = options.maxEpochs ?? DEFAULT_MAX_EPOCHS;
  const patience = options.patience ?? DEFAULT_PATIENCE;
  const seed = options.seed ?? 42;
  // The backend is chosen (and the choice logged) when the worker starts, not inside its first
  // trial; a failure here is left for that trial to report.
  loadTfjs({ log }).catch(() => {});
  // One base per objective: trials of this worker wait for the same preparation.
  let base: Promise<BaseFeatures> | undefined;
  const getBase = (signal: AbortSignal): Promise<BaseFeatures> => {
    if (!base) {
      const pending = prepareBase({
        cacheDir: options.cacheDir,
        settings: options.base,
        dataSlice: options.dataSlice,
        log,
        signal,
      });
      pending.catch(() => {
        if (base === pending) base = undefined;
      });
      base = pending;
    }
    return base;
  };

  return async (trial: TrialHandle): Promise<number | ObjectiveValues> => {
    trial.signal.throwIfAborted();
    const { backend } = await loadTfjs({ log });
    const features = await getBase(trial.signal);
    const params = parseHeadParams(trial.params);
    const started = performance.now();
    log(
      `transfer-learning: trial ${trial.number} lr=${formatParam(params.lr)} decay=${formatParam(params.decay)} ` +
        `dropout=${formatParam(params.dropout)} units=${headUnits(params).join('/')} ` +
        `l2=${formatParam(params.l2)} batch=${params.batch} on ${backend}`,
    );
    const result = await trainHead({
      train: features.train,
      val: features.val,
      featureDim: features.featureDim,
      classes: features.classes,
      params,
      maxEpochs,
      patience,
      seed,
      signal: trial.signal,
      onEpoch: async (epoch, metrics) => (await trial.report(epoch, finiteMetrics(metrics))).shouldPrune,
    });
    try {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      log(
        `transfer-learning: trial ${trial.number} ${result.stopReason} after ${result.epochsRun} epochs in ${seconds} s` +
          (result.best
            ? `, best val_loss ${result.best.val_loss.toFixed(4)} at epoch ${result.bestEpoch}`
            : ''),
      );
      if (result.stopReason === 'aborted') {
        trial.signal.throwIfAborted();
        throw new Error('transfer-learning: training was aborted');
      }
      if (result.stopReason === 'pruned') trial.prune();
      const { best, bestEpoch } = result;
      if (!best || bestEpoch === undefined) {
        throw new Error('transfer-learning: val_loss was never finite (training diverged)');
      }
      const checkpoint = await buildCheckpoint(features, params, result.bestWeights, {
        trialNumber: trial.number,
        epoch: bestEpoch,
        metrics: { ...best },
      });
      await trial.saveCheckpoint(checkpoint);
      return resultOf(trial, best);
    } finally {
      tf.dispose(result.bestWeights);
    }
  };
}

/**
 * The best epoch's metrics the study names. Handles built outside the worker (benchmarks) may carry
 * no names: then the study is the demo's, val_loss alone.
 */
function resultOf(
  trial: Partial<Pick<TrialHandle, 'objectives' | 'constraints'>>,
  best: EpochMetrics,
): number | ObjectiveValues {
  const objectives = trial.objectives ?? ['val_loss'];
  const constraints = trial.constraints ?? [];
  const metric = (name: string): number => {
    if (!Object.hasOwn(best, name))
      throw new Error(
        `transfer-learning: the study names ${name}, which this task does not report (it reports ${Object.keys(best).join(', ')})`,
      );
    return best[name as keyof EpochMetrics];
  };
  const byName = (names: readonly string[]) => Object.fromEntries(names.map((n) => [n, metric(n)]));
  if (objectives.length === 1 && constraints.length === 0) return metric(objectives[0] as string);
  return { values: byName(objectives), constraints: byName(constraints) };
}

/** GraphQL floats cannot carry NaN or Infinity (a diverged epoch): those values are left out. */
function finiteMetrics(metrics: EpochMetrics): Record<string, number> {
  return Object.fromEntries(Object.entries(metrics).filter(([, v]) => Number.isFinite(v)));
}

/** Where the task caches its base when no directory is given: under the default POSTERIOR_DATA_DIR. */
export const DEFAULT_TRANSFER_LEARNING_CACHE_DIR = '.posterior/cache';

let defaultObjective: Objective | undefined;

/**
 * The task with default settings, for `--task transfer-learning` (the worker's task table names this
 * export). Workers that know their data directory should call `createTransferLearningObjective`
 * with `cacheDir: <data dir>/cache` instead.
 */
export const transferLearningObjective: Objective = (trial) => {
  defaultObjective ??= createTransferLearningObjective({ cacheDir: DEFAULT_TRANSFER_LEARNING_CACHE_DIR });
  return defaultObjective(trial);
};
