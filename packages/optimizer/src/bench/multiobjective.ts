import type { Direction, SamplerConfig } from '../config.js';
import { hypervolume } from '../multiobjective/hypervolume.js';
import type { CompletedTrial } from '../multiobjective/suggest.js';
import { type SuggestRequest, suggest } from '../samplers.js';
import { type Params, parseSearchSpace } from '../search-space.js';
import { quantile } from './run.js';

/**
 * Multi-objective and constrained benchmark problems (shared/bench/ANCHORS.md, "Multi-objective
 * and constrained") and their protocol: every objective minimized, constraints feasible when <= 0;
 * the metric after t trials is log10(HV* - HV_t), HV_t the hypervolume of the feasible
 * non-dominated trials against the problem's reference point (the sampler is NOT told it: it
 * infers its own, as Optuna's does), or for a single objective the simple regret of the best
 * feasible value. The private problems (zdt3, srn, dtlz1_3obj) are of the same kinds, for judging
 * that the method is not tuned to the public set; the held-out ones (dtlz7_3obj, tnk, gardner2) run
 * only with the bench's --heldout flag, as a last check that is not looked at while developing.
 */
export interface MoProblem {
  name: string;
  dim: number;
  objectives: number;
  constraints: number;
  budget: number;
  space: unknown;
  evaluate(x: readonly number[]): { values: number[]; constraints: number[] };
  /** Multi-objective problems: the metric's reference point and the true front's hypervolume. */
  referencePoint?: number[];
  trueHypervolume?: () => number;
  /** Single-objective problems: the optimum for the regret. */
  optimum?: number;
  public: boolean;
  /**
   * Held out: run only with the bench's --heldout flag, never while developing the sampler, to check
   * that changes measured on the other problems carry over to problems of the same kinds.
   */
  heldout?: boolean;
}

const unitFloats = (bounds: ReadonlyArray<[number, number]>): unknown[] =>
  bounds.map(([low, high], i) => ({ name: `x${i}`, type: 'float', low, high }));

function zdt(kind: 1 | 2 | 3, dim: number) {
  return (x: readonly number[]) => {
    const f1 = x[0] as number;
    let s = 0;
    for (let i = 1; i < dim; i++) s += x[i] as number;
    const g = 1 + (9 / (dim - 1)) * s;
    const r = f1 / g;
    const h =
      kind === 1
        ? 1 - Math.sqrt(r)
        : kind === 2
          ? 1 - r * r
          : 1 - Math.sqrt(r) - r * Math.sin(10 * Math.PI * f1);
    return { values: [f1, g * h], constraints: [] };
  };
}

function dtlz2(x: readonly number[]) {
  let g = 0;
  for (let i = 2; i < x.length; i++) g += ((x[i] as number) - 0.5) ** 2;
  const a = ((x[0] as number) * Math.PI) / 2;
  const b = ((x[1] as number) * Math.PI) / 2;
  return {
    values: [(1 + g) * Math.cos(a) * Math.cos(b), (1 + g) * Math.cos(a) * Math.sin(b), (1 + g) * Math.sin(a)],
    constraints: [],
  };
}

function dtlz1(x: readonly number[]) {
  let g = 0;
  const k = x.length - 2;
  for (let i = 2; i < x.length; i++) {
    const t = (x[i] as number) - 0.5;
    g += t * t - Math.cos(20 * Math.PI * t);
  }
  g = 100 * (k + g);
  const x0 = x[0] as number;
  const x1 = x[1] as number;
  const c = 0.5 * (1 + g);
  return { values: [c * x0 * x1, c * x0 * (1 - x1), c * (1 - x0)], constraints: [] };
}

/** Hypervolume of a dense sample of a front (private problems); the 2-D sweep skips dominated points. */
function sampledFrontHypervolume(points: number[][], ref: number[]): number {
  return hypervolume(points, ref);
}

let zdt3Hv: number | undefined;
let srnHv: number | undefined;
let dtlz7Hv: number | undefined;
let tnkHv: number | undefined;

/**
 * DTLZ7 (Deb et al. 2002), 3 objectives: f1 = x0, f2 = x1, g = 1 + 9/k sum_{i>=2} x_i (k = d - 2),
 * f3 = (1 + g)(3 - sum_{i<2} f_i / (1 + g) (1 + sin(3 pi f_i))). Its front (g = 1) is four
 * disconnected patches.
 */
