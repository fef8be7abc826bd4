#!/usr/bin/env node
// Demo-study benchmark (issue 5 targets; docs/DESIGN.md section 7, the built-in transfer-learning task).
//   npm run bench -- demo                                   10 seeds x gp,random x 30 trials, 2 workers
//   npm run bench -- demo --seeds 1 --trials 6              a quick run
//   options: --seeds N --first-seed N --trials N --workers N --samplers gp,random --pruner median|none
//            --training-side N (0 skips (b))
//            --data-dir DIR (the shared base-feature cache lives in DIR/cache) --json FILE
//            --study-timeout-min N (a stuck study is stopped and recorded as timed out)
// Measures on the real platform: an API server (in this process) on a fresh database, a user, team,
// API token and one study per (sampler, seed) created through @posterior/sdk, and
// `posterior worker --task transfer-learning --concurrency W` as a child process running each study.
//   (a) wall time of the 30-trial demo study with W worker processes, and time per trial;
//   (b) speed-up of cached base features against recomputing them, by running the task engineer's
//       tests/bench/demo-training.mjs (one trial per mode) and applying its feature cost to the CPU
//       time per trial measured in the real studies;
//   (c) best val_loss after N trials, GP sampler against random search, median over seeds, and a
//       Wilcoxon signed-rank test over the seeds both samplers finished (paired: same seed, same
//       data split), one-sided for "the first sampler's best val_loss is lower".
// Studies run one after another, interleaved by seed (gp 0, random 0, gp 1, ...), so a partial run
// still compares like with like and a change in machine load hits both samplers; the JSON is
// rewritten after every study so an interrupted run keeps what it measured.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiServer, createLogger, startDatabase } from '@posterior/api';
import { createTestDatabase } from '@posterior/api/testing';
import { wilcoxonSignedRank } from '@posterior/optimizer';
import { demoStudyInput } from '@posterior/runner';
import { createNodeClient } from '@posterior/sdk/node';
import { parseBenchArgs, usageError } from './_args.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const bin = join(root, 'packages', 'cli', 'dist', 'bin.js');

const args = parseBenchArgs({
  // 10 paired seeds: with 3 a signed-rank test cannot go below p = 0.125 whatever the margin.
  seeds: { type: 'string', default: '10' },
  // Seeds are first-seed .. first-seed + seeds - 1, so more seeds can be added in a later run.
  'first-seed': { type: 'string', default: '0' },
  trials: { type: 'string', default: '30' },
  workers: { type: 'string', default: '2' },
  samplers: { type: 'string', default: 'gp,random' },
  // The demo study prunes (median); `none` compares the samplers without the pruner's influence.
  pruner: { type: 'string', default: 'median' },
  'training-side': { type: 'string', default: '1' },
  'study-timeout-min': { type: 'string', default: '60' },
  // Git-ignored and kept between runs: only the first run on a machine pays for the base.
  'data-dir': { type: 'string', default: join(root, 'bench-results', '.demo-data') },
  json: { type: 'string', default: join(root, 'bench-results', 'demo.json') },
});
const int = (name, min) => {
  const v = Number(args[name]);
  if (!Number.isInteger(v) || v < min)
    usageError(`--${name} must be an integer >= ${min}, got ${args[name]}`);
  return v;
};
const SEEDS = int('seeds', 1);
const FIRST_SEED = int('first-seed', 0);
const TRIALS = int('trials', 1);
const WORKERS = int('workers', 1);
const TRAINING_SIDE = int('training-side', 0);
const STUDY_TIMEOUT_MS = int('study-timeout-min', 1) * 60_000;
const SAMPLERS = args.samplers
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
if (SAMPLERS.length === 0) usageError('--samplers needs at least one sampler');
const PRUNERS = { median: { type: 'median', warmupSteps: 3, minTrials: 5 }, none: { type: 'none' } };
const PRUNER = PRUNERS[args.pruner];
if (!PRUNER) usageError(`--pruner must be one of ${Object.keys(PRUNERS).join(', ')}, got ${args.pruner}`);
const dataDir = resolve(args['data-dir']);
const jsonPath = resolve(args.json);
// Named after the JSON, so a quick run beside a full one keeps its own worker logs.
const logDir = join(dirname(jsonPath), `${basename(jsonPath, '.json')}-logs`);
mkdirSync(logDir, { recursive: true });

