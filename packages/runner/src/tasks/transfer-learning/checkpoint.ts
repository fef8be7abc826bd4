import * as tf from '@tensorflow/tfjs';
import { loadTfjs } from '../../tfjs/index.js';
import type { CheckpointFile } from '../../trial-handle.js';
import type { BaseFeatures } from './base.js';
import { HEAD_DIGITS, IMAGE_SIZE } from './data.js';
import { type BaseSettings, buildInferenceModel, type HeadParams } from './model.js';
import { checkpointFileName } from './params.js';
import { deserializeModel, parseSerializedModel, serializeModel } from './serialize.js';

/** What a checkpoint says about itself, beside the model. */
export interface CheckpointMetadata {
  readonly task: 'transfer-learning';
  readonly trialNumber: number;
  readonly params: HeadParams;
  /** The epoch (1-based) whose weights these are: the best by val_loss. */
  readonly epoch: number;
  readonly metrics: Readonly<Record<string, number>>;
  /** The model takes 28x28x1 images in [0, 1]; output i is the probability of `digits[i]`. */
  readonly inputShape: readonly number[];
  readonly digits: readonly number[];
  readonly baseKey: string;
  readonly baseSettings: BaseSettings;
}

export const CHECKPOINT_CONTENT_TYPE = 'application/json';

/**
 * The whole image classifier (frozen base + the head's best weights) as one JSON file, so the
 * checkpoint is usable without the feature cache.
 */
export function composeClassifier(
  base: BaseFeatures,
  params: HeadParams,
  headWeights: readonly tf.Tensor[],
): tf.Sequential {
  const baseWeights = base.weights.map((w) => tf.tensor(w.data, [...w.shape]));
  try {
    return buildInferenceModel(base.settings, params, base.classes, [...baseWeights, ...headWeights]);
  } finally {
    tf.dispose(baseWeights);
  }
}

export async function buildCheckpoint(
  base: BaseFeatures,
  params: HeadParams,
  headWeights: readonly tf.Tensor[],
  info: { trialNumber: number; epoch: number; metrics: Readonly<Record<string, number>> },
): Promise<CheckpointFile> {
  const model = composeClassifier(base, params, headWeights);
  try {
    const metadata: CheckpointMetadata = {
      task: 'transfer-learning',
      trialNumber: info.trialNumber,
      params,
      epoch: info.epoch,
      metrics: info.metrics,
      inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1],
      digits: HEAD_DIGITS,
      baseKey: base.key,
      baseSettings: base.settings,
    };
    return {
      fileName: checkpointFileName(info.trialNumber, params),
      contentType: CHECKPOINT_CONTENT_TYPE,
      data: await serializeModel(model, metadata),
    };
  } finally {
    model.dispose();
  }
}

/** Loads a checkpoint written by the transfer-learning task: a model from images to digits 5-9. */
export async function loadCheckpoint(bytes: Uint8Array): Promise<tf.LayersModel> {
  await loadTfjs();
  return deserializeModel(bytes);
}

export function readCheckpointMetadata(bytes: Uint8Array): CheckpointMetadata {
  const { metadata } = parseSerializedModel(bytes);
  if (typeof metadata !== 'object' || metadata === null || !('task' in metadata)) {
    throw new Error('not a transfer-learning checkpoint');
  }
  if (metadata.task !== 'transfer-learning') throw new Error('not a transfer-learning checkpoint');
  return metadata as CheckpointMetadata;
}
