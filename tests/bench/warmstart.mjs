#!/usr/bin/env node
// Warm-start benchmark (docs/DESIGN.md, "Warm start"; issue 18).
//   npm run bench -- warmstart            branin and hartmann6, 10 seeds x 50 trials
//   npm run bench -- warmstart --heldout  the held-out pair: styblinski_tang4 and rosenbrock4 (their
//                                         shifted optima stay inside the box), to check that a change
//                                         is not fitted to the public pair
// Options: --functions a,b  --seeds N  --trials N  --source-trials N  --sampler gp --config '{...}'
//
// Per function f and seed: a source study runs the GP sampler for --source-trials trials on f; the
// target is f shifted by 10% of each parameter's range and scaled by 2 (g(x) = 2 f(x - 0.1 range),
// whose minimum is 2 f* inside the box for both functions). Arms on the target, same seeds:
//   cold       no source;
//   related    warmStartFrom the source study;
//   related+1  the same, with the source's best configuration enqueued as the first trial;
//   unrelated+1  (with --enqueue-arms) the unrelated source with its best configuration enqueued first;
//   unrelated  warmStartFrom a study of the same length on an unrelated function of the same
//              parameters (a fixed random smooth function: random Fourier features, lengthscale 0.2
//              of the range).
// Reported: median simple regret at 10/20/30/50 trials, the trials each arm needs for its median
// regret to reach the cold start's 50-trial (and 30-trial) median, and for unrelated vs cold the one-sided paired
// Wilcoxon signed-rank p-value (per seed regret differences at 30 and 50 trials; H1: unrelated is
// worse). Writes bench-results/warmstart.json.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  builtinObjectives,
  createRng,
  formatNumber,
  parseSearchSpace,
  quantile,
  sourceBestParams,
  suggest,
  trialSeed,
  wilcoxonSignedRank,
} from '@posterior/optimizer';
import { parseBenchArgs } from './_args.mjs';
import { machine, resultsDir, samplerOf, samplerOptions } from './_optimizer-common.mjs';

const args = parseBenchArgs({
  ...samplerOptions,
  functions: { type: 'string' },
  heldout: { type: 'boolean', default: false },
  'enqueue-arms': { type: 'boolean', default: false },
  trials: { type: 'string', default: '50' },
  'source-trials': { type: 'string', default: '50' },
  // Reuse the source studies and the cold arm (they do not depend on the warm-start path) from this
  // JSON file, filling it when missing: a side-by-side comparison then runs only the warm arms.
  cache: { type: 'string' },
  out: { type: 'string' },
});
const functions = args.functions ?? (args.heldout ? 'styblinski_tang4,rosenbrock4' : 'branin,hartmann6');
const seeds = Number(args.seeds);
const trials = Number(args.trials);
const sourceTrials = Number(args['source-trials']);
const sampler = samplerOf(args);
const SHIFT = 0.1;
const SCALE = 2;
const checkpoints = [10, 20, 30, 50].filter((k) => k <= trials);

/** g(x) = SCALE * f(x - SHIFT * range) on f's own box. */
function shifted(objective) {
  const specs = objective.space;
  return {
    name: `${objective.name}_shifted`,
    space: specs,
    optimum: SCALE * objective.optimum,
    evaluate: (p) => {
      const q = {};
      for (const s of specs) q[s.name] = p[s.name] - SHIFT * (s.high - s.low);
      return SCALE * objective.evaluate(q);
    },
  };
}

/** A fixed smooth random function of the same parameters (unrelated to any benchmark function). */
function unrelated(objective, seed) {
  const specs = objective.space;
  const rng = createRng(0x5eed + seed);
  const m = 128;
  const w = Array.from({ length: m }, () => specs.map(() => rng.normal() / 0.2));
  const c = Array.from({ length: m }, () => 2 * Math.PI * rng.next());
  return {
    name: `unrelated_${objective.name}`,
    space: specs,
    evaluate: (p) => {
      let s = 0;
      for (let j = 0; j < m; j++) {
        let a = c[j];
        specs.forEach((spec, d) => {
          a += w[j][d] * ((p[spec.name] - spec.low) / (spec.high - spec.low));
        });
        s += Math.cos(a);
      }
      return Math.sqrt(2 / m) * s;
    },
  };
}

/** One study: `trials` suggestions of the sampler with this seed; returns the completed trials. */
function runStudy(objective, seed, count, sources, enqueued = []) {
  const space = parseSearchSpace(objective.space);
  const config = { ...sampler, seed };
  const completed = [];
  for (let t = 0; t < count; t++) {
    const params =
      t < enqueued.length
        ? enqueued[t]
        : suggest(config, {
            space,
            direction: 'MINIMIZE',
            completed,
            pending: [],
            seed: trialSeed(seed, t),
            ...(sources ? { sources } : {}),
          }).params;
    completed.push({ params, value: objective.evaluate(params) });
  }
  return completed;
}

const bestSoFar = (completed, optimum) => {
  let best = Number.POSITIVE_INFINITY;
  return completed.map((c) => {
    best = Math.min(best, c.value);
    return best - optimum;
  });
};