// ---- small helpers ----------------------------------------------------------------------------

const median = (xs) => {
  const s = [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
const round = (x, d = 3) => (Number.isFinite(x) ? Number(x.toFixed(d)) : null);
const fmtS = (s) => (Number.isFinite(s) ? `${s.toFixed(1)} s` : '-');
const fmtMin = (s) => (Number.isFinite(s) ? `${(s / 60).toFixed(1)} min` : '-');
const fmtV = (v) => (Number.isFinite(v) ? v.toFixed(4) : '-');
const log = (line) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

/**
 * CPU seconds of this process's reaped descendants (/proc/self/stat cutime + cstime). The worker
 * CLI waits for its pool children, so a study's delta is the CPU its worker processes used: a
 * measure of the work that the machine's load does not inflate, unlike wall time.
 */
const TICKS = 100; // USER_HZ: 100 on Linux, whatever CONFIG_HZ is
function childCpuSeconds() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the command name start at field 3 (state); cutime and cstime are fields 16, 17.
    return (Number(fields[13]) + Number(fields[14])) / TICKS;
  } catch {
    return Number.NaN; // not Linux
  }
}
const ownCpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Samples the 1-minute load average while a study runs: the context its wall time needs. */
function loadSampler() {
  const samples = [loadavg()[0] ?? Number.NaN];
  const timer = setInterval(() => samples.push(loadavg()[0] ?? Number.NaN), 10_000);
  return () => {
    clearInterval(timer);
    samples.push(loadavg()[0] ?? Number.NaN);
    return { mean: round(mean(samples), 2), max: round(Math.max(...samples), 2) };
  };
}

// ---- database and API ---------------------------------------------------------------------------

const cleanups = [];
let activeWorker;
let interrupted = false;
async function cleanup() {
  while (cleanups.length)
    await cleanups
      .pop()()
      .catch((e) => console.error(`demo: cleanup: ${e.message}`));
}
function onSignal(signal) {
  if (interrupted) return;
  interrupted = true;
  console.error(`demo: ${signal}, stopping the worker and cleaning up`);
  if (activeWorker) killGroup(activeWorker, 'SIGTERM');
  void cleanup().then(() => process.exit(130));
}
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

