import type { Params } from '../search-space.js';

/** A benchmark objective (docs/DESIGN.md section 6): minimized; `optimum` is the known global minimum. */
export interface BenchObjective {
  name: string;
  space: unknown;
  optimum?: number;
  evaluate(params: Params): number | Promise<number>;
  /**
   * Standard deviation of the Gaussian noise the harness adds to each observation. `evaluate` stays
   * noise-free, so the TRUE regret of what a user keeps can be scored.
   */
  noise?: number;
  /** Standard deviation of the objective under uniform random sampling of the space. */
  spread?: number;
}

const floats = (dim: number, low: number, high: number): unknown[] =>
  Array.from({ length: dim }, (_, i) => ({ name: `x${i}`, type: 'float', low, high }));
const vector = (p: Params, dim: number): number[] =>
  Array.from({ length: dim }, (_, i) => Number(p[`x${i}`]));

function hartmann(alpha: number[], a: number[][], p: number[][], x: number[]): number {
  let s = 0;
  for (let i = 0; i < 4; i++) {
    let inner = 0;
    x.forEach((xj, j) => {
      inner += (a[i]?.[j] ?? 0) * (xj - (p[i]?.[j] ?? 0)) ** 2;
    });
    s += (alpha[i] ?? 0) * Math.exp(-inner);
  }
  return -s;
}

const H_ALPHA = [1.0, 1.2, 3.0, 3.2];
const H6_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H6_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((r) => r.map((v) => v * 1e-4));
const H3_A = [
  [3, 10, 30],
  [0.1, 10, 35],
  [3, 10, 30],
  [0.1, 10, 35],
];
const H3_P = [
  [3689, 1170, 2673],
  [4699, 4387, 7470],
  [1091, 8732, 5547],
  [381, 5743, 8828],
].map((r) => r.map((v) => v * 1e-4));

function ackley(x: number[]): number {
  const d = x.length;
  let sq = 0;
  let cs = 0;
  for (const v of x) {
    sq += v * v;
    cs += Math.cos(2 * Math.PI * v);
  }
  return -20 * Math.exp(-0.2 * Math.sqrt(sq / d)) - Math.exp(cs / d) + 20 + Math.E;
}

function levy(x: number[]): number {
  const w = x.map((v) => 1 + (v - 1) / 4);
  const d = w.length;
  const w0 = w[0] ?? 0;
  const wd = w[d - 1] ?? 0;
  let s = Math.sin(Math.PI * w0) ** 2;
  for (let i = 0; i < d - 1; i++) {
    const wi = w[i] ?? 0;
    s += (wi - 1) ** 2 * (1 + 10 * Math.sin(Math.PI * wi + 1) ** 2);
  }
  return s + (wd - 1) ** 2 * (1 + Math.sin(2 * Math.PI * wd) ** 2);
}

function michalewicz(x: number[]): number {
  let s = 0;
  x.forEach((v, i) => {
    s -= Math.sin(v) * Math.sin(((i + 1) * v * v) / Math.PI) ** 20;
  });
  return s;
}

function rastrigin(x: number[]): number {
  let s = 10 * x.length;
  for (const v of x) s += v * v - 10 * Math.cos(2 * Math.PI * v);
  return s;
}

function schwefel(x: number[]): number {
  let s = 418.9829 * x.length;
  for (const v of x) s -= v * Math.sin(Math.sqrt(Math.abs(v)));
  return s;
}

function griewank(x: number[]): number {
  let s = 0;
  let p = 1;
  x.forEach((v, i) => {
    s += (v * v) / 4000;
    p *= Math.cos(v / Math.sqrt(i + 1));
  });
  return s - p + 1;
}

function floatObjective(
  name: string,
  dim: number,
  bounds: [number, number] | Array<[number, number]>,
  optimum: number,
  f: (x: number[]) => number,
  spread?: number,
): BenchObjective {
  const space = Array.isArray(bounds[0])
    ? (bounds as Array<[number, number]>).map(([low, high], i) => ({
        name: `x${i}`,
        type: 'float',
        low,
        high,
      }))
    : floats(dim, (bounds as [number, number])[0], (bounds as [number, number])[1]);
  const objective: BenchObjective = { name, space, optimum, evaluate: (p) => f(vector(p, dim)) };
  if (spread !== undefined) objective.spread = spread;
  return objective;
}

/**
 * The same function observed with Gaussian noise of `fraction` times its spread under random
 * sampling (ANCHORS.md: 2% and 10%), named like `hartmann6_noise2`. `sigma` overrides the product
 * where ANCHORS gives it.
 */
export function noisyObjective(base: BenchObjective, fraction: number, sigma?: number): BenchObjective {
  const noise = sigma ?? fraction * (base.spread ?? Number.NaN);
  if (!(noise > 0)) throw new Error(`${base.name}: no spread to scale the noise by`);
  return { ...base, name: `${base.name}_noise${Math.round(fraction * 100)}`, noise };
}

const square = (r: number): Array<[number, number]> => [
  [-r, r],
  [-r, r],
];

