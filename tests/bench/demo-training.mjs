#!/usr/bin/env node
// Demo-study training benchmark (DESIGN section 7, the built-in transfer-learning task).
//   npm run bench -- demo-training                 3 default trials + 2 trials per cache mode
//   npm run bench -- demo-training --trials 5 --side 3 --max-epochs 20 --patience 3
// Measures, in one process (one core, as one worker process has): the TensorFlow.js backend, the time
// per trial with default hyperparameters, and side by side the same trial with the base features read
// from the cache, with the features recomputed from the cached base, and with the base pre-trained
// and the features extracted again. Writes bench-results/demo-training.json and prints a table.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  computeHeadFeatures,
  createTransferLearningObjective,
  DEFAULT_HEAD_PARAMS,
  DEFAULT_MAX_EPOCHS,
  DEFAULT_PATIENCE,
  loadTfjs,
  prepareBase,
  trainHead,
} from '@posterior/runner/tasks';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values: args } = parseArgs({
  options: {
    trials: { type: 'string', default: '3' },
    side: { type: 'string', default: '2' },
    'max-epochs': { type: 'string', default: String(DEFAULT_MAX_EPOCHS) },
    patience: { type: 'string', default: String(DEFAULT_PATIENCE) },
    json: { type: 'string', default: join(root, 'bench-results', 'demo-training.json') },
  },
});
const trials = Number(args.trials);
const side = Number(args.side);
const maxEpochs = Number(args['max-epochs']);
const patience = Number(args.patience);
for (const [name, v] of Object.entries({ trials, side, maxEpochs, patience })) {
  if (!Number.isInteger(v) || v < 1) {
    console.error(`demo-training: --${name} must be a positive integer`);
    process.exit(2);
  }
}

const seconds = (ms) => ms / 1000;
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const fmt = (s) => `${s.toFixed(2)} s`;
const scratch = mkdtempSync(join(tmpdir(), 'posterior-bench-tl-'));
const freshDir = (() => {
  let n = 0;
  return () => join(scratch, `cache-${n++}`);
})();

const { backend, tf } = await loadTfjs({ log: (line) => console.log(line) });

/** A TrialHandle that only records, like a worker whose API answers instantly. */
function benchTrial(number, params) {
  const reports = [];
  let checkpointBytes = 0;
  return {
    id: `bench-${number}`,
    number,
    params,
    signal: new AbortController().signal,
    reports,
    get checkpointBytes() {
      return checkpointBytes;
    },
    async report(step, metrics) {
      reports.push({ step, ...metrics });
      return { shouldPrune: false };
    },
    prune() {
      throw new Error('not pruned in the benchmark');
    },
    async saveCheckpoint(file) {
      checkpointBytes = file.data.byteLength;
    },
  };
}