if (!process.env.DATABASE_URL) {
  // createTestDatabase needs a server: without DATABASE_URL, an embedded one for this run only.
  const dir = mkdtempSync(join(tmpdir(), 'posterior-bench-demo-db-'));
  const embedded = await startDatabase({ dataDir: dir, ephemeral: true });
  cleanups.push(async () => {
    await embedded.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  process.env.DATABASE_URL = embedded.url;
  log(`embedded PostgreSQL at ${embedded.url}`);
}
const database = await createTestDatabase({ poolSize: 10 });
cleanups.push(() => database.drop());
const artifactsDir = mkdtempSync(join(tmpdir(), 'posterior-bench-demo-artifacts-'));
cleanups.push(async () => rmSync(artifactsDir, { recursive: true, force: true }));
const server = await createApiServer({
  dataSource: database.dataSource,
  dataDir: artifactsDir,
  port: 0,
  host: '127.0.0.1',
  logger: createLogger('warn'),
});
cleanups.push(() => server.close());
const apiUrl = server.url.replace(/\/graphql$/, '');
log(`API at ${server.url} on a fresh database`);

const client = createNodeClient({ url: apiUrl });
cleanups.push(() => client.close());
const session = await client.signUp('demo-bench@posterior.dev', 'demo bench password', 'Demo Bench');
client.setToken(session.token);
const team = await client.createTeam('demo-bench');
const apiToken = await client.createApiToken(team.id, 'demo bench workers');

/** The demo study as `npm start` creates it; only the sampler, its seed, the pruner and the budget vary. */
const demoStudy = (sampler, seed) =>
  demoStudyInput({
    teamId: team.id,
    name: `demo-${sampler}-seed${seed}`,
    sampler,
    seed,
    pruner: PRUNER,
    maxTrials: TRIALS,
    parallelism: WORKERS,
  });

// ---- the shared base-feature cache --------------------------------------------------------------

const workerEnv = { ...process.env, POSTERIOR_DATA_DIR: dataDir };
/** Runs a node script to completion; resolves with its exit code and wall seconds. */
function runNode(argv, { env = process.env, logFile, stdout } = {}) {
  return new Promise((resolveRun) => {
    const out = logFile ? createWriteStream(logFile) : undefined;
    const started = performance.now();
    // Own process group, so a timeout or Ctrl-C stops the pool's forked trial processes too.
    const child = spawn(process.execPath, argv, {
      cwd: root,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    activeWorker = child;
    const chunks = [];
    child.stdout.on('data', (d) => (stdout ? chunks.push(d) : out?.write(d)));
    child.stderr.on('data', (d) => out?.write(d));
    child.on('exit', (code, signal) => {
      activeWorker = undefined;
      out?.end();
      resolveRun({
        code,
        signal,
        seconds: (performance.now() - started) / 1000,
        stdout: Buffer.concat(chunks).toString('utf8'),
      });
    });
  });
}

// In a child process, as the workers read it, so this process never loads TensorFlow.js.
log(`base-feature cache in ${join(dataDir, 'cache')}`);
const warmScript = `
  import { prepareBase } from '@posterior/runner/tasks';
  const t = performance.now();
  const base = await prepareBase({ cacheDir: ${JSON.stringify(join(dataDir, 'cache'))} });
  console.log(JSON.stringify({ ms: performance.now() - t, featureDim: base.featureDim }));
`;
const cpu0 = childCpuSeconds();
const warm = await runNode(['--input-type=module', '-e', warmScript], {
  logFile: join(logDir, 'warm-cache.log'),
  stdout: true,
});
if (warm.code !== 0) {
  console.error(`demo: preparing the base failed (see ${join(logDir, 'warm-cache.log')})`);
  await cleanup();
  process.exit(1);
}
const baseCache = {
  seconds: round(warm.seconds, 2),
  cpuSeconds: round(childCpuSeconds() - cpu0, 2),
  prepareMs: round(JSON.parse(warm.stdout.trim().split('\n').pop()).ms, 0),
};
// A cold base takes tens of seconds; reading the cache takes well under one.
baseCache.wasCold = baseCache.prepareMs > 3000;
log(
  `base ${baseCache.wasCold ? 'pre-trained and cached' : 'read from cache'} in ${baseCache.prepareMs} ms ` +
    `(process ${fmtS(baseCache.seconds)} incl. TensorFlow.js start-up)`,
);

// ---- the studies ----------------------------------------------------------------------------------

const started = new Date();
const runs = [];
const out = {
  benchmark: 'demo',
  complete: false,
  settings: {
    seeds: SEEDS,
    firstSeed: FIRST_SEED,
    trials: TRIALS,
    workers: WORKERS,
    samplers: SAMPLERS,
    study: { ...demoStudy('<sampler>', '<seed>'), teamId: undefined, name: undefined },
    worker: `posterior worker --task transfer-learning --concurrency ${WORKERS}`,
  },
  baseCache,
  runs,
  summary: {},
  cacheSpeedup: null,
  env: {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    loadavgAtStart: loadavg(),
    started: started.toISOString(),
  },
};
const save = () => {
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify(out, null, 2)}\n`);
};

async function runStudy(sampler, seed) {
  const study = await client.createStudy(demoStudy(sampler, seed));
  const logFile = join(logDir, `${sampler}-seed${seed}.log`);
  log(`${study.name}: ${TRIALS} trials, ${WORKERS} workers (log ${logFile})`);
  const stopLoad = loadSampler();
  const childCpu = childCpuSeconds();
  const apiCpu = ownCpuSeconds();
  const runPromise = runNode(
    [
      bin,
      'worker',
      '--api',
      apiUrl,
      '--token',
      apiToken.token,
      '--study',
      study.id,
      '--task',
      'transfer-learning',
      '--concurrency',
      String(WORKERS),
      '--json',
    ],
    { env: workerEnv, logFile, stdout: true },
  );
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    log(`${study.name}: timed out after ${STUDY_TIMEOUT_MS / 60_000} min; stopping its worker`);
    if (activeWorker) killGroup(activeWorker, 'SIGTERM');
  }, STUDY_TIMEOUT_MS);
  const worker = await runPromise;
  clearTimeout(timer);
  const workerCpu = childCpuSeconds() - childCpu;
  // The API (and its GP suggestion thread) runs in this process; this process does little else.
  const serverCpu = ownCpuSeconds() - apiCpu;
  const load = stopLoad();

  const final = await client.study(study.id);
  const trials = (await client.allTrials(study.id)).sort((a, b) => a.number - b.number);
  const finished = trials.filter((t) => t.finishedAt && t.startedAt);
  const counts = final?.trialCounts ?? {};
  const completed = trials.filter((t) => t.state === 'COMPLETE' && Number.isFinite(t.value));
  // Best val_loss after each trial (by trial number) among completed ones: the convergence curve.
  let best = Number.POSITIVE_INFINITY;
  const bestSoFar = trials.map((t) => {
    if (t.state === 'COMPLETE' && Number.isFinite(t.value)) best = Math.min(best, t.value);
    return Number.isFinite(best) ? round(best, 5) : null;
  });
  const durations = finished.map((t) => (t.finishedAt.getTime() - t.startedAt.getTime()) / 1000);
  const span =
    finished.length > 0
      ? (Math.max(...finished.map((t) => t.finishedAt.getTime())) -
          Math.min(...finished.map((t) => t.startedAt.getTime()))) /
        1000
      : Number.NaN;
  // Trials whose params repeat an earlier trial's exactly: a sampler that learns nothing from a
  // trial (e.g. one that was pruned) may ask for the same point again and waste the budget on it.
  const seen = new Set();
  let duplicateParams = 0;
  for (const t of trials) {
    const key = JSON.stringify(Object.entries(t.params).sort(([a], [b]) => (a < b ? -1 : 1)));
    if (seen.has(key)) duplicateParams++;
    seen.add(key);
  }
  const done = (counts.COMPLETE ?? 0) + (counts.PRUNED ?? 0) + (counts.FAILED ?? 0);
  let summary;
  try {
    summary = JSON.parse(worker.stdout);
  } catch {
    summary = undefined;
  }
  const run = {
    sampler,
    seed,
    studyId: study.id,
    state: final?.state ?? null,
    timedOut,
    workerExit: worker.code,
    workerFailures: summary?.failures ?? null,
    trialCounts: counts,
    trialsDone: done,
    duplicateParams,
    wallSeconds: round(worker.seconds, 2),
    // Wall time over the trials the study finished (its throughput with W workers).
    wallSecondsPerTrial: round(worker.seconds / Math.max(done, 1), 2),
    firstStartToLastFinishSeconds: round(span, 2),
    meanTrialSeconds: round(mean(durations), 2),
    workerCpuSeconds: round(workerCpu, 2),
    workerCpuSecondsPerTrial: round(workerCpu / Math.max(done, 1), 2),
    apiCpuSeconds: round(serverCpu, 2),
    bestValLoss: round(completed.length ? Math.min(...completed.map((t) => t.value)) : Number.NaN, 5),
    bestTrialNumber: final?.bestTrial?.number ?? null,
    bestParams: final?.bestTrial?.params ?? null,
    bestSoFar,
    loadavg: load,
  };
  runs.push(run);
  log(
    `${study.name}: ${final?.state} in ${fmtS(run.wallSeconds)} (${fmtS(run.wallSecondsPerTrial)}/trial, ` +
      `worker cpu ${fmtS(run.workerCpuSecondsPerTrial)}/trial), ${counts.COMPLETE ?? 0} complete / ` +
      `${counts.PRUNED ?? 0} pruned / ${counts.FAILED ?? 0} failed, ${duplicateParams} repeated params, best val_loss ${fmtV(run.bestValLoss)}, ` +
      `load ${load.mean}`,
  );
  if (worker.code !== 0 && !timedOut)
    log(`${study.name}: the worker exited with ${worker.code ?? worker.signal}; see ${logFile}`);
  return run;
}

function summarize() {
  const bySampler = {};
  for (const sampler of SAMPLERS) {
    const rs = runs.filter((r) => r.sampler === sampler && r.state === 'DONE');
    bySampler[sampler] = {
      studiesDone: rs.length,
      medianBestValLoss: round(median(rs.map((r) => r.bestValLoss)), 5),
      bestValLoss: rs.map((r) => r.bestValLoss),
      medianWallSeconds: round(median(rs.map((r) => r.wallSeconds)), 1),
      medianWallSecondsPerTrial: round(median(rs.map((r) => r.wallSecondsPerTrial)), 2),
      medianMeanTrialSeconds: round(median(rs.map((r) => r.meanTrialSeconds)), 2),
      medianWorkerCpuSecondsPerTrial: round(median(rs.map((r) => r.workerCpuSecondsPerTrial)), 2),
      duplicateParams: rs.map((r) => r.duplicateParams),
      medianBestAfter: Object.fromEntries(
        [5, 10, 15, 20, 30]
          .filter((n) => n <= TRIALS)
          .map((n) => [n, round(median(rs.map((r) => r.bestSoFar[n - 1] ?? Number.NaN)), 5)]),
      ),
    };
  }
  return bySampler;
}

/** The first sampler against each other one, paired by seed (studies both finished). */
function pairedTests() {
  const [first, ...others] = SAMPLERS;
  const done = (sampler, seed) =>
    runs.find((r) => r.sampler === sampler && r.seed === seed && r.state === 'DONE');
  return others.map((other) => {
    const pairs = [];
    for (let seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
      const a = done(first, seed);
      const b = done(other, seed);
      if (a && b && Number.isFinite(a.bestValLoss) && Number.isFinite(b.bestValLoss))
        pairs.push({ seed, a: a.bestValLoss, b: b.bestValLoss });
    }
    const test = wilcoxonSignedRank(pairs.map((p) => p.a - p.b));
    return {
      samplers: [first, other],
      pairs: pairs.length,
      firstBetter: pairs.filter((p) => p.a < p.b).length,
      medianDifference: round(median(pairs.map((p) => p.a - p.b)), 5),
      wPlus: test.wPlus,
      pFirstLower: round(test.pLess, 5),
      pTwoSided: round(test.pTwoSided, 5),
      method: test.method,
    };
  });
}

for (let seed = FIRST_SEED; seed < FIRST_SEED + SEEDS && !interrupted; seed++) {
  for (const sampler of SAMPLERS) {
    if (interrupted) break;
    await runStudy(sampler, seed);
    out.summary = summarize();
    out.pairedTests = pairedTests();
    save();
  }
}

// ---- (b) cached base features against recomputing them ---------------------------------------------

if (TRAINING_SIDE > 0 && !interrupted) {
  // The task engineer's benchmark measures it per trial; its JSON goes to a scratch file so a short
  // run here does not replace bench-results/demo-training.json.
  const scratch = mkdtempSync(join(tmpdir(), 'posterior-bench-demo-training-'));
  const trainingJson = join(scratch, 'demo-training.json');
  log(`cache speed-up: tests/bench/demo-training.mjs --trials 1 --side ${TRAINING_SIDE}`);
  const training = await runNode(
    [
      join(here, 'demo-training.mjs'),
      '--trials',
      '1',
      '--side',
      String(TRAINING_SIDE),
      '--json',
      trainingJson,
    ],
    { logFile: join(logDir, 'demo-training.log') },
  );
  if (training.code === 0) {
    const t = JSON.parse(readFileSync(trainingJson, 'utf8'));
    const featureCpu = (mode) => t.sideBySide[mode].meanFeatureCpuSeconds;
    // The real studies' CPU per trial already includes reading the cached features; recomputing
    // them (or re-training the base) would add the difference to every trial.
    const studyCpuPerTrial = median(
      runs.filter((r) => r.state === 'DONE').map((r) => r.workerCpuSecondsPerTrial),
    );
    const extraFeatures = featureCpu('recompute-features') - featureCpu('cached');
    const extraBase = featureCpu('recompute-base') - featureCpu('cached');
    out.cacheSpeedup = {
      source: 'tests/bench/demo-training.mjs',
      side: TRAINING_SIDE,
      featureCpuSeconds: {
        cached: round(featureCpu('cached'), 3),
        recomputeFeatures: round(featureCpu('recompute-features'), 3),
        recomputeBase: round(featureCpu('recompute-base'), 3),
      },
      defaultTrialCpuSeconds: round(t.defaultTrials.meanCpuSeconds, 2),
      perTrialVsRecomputeFeatures: round(t.speedup.vsRecomputeFeatures, 3),
      perTrialVsRecomputeBase: round(t.speedup.vsRecomputeBase, 3),
      featuresOnlyVsRecomputeFeatures: round(t.speedup.featuresOnlyVsRecomputeFeatures, 1),
      identicalValLossAcrossModes: t.identicalValLossAcrossModes,
      studyCpuSecondsPerTrial: round(studyCpuPerTrial, 2),
      studyVsRecomputeFeatures: round((studyCpuPerTrial + extraFeatures) / studyCpuPerTrial, 3),
      studyVsRecomputeBase: round((studyCpuPerTrial + extraBase) / studyCpuPerTrial, 3),
      wallSeconds: round(training.seconds, 1),
    };
  } else {
    log(`demo-training.mjs exited with ${training.code}; see ${join(logDir, 'demo-training.log')}`);
    out.cacheSpeedup = { error: `demo-training.mjs exited with ${training.code ?? training.signal}` };
  }
  rmSync(scratch, { recursive: true, force: true });
}

// ---- report ---------------------------------------------------------------------------------------

out.complete =
  !interrupted && runs.length === SEEDS * SAMPLERS.length && runs.every((r) => r.state === 'DONE');
out.env.loadavgAtEnd = loadavg();
out.env.finished = new Date().toISOString();
save();
await cleanup();

console.log('');
console.log(
  `${cpus().length} cores, load average ${out.env.loadavgAtStart[0]?.toFixed(1)} at start, ` +
    `${out.env.loadavgAtEnd[0]?.toFixed(1)} at end; ${WORKERS} worker processes; ${TRIALS} trials per study; ` +
    `pruner ${PRUNER.type}`,
);
console.log(
  '| sampler | seed | state | wall | wall / trial | mean trial | worker cpu / trial | C/P/F | repeats | best val_loss | load |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of runs) {
  const c = r.trialCounts;
  console.log(
    `| ${r.sampler} | ${r.seed} | ${r.state}${r.timedOut ? ' (timed out)' : ''} | ${fmtMin(r.wallSeconds)} | ` +
      `${fmtS(r.wallSecondsPerTrial)} | ${fmtS(r.meanTrialSeconds)} | ${fmtS(r.workerCpuSecondsPerTrial)} | ` +
      `${c.COMPLETE ?? 0}/${c.PRUNED ?? 0}/${c.FAILED ?? 0} | ${r.duplicateParams} | ${fmtV(r.bestValLoss)} | ${r.loadavg.mean} |`,
  );
}
console.log('');
console.log(
  `| sampler | studies | median best val_loss | median wall | median wall / trial | median cpu / trial |`,
);
console.log('|---|---|---|---|---|---|');
for (const [sampler, s] of Object.entries(out.summary)) {
  console.log(
    `| ${sampler} | ${s.studiesDone} | ${fmtV(s.medianBestValLoss)} | ${fmtMin(s.medianWallSeconds)} | ` +
      `${fmtS(s.medianWallSecondsPerTrial)} | ${fmtS(s.medianWorkerCpuSecondsPerTrial)} |`,
  );
}
console.log('');
console.log(
  '| paired (same seed) | pairs | first better | median difference (first - second) | W+ | p (first lower, one-sided) | p (two-sided) |',
);
console.log('|---|---|---|---|---|---|---|');
for (const t of out.pairedTests ?? []) {
  console.log(
    `| ${t.samplers.join(' vs ')} | ${t.pairs} | ${t.firstBetter} | ${fmtV(t.medianDifference)} | ${t.wPlus} | ` +
      `${t.pFirstLower} | ${t.pTwoSided} (${t.method} signed-rank) |`,
  );
}
const cs = out.cacheSpeedup;
if (cs && !cs.error) {
  console.log('');
  console.log('| cached base features vs recomputing (CPU, from demo-training.mjs) | value |');
  console.log('|---|---|');
  console.log(
    `| features: cached / recomputed / base re-trained | ${cs.featureCpuSeconds.cached} / ` +
      `${cs.featureCpuSeconds.recomputeFeatures} / ${cs.featureCpuSeconds.recomputeBase} s |`,
  );
  console.log(`| per default trial, vs recomputed features | ${cs.perTrialVsRecomputeFeatures}x |`);
  console.log(`| per default trial, vs re-trained base | ${cs.perTrialVsRecomputeBase}x |`);
  console.log(
    `| per study trial (${cs.studyCpuSecondsPerTrial} s cpu), vs recomputed features | ${cs.studyVsRecomputeFeatures}x |`,
  );
  console.log(`| per study trial, vs re-trained base | ${cs.studyVsRecomputeBase}x |`);
} else if (cs?.error) console.log(`cache speed-up: ${cs.error}`);
console.log(`wrote ${jsonPath}${out.complete ? '' : ' (incomplete run)'}`);
process.exit(0);
