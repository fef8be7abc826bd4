import type { Params } from '../search-space.js';

/** A benchmark objective (docs/DESIGN.md section 6): minimized; `optimum` is the known global minimum. */
export interface BenchObjective {
  name: string;
  space: unknown;
  optimum?: number;
  evaluate(params: Params): number | Promise<number>;
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

function floatObjective(
  name: string,
  dim: number,
  bounds: [number, number] | Array<[number, number]>,
  optimum: number,
  f: (x: number[]) => number,
): BenchObjective {
  const space = Array.isArray(bounds[0])
    ? (bounds as Array<[number, number]>).map(([low, high], i) => ({
        name: `x${i}`,
        type: 'float',
        low,
        high,
      }))
    : floats(dim, (bounds as [number, number])[0], (bounds as [number, number])[1]);
  return { name, space, optimum, evaluate: (p) => f(vector(p, dim)) };
}

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
  ),
  hartmann6: floatObjective('hartmann6', 6, [0, 1], -3.32236801141551, (x) =>
    hartmann(H_ALPHA, H6_A, H6_P, x),
  ),
  ackley5: floatObjective('ackley5', 5, [-32.768, 32.768], 0, ackley),
  rosenbrock4: floatObjective('rosenbrock4', 4, [-5, 10], 0, (x) => {
    let s = 0;
    for (let i = 0; i < x.length - 1; i++) {
      const a = x[i] ?? 0;
      const b = x[i + 1] ?? 0;
      s += 100 * (b - a * a) ** 2 + (1 - a) ** 2;
    }
    return s;
  }),
  styblinski_tang4: floatObjective('styblinski_tang4', 4, [-5, 5], -156.66466281508568, (x) => {
    let s = 0;
    for (const v of x) s += v ** 4 - 16 * v * v + 5 * v;
    return s / 2;
  }),
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
  griewank5: floatObjective('griewank5', 5, [-600, 600], 0, (x) => {
    let s = 0;
    let p = 1;
    x.forEach((v, i) => {
      s += (v * v) / 4000;
      p *= Math.cos(v / Math.sqrt(i + 1));
    });
    return s - p + 1;
  }),
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
