import { bestTrial, isActive } from '@posterior/core';
import { buildParetoView } from './pareto.ts';
import type {
  HypervolumePoint,
  MetricPoint,
  Objective,
  SearchSpace,
  Study,
  SurrogateSlice,
  Trial,
  TrialState,
} from './types.ts';

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
  /**
   * Objectives (1-3): val_loss, then the model's parameter count (millions), then latency (ms), all
   * minimized. Two or more make a multi-objective study with a hypervolume history.
   */
  objectives?: number;
  /** Constraints (0-1): `latency_budget` = latency - 20 ms (feasible when <= 0). */
  constraints?: number;
}

const FIXTURE_OBJECTIVES: Objective[] = [
  { name: 'val_loss', direction: 'MINIMIZE' },
  { name: 'params_m', direction: 'MINIMIZE' },
  { name: 'latency_ms', direction: 'MINIMIZE' },
];

/**
 * Hypervolume of minimization points against `ref` (exact in 2-D, a fixed-sample estimate above):
 * only for the fixture's history; the API's comes from @posterior/optimizer.
 */
function fixtureHypervolume(points: number[][], ref: number[]): number {
  const inside = points.filter((p) => p.every((v, j) => v < (ref[j] as number)));
  if (inside.length === 0) return 0;
  if (ref.length === 2) {
    const sorted = [...inside].sort((a, b) => (a[0] as number) - (b[0] as number));
    let hv = 0;
    let yMin = ref[1] as number;
    for (const [x, y] of sorted as Array<[number, number]>) {
      if (y >= yMin) continue;
      hv += ((ref[0] as number) - x) * (yMin - y);
      yMin = y;
    }
    return hv;
  }
  const lo = ref.map((_, j) => Math.min(...inside.map((p) => p[j] as number)));
  const r = rng(11);
  let hit = 0;
  const n = 4000;
  for (let s = 0; s < n; s++) {
    const z = ref.map((h, j) => (lo[j] as number) + r() * (h - (lo[j] as number)));
    if (inside.some((p) => p.every((v, j) => v <= (z[j] as number)))) hit++;
  }
  return (hit / n) * ref.reduce((acc, h, j) => acc * (h - (lo[j] as number)), 1);
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
  const nObjectives = Math.min(3, Math.max(1, opts.objectives ?? 1));
  const nConstraints = Math.min(1, Math.max(0, opts.constraints ?? 0));
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
    // bigger models learn better: the parameter count trades against the loss
    const paramsM = Math.round(((units1 * units1 * 12) / 1e6 + 0.05 * r()) * 1000) / 1000;
    const latency = Math.round((4 + units1 / 16 + batch / 32 + 3 * r()) * 100) / 100;
    const told = state === 'COMPLETE';
    const mo =
      nObjectives > 1
        ? {
            values: told ? [value ?? 0, paramsM, latency].slice(0, nObjectives) : null,
            constraints: nConstraints > 0 && told ? [latency - 20] : null,
            feasible: told ? !(nConstraints > 0 && latency > 20) : null,
          }
        : nConstraints > 0
          ? {
              values: told ? [value ?? 0] : null,
              constraints: told ? [latency - 20] : null,
              feasible: told ? latency <= 20 : null,
            }
          : {};
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
      ...mo,
    });
    counts[state.toLowerCase() as keyof typeof counts]++;
    if (value !== null && state === 'COMPLETE') history.push(value);
  }
  const objectives = FIXTURE_OBJECTIVES.slice(0, nObjectives);
  const feasibleTrials = nConstraints > 0 ? trials.filter((t) => t.feasible !== false) : trials;
  const best = nObjectives > 1 ? undefined : bestTrial('MINIMIZE', feasibleTrials);
  // the multi-objective history: the feasible front's hypervolume after each complete trial
  const hypervolumeHistory: HypervolumePoint[] = [];
  let referencePoint: Study['referencePoint'] = null;
  if (nObjectives > 1) {
    const done = trials.filter((t) => t.state === 'COMPLETE' && t.values);
    const ref = objectives.map((_, j) => Math.max(...done.map((t) => t.values?.[j] ?? 0)) * 1.1);
    referencePoint = { values: ref, source: 'INFERRED' };
    const seen: Trial[] = [];
    for (const t of done) {
      seen.push(t);
      const front = buildParetoView(seen, objectives).front.map((p) => p.values);
      hypervolumeHistory.push({ trialNumber: t.number, hypervolume: fixtureHypervolume(front, ref) });
    }
  }
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
    objectives,
    constraints: nConstraints > 0 ? [{ name: 'latency_budget' }] : [],
    isMultiObjective: nObjectives > 1,
    referencePoint,
    paretoFrontIds: nObjectives > 1 ? [...buildParetoView(trials, objectives).frontIds] : [],
    hypervolumeHistory,
  };
  return { study, trials, metrics, surrogate: [lrSlice] };
}
