import type { SamplerConfig } from '../config.js';
import { recommend } from '../recommend.js';
import { createRng, mixSeed } from '../rng.js';
import { type SuggestRequest, suggest } from '../samplers.js';
import { type Params, parseSearchSpace } from '../search-space.js';
import { trialSeed } from '../seeds.js';
import type { BenchObjective } from './objectives.js';

/** One run of a benchmark (docs/DESIGN.md section 6). */
export interface BenchRun {
  seed: number;
  /** Observed values (noisy when the objective has `noise`). */
  values: number[];
  /** best[i]: best observed value after trial i + 1. */
  best: number[];
  /** Noise-free values of the same trials. */
  trueValues: number[];
  /**
   * kept[i]: TRUE value of the trial with the best OBSERVED value after trial i + 1 (what a user
   * keeps); equal to best[i] without noise.
   */
  kept: number[];
  /** TRUE value of the model's recommended trial (`recommend`) after k trials, at the `recommendAt` k. */
  recommended: Record<number, number>;
  /**
   * The fitted observation noise's std at the recommended trial (`recommend`'s noiseStd, objective
   * units) at the `recommendAt` k: beside the objective's true `noise`, whether the model's noise
   * tracks the real one where it matters, near the optimum.
   */
  recommendedNoiseStd: Record<number, number>;
  /** suggestMs[i]: time the sampler took for trial i + 1. */
  suggestMs: number[];
}

export interface BenchResult {
  objective: string;
  sampler: string;
  samplerConfig: SamplerConfig;
  trials: number;
  optimum?: number;
  runs: BenchRun[];
}

export interface BenchTrialEvent {
  seed: number;
  trial: number;
  value: number;
  best: number;
  suggestMs: number;
}

export async function runBenchmark(opts: {
  objective: BenchObjective;
  sampler: SamplerConfig;
  trials: number;
  seeds: number;
  /** First seed (runs use seeds firstSeed..firstSeed + seeds - 1). */
  firstSeed?: number;
  /** Trial counts after which the model's recommendation is scored (each costs one GP fit). */
  recommendAt?: readonly number[];
  onTrial?: (event: BenchTrialEvent) => void;
}): Promise<BenchResult> {
  const space = parseSearchSpace(opts.objective.space);
  const runs: BenchRun[] = [];
  const first = opts.firstSeed ?? 0;
  for (let seed = first; seed < first + opts.seeds; seed++) {
    const config: SamplerConfig = { ...opts.sampler, seed };
    const completed: Array<{ params: Params; value: number }> = [];
    const run: BenchRun = {
      seed,
      values: [],
      best: [],
      trueValues: [],
      kept: [],
      recommended: {},
      recommendedNoiseStd: {},
      suggestMs: [],
    };
    let best = Number.POSITIVE_INFINITY;
    let kept = Number.NaN;
    const configs = new Map<string, { sum: number; count: number; truth: number }>();
    // Noise draws have their own stream: the same seed gives the same noise whatever the sampler.
    const noise = createRng(mixSeed(seed, 0x4e015e));
    const recommender: SamplerConfig = opts.sampler.type === 'gp' ? config : { type: 'gp', seed };
    for (let t = 0; t < opts.trials; t++) {
      // What the server does for a study with this seed: trial t draws from trialSeed(seed, t).
      const request: SuggestRequest = {
        space,
        direction: 'MINIMIZE',
        completed,
        pending: [],
        seed: trialSeed(seed, t),
      };
      const t0 = performance.now();
      const s = suggest(config, request);
      const ms = performance.now() - t0;
      let truth: number;
      try {
        truth = Number(await opts.objective.evaluate(s.params));
      } catch {
        truth = Number.NaN;
      }
      const sigma = opts.objective.noise ?? 0;
      const value = sigma > 0 ? truth + sigma * noise.normal() : truth;
      completed.push({ params: s.params, value });
      // A configuration evaluated more than once (`replicateIncumbent`) is observed as the mean of
      // its values: what a user compares, and what makes a replicate worth its trial.
      const key = JSON.stringify(s.params);
      const seen = configs.get(key) ?? { sum: 0, count: 0, truth };
      seen.sum += value;
      seen.count++;
      configs.set(key, seen);
      if (seen.count === 1) {
        if (value < best) {
          best = value;
          kept = truth;
        }
      } else {
        best = Number.POSITIVE_INFINITY;
        for (const c of configs.values()) {
          if (c.sum / c.count < best) {
            best = c.sum / c.count;
            kept = c.truth;
          }
        }
      }
      run.values.push(value);
      run.trueValues.push(truth);
      run.best.push(best);
      run.kept.push(kept);
      run.suggestMs.push(ms);
      if (opts.recommendAt?.includes(t + 1)) {
        const r = recommend(recommender, {
          space,
          direction: 'MINIMIZE',
          completed,
        });
        run.recommended[t + 1] = r ? (run.trueValues[r.index] ?? Number.NaN) : Number.NaN;
        run.recommendedNoiseStd[t + 1] = r?.noiseStd ?? Number.NaN;
      }
      opts.onTrial?.({ seed, trial: t + 1, value, best, suggestMs: ms });
    }
    runs.push(run);
  }
  const result: BenchResult = {
    objective: opts.objective.name,
    sampler: opts.sampler.type,
    samplerConfig: opts.sampler,
    trials: opts.trials,
    runs,
  };
  if (opts.objective.optimum !== undefined) result.optimum = opts.objective.optimum;
  return result;
}