/** The public suite (ANCHORS.md) and held-out functions of the same kind for validation. */
export const builtinObjectives: Record<string, BenchObjective> = {
  branin: floatObjective(
    'branin',
    2,
    [
      [-5, 10],
      [0, 15],
    ],
    0.397887357729739,
    ([x1 = 0, x2 = 0]) => {
      const b = 5.1 / (4 * Math.PI * Math.PI);
      const c = 5 / Math.PI;
      const t = 1 / (8 * Math.PI);
      return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
    },
    51.2,
  ),
  // Spreads (the last argument): standard deviation under uniform random sampling, 2e5 points
  // (2e4 for hartmann6), checked by bench.test.ts.
  hartmann6: floatObjective(
    'hartmann6',
    6,
    [0, 1],
    -3.32236801141551,
    (x) => hartmann(H_ALPHA, H6_A, H6_P, x),
    0.391,
  ),
  ackley5: floatObjective('ackley5', 5, [-32.768, 32.768], 0, ackley, 0.809),
  rosenbrock4: floatObjective(
    'rosenbrock4',
    4,
    [-5, 10],
    0,
    (x) => {
      let s = 0;
      for (let i = 0; i < x.length - 1; i++) {
        const a = x[i] ?? 0;
        const b = x[i + 1] ?? 0;
        s += 100 * (b - a * a) ** 2 + (1 - a) ** 2;
      }
      return s;
    },
    3.73e5,
  ),
  styblinski_tang4: floatObjective(
    'styblinski_tang4',
    4,
    [-5, 5],
    -156.66466281508568,
    (x) => {
      let s = 0;
      for (const v of x) s += v ** 4 - 16 * v * v + 5 * v;
      return s / 2;
    },
    63.9,
  ),
  // Multimodal 2-D functions (ANCHORS.md, VLSE definitions).
  michalewicz2: floatObjective('michalewicz2', 2, [0, Math.PI], -1.8013034100985537, michalewicz, 0.3225),
  holder_table: floatObjective(
    'holder_table',
    2,
    square(10),
    -19.20850256788675,
    ([a = 0, b = 0]) =>
      -Math.abs(Math.sin(a) * Math.cos(b) * Math.exp(Math.abs(1 - Math.hypot(a, b) / Math.PI))),
    3.016,
  ),
  eggholder: floatObjective(
    'eggholder',
    2,
    square(512),
    -959.6406627208506,
    ([a = 0, b = 0]) =>
      -(b + 47) * Math.sin(Math.sqrt(Math.abs(b + a / 2 + 47))) -
      a * Math.sin(Math.sqrt(Math.abs(a - (b + 47)))),
    297.6,
  ),
  drop_wave: floatObjective(
    'drop_wave',
    2,
    square(5.12),
    -1,
    ([a = 0, b = 0]) => {
      const r2 = a * a + b * b;
      return -(1 + Math.cos(12 * Math.sqrt(r2))) / (0.5 * r2 + 2);
    },
    0.1491,
  ),
  schwefel2: floatObjective('schwefel2', 2, [-500, 500], 2.545567497236334e-5, schwefel, 273.6),
  rastrigin2: floatObjective('rastrigin2', 2, [-5.12, 5.12], 0, rastrigin, 14.39),
  // Held out: never used to choose defaults on their own.
  hartmann3: floatObjective('hartmann3', 3, [0, 1], -3.86278214782076, (x) =>
    hartmann(H_ALPHA, H3_A, H3_P, x),
  ),
  levy5: floatObjective('levy5', 5, [-10, 10], 0, levy),
  six_hump_camel: floatObjective(
    'six_hump_camel',
    2,
    [
      [-3, 3],
      [-2, 2],
    ],
    -1.0316284534898774,
    ([a = 0, b = 0]) => (4 - 2.1 * a * a + a ** 4 / 3) * a * a + a * b + (-4 + 4 * b * b) * b * b,
  ),
  griewank5: floatObjective('griewank5', 5, [-600, 600], 0, griewank),
  // Held-out multimodal 2-D functions: a private check of the multimodal suite's lessons.
  shubert2: floatObjective('shubert2', 2, [-10, 10], -186.7309088310239, (x) => {
    let p = 1;
    for (const v of x) {
      let s = 0;
      for (let j = 1; j <= 5; j++) s += j * Math.cos((j + 1) * v + j);
      p *= s;
    }
    return p;
  }),
  cross_in_tray: floatObjective(
    'cross_in_tray',
    2,
    square(10),
    -2.062611870822739,
    ([a = 0, b = 0]) =>
      -0.0001 *
      (Math.abs(Math.sin(a) * Math.sin(b) * Math.exp(Math.abs(100 - Math.hypot(a, b) / Math.PI))) + 1) ** 0.1,
  ),
  levy2: floatObjective('levy2', 2, [-10, 10], 0, levy),
  griewank2: floatObjective('griewank2', 2, [-600, 600], 0, griewank),
  ackley2: floatObjective('ackley2', 2, [-32.768, 32.768], 0, ackley),
  bukin6: floatObjective(
    'bukin6',
    2,
    [
      [-15, -5],
      [-3, 3],
    ],
    0,
    ([a = 0, b = 0]) => 100 * Math.sqrt(Math.abs(b - 0.01 * a * a)) + 0.01 * Math.abs(a + 10),
  ),
  // Mixed types: a log float, an int, a stepped float and a categorical with a real effect.
  mixed5: {
    name: 'mixed5',
    optimum: 0,
    space: [
      { name: 'lr', type: 'float', low: 1e-5, high: 1, log: true },
      { name: 'units', type: 'int', low: 1, high: 256, log: true },
      { name: 'dropout', type: 'float', low: 0, high: 0.7, step: 0.05 },
      { name: 'layers', type: 'int', low: 1, high: 6 },
      { name: 'act', type: 'categorical', choices: ['relu', 'gelu', 'tanh'] },
    ],
    evaluate: (p) => {
      const lr = Math.log10(Number(p.lr)) + 2.5;
      const units = Math.log2(Number(p.units)) - 6;
      const dropout = Number(p.dropout) - 0.25;
      const layers = Number(p.layers) - 3;
      const act = p.act === 'gelu' ? 0 : p.act === 'relu' ? 0.3 : 1;
      return lr * lr + 0.2 * units * units + 4 * dropout * dropout + 0.1 * layers * layers + act;
    },
  },
};
