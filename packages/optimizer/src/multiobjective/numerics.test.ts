import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from '../rng.js';
import { hypervolumeImprovement, nonDominatedBoxes } from './box-decomposition.js';
import { logProbabilityOfFeasibility } from './constraints.js';
import { LogEhvi } from './ehvi.js';
import { hypervolume } from './hypervolume.js';
import { logNdtr } from './log-normal.js';
import { dominates, nonDominatedRanks, paretoFrontIndices } from './pareto.js';

const close = (a: number, b: number, tol: number, what: string): void => {
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} (tol ${tol})`);
};

/** Exact hypervolume by inclusion-exclusion over every subset: the union of boxes [p, ref]. */
function bruteForceHypervolume(points: number[][], ref: number[]): number {
  const rows = points.filter((p) => p.every((v, j) => v < (ref[j] as number)));
  let total = 0;
  for (let mask = 1; mask < 1 << rows.length; mask++) {
    const corner = ref.map(() => Number.NEGATIVE_INFINITY);
    let bits = 0;
    rows.forEach((p, i) => {
      if (mask & (1 << i)) {
        bits++;
        p.forEach((v, j) => {
          corner[j] = Math.max(corner[j] as number, v);
        });
      }
    });
    let vol = 1;
    ref.forEach((r, j) => {
      vol *= r - (corner[j] as number);
    });
    total += bits % 2 === 1 ? vol : -vol;
  }
  return total;
}

function randomFront(rng: ReturnType<typeof createRng>, n: number, d: number): number[][] {
  // Points near the simplex sum = 1: mostly mutually non-dominated, some dominated.
  return Array.from({ length: n }, () => {
    const raw = Array.from({ length: d }, () => rng.next() + 0.05);
    const s = raw.reduce((a, b) => a + b, 0);
    const scale = 0.8 + 0.4 * rng.next();
    return raw.map((v) => (scale * v) / s);
  });
}

describe('pareto', () => {
  it('dominance and the front follow per-objective directions', () => {
    assert.ok(dominates([1, 2], [1, 3]));
    assert.ok(!dominates([1, 2], [1, 2]));
    assert.ok(!dominates([1, 3], [2, 2]));
    // Minimize the first, maximize the second.
    const pts = [
      [1, 5],
      [2, 6],
      [2, 4],
      [3, 6],
      [0.5, 1],
      [Number.NaN, 9],
    ];
    const dirs = ['MINIMIZE', 'MAXIMIZE'] as const;
    assert.deepEqual(paretoFrontIndices(pts, [...dirs]), [0, 1, 4]);
    assert.deepEqual(nonDominatedRanks(pts, [...dirs]), [0, 0, 1, 1, 0, -1]);
  });

  it('ranks peel off fronts in 3 objectives, equal points sharing a rank', () => {
    const pts = [
      [0, 0, 0],
      [1, 1, 1],
      [1, 1, 1],
      [2, 0, 2],
      [3, 3, 3],
    ];
    assert.deepEqual(nonDominatedRanks(pts, []), [0, 1, 1, 1, 2]);
  });
});

describe('hypervolume', () => {
  it('2-D: closed form of a staircase; dominated and out-of-reference points add nothing', () => {
    const front = [
      [1, 3],
      [2, 2],
      [3, 1],
    ];
    close(hypervolume(front, [4, 4]), 6, 1e-12, 'staircase');
    close(hypervolume([...front, [3, 3], [5, 0], [0, 4]], [4, 4]), 6, 1e-12, 'with extra points');
    // The linear front f2 = 1 - f1 sampled at k/N: area 1/2 - 1/(2N) exactly.
    const n = 1000;
    const line = Array.from({ length: n + 1 }, (_, k) => [k / n, 1 - k / n]);
    close(hypervolume(line, [1, 1]), 0.5 - 0.5 / n, 1e-12, 'linear front');
  });

  it('3-D: closed forms of one, two and three boxes', () => {
    close(hypervolume([[0.5, 1, 1.5]], [2, 2, 2]), 1.5 * 1 * 0.5, 1e-12, 'one point');
    close(
      hypervolume(
        [
          [0, 0, 1],
          [1, 1, 0],
        ],
        [2, 2, 2],
      ),
      5,
      1e-12,
      'two points',
    );
    // Three unit-thick slabs: 3 * 2 - 3 * 1 + 1.
    close(
      hypervolume(
        [
          [0, 1, 1],
          [1, 0, 1],
          [1, 1, 0],
        ],
        [2, 2, 2],
      ),
      4,
      1e-12,
      'three points',
    );
  });

  it('3-D: a dense sample of the DTLZ2 front approaches 0.8074012244 (ANCHORS HV*)', () => {
    const pts: number[][] = [];
    const k = 120;
    for (let i = 0; i <= k; i++) {
      for (let j = 0; j <= k; j++) {
        const a = (i / k) * (Math.PI / 2);
        const b = (j / k) * (Math.PI / 2);
        pts.push([Math.cos(a) * Math.cos(b), Math.cos(a) * Math.sin(b), Math.sin(a)]);
      }
    }
    const hv = hypervolume(pts, [1.1, 1.1, 1.1]);
    assert.ok(hv < 0.8074012244 && hv > 0.8074012244 - 0.02, `${hv}`);
  });

  it('2-, 3-, 4- and 5-D agree with inclusion-exclusion on random small fronts', () => {
    const rng = createRng(7);
    for (const d of [2, 3, 4, 5]) {
      for (let rep = 0; rep < 5; rep++) {
        const pts = randomFront(rng, 9, d);
        const ref = Array.from({ length: d }, () => 1.2);
        close(hypervolume(pts, ref), bruteForceHypervolume(pts, ref), 1e-12, `d=${d}`);
      }
    }
  });
});

describe('box decomposition of the non-dominated region', () => {
  it('the improvement summed over boxes equals HV(P + y) - HV(P), in 2 to 4 objectives', () => {
    const rng = createRng(11);
    for (const d of [2, 3, 4]) {
      const pts = randomFront(rng, d === 4 ? 8 : 15, d);
      const ref = Array.from({ length: d }, () => 1.1);
      const boxes = nonDominatedBoxes(pts, ref);
      const base = hypervolume(pts, ref);
      for (let rep = 0; rep < 30; rep++) {
        const y = Array.from({ length: d }, () => -0.1 + 1.2 * rng.next());
        const expected = hypervolume([...pts, y], ref) - base;
        close(hypervolumeImprovement(boxes, y), expected, 1e-12, `d=${d}`);
      }
    }
  });

  it('3 objectives: at most 3n + 1 boxes', () => {
    const rng = createRng(5);
    const pts = randomFront(rng, 40, 3);
    const front = paretoFrontIndices(pts, []).length;
    assert.ok(nonDominatedBoxes(pts, [1.1, 1.1, 1.1]).length <= 3 * front + 1);
  });
});

/** Brute-force EHVI: average improvement over draws of independent Gaussians. */
function monteCarloEhvi(
  pts: number[][],
  ref: number[],
  mu: number[],
  sigma: number[],
  draws: number,
  seed: number,
): { mean: number; se: number } {
  const rng = createRng(seed);
  const boxes = nonDominatedBoxes(pts, ref);
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < draws; i++) {
    const y = mu.map((m, j) => m + (sigma[j] as number) * rng.normal());
    const v = hypervolumeImprovement(boxes, y);
    s += v;
    s2 += v * v;
  }
  const mean = s / draws;
  return { mean, se: Math.sqrt((s2 / draws - mean * mean) / draws) };
}

describe('LogEHVI', () => {
  const front2 = [
    [0.1, 0.9],
    [0.4, 0.5],
    [0.8, 0.2],
  ];
  const front3 = [
    [0.2, 0.5, 0.7],
    [0.6, 0.2, 0.5],
    [0.5, 0.6, 0.1],
    [0.3, 0.3, 0.9],
  ];

  it('matches a brute-force Monte Carlo estimate (2 and 3 objectives)', () => {
    const cases: Array<[number[][], number[], number[], number[]]> = [
      [front2, [1, 1], [0.3, 0.4], [0.2, 0.3]],
      [front2, [1, 1], [0.7, 0.7], [0.1, 0.2]],
      [front3, [1, 1, 1], [0.4, 0.4, 0.4], [0.2, 0.1, 0.3]],
    ];
    for (const [pts, ref, mu, sigma] of cases) {
      const ehvi = new LogEhvi(nonDominatedBoxes(pts, ref), ref.length);
      const exact = Math.exp(ehvi.value(mu, sigma));
      const mc = monteCarloEhvi(pts, ref, mu, sigma, 200000, 3);
      assert.ok(Math.abs(exact - mc.mean) <= 4 * mc.se + 1e-12, `${exact} vs ${mc.mean} +- ${mc.se}`);
    }
  });

  it('stays finite far from improving, where EHVI itself underflows', () => {
    const ehvi = new LogEhvi(nonDominatedBoxes(front2, [1, 1]), 2);
    const v = ehvi.value([30, 30], [0.1, 0.1]);
    assert.ok(Number.isFinite(v) && v < -1e4, `${v}`);
    // Further away is worse, smoothly.
    assert.ok(ehvi.value([31, 30], [0.1, 0.1]) < v);
  });

  it('the linear-space value and derivatives equal the log-space evaluation, near, far, narrow boxes', () => {
    const rng = createRng(11);
    const fronts: Array<[number[][], number[]]> = [
      [front2, [1, 1]],
      [front3, [1, 1, 1]],
      // Bounds 1e-7 apart make boxes narrower than 1e-4 sigma (the midpoint rule).
      [
        [
          [0.3, 0.6],
          [0.3 + 1e-7, 0.5],
        ],
        [1, 1],
      ],
    ];
    for (const [pts, ref] of fronts) {
      const ehvi = new LogEhvi(nonDominatedBoxes(pts, ref), ref.length);
      for (let t = 0; t < 2000; t++) {
        const mu = ref.map(() => -1 + 3 * rng.next());
        const sigma = ref.map(() => 10 ** (-5 + 5.5 * rng.next()));
        const linear = ehvi.value(mu, sigma);
        const logSpace = ehvi.evaluateLog(mu, sigma, null, null);
        const dMu = new Float64Array(ref.length);
        const dSigma = new Float64Array(ref.length);
        const withGradient = ehvi.evaluate(mu, sigma, dMu, dSigma);
        const logMu = new Float64Array(ref.length);
        const logSigma = new Float64Array(ref.length);
        ehvi.evaluateLog(mu, sigma, logMu, logSigma);
        if (logSpace === Number.NEGATIVE_INFINITY) {
          assert.equal(linear, logSpace);
          continue;
        }
        const what = `mu ${mu} sigma ${sigma}`;
        close(linear, logSpace, 1e-10 * Math.max(1, Math.abs(logSpace)), what);
        close(withGradient, logSpace, 1e-10 * Math.max(1, Math.abs(logSpace)), what);
        for (let j = 0; j < ref.length; j++) {
          const a = dMu[j] as number;
          const b = logMu[j] as number;
          close(a, b, 1e-7 * Math.max(1, Math.abs(b)), `dMu ${what}`);
          close(
            dSigma[j] as number,
            logSigma[j] as number,
            1e-7 * Math.max(1, Math.abs(logSigma[j] as number)),
            `dSigma ${what}`,
          );
        }
      }
    }
  });

  it('derivatives with respect to means and stds match central finite differences', () => {
    const cases: Array<[number[][], number[], number[], number[]]> = [
      [front2, [1, 1], [0.3, 0.4], [0.2, 0.3]],
      [front2, [1, 1], [2, 3], [0.2, 0.3]],
      [front3, [1, 1, 1], [0.4, 0.45, 0.35], [0.2, 0.1, 0.3]],
      [front3, [1, 1, 1], [0.9, 1.4, 0.7], [0.05, 0.1, 0.08]],
    ];
    for (const [pts, ref, mu, sigma] of cases) {
      const m = ref.length;
      const ehvi = new LogEhvi(nonDominatedBoxes(pts, ref), m);
      const dMu = new Float64Array(m);
      const dSigma = new Float64Array(m);
      ehvi.evaluate(mu, sigma, dMu, dSigma);
      const h = 1e-6;
      for (let j = 0; j < m; j++) {
        const up = [...mu];
        const dn = [...mu];
        up[j] = (up[j] as number) + h;
        dn[j] = (dn[j] as number) - h;
        const fd = (ehvi.value(up, sigma) - ehvi.value(dn, sigma)) / (2 * h);
        close(dMu[j] as number, fd, 1e-5 * Math.max(1, Math.abs(fd)), `dmu${j}`);
        const su = [...sigma];
        const sd = [...sigma];
        su[j] = (su[j] as number) + h;
        sd[j] = (sd[j] as number) - h;
        const fs = (ehvi.value(mu, su) - ehvi.value(mu, sd)) / (2 * h);
        close(dSigma[j] as number, fs, 1e-5 * Math.max(1, Math.abs(fs)), `dsigma${j}`);
      }
    }
  });
});

describe('log probability of feasibility', () => {
  it('log_ndtr matches reference values deep in the lower tail', () => {
    close(logNdtr(0), Math.log(0.5), 1e-15, 'z=0');
    close(logNdtr(-40), -804.608442013754, 1e-9, 'z=-40');
    close(logNdtr(-1000), -500007.826694812, 1e-6, 'z=-1000');
    close(logNdtr(10), -7.619853024160527e-24, 1e-30, 'z=10');
  });

  it('is finite with a slope toward feasibility for a very infeasible point', () => {
    // Mean 1e3 standard deviations on the infeasible side.
    const a = logProbabilityOfFeasibility(-10, 1e-4, 0);
    assert.ok(Number.isFinite(a.value) && a.value < -4e5, `${a.value}`);
    assert.ok(Number.isFinite(a.dMean) && a.dMean > 0, `${a.dMean}`);
    assert.ok(Number.isFinite(a.dVariance) && a.dVariance > 0, `${a.dVariance}`);
    const b = logProbabilityOfFeasibility(-1e8, 1e-6, 0);
    assert.ok(Number.isFinite(b.value) && Number.isFinite(b.dMean));
  });

  it('derivatives match finite differences', () => {
    for (const [mean, variance] of [
      [0.3, 0.5],
      [-2, 0.1],
      [-30, 0.7],
    ] as const) {
      const a = logProbabilityOfFeasibility(mean, variance, 0.2);
      const h = 1e-6;
      const fm =
        (logProbabilityOfFeasibility(mean + h, variance, 0.2).value -
          logProbabilityOfFeasibility(mean - h, variance, 0.2).value) /
        (2 * h);
      const fv =
        (logProbabilityOfFeasibility(mean, variance + h, 0.2).value -
          logProbabilityOfFeasibility(mean, variance - h, 0.2).value) /
        (2 * h);
      close(a.dMean, fm, 1e-5 * Math.max(1, Math.abs(fm)), 'dmean');
      close(a.dVariance, fv, 1e-5 * Math.max(1, Math.abs(fv)), 'dvariance');
    }
  });
});
