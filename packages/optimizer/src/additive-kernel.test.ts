import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GP_DEFAULTS, type GpOptions, parseSamplerConfig } from './config.js';
import { FactorCache, type GpData, GpPosterior, NegLogPosterior } from './gp.js';
import { hyperToTheta, thetaToHyper } from './hyperparameters.js';
import { fitData } from './model.js';
import { ModelCache } from './model-cache.js';
import { DEFAULT_PRIOR } from './prior.js';
import { createRng } from './rng.js';

const relClose = (a: number, b: number, tol: number, what: string): void => {
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b)), `${what}: ${a} vs ${b}`);
};

/** n points in [0, 1]^dim of f(x) = sum_d g(x_d), standardized; the last coordinate categorical if asked. */
function additiveData(n: number, dim: number, seed: number, categoricalLast = false): GpData {
  const rng = createRng(seed);
  const categorical = new Uint8Array(dim);
  if (categoricalLast) categorical[dim - 1] = 1;
  const x = new Float64Array(n * dim);
  const raw: number[] = [];
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) {
      const v = categorical[d] ? rng.int(3) : rng.next();
      x[i * dim + d] = v;
      s += categorical[d] ? 0.5 * v : Math.sin(12 * v + d);
    }
    raw.push(s);
  }
  const m = raw.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(raw.reduce((a, b) => a + (b - m) ** 2, 0) / n);
  return { x, y: Float64Array.from(raw, (v) => (v - m) / sd), n, dim, categorical };
}