/** Linear-interpolation quantile (numpy's default), q in [0, 1]. */
export function quantile(values: readonly number[], q: number): number {
  const s = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = s[lo] ?? Number.NaN;
  const b = s[hi] ?? Number.NaN;
  return a + (b - a) * (pos - lo);
}

export interface BenchSummaryRow {
  trials: number;
  /**
   * Simple regret (kept - optimum: the TRUE value of the best observed trial) when the optimum is
   * known, else that true value.
   */
  median: number;
  q25: number;
  q75: number;
}

export interface BenchSummary {
  objective: string;
  sampler: string;
  metric: 'regret' | 'best';
  rows: BenchSummaryRow[];
  /** The same for the model's recommended trial, at the trial counts where it was scored. */
  recommendedRows: BenchSummaryRow[];
  suggestMsMedian: number;
}

export const SUMMARY_CHECKPOINTS = [10, 20, 30, 50];

/** Median and quartiles of regret at 10/20/30/50 trials (those the run reached) and at its end. */
export function summarizeBenchmark(result: BenchResult, checkpoints = SUMMARY_CHECKPOINTS): BenchSummary {
  const optimum = result.optimum;
  const reached = checkpoints.filter((k) => k <= result.trials);
  if (!reached.includes(result.trials)) reached.push(result.trials);
  const row = (k: number, xs: number[]): BenchSummaryRow => ({
    trials: k,
    median: quantile(xs, 0.5),
    q25: quantile(xs, 0.25),
    q75: quantile(xs, 0.75),
  });
  const rows = reached.map((k) =>
    row(
      k,
      result.runs.map((r) => (r.kept[k - 1] ?? Number.NaN) - (optimum ?? 0)),
    ),
  );
  const scored = [...new Set(result.runs.flatMap((r) => Object.keys(r.recommended).map(Number)))].sort(
    (a, b) => a - b,
  );
  const recommendedRows = scored.map((k) =>
    row(
      k,
      result.runs.map((r) => (r.recommended[k] ?? Number.NaN) - (optimum ?? 0)),
    ),
  );
  const ms = result.runs.flatMap((r) => r.suggestMs);
  return {
    objective: result.objective,
    sampler: result.sampler,
    metric: optimum === undefined ? 'best' : 'regret',
    rows,
    recommendedRows,
    suggestMsMedian: quantile(ms, 0.5),
  };
}

/** Three significant digits, like the anchors table. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e4 || a < 1e-3) return x.toExponential(2).replace(/e([+-])(\d)$/, 'e$10$2');
  return String(Number(x.toPrecision(3)));
}

export function formatSummaryTable(summaries: readonly BenchSummary[]): string {
  const checkpoints = [...new Set(summaries.flatMap((s) => s.rows.map((r) => r.trials)))].sort(
    (a, b) => a - b,
  );
  const header = ['function', 'sampler', 'metric', ...checkpoints.map((k) => `@${k}`), 'suggest ms (median)'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const s of summaries) {
    const cells = checkpoints.map((k) => {
      const r = s.rows.find((row) => row.trials === k);
      return r ? `${formatNumber(r.median)} [${formatNumber(r.q25)}, ${formatNumber(r.q75)}]` : '';
    });
    lines.push(
      `| ${[s.objective, s.sampler, s.metric, ...cells, formatNumber(s.suggestMsMedian)].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}
