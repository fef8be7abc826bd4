import assert from 'node:assert/strict';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { TrialPruned } from '../../trial-handle.js';
import { fakeTrial, SMALL, tempCacheDir } from './fixtures.test-support.js';
import { createTransferLearningObjective, prepareBase, readCheckpointMetadata } from './index.js';

const PARAMS = { lr: 3e-3, decay: 0.1, dropout: 0.1, units1: 32, units2: 16, units3: 8, l2: 1e-4, batch: 32 };

describe('transfer-learning task', () => {
  it('trains on a small slice, reports each epoch and saves the best epoch as the checkpoint', async () => {
    const cacheDir = await tempCacheDir();
    const objective = createTransferLearningObjective({ cacheDir, ...SMALL });
    const trial = fakeTrial(PARAMS, () => false, 7);
    const tensorsBefore = tf.memory().numTensors;
    const value = await objective(trial);
    // Model, optimizer state, data and best-weight snapshots are all released.
    assert.equal(tf.memory().numTensors, tensorsBefore);

    assert.deepEqual(
      trial.reports.map((r) => r.step),
      [1, 2, 3, 4],
    );
    for (const { metrics } of trial.reports) {
      assert.deepEqual(Object.keys(metrics).sort(), [
        'acc',
        'loss',
        'trainable_params',
        'val_acc',
        'val_loss',
      ]);
      for (const v of Object.values(metrics)) assert.ok(Number.isFinite(v));
      assert.ok((metrics.acc ?? -1) >= 0 && (metrics.acc ?? 2) <= 1);
    }
    const valLosses = trial.reports.map((r) => r.metrics.val_loss ?? Number.NaN);
    assert.equal(value, Math.min(...valLosses));
    // Real learning: a 5-way head on pre-trained features beats chance (0.2) by far.
    assert.ok((trial.reports.at(-1)?.metrics.val_acc ?? 0) > 0.6);

    assert.equal(trial.checkpoints.length, 1);
    const [checkpoint] = trial.checkpoints;
    assert.ok(checkpoint);
    assert.equal(
      checkpoint.fileName,
      'trial-7_lr=3e-3_decay=0.1_dropout=0.1_u1=32_u2=16_u3=8_l2=1e-4_bs=32.json',
    );
    assert.equal(checkpoint.contentType, 'application/json');
    const meta = readCheckpointMetadata(checkpoint.data);
    assert.equal(meta.trialNumber, 7);
    assert.equal(meta.metrics.val_loss, value);
    assert.equal(meta.epoch, valLosses.indexOf(Math.min(...valLosses)) + 1);
    assert.deepEqual(meta.digits, [5, 6, 7, 8, 9]);
  });

  it('is deterministic: the same params give the same metrics', async () => {
    const cacheDir = await tempCacheDir();
    const objective = createTransferLearningObjective({ cacheDir, ...SMALL, maxEpochs: 2 });
    const a = fakeTrial({ ...PARAMS, dropout: 0.3 });
    const b = fakeTrial({ ...PARAMS, dropout: 0.3 });
    await objective(a);
    await objective(b);
    assert.deepEqual(b.reports, a.reports);
  });

  it('stops early when val_loss stops improving, keeping the best epoch', async () => {
    const cacheDir = await tempCacheDir();
    const objective = createTransferLearningObjective({ cacheDir, ...SMALL, maxEpochs: 30, patience: 1 });
    // A learning rate far too high for Adam: val_loss bounces up within a few epochs.
    const trial = fakeTrial({ ...PARAMS, lr: 0.03, decay: 0.001, l2: 1e-6, dropout: 0 });
    const value = await objective(trial);
    const valLosses = trial.reports.map((r) => r.metrics.val_loss ?? Number.NaN);
    assert.ok(valLosses.length < 30, `ran all ${valLosses.length} epochs`);
    const last = valLosses.at(-1) ?? Number.NaN;
    const beforeLast = valLosses.at(-2) ?? Number.NaN;
    // Patience 1: the last epoch is the first that did not improve on the best so far.
    assert.ok(last >= Math.min(...valLosses.slice(0, -1)));
    assert.ok(beforeLast === Math.min(...valLosses.slice(0, -1)));
    assert.equal(value, Math.min(...valLosses));
    const [checkpoint] = trial.checkpoints;
    assert.ok(checkpoint);
    assert.equal(readCheckpointMetadata(checkpoint.data).epoch, valLosses.length - 1);
  });

  it('hits the base cache on a second run instead of recomputing the features', async () => {
    const cacheDir = await tempCacheDir();
    const lines: string[] = [];
    const first = createTransferLearningObjective({
      cacheDir,
      ...SMALL,
      maxEpochs: 1,
      log: (l) => lines.push(l),
    });
    await first(fakeTrial(PARAMS));
    assert.ok(lines.some((l) => /pre-trained and features extracted/.test(l)));
    const base = await prepareBase({ cacheDir, settings: SMALL.base, dataSlice: SMALL.dataSlice });
    assert.equal(base.source, 'disk');
    const featuresFile = join(base.dir, 'train-x.f32');
    const mtime = (await stat(featuresFile)).mtimeMs;

    lines.length = 0;
    // A new objective stands for a new worker process: nothing shared in memory.
    const second = createTransferLearningObjective({
      cacheDir,
      ...SMALL,
      maxEpochs: 1,
      log: (l) => lines.push(l),
    });
    await second(fakeTrial(PARAMS));
    assert.ok(lines.some((l) => /features read from cache/.test(l)));
    assert.ok(!lines.some((l) => /pre-training/.test(l)));
    assert.equal((await stat(featuresFile)).mtimeMs, mtime);

    // Other base settings are another cache entry.
    const other = await prepareBase({
      cacheDir,
      settings: { ...SMALL.base, filters1: 4 },
      dataSlice: SMALL.dataSlice,
    });
    assert.equal(other.source, 'computed');
    assert.notEqual(other.key, base.key);
  });

  it('rebuilds a damaged cache entry', async () => {
    const cacheDir = await tempCacheDir();
    const first = await prepareBase({ cacheDir, settings: SMALL.base, dataSlice: SMALL.dataSlice });
    await writeFile(join(first.dir, 'train-x.f32'), new Uint8Array(12));
    const lines: string[] = [];
    const again = await prepareBase({
      cacheDir,
      settings: SMALL.base,
      dataSlice: SMALL.dataSlice,
      log: (l) => lines.push(l),
    });
    assert.equal(again.source, 'computed');
    assert.ok(lines.some((l) => /unreadable/.test(l)));
    assert.deepEqual(again.train.x, first.train.x);
  });

  it('builds the base once when two workers start at the same time', async () => {
    const cacheDir = await tempCacheDir();
    const [a, b] = await Promise.all([
      prepareBase({ cacheDir, settings: SMALL.base, dataSlice: SMALL.dataSlice }),
      prepareBase({ cacheDir, settings: SMALL.base, dataSlice: SMALL.dataSlice }),
    ]);
    assert.deepEqual([a.source, b.source].sort(), ['computed', 'disk']);
    assert.deepEqual(b.train.x, a.train.x);
  });

  it('stops when the trial signal aborts', async () => {
    const cacheDir = await tempCacheDir();
    const objective = createTransferLearningObjective({ cacheDir, ...SMALL, maxEpochs: 20 });
    const trial = fakeTrial(PARAMS, (step, t) => {
      if (step === 2) t.controller.abort();
      return false;
    });
    await assert.rejects(
      objective(trial),
      (error: unknown) => error instanceof Error && error.name === 'AbortError',
    );
    assert.equal(trial.reports.length, 2);
    assert.equal(trial.checkpoints.length, 0);
  });

  it('prunes when the pruner says so, without a checkpoint', async () => {
    const cacheDir = await tempCacheDir();
    const objective = createTransferLearningObjective({ cacheDir, ...SMALL, maxEpochs: 20 });
    const trial = fakeTrial(PARAMS, (step) => step === 1);
    await assert.rejects(objective(trial), TrialPruned);
    assert.equal(trial.reports.length, 1);
    assert.equal(trial.checkpoints.length, 0);
  });

  it('rejects unusable params with a message naming them', async () => {
    const cacheDir = await tempCacheDir();
    const objective = createTransferLearningObjective({ cacheDir, ...SMALL });
    await assert.rejects(objective(fakeTrial({ ...PARAMS, units2: 12.5 })), /units2=12.5 must be an integer/);
  });

  it('reports trainable_params each epoch and returns the best epoch by name for a multi-objective study', async () => {
    const cacheDir = await tempCacheDir();
    const objective = createTransferLearningObjective({ cacheDir, ...SMALL, maxEpochs: 3 });
    const { featureDim } = await prepareBase({ cacheDir, settings: SMALL.base, dataSlice: SMALL.dataSlice });
    const shape = { objectives: ['val_loss', 'trainable_params'], constraints: ['val_acc'] };
    const small = { ...PARAMS, units1: 40, units2: 20, units3: 10 };
    const trial = fakeTrial(small, () => false, 3, shape);
    const result = await objective(trial);
    // Dense layers: inputs x units + biases, then a softmax over the head's 5 digits.
    const expected = featureDim * 40 + 40 + (40 * 20 + 20) + (20 * 10 + 10) + (10 * 5 + 5);
    for (const { metrics } of trial.reports) assert.equal(metrics.trainable_params, expected);
    const valLosses = trial.reports.map((r) => r.metrics.val_loss ?? Number.NaN);
    const bestEpoch = valLosses.indexOf(Math.min(...valLosses));
    assert.deepEqual(result, {
      values: { val_loss: Math.min(...valLosses), trainable_params: expected },
      constraints: { val_acc: trial.reports[bestEpoch]?.metrics.val_acc },
    });
    // A bigger head has more parameters: the trade-off the multi-objective demo explores.
    const wide = fakeTrial({ ...small, units1: 80 }, () => false, 4, shape);
    const wideResult = (await objective(wide)) as { values: Record<string, number> };
    assert.ok((wideResult.values.trainable_params ?? 0) > expected);
  });

  it('rejects a study naming a metric the task does not report', async () => {
    const cacheDir = await tempCacheDir();
    const objective = createTransferLearningObjective({ cacheDir, ...SMALL, maxEpochs: 1 });
    const trial = fakeTrial(PARAMS, () => false, 1, {
      objectives: ['val_loss', 'latency_ms'],
      constraints: [],
    });
    await assert.rejects(objective(trial), /the study names latency_ms, which this task does not report/);
  });
});