describe('additive kernel', () => {
  const data = additiveData(14, 3, 3, true);
  const theta = Float64Array.of(0.5, 1.2, -0.3, 0.2, -4, 0.1, 0.3, -0.7, 0.4);

  it('the log posterior gradient, logits included, matches central differences', () => {
    const nlp = new NegLogPosterior(data, 'matern52', DEFAULT_PRIOR, true);
    const grad = new Float64Array(theta.length);
    nlp.evaluate(theta, grad);
    const g2 = new Float64Array(theta.length);
    for (let k = 0; k < theta.length; k++) {
      const h = 1e-5;
      const tp = theta.slice();
      const tm = theta.slice();
      tp[k] = (tp[k] as number) + h;
      tm[k] = (tm[k] as number) - h;
      const fd = (nlp.evaluate(tp, g2) - nlp.evaluate(tm, g2)) / (2 * h);
      relClose(grad[k] as number, fd, 1e-5, `theta[${k}]`);
    }
  });

  it('the posterior mean and variance gradients and kernelSum match central differences', () => {
    const post = new GpPosterior(data, 'matern52', thetaToHyper(theta, 3));
    const xq = [0.3, 0.6, 1];
    const dMean = new Float64Array(3);
    const dVar = new Float64Array(3);
    post.predict(xq, dMean, dVar);
    const w = Float64Array.from({ length: data.n }, (_, i) => Math.cos(i));
    const dSum = new Float64Array(3);
    post.kernelSum(xq, w, dSum);
    assert.equal(dMean[2], 0);
    for (let d = 0; d < 2; d++) {
      const h = 1e-6;
      const a = xq.slice();
      const b = xq.slice();
      a[d] = (a[d] as number) + h;
      b[d] = (b[d] as number) - h;
      const pa = post.predict(a);
      const pb = post.predict(b);
      relClose(dMean[d] as number, (pa.mean - pb.mean) / (2 * h), 1e-6, `dMean[${d}]`);
      relClose(dVar[d] as number, (pa.variance - pb.variance) / (2 * h), 1e-6, `dVar[${d}]`);
      relClose(
        dSum[d] as number,
        (post.kernelSum(a, w) - post.kernelSum(b, w)) / (2 * h),
        1e-6,
        `dSum[${d}]`,
      );
    }
  });

  it('matches a sum of one-dimensional kernels; screen() bounds predict(); factors extend exactly', () => {
    const hyper = thetaToHyper(theta, 3);
    assert.deepEqual(
      Array.from(hyperToTheta(hyper)).map((v) => v.toFixed(9)),
      Array.from(theta).map((v, i) => {
        // Logits come back shifted to log-weights.
        if (i < 6) return v.toFixed(9);
        const u = Array.from(theta.subarray(6));
        return (v - Math.log(u.reduce((s, t) => s + Math.exp(t), 0))).toFixed(9);
      }),
    );
    const one = (d: number, a: number, b: number): number => {
      const w = hyper.additive?.[d] as number;
      const lam = hyper.invSqLengthscales[d] as number;
      const r2 = lam * (d === 2 ? (a === b ? 0 : 1) : (a - b) ** 2);
      const r = Math.sqrt(5 * r2);
      return w * (1 + r + (5 / 3) * r2) * Math.exp(-r);
    };
    const post = new GpPosterior(data, 'matern52', hyper);
    const xq = Float64Array.of(0.2, 0.9, 2);
    const w = new Float64Array(data.n).fill(0);
    w[4] = 1;
    const x4 = data.x.subarray(12, 15);
    const direct =
      hyper.signalVar * [0, 1, 2].reduce((s, d) => s + one(d, xq[d] as number, x4[d] as number), 0);
    relClose(post.kernelSum(xq, w), direct, 1e-12, 'k(xq, x4)');
    const p = post.predict(xq);
    const mu = new Float64Array(1);
    const vu = new Float64Array(1);
    post.screen(xq, 1, mu, vu);
    assert.ok((mu[0] as number) >= p.mean && (vu[0] as number) >= p.variance);
    const factors = new FactorCache();
    const head: GpData = {
      ...data,
      n: data.n - 3,
      x: data.x.subarray(0, (data.n - 3) * 3),
      y: data.y.subarray(0, data.n - 3),
    };
    new GpPosterior(head, 'matern52', hyper, factors);
    const extended = new GpPosterior(data, 'matern52', hyper, factors).predict(xq);
    assert.equal(extended.mean, p.mean);
    assert.equal(extended.variance, p.variance);
  });

  it("additiveKernel: 'loo' keeps it on an additive function, and only in 2-4 dimensions", () => {
    const options = (o: Partial<GpOptions>): GpOptions => ({ ...GP_DEFAULTS, ...o });
    assert.equal(GP_DEFAULTS.additiveKernel, 'loo');
    assert.throws(() => parseSamplerConfig({ type: 'gp', additiveKernel: 'ml' }));
    const sum2 = additiveData(30, 2, 5);
    assert.ok(fitData(sum2, options({ additiveKernel: 'loo' }), new ModelCache()).hyper.additive);
    assert.equal(
      fitData(sum2, options({ additiveKernel: 'off' }), new ModelCache()).hyper.additive,
      undefined,
    );
    const sum5 = additiveData(30, 5, 5);
    assert.equal(
      fitData(sum5, options({ additiveKernel: 'loo' }), new ModelCache()).hyper.additive,
      undefined,
    );
    // A product of one-dimensional bumps is no sum: the product kernel predicts it better.
    const rng = createRng(9);
    const n = 30;
    const x = Float64Array.from({ length: 2 * n }, () => rng.next());
    const raw = Array.from(
      { length: n },
      (_, i) =>
        Math.exp(-20 * (((x[2 * i] as number) - 0.5) ** 2 + ((x[2 * i + 1] as number) - 0.5) ** 2)) *
        Math.sin(8 * (x[2 * i] as number) * (x[2 * i + 1] as number)),
    );
    const m = raw.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(raw.reduce((a, b) => a + (b - m) ** 2, 0) / n);
    const product: GpData = {
      x,
      y: Float64Array.from(raw, (v) => (v - m) / sd),
      n,
      dim: 2,
      categorical: new Uint8Array(2),
    };
    assert.equal(
      fitData(product, options({ additiveKernel: 'loo' }), new ModelCache()).hyper.additive,
      undefined,
    );
  });
});