try {
  // 1. The cold start every fresh machine pays once: pre-train the base and extract features.
  const cacheDir = freshDir();
  const cold = await prepareBase({ cacheDir });
  const warm = await prepareBase({ cacheDir });
  console.log(
    `base: pre-trained + features in ${fmt(seconds(cold.ms))} (val_acc ${cold.pretrainValAcc.toFixed(3)} on 0-4), ` +
      `read from cache in ${warm.ms.toFixed(0)} ms; ${cold.train.count} train / ${cold.val.count} val, ${cold.featureDim} features`,
  );

  // 2. Default trials exactly as a worker runs them (one long-lived objective, cache warm).
  const objective = createTransferLearningObjective({ cacheDir, maxEpochs, patience, log: () => {} });
  const defaultTrials = [];
  for (let i = 1; i <= trials; i++) {
    const trial = benchTrial(i, DEFAULT_HEAD_PARAMS);
    const started = performance.now();
    const value = await objective(trial);
    const s = seconds(performance.now() - started);
    defaultTrials.push({
      seconds: s,
      epochs: trial.reports.length,
      secondsPerEpoch: s / trial.reports.length,
      val_loss: value,
      val_acc: Math.max(...trial.reports.map((r) => r.val_acc)),
      checkpointBytes: trial.checkpointBytes,
    });
    console.log(
      `default trial ${i}: ${fmt(s)}, ${trial.reports.length} epochs, val_loss ${value.toFixed(4)}`,
    );
  }

  // 3. Side by side: the same trial (same params and seed) with three ways of getting its features.
  const modes = {
    cached: async () => prepareBase({ cacheDir }),
    'recompute-features': async () => ({
      ...cold,
      ...(await computeHeadFeatures(cold.settings, cold.weights)),
    }),
    'recompute-base': async () => prepareBase({ cacheDir: freshDir() }),
  };
  const sideBySide = {};
  for (const [mode] of Object.entries(modes)) sideBySide[mode] = [];
  for (let i = 0; i < side; i++) {
    // Interleaved, so a change in machine load hits every mode alike.
    for (const [mode, features] of Object.entries(modes)) {
      const started = performance.now();
      const base = await features();
      const prepared = performance.now();
      const result = await trainHead({
        ...base,
        params: DEFAULT_HEAD_PARAMS,
        maxEpochs,
        patience,
        seed: 42,
      });
      tf.dispose(result.bestWeights);
      const done = performance.now();
      sideBySide[mode].push({
        seconds: seconds(done - started),
        featureSeconds: seconds(prepared - started),
        trainSeconds: seconds(done - prepared),
        epochs: result.epochsRun,
        val_loss: result.best?.val_loss,
      });
      console.log(
        `${mode} trial ${i + 1}: ${fmt(seconds(done - started))} (features ${fmt(seconds(prepared - started))})`,
      );
    }
  }

  const summary = Object.fromEntries(
    Object.entries(sideBySide).map(([mode, runs]) => [
      mode,
      {
        meanSeconds: mean(runs.map((r) => r.seconds)),
        meanFeatureSeconds: mean(runs.map((r) => r.featureSeconds)),
        meanTrainSeconds: mean(runs.map((r) => r.trainSeconds)),
        runs,
      },
    ]),
  );
  const perTrial = mean(defaultTrials.map((t) => t.seconds));
  const cached = summary.cached.meanSeconds;
  const speedup = {
    vsRecomputeFeatures: summary['recompute-features'].meanSeconds / cached,
    vsRecomputeBase: summary['recompute-base'].meanSeconds / cached,
    featurePrepVsRecomputeFeatures:
      summary['recompute-features'].meanFeatureSeconds / summary.cached.meanFeatureSeconds,
  };
  // Same params and seed, so cached and recomputed features must give the same model.
  const sameValues = Object.values(sideBySide)
    .flat()
    .every((r) => r.val_loss === sideBySide.cached[0]?.val_loss);
  // 30 trials over 2 worker processes, one core each, plus the one cold base.
  const projected30 = (30 / 2) * perTrial + seconds(cold.ms);

  console.log('');
  console.log(`backend ${backend}, ${cpus().length} cores, load average ${loadavg()[0]?.toFixed(1)}`);
  console.log('| measure | value |');
  console.log('|---|---|');
  console.log(`| cold base (pre-train on 0-4 + features for 5-9) | ${fmt(seconds(cold.ms))} |`);
  console.log(`| base features from cache | ${warm.ms.toFixed(0)} ms |`);
  console.log(
    `| default trial (mean of ${trials}) | ${fmt(perTrial)}, ${mean(defaultTrials.map((t) => t.epochs)).toFixed(1)} epochs |`,
  );
  for (const [mode, s] of Object.entries(summary)) {
    console.log(
      `| trial, ${mode} (mean of ${side}) | ${fmt(s.meanSeconds)} (features ${fmt(s.meanFeatureSeconds)}) |`,
    );
  }
  console.log(
    `| speed-up of cached features vs recomputing them | ${speedup.vsRecomputeFeatures.toFixed(2)}x per trial |`,
  );
  console.log(
    `| speed-up of cached base vs re-training it | ${speedup.vsRecomputeBase.toFixed(2)}x per trial |`,
  );
  console.log(`| identical val_loss across modes | ${sameValues} |`);
  console.log(`| projected 30-trial study, 2 workers | ${(projected30 / 60).toFixed(1)} min |`);

  const out = {
    benchmark: 'demo-training',
    backend,
    tfjs: tf.version.tfjs,
    settings: { maxEpochs, patience, params: DEFAULT_HEAD_PARAMS, baseSettings: cold.settings },
    data: { train: cold.train.count, val: cold.val.count, featureDim: cold.featureDim },
    base: { coldSeconds: seconds(cold.ms), cachedMs: warm.ms, pretrainValAcc: cold.pretrainValAcc },
    defaultTrials: { meanSeconds: perTrial, runs: defaultTrials },
    sideBySide: summary,
    speedup,
    identicalValLossAcrossModes: sameValues,
    projected30TrialStudyMinutes: projected30 / 60,
    env: {
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      loadavg: loadavg(),
      date: new Date().toISOString(),
    },
  };
  mkdirSync(dirname(args.json), { recursive: true });
  writeFileSync(args.json, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`wrote ${args.json}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
