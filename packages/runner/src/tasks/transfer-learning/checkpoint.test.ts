import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { loadTfjs } from '../../tfjs/index.js';
import { loadHeadSplit, prepareBase } from './base.js';
import { buildCheckpoint, composeClassifier, loadCheckpoint, readCheckpointMetadata } from './checkpoint.js';
import { HEAD_DIGITS, IMAGE_SIZE } from './data.js';
import { fakeTrial, SMALL, tempCacheDir } from './fixtures.test-support.js';
import { createTransferLearningObjective } from './index.js';
import { DEFAULT_BASE_SETTINGS } from './model.js';
import { parseHeadParams } from './params.js';
import { trainHead } from './train.js';

describe('transfer-learning checkpoints', () => {
  it('load back as a model with identical predictions', async () => {
    await loadTfjs({ log: () => {} });
    const base = await prepareBase({
      cacheDir: await tempCacheDir(),
      settings: SMALL.base,
      dataSlice: SMALL.dataSlice,
    });
    const params = parseHeadParams({ dropout: 0.25, units1: 24, units2: 12, units3: 6, batch: 32 });
    const result = await trainHead({ ...base, params, maxEpochs: 2, patience: 2, seed: 1 });
    try {
      const file = await buildCheckpoint(base, params, result.bestWeights, {
        trialNumber: 3,
        epoch: result.bestEpoch ?? 0,
        metrics: { ...result.best },
      });
      const images = tf.randomUniform([16, IMAGE_SIZE, IMAGE_SIZE, 1], 0, 1, 'float32', 5);
      const original = composeClassifier(base, params, result.bestWeights);
      const loaded = await loadCheckpoint(file.data);
      const expected = (original.predict(images) as tf.Tensor).dataSync();
      const actual = (loaded.predict(images) as tf.Tensor).dataSync();
      assert.deepEqual(actual, expected);
      assert.deepEqual(loaded.inputs[0]?.shape, [null, IMAGE_SIZE, IMAGE_SIZE, 1]);
      assert.deepEqual(loaded.outputs[0]?.shape, [null, HEAD_DIGITS.length]);
      assert.deepEqual(readCheckpointMetadata(file.data).params, params);
      tf.dispose(images);
      original.dispose();
      loaded.dispose();
    } finally {
      tf.dispose(result.bestWeights);
    }
  });

  it("classify raw digit images as well as the trial's best epoch did on features", async () => {
    const cacheDir = await tempCacheDir();
    const objective = createTransferLearningObjective({ cacheDir, ...SMALL });
    const trial = fakeTrial({ lr: 3e-3, units1: 32, units2: 16, units3: 8, batch: 32 });
    await objective(trial);
    const [file] = trial.checkpoints;
    assert.ok(file);
    const meta = readCheckpointMetadata(file.data);
    const model = await loadCheckpoint(file.data);
    // The same validation split the base extracted its features from.
    const { val } = await loadHeadSplit({ ...DEFAULT_BASE_SETTINGS, ...SMALL.base }, SMALL.dataSlice);
    const predicted = tf.tidy(() => {
      const images = tf.tensor4d(val.x, [val.count, IMAGE_SIZE, IMAGE_SIZE, 1]);
      return (model.predict(images) as tf.Tensor).argMax(-1).dataSync();
    });
    const correct = Array.from(predicted).filter((p, i) => p === val.labels[i]).length;
    const expected = Math.round((meta.metrics.val_acc ?? Number.NaN) * val.count);
    assert.ok(
      Math.abs(correct - expected) <= 1,
      `checkpoint got ${correct}/${val.count}, trial reported ${expected}`,
    );
    model.dispose();
  });
});