const ARMS = ['cold', 'related', 'related+1', 'unrelated', ...(args['enqueue-arms'] ? ['unrelated+1'] : [])];
/** The arms whose harm is tested against cold (paired Wilcoxon). */
const UNRELATED = ARMS.filter((a) => a.startsWith('unrelated'));
const cache = args.cache && existsSync(args.cache) ? JSON.parse(readFileSync(args.cache, 'utf8')) : {};
const cached = (key, run) => {
  if (!args.cache) return run();
  if (!(key in cache)) {
    cache[key] = run();
    writeFileSync(args.cache, JSON.stringify(cache));
  }
  return cache[key];
};
const results = [];
const started = performance.now();
for (const name of functions.split(',')) {
  const base = builtinObjectives[name];
  if (!base) {
    console.error(`unknown function ${name}`);
    process.exit(2);
  }
  const target = shifted(base);
  const space = parseSearchSpace(target.space);
  const curves = Object.fromEntries(ARMS.map((a) => [a, []]));
  const t0 = performance.now();
  for (let seed = 0; seed < seeds; seed++) {
    const related = {
      space,
      direction: 'MINIMIZE',
      completed: cached(`${name}/${seed}/${sourceTrials}/source`, () =>
        runStudy(base, 1000 + seed, sourceTrials),
      ),
    };
    const other = unrelated(base, seed);
    const unrelatedSource = {
      space,
      direction: 'MINIMIZE',
      completed: cached(`${name}/${seed}/${sourceTrials}/unrelated`, () =>
        runStudy(other, 2000 + seed, sourceTrials),
      ),
    };
    curves.cold.push(
      cached(`${name}/${seed}/${trials}/cold`, () =>
        bestSoFar(runStudy(target, seed, trials), target.optimum),
      ),
    );
    curves.related.push(bestSoFar(runStudy(target, seed, trials, [related]), target.optimum));
    const first = sourceBestParams(space, [related], 1);
    curves['related+1'].push(bestSoFar(runStudy(target, seed, trials, [related], first), target.optimum));
    curves.unrelated.push(bestSoFar(runStudy(target, seed, trials, [unrelatedSource]), target.optimum));
    if (curves['unrelated+1']) {
      const firstOther = sourceBestParams(space, [unrelatedSource], 1);
      curves['unrelated+1'].push(
        bestSoFar(runStudy(target, seed, trials, [unrelatedSource], firstOther), target.optimum),
      );
    }
    process.stderr.write(`${name} seed ${seed}: ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  }
  const medianAt = (arm, k) =>
    quantile(
      curves[arm].map((c) => c[k - 1]),
      0.5,
    );
  const coldTarget = medianAt('cold', trials);
  // Trials each arm needs for its median regret to reach the cold start's median after `at` trials.
  const neededFor = (at) =>
    Object.fromEntries(
      ARMS.map((arm) => {
        const goal = medianAt('cold', at);
        for (let k = 1; k <= trials; k++) if (medianAt(arm, k) <= goal) return [arm, k];
        return [arm, null];
      }),
    );
  const needed = neededFor(trials);
  const neededFor30 = trials > 30 ? neededFor(30) : null;
  // Per unrelated arm and checkpoint: H1 the arm is worse than cold.
  const harm = (arm) =>
    Object.fromEntries(
      [30, 50]
        .filter((k) => k <= trials)
        .map((k) => {
          const diffs = curves[arm].map((c, i) => c[k - 1] - curves.cold[i][k - 1]);
          return [k, wilcoxonSignedRank(diffs)];
        }),
    );
  const wilcoxon = harm('unrelated');
  const wilcoxonByArm = Object.fromEntries(UNRELATED.map((a) => [a, harm(a)]));
  results.push({ function: name, coldTarget, needed, neededFor30, wilcoxon, wilcoxonByArm, curves });
}

const seconds = ((performance.now() - started) / 1000).toFixed(0);
console.log(
  `\nWarm start: target = ${SCALE} f(x - ${SHIFT} range); median simple regret [25th, 75th] over ${seeds} seeds; sources of ${sourceTrials} trials; ${seconds} s`,
);
console.log(
  "needed: trials until the median regret reaches the cold start's median at the last trial (target: at most half with a related source).",
);
console.log(
  'p(unrelated worse): one-sided paired Wilcoxon signed-rank over seeds, unrelated minus cold regret at that trial count.\n',
);
const header = [
  'function',
  'arm',
  ...checkpoints.map((k) => `@${k}`),
  'needed',
  "needed for cold's @30",
  'p(unrelated worse) @30',
  '@50',
];
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => '---').join('|')}|`);
for (const r of results) {
  for (const arm of ARMS) {
    const cells = checkpoints.map((k) => {
      const v = r.curves[arm].map((c) => c[k - 1]);
      return `${formatNumber(quantile(v, 0.5))} [${formatNumber(quantile(v, 0.25))}, ${formatNumber(quantile(v, 0.75))}]`;
    });
    const w = r.wilcoxonByArm[arm];
    const p = w ? [30, 50].map((k) => (w[k] ? formatNumber(w[k].pGreater) : '-')) : ['', ''];
    const for30 = r.neededFor30 ? (r.neededFor30[arm] ?? `>${trials}`) : '-';
    console.log(`| ${[r.function, arm, ...cells, r.needed[arm] ?? `>${trials}`, for30, ...p].join(' | ')} |`);
  }
}
const file = args.out ?? join(resultsDir(), `warmstart${args.heldout ? '-heldout' : ''}.json`);
writeFileSync(
  file,
  `${JSON.stringify({ env: machine(), sampler, seeds, trials, sourceTrials, shift: SHIFT, scale: SCALE, results }, null, 1)}\n`,
);
console.log(`\nwrote ${file}`);
