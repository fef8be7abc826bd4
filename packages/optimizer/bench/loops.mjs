#!/usr/bin/env node
// Micro-benchmark of the optimizer's hand-unrolled loops against the plain loop each replaces (the
// numbers quoted in their comments). Build first (npm run build -w @posterior/optimizer), then:
//   node packages/optimizer/bench/loops.mjs [--n 200] [--dim 6] [--ms 300]
// Each case checks that both variants give the same numbers, then reports microseconds per call
// (CPU time: the median of 11 batches alternating with the plain variant's). A plain variant is the loop as one would
// first write it: one dimension, row or right-hand side per pass, one running sum.
import { parseArgs } from 'node:util';
import { inputGradients, squaredDistances } from '../dist/kernel.js';
import { cholesky, cholInverse, dot, forwardSubstitute, solveLower4, solveUpperT } from '../dist/linalg.js';

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '200' },
    dim: { type: 'string', default: '6' },
    ms: { type: 'string', default: '300' },
  },
});
const n = Number(args.n);
const dim = Number(args.dim);
const budget = Number(args.ms);

let seed = 12345;
const rand = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
};

/** Calls of fn that take about budget / 40 ms of CPU time. */
function calibrate(fn) {
  let reps = 1;
  for (;;) {
    const t0 = cpuMs();
    for (let r = 0; r < reps; r++) fn();
    if (cpuMs() - t0 > budget / 40) return reps;
    reps *= 2;
  }
}

// CPU time of this process: on a machine shared with other jobs it counts our cycles only.
const cpuMs = () => process.cpuUsage().user / 1000;

function batch(fn, reps) {
  const t0 = cpuMs();
  for (let r = 0; r < reps; r++) fn();
  return ((cpuMs() - t0) * 1000) / reps;
}

const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];

const rows = [];
/** Alternates batches of the two variants (11 each) and reports medians and the median ratio. */
function compare(name, unrolled, plain, check) {
  check();
  const ru = calibrate(unrolled);
  const rp = calibrate(plain);
  const us = [];
  const ps = [];
  const ratios = [];
  for (let k = 0; k < 11; k++) {
    const u = batch(unrolled, ru);
    const p = batch(plain, rp);
    us.push(u);
    ps.push(p);
    ratios.push(p / u);
  }
  rows.push({ name, unrolled: median(us), plain: median(ps), ratio: median(ratios) });
}

const sameBits = (a, b, what) => {
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) throw new Error(`${what}: entry ${i} differs: ${a[i]} vs ${b[i]}`);
  }
};
const close = (a, b, what) => {
  for (let i = 0; i < a.length; i++) {
    if (Math.abs(a[i] - b[i]) > 1e-9 * Math.max(1, Math.abs(b[i]))) throw new Error(`${what}: entry ${i}`);
  }
};

// Data: X (n x D) dimension-major, lambda, an SPD matrix and its factor.
const xt = Float64Array.from({ length: n * dim }, rand);
const lambda = Float64Array.from({ length: dim }, () => 0.5 + 3 * rand());
const categorical = new Uint8Array(dim);
const xq = Float64Array.from({ length: dim }, rand);
const a = new Float64Array(n * n);
for (let i = 0; i < n; i++) {
  for (let j = 0; j <= i; j++) {
    let r2 = 0;
    for (let d = 0; d < dim; d++) r2 += lambda[d] * (xt[d * n + i] - xt[d * n + j]) ** 2;
    a[i * n + j] = Math.exp(-0.5 * r2) + (i === j ? 1e-2 : 0);
    a[j * n + i] = a[i * n + j];
  }
}
const l = new Float64Array(n * n);
if (!cholesky(a, n, l)) throw new Error('not SPD');