function dtlz7(x: readonly number[]) {
  const k = x.length - 2;
  let s = 0;
  for (let i = 2; i < x.length; i++) s += x[i] as number;
  const g = 1 + (9 / k) * s;
  const f1 = x[0] as number;
  const f2 = x[1] as number;
  const u = (f: number): number => (f / (1 + g)) * (1 + Math.sin(3 * Math.PI * f));
  return { values: [f1, f2, (1 + g) * (3 - u(f1) - u(f2))], constraints: [] };
}

/**
 * Hypervolume of DTLZ7's true front against ref: the front is f3 = 6 - u(f1) - u(f2), u(t) = t(1 +
 * sin(3 pi t)), so the lowest front value at or below (y1, y2) is 6 - U(y1) - U(y2) with U(y) the
 * running maximum of u up to y, and the volume is the integral of (ref3 - 6 + U(y1) + U(y2))_+ over
 * [0, ref1] x [0, ref2] (midpoint rule on a fine grid; f_i <= 1).
 */
function dtlz7TrueHypervolume(ref: readonly number[]): number {
  const n = 4000;
  const U = (r: number): Float64Array => {
    const out = new Float64Array(n);
    let best = 0;
    for (let i = 0; i < n; i++) {
      const y = ((i + 0.5) / n) * r;
      if (y <= 1) best = Math.max(best, y * (1 + Math.sin(3 * Math.PI * y)));
      out[i] = best;
    }
    return out;
  };
  const r1 = ref[0] as number;
  const r2 = ref[1] as number;
  const r3 = ref[2] as number;
  const u1 = U(r1);
  const u2 = U(r2);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) sum += Math.max(0, r3 - 6 + (u1[i] as number) + (u2[j] as number));
  }
  return (sum * r1 * r2) / (n * n);
}

/** TNK (Tanaka 1995; pymoo's scaling of the second constraint): f = x, a wavy feasible boundary. */
function tnk(x: readonly number[]) {
  const a = x[0] as number;
  const b = x[1] as number;
  return {
    values: [a, b],
    constraints: [
      -(a * a + b * b - 1 - 0.1 * Math.cos(16 * Math.atan2(a, b))),
      2 * ((a - 0.5) ** 2 + (b - 0.5) ** 2) - 1,
    ],
  };
}

