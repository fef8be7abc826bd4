import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE } from './data.js';

/** Settings of the conv base; they key the on-disk cache, so any change retrains it. */
export interface BaseSettings {
  readonly filters1: number;
  readonly filters2: number;
  readonly kernelSize: number;
  /** Pre-training on digits 0-4. */
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
}

/**
 * Two conv blocks give 400 features per image and pre-train in well under a minute on the cpu
 * backend, which is what a worker falls back to for conv gradients.
 */
export const DEFAULT_BASE_SETTINGS: BaseSettings = {
  filters1: 8,
  filters2: 16,
  kernelSize: 3,
  epochs: 3,
  batchSize: 64,
  learningRate: 0.003,
  seed: 7,
};

/** The head's hyperparameters, already validated (see `params.ts`). */
export interface HeadParams {
  readonly lr: number;
  readonly decay: number;
  readonly dropout: number;
  readonly units1: number;
  readonly units2: number;
  readonly units3: number;
  readonly l2: number;
  readonly batch: number;
  /**
   * Dense layers in the head, 1-3 (the conditional space's `layers`); the units of layers past it
   * are unused. Absent: all three.
   */
  readonly layers?: number;
}

/** The feature layers only: what is frozen and reused by every trial. */
export function baseLayers(settings: BaseSettings): tf.layers.Layer[] {
  const conv = (filters: number, seed: number, inputShape?: number[]) =>
    tf.layers.conv2d({
      filters,
      kernelSize: settings.kernelSize,
      activation: 'relu',
      kernelInitializer: tf.initializers.heNormal({ seed }),
      ...(inputShape ? { inputShape } : {}),
    });
  return [
    conv(settings.filters1, settings.seed, [IMAGE_SIZE, IMAGE_SIZE, 1]),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    conv(settings.filters2, settings.seed + 1),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.flatten(),
  ];
}

/** Base plus a softmax over the pre-training classes; only the base part is kept afterwards. */
export function buildPretrainModel(settings: BaseSettings, classes: number): tf.Sequential {
  const model = tf.sequential({ layers: baseLayers(settings) });
  model.add(
    tf.layers.dense({
      units: classes,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: settings.seed + 2 }),
    }),
  );
  return model;
}

/** The base alone, for feature extraction, with weights taken from a pre-trained model. */
export function buildFeatureModel(settings: BaseSettings, weights: readonly tf.Tensor[]): tf.Sequential {
  const model = tf.sequential({ layers: baseLayers(settings) });
  model.setWeights([...weights]);
  return model;
}

/**
 * Dropout whose masks are reproducible: tfjs's own `seed` would repeat one mask on every batch, so
 * each call draws from `seed` plus a call counter. Used only in training; checkpoints carry a plain
 * Dropout layer (no weights, identity at inference), so nothing custom is needed to load them.
 */
class SeededDropout extends tf.layers.Layer {
  static readonly className = 'PosteriorSeededDropout';
  private calls = 0;

  constructor(
    private readonly rate: number,
    private readonly seed: number,
  ) {
    super({});
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!x) throw new Error('SeededDropout: no input');
    if (kwargs.training !== true || this.rate === 0) return x;
    this.calls += 1;
    return tf.dropout(x, this.rate, undefined, this.seed * 100_003 + this.calls);
  }
}

/**
 * One to three dense layers (three unless `layers` says fewer) with L2 and dropout, then a softmax over the head's classes. `forTraining` picks
 * the seeded dropout; both variants have the same weights in the same order.
 */
export function headLayers(
  params: HeadParams,
  inputDim: number | undefined,
  classes: number,
  seed: number,
  forTraining: boolean,
): tf.layers.Layer[] {
  const layers: tf.layers.Layer[] = [];
  const units = [params.units1, params.units2, params.units3].slice(0, params.layers ?? 3);
  for (const [i, n] of units.entries()) {
    layers.push(
      tf.layers.dense({
        units: n,
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: seed + i }),
        kernelRegularizer: params.l2 > 0 ? tf.regularizers.l2({ l2: params.l2 }) : undefined,
        ...(i === 0 && inputDim !== undefined ? { inputShape: [inputDim] } : {}),
      }),
    );
    if (params.dropout > 0) {
      layers.push(
        forTraining
          ? new SeededDropout(params.dropout, seed + 10 + i)
          : tf.layers.dropout({ rate: params.dropout }),
      );
    }
  }
  layers.push(
    tf.layers.dense({
      units: classes,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + units.length }),
    }),
  );
  return layers;
}

/** The head alone, trained on cached base features. */
export function buildHeadModel(
  params: HeadParams,
  featureDim: number,
  classes: number,
  seed: number,
): tf.Sequential {
  return tf.sequential({ layers: headLayers(params, featureDim, classes, seed, true) });
}

/**
 * The whole classifier (frozen base + trained head) from images: what a checkpoint holds, so it can
 * be used without the feature cache.
 */
export function buildInferenceModel(
  settings: BaseSettings,
  params: HeadParams,
  classes: number,
  weights: readonly tf.Tensor[],
): tf.Sequential {
  const model = tf.sequential({
    layers: [...baseLayers(settings), ...headLayers(params, undefined, classes, 0, false)],
  });
  model.setWeights([...weights]);
  return model;
}