// 1. Squared distances to a query: up to four dimensions per pass (kernel.ts) vs one.
{
  const out = new Float64Array(n);
  const ref = new Float64Array(n);
  const plain = () => {
    ref.fill(0);
    for (let d = 0; d < dim; d++) {
      const lam = lambda[d];
      const q = xq[d];
      const b = d * n;
      for (let i = 0; i < n; i++) {
        const e = q - xt[b + i];
        ref[i] = ref[i] + lam * (e * e);
      }
    }
  };
  const unrolled = () => squaredDistances(xq, 0, xt, n, dim, lambda, categorical, out);
  compare('squaredDistances (4 dims per pass)', unrolled, plain, () => {
    unrolled();
    plain();
    sameBits(out, ref, 'squaredDistances');
  });
}

// 2. Input gradients: two coordinates per pass (kernel.ts) vs one.
{
  const ca = Float64Array.from({ length: n }, rand);
  const cb = Float64Array.from({ length: n }, rand);
  const ga = new Float64Array(dim);
  const gb = new Float64Array(dim);
  const ra = new Float64Array(dim);
  const rb = new Float64Array(dim);
  const plain = () => {
    for (let d = 0; d < dim; d++) {
      const q = xq[d];
      const b = d * n;
      let sa = 0;
      let sb = 0;
      for (let i = 0; i < n; i++) {
        const diff = q - xt[b + i];
        sa += ca[i] * diff;
        sb += cb[i] * diff;
      }
      ra[d] = lambda[d] * sa;
      rb[d] = lambda[d] * sb;
    }
  };
  const unrolled = () => inputGradients(xq, xt, n, dim, lambda, categorical, ca, cb, ga, gb);
  compare('inputGradients (2 dims per pass)', unrolled, plain, () => {
    unrolled();
    plain();
    sameBits(ga, ra, 'dA');
    sameBits(gb, rb, 'dB');
  });
}

// 3. Back substitution L^T x = b: four rows per block (linalg.ts) vs one.
{
  const b0 = Float64Array.from({ length: n }, rand);
  const x = new Float64Array(n);
  const ref = new Float64Array(n);
  const plain = () => {
    ref.set(b0);
    for (let i = n - 1; i >= 0; i--) {
      const ri = i * n;
      const xi = ref[i] / l[ri + i];
      ref[i] = xi;
      for (let k = 0; k < i; k++) ref[k] = ref[k] - l[ri + k] * xi;
    }
  };
  const unrolled = () => {
    x.set(b0);
    solveUpperT(l, n, x);
  };
  compare('solveUpperT (4 rows per block)', unrolled, plain, () => {
    unrolled();
    plain();
    sameBits(x, ref, 'solveUpperT');
  });
}

// 4. Forward substitution L x = b: two rows at a time with dot()'s four partial sums vs one
// running sum per row (different rounding: compared to 1e-9), and vs one dot() per row (same bits;
// alone as fast, but slower in place: see forwardSubstitute's comment).
{
  const b0 = Float64Array.from({ length: n }, rand);
  const x = new Float64Array(n);
  const ref = new Float64Array(n);
  const plain = () => {
    ref.set(b0);
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      let s = ref[i];
      for (let k = 0; k < i; k++) s -= l[ri + k] * ref[k];
      ref[i] = s / l[ri + i];
    }
  };
  const oneRow = new Float64Array(n);
  const dotRows = () => {
    oneRow.set(b0);
    for (let i = 0; i < n; i++) oneRow[i] = (oneRow[i] - dot(l, i * n, oneRow, 0, i)) / l[i * n + i];
  };
  const unrolled = () => {
    x.set(b0);
    forwardSubstitute(l, n, x, 0, 0);
  };
  compare('forwardSubstitute (2 rows, 4 partial sums) vs one running sum', unrolled, plain, () => {
    unrolled();
    plain();
    close(x, ref, 'forwardSubstitute');
  });
  compare('forwardSubstitute (2 rows) vs dot() per row', unrolled, dotRows, () => {
    unrolled();
    dotRows();
    sameBits(x, oneRow, 'forwardSubstitute vs dot rows');
  });
}