export const MO_PROBLEMS: MoProblem[] = [
  {
    name: 'zdt1',
    dim: 6,
    objectives: 2,
    constraints: 0,
    budget: 100,
    space: unitFloats(Array.from({ length: 6 }, () => [0, 1])),
    evaluate: zdt(1, 6),
    referencePoint: [11, 11],
    trueHypervolume: () => 120 + 2 / 3,
    public: true,
  },
  {
    name: 'zdt2',
    dim: 6,
    objectives: 2,
    constraints: 0,
    budget: 100,
    space: unitFloats(Array.from({ length: 6 }, () => [0, 1])),
    evaluate: zdt(2, 6),
    referencePoint: [11, 11],
    trueHypervolume: () => 120 + 1 / 3,
    public: true,
  },
  {
    name: 'dtlz2_3obj',
    dim: 6,
    objectives: 3,
    constraints: 0,
    budget: 100,
    space: unitFloats(Array.from({ length: 6 }, () => [0, 1])),
    evaluate: dtlz2,
    referencePoint: [1.1, 1.1, 1.1],
    trueHypervolume: () => 0.8074012244,
    public: true,
  },
  {
    name: 'bnh',
    dim: 2,
    objectives: 2,
    constraints: 2,
    budget: 60,
    space: unitFloats([
      [0, 5],
      [0, 3],
    ]),
    evaluate: (x) => {
      const a = x[0] as number;
      const b = x[1] as number;
      return {
        values: [4 * a * a + 4 * b * b, (a - 5) ** 2 + (b - 5) ** 2],
        constraints: [((a - 5) ** 2 + b * b - 25) / 25, -((a - 8) ** 2 + (b + 3) ** 2 - 7.7) / 7.7],
      };
    },
    referencePoint: [149.6, 54.6],
    trueHypervolume: () => 6415.0933,
    public: true,
  },
  {
    name: 'gardner1',
    dim: 2,
    objectives: 1,
    constraints: 1,
    budget: 60,
    space: unitFloats([
      [0, 6],
      [0, 6],
    ]),
    evaluate: (x) => {
      const a = x[0] as number;
      const b = x[1] as number;
      return {
        values: [Math.cos(2 * a) * Math.cos(b) + Math.sin(a)],
        constraints: [Math.cos(a) * Math.cos(b) - Math.sin(a) * Math.sin(b) - 0.5],
      };
    },
    optimum: -2,
    public: true,
  },
  {
    name: 'zdt3',
    dim: 6,
    objectives: 2,
    constraints: 0,
    budget: 100,
    space: unitFloats(Array.from({ length: 6 }, () => [0, 1])),
    evaluate: zdt(3, 6),
    referencePoint: [11, 11],
    trueHypervolume: () => {
      if (zdt3Hv === undefined) {
        const f = zdt(3, 6);
        const pts: number[][] = [];
        for (let i = 0; i <= 200000; i++) pts.push(f([i / 200000, 0, 0, 0, 0, 0]).values);
        zdt3Hv = sampledFrontHypervolume(pts, [11, 11]);
      }
      return zdt3Hv;
    },
    public: false,
  },
  {
    // Srinivas & Deb 1994, constraints scaled to order 1.
    name: 'srn',
    dim: 2,
    objectives: 2,
    constraints: 2,
    budget: 60,
    space: unitFloats([
      [-20, 20],
      [-20, 20],
    ]),
    evaluate: (x) => {
      const a = x[0] as number;
      const b = x[1] as number;
      return {
        values: [2 + (a - 2) ** 2 + (b - 1) ** 2, 9 * a - (b - 1) ** 2],
        constraints: [(a * a + b * b - 225) / 225, (a - 3 * b + 10) / 10],
      };
    },
    referencePoint: [250, 10],
    trueHypervolume: () => {
      if (srnHv === undefined) {
        // The front lies on x0 = -2.5 (both constraints' corner region); a dense grid around the
        // whole feasible set guards against a wrong guess.
        const pts: number[][] = [];
        const add = (a: number, b: number): void => {
          if (a * a + b * b <= 225 && a - 3 * b + 10 <= 0) {
            pts.push([2 + (a - 2) ** 2 + (b - 1) ** 2, 9 * a - (b - 1) ** 2]);
          }
        };
        for (let i = 0; i <= 100000; i++) add(-2.5, 2.5 + (i / 100000) * 12.3);
        for (let i = 0; i <= 400; i++) for (let j = 0; j <= 400; j++) add(-20 + i * 0.1, -20 + j * 0.1);
        srnHv = sampledFrontHypervolume(pts, [250, 10]);
      }
      return srnHv;
    },
    public: false,
  },
  {
    name: 'dtlz1_3obj',
    dim: 6,
    objectives: 3,
    constraints: 0,
    budget: 100,
    space: unitFloats(Array.from({ length: 6 }, () => [0, 1])),
    evaluate: dtlz1,
    referencePoint: [400, 400, 400],
    // The front is the simplex sum f = 0.5: the box minus the corner it cuts off.
    trueHypervolume: () => 400 ** 3 - 0.5 ** 3 / 6,
    public: false,
  },
];

MO_PROBLEMS.push(
  {
    name: 'dtlz7_3obj',
    dim: 6,
    objectives: 3,
    constraints: 0,
    budget: 100,
    space: unitFloats(Array.from({ length: 6 }, () => [0, 1])),
    evaluate: dtlz7,
    referencePoint: [1.1, 1.1, 6.6],
    trueHypervolume: () => {
      dtlz7Hv ??= dtlz7TrueHypervolume([1.1, 1.1, 6.6]);
      return dtlz7Hv;
    },
    public: false,
    heldout: true,
  },
  {
    name: 'tnk',
    dim: 2,
    objectives: 2,
    constraints: 2,
    budget: 60,
    space: unitFloats([
      [0, Math.PI],
      [0, Math.PI],
    ]),
    evaluate: tnk,
    referencePoint: [1.2, 1.2],
    trueHypervolume: () => {
      if (tnkHv === undefined) {
        // f = x: the front is, for each x0, the least feasible x1: a scan from below in steps of
        // 1e-3, then bisection between the last infeasible and the first feasible step.
        const pts: number[][] = [];
        const feasible = (a: number, b: number): boolean => tnk([a, b]).constraints.every((c) => c <= 0);
        for (let i = 0; i <= 6000; i++) {
          const a = (i / 6000) * 1.2;
          for (let j = 0; j <= 1200; j++) {
            const b = j / 1000;
            if (!feasible(a, b)) continue;
            let lo = Math.max(0, b - 1e-3);
            let hi = b;
            if (j > 0) {
              for (let k = 0; k < 40; k++) {
                const mid = 0.5 * (lo + hi);
                if (feasible(a, mid)) hi = mid;
                else lo = mid;
              }
            }
            pts.push([a, hi]);
            break;
          }
        }
        tnkHv = sampledFrontHypervolume(pts, [1.2, 1.2]);
      }
      return tnkHv;
    },
    public: false,
    heldout: true,
  },
  {
    // Gardner et al. 2014, problem 2: a thin feasible band; f* = -1 + asin(0.95) at (3 pi / 2, asin(0.95)).
    name: 'gardner2',
    dim: 2,
    objectives: 1,
    constraints: 1,
    budget: 60,
    space: unitFloats([
      [0, 6],
      [0, 6],
    ]),
    evaluate: (x) => {
      const a = x[0] as number;
      const b = x[1] as number;
      return { values: [Math.sin(a) + b], constraints: [Math.sin(a) * Math.sin(b) + 0.95] };
    },
    optimum: -1 + Math.asin(0.95),
    public: false,
    heldout: true,
  },
);

