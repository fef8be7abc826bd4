#!/usr/bin/env node
// Demo-study training benchmark (docs/DESIGN.md section 7, the built-in transfer-learning task).
//   npm run bench -- demo-training                 3 default trials + 2 trials per cache mode
//   npm run bench -- demo-training --trials 5 --side 3 --max-epochs 20 --patience 3
// Measures, in one process (one core, as one worker process has): the TensorFlow.js backend, the time
// per trial with default hyperparameters, and side by side the same trial with the base features read
// from the cache, with the features recomputed from the cached base, and with the base pre-trained
// and the features extracted again. Writes bench-results/demo-training.json and prints a table.
// Speed-ups and the 30-trial projection use CPU seconds: wall time here depends on what else the
// machine runs, while a worker process on an idle core takes its CPU time as wall time.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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
import { parseBenchArgs } from './_args.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = parseBenchArgs({
  trials: { type: 'string', default: '3' },
  side: { type: 'string', default: '2' },
  'max-epochs': { type: 'string', default: String(DEFAULT_MAX_EPOCHS) },
  patience: { type: 'string', default: String(DEFAULT_PATIENCE) },
  json: { type: 'string', default: join(root, 'bench-results', 'demo-training.json') },
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
/** Wall and CPU seconds since `start`. CPU time is what the work costs: the machine may be busy. */
const clock = () => ({ wall: performance.now(), cpu: process.cpuUsage() });
const since = (start) => {
  const cpu = process.cpuUsage(start.cpu);
  return { wall: seconds(performance.now() - start.wall), cpu: (cpu.user + cpu.system) / 1e6 };
};
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
  const coldStart = clock();
  const cold = await prepareBase({ cacheDir });
  const coldTime = since(coldStart);
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
    const started = clock();
    const value = await objective(trial);
    const { wall: s, cpu } = since(started);
    defaultTrials.push({
      seconds: s,
      cpuSeconds: cpu,
      epochs: trial.reports.length,
      cpuSecondsPerEpoch: cpu / trial.reports.length,
      val_loss: value,
      val_acc: Math.max(...trial.reports.map((r) => r.val_acc)),
      checkpointBytes: trial.checkpointBytes,
    });
    console.log(
      `default trial ${i}: ${fmt(s)} (cpu ${fmt(cpu)}), ${trial.reports.length} epochs, val_loss ${value.toFixed(4)}`,
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
      const started = clock();
      const base = await features();
      const featureTime = since(started);
      const trainStart = clock();
      const result = await trainHead({
        ...base,
        params: DEFAULT_HEAD_PARAMS,
        maxEpochs,
        patience,
        seed: 42,
      });
      tf.dispose(result.bestWeights);
      const trainTime = since(trainStart);
      sideBySide[mode].push({
        seconds: featureTime.wall + trainTime.wall,
        cpuSeconds: featureTime.cpu + trainTime.cpu,
        featureSeconds: featureTime.wall,
        featureCpuSeconds: featureTime.cpu,
        trainSeconds: trainTime.wall,
        trainCpuSeconds: trainTime.cpu,
        epochs: result.epochsRun,
        val_loss: result.best?.val_loss,
      });
      console.log(
        `${mode} trial ${i + 1}: ${fmt(featureTime.wall + trainTime.wall)} ` +
          `(cpu: features ${fmt(featureTime.cpu)} + training ${fmt(trainTime.cpu)})`,
      );
    }
  }

  const summary = Object.fromEntries(
    Object.entries(sideBySide).map(([mode, runs]) => [
      mode,
      {
        meanSeconds: mean(runs.map((r) => r.seconds)),
        meanCpuSeconds: mean(runs.map((r) => r.cpuSeconds)),
        meanFeatureCpuSeconds: mean(runs.map((r) => r.featureCpuSeconds)),
        meanTrainCpuSeconds: mean(runs.map((r) => r.trainCpuSeconds)),
        runs,
      },
    ]),
  );
  const perTrial = mean(defaultTrials.map((t) => t.seconds));
  const perTrialCpu = mean(defaultTrials.map((t) => t.cpuSeconds));
  // Every mode trains the same head on the same features (checked below), so the training part is
  // pooled across modes; the modes differ only in how the features are obtained.
  const pooledTrainCpu = mean(
    Object.values(sideBySide).flatMap((runs) => runs.map((r) => r.trainCpuSeconds)),
  );
  const trialCpu = (mode) => summary[mode].meanFeatureCpuSeconds + pooledTrainCpu;
  const speedup = {
    vsRecomputeFeatures: trialCpu('recompute-features') / trialCpu('cached'),
    vsRecomputeBase: trialCpu('recompute-base') / trialCpu('cached'),
    featuresOnlyVsRecomputeFeatures:
      summary['recompute-features'].meanFeatureCpuSeconds / summary.cached.meanFeatureCpuSeconds,
    measuredWallVsRecomputeFeatures: summary['recompute-features'].meanSeconds / summary.cached.meanSeconds,
    measuredWallVsRecomputeBase: summary['recompute-base'].meanSeconds / summary.cached.meanSeconds,
  };
  // Same params and seed, so cached and recomputed features must give the same model.
  const sameValues = Object.values(sideBySide)
    .flat()
    .every((r) => r.val_loss === sideBySide.cached[0]?.val_loss);
  // 30 trials over 2 worker processes with a core each (CPU time = wall time on an idle core), plus
  // the one cold base.
  const projected30 = (30 / 2) * perTrialCpu + coldTime.cpu;

  console.log('');
  console.log(`backend ${backend}, ${cpus().length} cores, load average ${loadavg()[0]?.toFixed(1)}`);
  console.log('| measure | value |');
  console.log('|---|---|');
  console.log(
    `| cold base (pre-train on 0-4 + features for 5-9) | ${fmt(coldTime.wall)} (cpu ${fmt(coldTime.cpu)}) |`,
  );
  console.log(`| base features from cache | ${warm.ms.toFixed(0)} ms |`);
  const epochs = mean(defaultTrials.map((t) => t.epochs)).toFixed(1);
  console.log(
    `| default trial (mean of ${trials}) | ${fmt(perTrial)} (cpu ${fmt(perTrialCpu)}), ${epochs} epochs |`,
  );
  for (const [mode, s] of Object.entries(summary)) {
    console.log(
      `| trial, features ${mode} (mean of ${side}) | cpu ${fmt(s.meanFeatureCpuSeconds)} features + ` +
        `${fmt(s.meanTrainCpuSeconds)} training; wall ${fmt(s.meanSeconds)} |`,
    );
  }
  console.log(
    `| speed-up per trial, cached vs recomputed features | ${speedup.vsRecomputeFeatures.toFixed(2)}x (cpu) |`,
  );
  console.log(
    `| speed-up per trial, cached vs re-trained base | ${speedup.vsRecomputeBase.toFixed(2)}x (cpu) |`,
  );
  console.log(
    `| speed-up of getting the features | ${speedup.featuresOnlyVsRecomputeFeatures.toFixed(0)}x (cpu) |`,
  );
  console.log(`| identical val_loss across modes | ${sameValues} |`);
  console.log(`| projected 30-trial study, 2 workers | ${(projected30 / 60).toFixed(1)} min |`);

  const out = {
    benchmark: 'demo-training',
    backend,
    tfjs: tf.version.tfjs,
    settings: { maxEpochs, patience, params: DEFAULT_HEAD_PARAMS, baseSettings: cold.settings },
    data: { train: cold.train.count, val: cold.val.count, featureDim: cold.featureDim },
    base: {
      coldSeconds: coldTime.wall,
      coldCpuSeconds: coldTime.cpu,
      cachedMs: warm.ms,
      pretrainValAcc: cold.pretrainValAcc,
    },
    defaultTrials: { meanSeconds: perTrial, meanCpuSeconds: perTrialCpu, runs: defaultTrials },
    pooledTrainCpuSeconds: pooledTrainCpu,
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
