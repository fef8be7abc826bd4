import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SamplerConfig } from './config.js';
import { GpPosterior } from './gp.js';
import { type KernelKind, kappa } from './kernel.js';
import { collectObservations } from './model.js';
import { createRng } from './rng.js';
import { suggest, trialsSinceImprovement } from './samplers.js';
import { type Params, parseSearchSpace } from './search-space.js';
import { PosteriorSample } from './thompson.js';

/** A 2-D posterior on n points of a wiggly function, with the given kernel and noise. */
function posterior(kernel: KernelKind, noiseVar: number, n = 12): GpPosterior {
  const dim = 2;
  const rng = createRng(11);
  const x = new Float64Array(n * dim);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = rng.next();
    const b = rng.next();
    x[2 * i] = a;
    x[2 * i + 1] = b;
    y[i] = Math.sin(7 * a) * Math.cos(5 * b) + 0.3;
  }
  return new GpPosterior({ x, y, n, dim, categorical: new Uint8Array(dim) }, kernel, {
    invSqLengthscales: Float64Array.from([30, 12]),
    signalVar: 0.8,
    noiseVar,
    mean: 0.2,
  });
}

describe('PosteriorSample (pathwise Thompson draws)', () => {
  for (const kernel of ['matern52', 'rbf'] as const) {
    it(`${kernel}: the gradient the local search follows matches central differences`, () => {
      const sample = new PosteriorSample(posterior(kernel, 1e-3), createRng(5), 256);
      for (const point of [
        [0.13, 0.71],
        [0.52, 0.04],
        [0.97, 0.48],
      ]) {
        const xq = Float64Array.from(point);
        const grad = new Float64Array(2);
        const value = sample.valueAndGradient(xq, grad);
        assert.ok(Math.abs(value - sample.value(xq)) <= 1e-12 * Math.max(1, Math.abs(value)));
        for (const d of [0, 1]) {
          const h = 1e-6;
          const xp = Float64Array.from(xq);
          const xm = Float64Array.from(xq);
          xp[d] = (xp[d] ?? 0) + h;
          xm[d] = (xm[d] ?? 0) - h;
          const fd = (sample.value(xp) - sample.value(xm)) / (2 * h);
          const g = grad[d] ?? Number.NaN;
          assert.ok(Math.abs(g - fd) <= 1e-5 * Math.max(1, Math.abs(fd)), `d=${d}: ${g} vs ${fd}`);
        }
      }
    });

    it(`${kernel}: draws have the posterior's mean and variance (spectral density of the kernel)`, () => {
      // Away from the data the draw's spread is the prior's, which the random features must carry
      // (a wrong spectral density gives the wrong variance at any lengthscale); near the data it is
      // the conditioned one, which the pathwise update must carry.
      const post = posterior(kernel, 1e-2);
      const draws = 600;
      const points = [
        [0.5, 0.5],
        [0.05, 0.95],
        [0.33, 0.2],
        [Number(post.data.x[0]) + 0.01, Number(post.data.x[1])],
      ];
      const values = points.map(() => new Float64Array(draws));
      for (let s = 0; s < draws; s++) {
        const sample = new PosteriorSample(post, createRng(1000 + s), 512);
        points.forEach((p, k) => {
          (values[k] as Float64Array)[s] = sample.value(p);
        });
      }
      points.forEach((p, k) => {
        const v = values[k] as Float64Array;
        const mean = v.reduce((a, b) => a + b, 0) / draws;
        const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / (draws - 1);
        const exact = post.predict(p);
        const se = Math.sqrt(exact.variance / draws);
        assert.ok(Math.abs(mean - exact.mean) <= 4.5 * se + 1e-3, `mean at ${p}: ${mean} vs ${exact.mean}`);
        // Sample variance of 600 Gaussian draws: relative sd about 0.058; allow 5 of those.
        const ratio = variance / exact.variance;
        assert.ok(ratio > 0.7 && ratio < 1.3, `variance at ${p}: ${variance} vs ${exact.variance}`);
      });
    });
  }

  for (const kernel of ['matern52', 'rbf'] as const) {
    it(`${kernel}: the random features have the kernel's correlation (its spectral density)`, () => {
      // One far, very noisy observation: the posterior is the prior. var(f(a) - f(b)) is
      // 2 s2 (1 - kappa(r2)), which tells the two kernels apart (r2 = 1: 0.95 s2 Matern, 0.79 s2 RBF)
      // where a marginal variance could not.
      const post = new GpPosterior(
        {
          x: Float64Array.from([50, 50]),
          y: Float64Array.from([0]),
          n: 1,
          dim: 2,
          categorical: new Uint8Array(2),
        },
        kernel,
        { invSqLengthscales: Float64Array.from([4, 1]), signalVar: 1.5, noiseVar: 1e6, mean: 0 },
      );
      // r2 = 4 * 0.3^2 + 1 * 0.8^2 = 1.
      const a = [0.2, 0.1];
      const b = [0.5, 0.9];
      const draws = 3000;
      let sum = 0;
      let sum2 = 0;
      for (let s = 0; s < draws; s++) {
        const sample = new PosteriorSample(post, createRng(50_000 + s), 64);
        const diff = sample.value(a) - sample.value(b);
        sum += diff;
        sum2 += diff * diff;
      }
      const variance = (sum2 - (sum * sum) / draws) / (draws - 1);
      const expected = 2 * 1.5 * (1 - kappa(kernel, 1));
      // Relative sd of the sample variance: sqrt(2 / 3000) = 0.026.
      assert.ok(Math.abs(variance / expected - 1) < 0.1, `${variance} vs ${expected}`);
    });
  }

  it('is a pure function of the posterior and the random stream', () => {
    const post = posterior('matern52', 1e-3);
    const a = new PosteriorSample(post, createRng(9), 128);
    const b = new PosteriorSample(post, createRng(9), 128);
    const c = new PosteriorSample(post, createRng(10), 128);
    const xq = [0.4, 0.6];
    assert.equal(a.value(xq), b.value(xq));
    assert.notEqual(a.value(xq), c.value(xq));
    const batch = new Float64Array(2);
    a.values(Float64Array.from([0.4, 0.6, 0.1, 0.2]), 2, batch);
    assert.equal(batch[0], a.value(xq));
  });

  it('with little noise, passes through the observations', () => {
    const post = posterior('matern52', 1e-6);
    const sample = new PosteriorSample(post, createRng(3), 512);
    const { x, y, n } = post.data;
    for (let i = 0; i < n; i++) {
      const v = sample.value(x.subarray(2 * i, 2 * i + 2));
      assert.ok(Math.abs(v - (y[i] ?? 0)) < 0.01, `observation ${i}: ${v} vs ${y[i]}`);
    }
  });
});