// 5. Four right-hand sides per pass over L (predictBatch) vs four forwardSubstitute calls.
{
  const v0 = Float64Array.from({ length: 4 * n }, rand);
  const v = new Float64Array(4 * n);
  const norms = new Float64Array(4);
  const cols = [0, 1, 2, 3].map(() => new Float64Array(n));
  const plain = () => {
    for (let b = 0; b < 4; b++) {
      const c = cols[b];
      for (let i = 0; i < n; i++) c[i] = v0[i * 4 + b];
      forwardSubstitute(l, n, c, 0, 0);
    }
  };
  const unrolled = () => {
    v.set(v0);
    solveLower4(l, n, v, norms);
  };
  compare('solveLower4 (4 right-hand sides per pass) vs 4 forwardSubstitute', unrolled, plain, () => {
    unrolled();
    plain();
    for (let b = 0; b < 4; b++)
      close(
        Float64Array.from({ length: n }, (_, i) => v[i * 4 + b]),
        cols[b],
        'solveLower4',
      );
  });
}

// 6. Cholesky: two rows at a time with four partial sums vs one entry at a time by dot().
{
  const out = new Float64Array(n * n);
  const ref = new Float64Array(n * n);
  const plain = () => {
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      for (let j = 0; j <= i; j++) {
        const s = a[ri + j] - dot(ref, ri, ref, j * n, j);
        ref[ri + j] = i === j ? Math.sqrt(s) : s / ref[j * n + j];
      }
      for (let j = i + 1; j < n; j++) ref[ri + j] = 0;
    }
  };
  const unrolled = () => cholesky(a, n, out);
  compare('cholesky (2 rows at a time) vs dot() per entry', unrolled, plain, () => {
    unrolled();
    plain();
    sameBits(out, ref, 'cholesky');
  });
}

// 7. dot(): four partial sums vs one running sum (different rounding).
{
  const x = Float64Array.from({ length: n }, rand);
  const y = Float64Array.from({ length: n }, rand);
  let sink = 0;
  const plain = () => {
    let s = 0;
    for (let k = 0; k < n; k++) s += x[k] * y[k];
    sink += s;
  };
  const unrolled = () => {
    sink += dot(x, 0, y, 0, n);
  };
  compare('dot (4 partial sums) vs one running sum', unrolled, plain, () => {
    if (Math.abs(dot(x, 0, y, 0, n) - x.reduce((s, v, k) => s + v * y[k], 0)) > 1e-9) throw new Error('dot');
  });
  if (sink === 42) console.log('');
}

// 8. K^-1 from L: cholInverse's 2 x 4 blocks of U U^T vs one entry at a time by dot().
{
  const out = new Float64Array(n * n);
  const ref = new Float64Array(n * n);
  const u = new Float64Array(n * n);
  const work = new Float64Array(n * n);
  const plain = () => {
    for (let j = 0; j < n; j++) {
      const rj = j * n;
      u.fill(0, rj, rj + n);
      u[rj + j] = 1;
      forwardSubstitute(l, n, u, rj + j, j);
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let k = i; k < n; k++) s += u[i * n + k] * u[j * n + k];
        ref[i * n + j] = s;
        ref[j * n + i] = s;
      }
    }
  };
  const unrolled = () => cholInverse(l, n, out, work);
  compare('cholInverse (2 x 4 blocks) vs one entry at a time', unrolled, plain, () => {
    unrolled();
    plain();
    sameBits(out, ref, 'cholInverse');
  });
}

console.log(
  `\nHand-unrolled loops against plain ones, n = ${n}, D = ${dim}: CPU us per call (median of 11 alternating batches) and the median ratio\n`,
);
console.log('| loop | unrolled us | plain us | plain / unrolled |');
console.log('|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.name} | ${r.unrolled.toFixed(2)} | ${r.plain.toFixed(2)} | ${r.ratio.toFixed(2)} |`);
}
