import * as tf from '@tensorflow/tfjs';
import type { FeatureSet } from './base.js';
import { buildHeadModel, type HeadParams } from './model.js';
import { permutation, seededRandom } from './random.js';

/** Per-epoch metrics as reported to the study. */
export interface EpochMetrics {
  readonly loss: number;
  readonly val_loss: number;
  readonly acc: number;
  readonly val_acc: number;
  /** The head's trainable weights (the same every epoch): the model-size objective of issue 17. */
  readonly trainable_params: number;
}

export type TrainStopReason = 'completed' | 'early-stopped' | 'pruned' | 'aborted';

export interface TrainHeadOptions {
  readonly train: FeatureSet;
  readonly val: FeatureSet;
  readonly featureDim: number;
  readonly classes: number;
  readonly params: HeadParams;
  readonly maxEpochs: number;
  /** Epochs without a better val_loss before stopping. */
  readonly patience: number;
  readonly seed: number;
  readonly signal?: AbortSignal;
  /** Called after each epoch (1-based); resolves true to prune the trial. */
  readonly onEpoch?: (epoch: number, metrics: EpochMetrics) => Promise<boolean>;
}

export interface TrainHeadResult {
  readonly stopReason: TrainStopReason;
  readonly epochsRun: number;
  /** The best epoch by val_loss (1-based) and its metrics; undefined if no epoch gave a finite one. */
  readonly bestEpoch: number | undefined;
  readonly best: EpochMetrics | undefined;
  /** Clones of the best epoch's weights (the caller disposes them). */
  readonly bestWeights: tf.Tensor[];
}

/** Adam whose learning rate can follow a schedule (tfjs optimizers take a constant). */
class ScheduledAdam extends tf.AdamOptimizer {
  constructor(learningRate: number) {
    super(learningRate, 0.9, 0.999);
  }

  setLearningRate(lr: number): void {
    this.learningRate = lr;
  }
}

/** lr_t = lr0 / (1 + rate * step / decaySteps), with one epoch's steps as decaySteps. */
export function inverseTimeDecay(lr0: number, rate: number, step: number, decaySteps: number): number {
  return lr0 / (1 + (rate * step) / decaySteps);
}

/**
 * Trains the head on cached features with seeded init, shuffling and dropout; everything the
 * outside sees (metrics, pruning, early stopping, abort) goes through fit callbacks.
 */
export async function trainHead(options: TrainHeadOptions): Promise<TrainHeadResult> {
  const { params, train, val, featureDim, classes, signal } = options;
  const model = buildHeadModel(params, featureDim, classes, options.seed);
  const trainableParams = model.trainableWeights.reduce(
    (n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1),
    0,
  );
  const optimizer = new ScheduledAdam(params.lr);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['acc'] });
  const [xTrain, yTrain, xVal, yVal] = tf.tidy(() => [
    tf.tensor2d(train.x, [train.count, featureDim]),
    tf.oneHot(tf.tensor1d(train.labels, 'int32'), classes).toFloat(),
    tf.tensor2d(val.x, [val.count, featureDim]),
    tf.oneHot(tf.tensor1d(val.labels, 'int32'), classes).toFloat(),
  ]);
  const stepsPerEpoch = Math.ceil(train.count / params.batch);
  const random = seededRandom(options.seed + 1);
  // Each epoch re-runs the generator: a new seeded permutation, batches gathered on the backend.
  const dataset = tf.data.generator(function* () {
    const order = permutation(train.count, random);
    for (let start = 0; start < train.count; start += params.batch) {
      const indices = tf.tensor1d(Int32Array.from(order.subarray(start, start + params.batch)), 'int32');
      const batch = { xs: tf.gather(xTrain, indices), ys: tf.gather(yTrain, indices) };
      indices.dispose();
      yield batch;
    }
  });

  let step = 0;
  let epochsRun = 0;
  let bestEpoch: number | undefined;
  let best: EpochMetrics | undefined;
  let bestWeights: tf.Tensor[] = [];
  let sinceBest = 0;
  let stopReason: TrainStopReason = 'completed';
  const stop = (reason: TrainStopReason) => {
    stopReason = reason;
    model.stopTraining = true;
  };

  try {
    await model.fitDataset(dataset, {
      epochs: options.maxEpochs,
      validationData: [xVal, yVal],
      validationBatchSize: 1024,
      verbose: 0,
      // Keeps heartbeats and metric uploads flowing while a trial trains.
      yieldEvery: 100,
      callbacks: {
        onBatchBegin: async () => {
          if (signal?.aborted) stop('aborted');
          optimizer.setLearningRate(inverseTimeDecay(params.lr, params.decay, step, stepsPerEpoch));
          step += 1;
        },
        onEpochEnd: async (index, logs) => {
          // A stop inside the epoch ends it early, without validation: nothing to report.
          if (signal?.aborted) return stop('aborted');
          if (model.stopTraining) return;
          const epoch = index + 1;
          epochsRun = epoch;
          const metrics: EpochMetrics = {
            loss: Number(logs?.loss),
            val_loss: Number(logs?.val_loss),
            acc: Number(logs?.acc),
            val_acc: Number(logs?.val_acc),
            trainable_params: trainableParams,
          };
          if (Number.isFinite(metrics.val_loss) && (best === undefined || metrics.val_loss < best.val_loss)) {
            best = metrics;
            bestEpoch = epoch;
            sinceBest = 0;
            tf.dispose(bestWeights);
            bestWeights = model.getWeights().map((w) => w.clone());
          } else {
            sinceBest += 1;
          }
          const prune = (await options.onEpoch?.(epoch, metrics)) ?? false;
          if (signal?.aborted) stop('aborted');
          else if (prune) stop('pruned');
          else if (sinceBest >= options.patience) stop('early-stopped');
        },
      },
    });
  } catch (error) {
    tf.dispose(bestWeights);
    throw error;
  } finally {
    tf.dispose([xTrain, yTrain, xVal, yVal]);
    optimizer.dispose();
    model.dispose();
  }
  return { stopReason, epochsRun, bestEpoch, best, bestWeights };
}
