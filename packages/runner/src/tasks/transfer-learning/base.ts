import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadTfjs } from '../../tfjs/index.js';
import { cachedDir, cacheKey } from './cache.js';
import {
  BASE_DIGITS,
  type DataSlice,
  type DigitSet,
  dataVersion,
  HEAD_DIGITS,
  IMAGE_SIZE,
  loadDigitSplit,
  PIXELS,
} from './data.js';
import { type BaseSettings, buildFeatureModel, buildPretrainModel, DEFAULT_BASE_SETTINGS } from './model.js';

/** Bump when the cache layout or the way features are computed changes. */
const CACHE_FORMAT = 1;

/** Features of one split of the head digits, as the head trains on them. */
export interface FeatureSet {
  readonly x: Float32Array;
  readonly labels: Uint8Array;
  readonly count: number;
}

export interface WeightArray {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** The pre-trained base and the features it gives for digits 5-9: what every trial starts from. */
export interface BaseFeatures {
  readonly key: string;
  readonly dir: string;
  readonly settings: BaseSettings;
  readonly featureDim: number;
  /** Classes of the head's task (digits 5-9 as 0-4). */
  readonly classes: number;
  readonly train: FeatureSet;
  readonly val: FeatureSet;
  /** The base's weights, so a checkpoint can carry the whole image classifier. */
  readonly weights: readonly WeightArray[];
  /** Validation accuracy of the base on digits 0-4 after pre-training. */
  readonly pretrainValAcc: number;
  /** `computed`: pre-trained and extracted by this call; `disk`: read from the cache. */
  readonly source: 'computed' | 'disk';
  readonly ms: number;
}

export interface PrepareBaseOptions {
  readonly cacheDir: string;
  readonly settings?: Partial<BaseSettings>;
  readonly dataSlice?: DataSlice;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

interface Manifest {
  readonly format: number;
  readonly key: string;
  readonly keyed: unknown;
  readonly featureDim: number;
  readonly classes: number;
  readonly trainCount: number;
  readonly valCount: number;
  readonly weightShapes: number[][];
  readonly pretrainValAcc: number;
  readonly createdAt: string;
  readonly computeMs: number;
}

/**
 * Pre-trains the conv base on digits 0-4 and extracts features for digits 5-9, or reads both from
 * `cacheDir` when a previous run (any process) already did, keyed by the base settings and data.
 */
export async function prepareBase(options: PrepareBaseOptions): Promise<BaseFeatures> {
  const started = performance.now();
  const settings: BaseSettings = { ...DEFAULT_BASE_SETTINGS, ...options.settings };
  const log = options.log ?? (() => {});
  // The backend must be chosen first: on wasm, loadTfjs also adds the conv gradient the base needs.
  await loadTfjs({ log });
  const keyed = {
    format: CACHE_FORMAT,
    data: await dataVersion(),
    slice: { perClass: options.dataSlice?.perClass, valFraction: options.dataSlice?.valFraction },
    baseDigits: BASE_DIGITS,
    headDigits: HEAD_DIGITS,
    settings,
  };
  const key = cacheKey(keyed);
  const dir = join(options.cacheDir, 'transfer-learning', `base-${key}`);
  const cached = () =>
    cachedDir(dir, {
      signal: options.signal,
      build: (tmp) => computeBase(tmp, key, keyed, settings, options.dataSlice ?? {}, log, options.signal),
    });
  let { built, waited } = await cached();
  let loaded: Awaited<ReturnType<typeof readBase>>;
  try {
    loaded = await readBase(dir, settings);
  } catch (error) {
    // Entries appear whole (rename), so this is damage from outside: rebuild once, then give up.
    if (built) throw error;
    log(`transfer-learning: base cache ${dir} is unreadable (${String(error)}); rebuilding it`);
    await rm(dir, { recursive: true, force: true });
    ({ built, waited } = await cached());
    loaded = await readBase(dir, settings);
  }
  const ms = performance.now() - started;
  log(
    built
      ? `transfer-learning: base ${key} pre-trained and features extracted in ${(ms / 1000).toFixed(1)} s`
      : `transfer-learning: base ${key} features read from cache in ${ms.toFixed(0)} ms` +
          (waited ? ' (waited for another worker to build them)' : ''),
  );
  return { ...loaded, source: built ? 'computed' : 'disk', ms };
}

async function computeBase(
  dir: string,
  key: string,
  keyed: unknown,
  settings: BaseSettings,
  slice: DataSlice,
  log: (line: string) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  const started = performance.now();
  const baseData = await loadDigitSplit(BASE_DIGITS, slice, settings.seed);
  log(
    `transfer-learning: pre-training base ${key} on digits ${BASE_DIGITS.join(',')} ` +
      `(${baseData.train.count} images, ${settings.epochs} epochs, ${tf.getBackend()} backend)`,
  );
  // On wasm this relies on the Conv2DBackpropFilter kernel that loadTfjs registers.
  const { weights, valAcc } = await pretrain(settings, baseData.train, baseData.val, signal);
  signal?.throwIfAborted();
  const { featureDim, train, val } = await computeHeadFeatures(settings, weights, slice);
  const manifest: Manifest = {
    format: CACHE_FORMAT,
    key,
    keyed,
    featureDim,
    classes: HEAD_DIGITS.length,
    trainCount: train.count,
    valCount: val.count,
    weightShapes: weights.map((w) => [...w.shape]),
    pretrainValAcc: valAcc,
    createdAt: new Date().toISOString(),
    computeMs: Math.round(performance.now() - started),
  };
  await Promise.all([
    writeFile(join(dir, 'base-weights.f32'), concat(weights.map((w) => w.data))),
    writeFile(join(dir, 'train-x.f32'), train.x),
    writeFile(join(dir, 'train-y.u8'), train.labels),
    writeFile(join(dir, 'val-x.f32'), val.x),
    writeFile(join(dir, 'val-y.u8'), val.labels),
  ]);
  // The manifest last: its presence in a finished entry is the reader's sanity check.
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  log(`transfer-learning: base ${key} pre-trained to val_acc ${valAcc.toFixed(3)} on digits 0-4`);
}

/** The head's data (digits 5-9) as the given base sees it; the seeded split matches the cache's. */
export async function computeHeadFeatures(
  settings: BaseSettings,
  weights: readonly WeightArray[],
  slice: DataSlice = {},
): Promise<{ featureDim: number; train: FeatureSet; val: FeatureSet }> {
  const headData = await loadHeadSplit(settings, slice);
  const weightTensors = weights.map((w) => tf.tensor(w.data, [...w.shape]));
  const featureModel = buildFeatureModel(settings, weightTensors);
  tf.dispose(weightTensors);
  try {
    const featureDim = featureModel.outputs[0]?.shape[1];
    if (typeof featureDim !== 'number') throw new Error('base: unexpected feature shape');
    const train = await extractFeatures(featureModel, headData.train, featureDim);
    const val = await extractFeatures(featureModel, headData.val, featureDim);
    return { featureDim, train, val };
  } finally {
    featureModel.dispose();
  }
}

/** Digits 5-9 split into train/val images, seeded from the base settings. */
export function loadHeadSplit(settings: BaseSettings, slice: DataSlice = {}) {
  return loadDigitSplit(HEAD_DIGITS, slice, settings.seed + 1);
}

async function pretrain(
  settings: BaseSettings,
  train: DigitSet,
  val: DigitSet,
  signal: AbortSignal | undefined,
): Promise<{ weights: WeightArray[]; valAcc: number }> {
  const classes = BASE_DIGITS.length;
  const model = buildPretrainModel(settings, classes);
  const optimizer = tf.train.adam(settings.learningRate);
  model.compile({
    optimizer,
    loss: 'categoricalCrossentropy',
    metrics: ['acc'],
  });
  const [xTrain, yTrain, xVal, yVal] = tf.tidy(() => [
    tf.tensor4d(train.x, [train.count, IMAGE_SIZE, IMAGE_SIZE, 1]),
    tf.oneHot(tf.tensor1d(train.labels, 'int32'), classes),
    tf.tensor4d(val.x, [val.count, IMAGE_SIZE, IMAGE_SIZE, 1]),
    tf.oneHot(tf.tensor1d(val.labels, 'int32'), classes),
  ]);
  try {
    const history = await model.fit(xTrain, yTrain, {
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      // The split is already in a seeded random order; fit's own shuffle uses Math.random.
      shuffle: false,
      validationData: [xVal, yVal],
      verbose: 0,
      // Keeps heartbeats flowing while the base trains.
      yieldEvery: 100,
      callbacks: {
        onBatchEnd: async () => {
          if (signal?.aborted) model.stopTraining = true;
        },
      },
    });
    signal?.throwIfAborted();
    const accs = history.history.val_acc ?? [];
    const valAcc = Number(accs[accs.length - 1] ?? Number.NaN);
    // The base is everything before the pre-training softmax (2 conv layers: kernel and bias each).
    const baseWeights = model.getWeights().slice(0, -2);
    const weights = baseWeights.map((w) => ({ shape: w.shape, data: Float32Array.from(w.dataSync()) }));
    return { weights, valAcc };
  } finally {
    tf.dispose([xTrain, yTrain, xVal, yVal]);
    // A model does not own an optimizer passed in as an instance: its moments are freed here.
    optimizer.dispose();
    model.dispose();
  }
}

const FEATURE_BATCH = 256;

async function extractFeatures(
  model: tf.LayersModel,
  set: DigitSet,
  featureDim: number,
): Promise<FeatureSet> {
  const x = new Float32Array(set.count * featureDim);
  for (let start = 0; start < set.count; start += FEATURE_BATCH) {
    // Yield between batches: the worker's heartbeats share this thread.
    await new Promise((resolve) => setImmediate(resolve));
    const n = Math.min(FEATURE_BATCH, set.count - start);
    const out = tf.tidy(() => {
      const images = tf.tensor4d(set.x.subarray(start * PIXELS, (start + n) * PIXELS), [
        n,
        IMAGE_SIZE,
        IMAGE_SIZE,
        1,
      ]);
      const features = model.predict(images);
      if (Array.isArray(features)) throw new Error('base: expected one output');
      return features.dataSync();
    });
    x.set(out, start * featureDim);
  }
  return { x, labels: set.labels, count: set.count };
}

async function readBase(dir: string, settings: BaseSettings): Promise<Omit<BaseFeatures, 'source' | 'ms'>> {
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  if (manifest.format !== CACHE_FORMAT)
    throw new Error(`base cache ${dir}: unknown format ${manifest.format}`);
  const [weightData, trainX, trainY, valX, valY] = await Promise.all([
    readFile(join(dir, 'base-weights.f32')).then(floats),
    readFile(join(dir, 'train-x.f32')).then(floats),
    readFile(join(dir, 'train-y.u8')).then((b) => new Uint8Array(b)),
    readFile(join(dir, 'val-x.f32')).then(floats),
    readFile(join(dir, 'val-y.u8')).then((b) => new Uint8Array(b)),
  ]);
  const check = (what: string, actual: number, expected: number) => {
    if (actual !== expected)
      throw new Error(`base cache ${dir}: ${what} has ${actual} values, expected ${expected}`);
  };
  check('train-x', trainX.length, manifest.trainCount * manifest.featureDim);
  check('train-y', trainY.length, manifest.trainCount);
  check('val-x', valX.length, manifest.valCount * manifest.featureDim);
  check('val-y', valY.length, manifest.valCount);
  const weights: WeightArray[] = [];
  let offset = 0;
  for (const shape of manifest.weightShapes) {
    const size = shape.reduce((a, b) => a * b, 1);
    weights.push({ shape, data: weightData.subarray(offset, offset + size) });
    offset += size;
  }
  check('base-weights', weightData.length, offset);
  return {
    key: manifest.key,
    dir,
    settings,
    featureDim: manifest.featureDim,
    classes: manifest.classes,
    train: { x: trainX, labels: trainY, count: manifest.trainCount },
    val: { x: valX, labels: valY, count: manifest.valCount },
    weights,
    pretrainValAcc: manifest.pretrainValAcc,
  };
}

/** Node Buffers may be unaligned views into a shared pool: copy into an owned, aligned array. */
function floats(buffer: Buffer): Float32Array {
  const copy = new Uint8Array(buffer.byteLength);
  copy.set(buffer);
  return new Float32Array(copy.buffer);
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