export interface MoRun {
  seed: number;
  /** metric[t - 1]: log10(HV* - HV_t), or the simple regret of the best feasible value. */
  metric: number[];
  suggestMs: number[];
}

export interface MoBenchResult {
  problem: string;
  sampler: string;
  metric: 'log10 HV gap' | 'regret';
  runs: MoRun[];
}

/** Smallest gap the metric reports: below it, the front is the true front to float precision. */
const GAP_FLOOR = 1e-12;

export function frontMetric(problem: MoProblem, trials: ReadonlyArray<CompletedTrial>): number {
  const feasible = trials.filter(
    (t) => (t.values ?? []).every((v) => Number.isFinite(v)) && (t.constraints ?? []).every((c) => c <= 0),
  );
  if (problem.objectives === 1) {
    let best = Number.POSITIVE_INFINITY;
    for (const t of feasible) best = Math.min(best, t.values?.[0] ?? Number.POSITIVE_INFINITY);
    return best - (problem.optimum ?? 0);
  }
  const ref = problem.referencePoint ?? [];
  const hv = hypervolume(
    feasible.map((t) => [...(t.values ?? [])]),
    ref,
  );
  const star = problem.trueHypervolume?.() ?? 0;
  return Math.log10(Math.max(star - hv, GAP_FLOOR));
}

export function runMoBenchmark(opts: {
  problem: MoProblem;
  sampler: SamplerConfig;
  seeds: readonly number[];
  trials?: number;
  onTrial?: (seed: number, trial: number, metric: number, ms: number) => void;
}): MoBenchResult {
  const { problem } = opts;
  const space = parseSearchSpace(problem.space);
  const trials = opts.trials ?? problem.budget;
  const objectives = Array.from({ length: problem.objectives }, (_, j) => ({
    name: `f${j}`,
    direction: 'MINIMIZE' as Direction,
  }));
  const constraints = Array.from({ length: problem.constraints }, (_, k) => ({ name: `c${k}` }));
  const runs: MoRun[] = [];
  for (const seed of opts.seeds) {
    const completed: CompletedTrial[] = [];
    const run: MoRun = { seed, metric: [], suggestMs: [] };
    for (let t = 0; t < trials; t++) {
      const request: SuggestRequest = {
        space,
        direction: 'MINIMIZE',
        completed,
        pending: [],
        seed: seed + t,
        objectives,
        constraints,
      };
      const t0 = performance.now();
      const s = suggest({ ...opts.sampler, seed }, request);
      const ms = performance.now() - t0;
      const x = Array.from({ length: problem.dim }, (_, i) => Number((s.params as Params)[`x${i}`]));
      const out = problem.evaluate(x);
      completed.push({
        params: s.params,
        value: out.values[0] ?? Number.NaN,
        values: out.values,
        constraints: out.constraints,
      });
      const metric = frontMetric(problem, completed);
      run.metric.push(metric);
      run.suggestMs.push(ms);
      opts.onTrial?.(seed, t + 1, metric, ms);
    }
    runs.push(run);
  }
  return {
    problem: problem.name,
    sampler: opts.sampler.type,
    metric: problem.objectives === 1 ? 'regret' : 'log10 HV gap',
    runs,
  };
}

export interface MoSummaryCell {
  trials: number;
  median: number;
  q25: number;
  q75: number;
}

export function summarizeMo(result: MoBenchResult, checkpoints: readonly number[]): MoSummaryCell[] {
  return checkpoints.map((k) => {
    const xs = result.runs.map((r) => r.metric[k - 1] ?? Number.NaN);
    return { trials: k, median: quantile(xs, 0.5), q25: quantile(xs, 0.25), q75: quantile(xs, 0.75) };
  });
}