describe('GP sampler with thompsonEvery', () => {
  const space = parseSearchSpace([
    { name: 'x', type: 'float', low: -2, high: 2 },
    { name: 'y', type: 'float', low: 0, high: 1 },
  ]);
  const f = (p: Params): number => Math.sin(5 * Number(p.x)) + (Number(p.y) - 0.3) ** 2;
  const history = (config: SamplerConfig, trials: number): Array<{ params: Params; value: number }> => {
    const completed: Array<{ params: Params; value: number }> = [];
    for (let t = 0; t < trials; t++) {
      const s = suggest(config, {
        space,
        direction: 'MINIMIZE',
        completed,
        pending: [],
        seed: t,
      });
      completed.push({ params: s.params, value: f(s.params) });
    }
    return completed;
  };
  const completed = history({ type: 'gp', seed: 4 }, 12);

  it('every k-th model suggestion maximizes a posterior draw, the others the acquisition', () => {
    const config: SamplerConfig = { type: 'gp', seed: 4, thompsonEvery: 3 };
    const at = (n: number) =>
      suggest(config, {
        space,
        direction: 'MINIMIZE',
        completed: completed.slice(0, n),
        pending: [],
        seed: n,
      });
    assert.equal(at(12).info.acquisitionName, 'thompson');
    assert.equal(at(11).info.acquisitionName, 'logei');
    assert.equal(at(10).info.acquisitionName, 'logei');
    // Deterministic for a seed; another seed draws another function, so proposes elsewhere.
    assert.deepEqual(at(12).params, at(12).params);
    const other = suggest(config, {
      space,
      direction: 'MINIMIZE',
      completed,
      pending: [],
      seed: 99,
    });
    assert.notDeepEqual(other.params, at(12).params);
    // f is additive, so additiveKernel: 'loo' would pick the additive kernel, which the draws'
    // random features do not describe: such spaces keep the product kernel.
    const additive = suggest(
      { ...config, additiveKernel: 'loo' },
      { space, direction: 'MINIMIZE', completed, pending: [], seed: 12 },
    );
    assert.deepEqual(additive.params, at(12).params);
  });

  it('is off above thompsonMaxDim and by default', () => {
    const request = { space, direction: 'MINIMIZE' as const, completed, pending: [], seed: 12 };
    assert.equal(suggest({ type: 'gp', seed: 4 }, request).info.acquisitionName, 'logei');
    assert.equal(
      suggest({ type: 'gp', seed: 4, thompsonEvery: 3, thompsonMaxDim: 1 }, request).info.acquisitionName,
      'logei',
    );
  });
});

