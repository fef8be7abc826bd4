import { bestTrial, isActive } from '@posterior/core';
import type { MetricPoint, SearchSpace, Study, SurrogateSlice, Trial, TrialState } from './types.ts';

/** mulberry32: a small seeded PRNG, so fixtures are identical on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const FIXTURE_SPACE: SearchSpace = [
  { name: 'lr', type: 'float', low: 1e-5, high: 0.1, log: true },
  { name: 'units1', type: 'int', low: 16, high: 512, log: true },
  { name: 'dropout', type: 'float', low: 0, high: 0.7, step: 0.05 },
  { name: 'batch', type: 'categorical', choices: [16, 32, 64, 128, 256] },
  { name: 'act', type: 'categorical', choices: ['relu', 'gelu'] },
  { name: 'bn', type: 'categorical', choices: [true, false] },
];

export interface FixtureOptions {
  trials: number;
  seed?: number;
  /** Metric steps per finished trial (0 for none). */
  steps?: number;
  running?: number;
  waiting?: number;
}

export interface FixtureStudy {
  study: Study;
  trials: Trial[];
  metrics: MetricPoint[];
  surrogate: SurrogateSlice[];
}

/** A deterministic study over FIXTURE_SPACE with COMPLETE, PRUNED, FAILED, RUNNING and WAITING trials. */
export function fixtureStudy(opts: FixtureOptions): FixtureStudy {
  const r = rng(opts.seed ?? 7);
  const steps = opts.steps ?? 20;
  const running = Math.min(opts.running ?? 2, opts.trials);
  const waiting = Math.min(opts.waiting ?? 1, opts.trials - running);
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const trials: Trial[] = [];
  const metrics: MetricPoint[] = [];
  const counts = { waiting: 0, running: 0, complete: 0, pruned: 0, failed: 0 };
  const history: number[] = [];
  for (let i = 0; i < opts.trials; i++) {
    const lr = 10 ** (-5 + 4 * r());
    const units1 = Math.round(2 ** (4 + 5 * r()));
    const dropout = Math.round((0.7 * r()) / 0.05) * 0.05;
    const batch = [16, 32, 64, 128, 256][Math.floor(r() * 5)] ?? 32;
    const act = r() < 0.5 ? 'relu' : 'gelu';
    const bn = r() < 0.5;
    // a smooth objective with its optimum near lr=1e-3, dropout=0.2, plus noise
    const progress = i / Math.max(1, opts.trials);
    const base =
      0.08 +
      0.25 * (Math.log10(lr) + 3) ** 2 * (1 - 0.5 * progress) +
      0.6 * (dropout - 0.2) ** 2 +
      (act === 'gelu' ? -0.02 : 0) +
      0.02 * Math.abs(Math.log2(units1) - 7) +
      0.05 * r();
    let state: TrialState = 'COMPLETE';
    const u = r();
    if (i >= opts.trials - running) state = 'RUNNING';
    else if (i >= opts.trials - running - waiting) state = 'WAITING';
    else if (u < 0.06) state = 'FAILED';
    else if (u < 0.2) state = 'PRUNED';
    const id = `t${i}`;
    const startedAt = state === 'WAITING' ? null : new Date(t0 + i * 60_000).toISOString();
    const finished = !isActive(state);
    const finishedAt = finished ? new Date(t0 + i * 60_000 + 20_000 + r() * 40_000).toISOString() : null;
    const nSteps =
      state === 'WAITING'
        ? 0
        : state === 'PRUNED'
          ? Math.ceil(steps / 3)
          : state === 'RUNNING'
            ? Math.ceil(steps / 2)
            : steps;
    let last = Number.NaN;
    for (let s = 0; s < nSteps && steps > 0; s++) {
      const v = base + 1.2 * Math.exp(-s / 4) + 0.01 * r();
      last = v;
      metrics.push({
        trialId: id,
        name: 'val_loss',
        step: s,
        value: v,
        time: new Date(t0 + i * 60_000 + s * 1000).toISOString(),
      });
    }
    const value = state === 'COMPLETE' ? base : state === 'PRUNED' && Number.isFinite(last) ? last : null;
    const useModel = i >= 8 && state !== 'WAITING';
    trials.push({
      id,
      number: i,
      state,
      params: { lr, units1, dropout, batch, act, bn },
      value,
      startedAt,
      finishedAt,
      workerId: state === 'WAITING' ? null : `worker-${i % 3}`,
      error: state === 'FAILED' ? 'RuntimeError: loss became NaN' : null,
      suggestion: useModel
        ? {
            sampler: 'gp',
            mean: base + (r() - 0.5) * 0.06,
            std: 0.02 + 0.05 * r(),
            acquisition: -2 - 3 * r(),
          }
        : { sampler: 'qmc', mean: null, std: null, acquisition: null },
    });
    counts[state.toLowerCase() as keyof typeof counts]++;
    if (value !== null && state === 'COMPLETE') history.push(value);
  }
  const best = bestTrial('MINIMIZE', trials);
  const grid = Array.from({ length: 100 }, (_, k) => k / 99);
  const lrSlice: SurrogateSlice = {
    param: 'lr',
    x: grid.map((g) => 10 ** (-5 + 4 * g)),
    mean: grid.map((g) => 0.08 + 0.25 * (-5 + 4 * g + 3) ** 2 * 0.6),
    std: grid.map((g) => 0.02 + 0.08 * Math.abs(Math.sin(g * 9))),
    acquisition: grid.map((g) => Math.exp(-((g - 0.5) ** 2) / 0.01) - 0.2 * g),
  };
  const study: Study = {
    id: `fixture-${opts.trials}`,
    teamId: null,
    name: `Fixture study (${opts.trials.toLocaleString('en-US')} trials)`,
    state: 'RUNNING',
    direction: 'MINIMIZE',
    objective: 'val_loss',
    maxTrials: opts.trials + 10,
    createdAt: new Date(t0).toISOString(),
    trialCounts: counts,
    bestValue: best?.value ?? null,
    history,
    searchSpace: FIXTURE_SPACE,
    sampler: { type: 'gp', seed: opts.seed ?? 7 },
    pruner: { type: 'median' },
    parallelism: 4,
    bestTrialId: best?.id ?? null,
    warmStartFrom: [],
  };
  return { study, trials, metrics, surrogate: [lrSlice] };
}