describe('GP sampler with thompsonStall', () => {
  const specs = [
    { name: 'x', type: 'float', low: -2, high: 2 },
    { name: 'y', type: 'float', low: 0, high: 1 },
  ];
  const space = parseSearchSpace(specs);
  // Twelve distinct points; the best value is the 8th (index 7), so after n trials the best has
  // not improved for n - 8 of them. A later value equal to the best is no improvement.
  const values = [5, 4, 3, 2, 1.5, 1.2, 1.1, 0, 1, 0, 3, 4];
  const completed = values.map((value, i) => ({
    params: { x: -2 + (4 * ((i * 7) % 12)) / 11, y: ((i * 5) % 12) / 11 } as Params,
    value,
  }));
  const request = (n: number, seed = n) => ({
    space,
    direction: 'MINIMIZE' as const,
    completed: completed.slice(0, n),
    pending: [],
    seed,
  });

  it('counts the trials since the best value last improved', () => {
    const since = (n: number) =>
      trialsSinceImprovement(collectObservations(space, 'MINIMIZE', completed.slice(0, n)));
    assert.deepEqual([1, 7, 8, 9, 10, 11, 12].map(since), [0, 0, 0, 1, 2, 3, 4]);
    // Maximizing, the 1st value (5) is the best throughout.
    assert.equal(trialsSinceImprovement(collectObservations(space, 'MAXIMIZE', completed)), 11);
    // Failed trials (NaN) are no observations: they neither improve nor count.
    const failed = [...completed.slice(0, 8), { params: { x: 0.5, y: 0.5 }, value: Number.NaN }];
    assert.equal(trialsSinceImprovement(collectObservations(space, 'MINIMIZE', failed)), 0);
  });

  it('maximizes a posterior draw after every k trials without improvement, else the acquisition', () => {
    const config: SamplerConfig = { type: 'gp', seed: 4, thompsonStall: 2 };
    const name = (n: number) => suggest(config, request(n)).info.acquisitionName;
    // Stalled for 0, 1, 2, 3, 4 trials.
    assert.deepEqual([8, 9, 10, 11, 12].map(name), ['logei', 'logei', 'thompson', 'logei', 'thompson']);
    // Deterministic for a seed; another seed draws another function, so proposes elsewhere.
    assert.deepEqual(suggest(config, request(12)).params, suggest(config, request(12)).params);
    assert.notDeepEqual(suggest(config, request(12, 99)).params, suggest(config, request(12)).params);
  });

  it('is off by default, above thompsonMaxDim and with categorical parameters', () => {
    assert.equal(suggest({ type: 'gp', seed: 4 }, request(12)).info.acquisitionName, 'logei');
    assert.equal(
      suggest({ type: 'gp', seed: 4, thompsonStall: 2, thompsonMaxDim: 1 }, request(12)).info.acquisitionName,
      'logei',
    );
    const mixed = [...specs, { name: 'c', type: 'categorical', choices: ['a', 'b'] }];
    const withC = completed.map((t, i) => ({ ...t, params: { ...t.params, c: i % 2 ? 'a' : 'b' } }));
    const s = suggest(
      { type: 'gp', seed: 4, thompsonStall: 2 },
      { space: parseSearchSpace(mixed), direction: 'MINIMIZE', completed: withC, pending: [], seed: 12 },
    );
    assert.equal(s.info.acquisitionName, 'logei');
  });
});
