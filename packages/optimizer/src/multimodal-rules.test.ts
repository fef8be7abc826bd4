import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acquisitionSpec, acquisitionValue } from './acquisition.js';
import { GP_DEFAULTS, type GpOptions, parseSamplerConfig } from './config.js';
import type { GpData } from './gp.js';
import { GpPosterior } from './gp.js';
import { fitHyperparameters, looLogPredictive } from './hyperparameters.js';
import { fitData, noiseCeiling } from './model.js';
import { ModelCache } from './model-cache.js';
import { AcquisitionObjective } from './optimize-acquisition.js';
import { createRng } from './rng.js';

describe('noiseCap', () => {
  // Rugged noise-free data in 1-D: short lengthscales or large noise explain it about equally.
  const n = 20;
  const x = Float64Array.from({ length: n }, (_, i) => (i + 0.5) / n);
  const raw = Array.from(x, (v) => Math.sin(40 * v) + 0.3 * v);
  const mean = raw.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(raw.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
  const data: GpData = {
    x,
    y: Float64Array.from(raw, (v) => (v - mean) / sd),
    n,
    dim: 1,
    categorical: new Uint8Array(1),
  };
  const options = (o: Partial<GpOptions>): GpOptions => ({ ...GP_DEFAULTS, ...o });
  it('bounds the fitted noise without replicates, and only then', () => {
    assert.deepEqual(noiseCeiling(data, options({ noiseCap: 0 })), {});
    assert.deepEqual(noiseCeiling(data, options({ noiseCap: 0.01 })), { noiseCeiling: 0.01 });
    const twice: GpData = { ...data, x: Float64Array.from([...x.subarray(0, n - 1), x[0] ?? 0]) };
    assert.deepEqual(noiseCeiling(twice, options({ noiseCap: 0.01 })), {});
    const capped = fitHyperparameters(data, { kernel: 'matern52', noiseFloor: 1e-6, noiseCeiling: 0.01 });
    assert.ok(capped.hyper.noiseVar <= 0.01 * (1 + 1e-9));
  });
  it('is a validated config key, on by default under the leave-one-out test', () => {
    assert.equal(GP_DEFAULTS.noiseCap, 0.01);
    assert.equal(GP_DEFAULTS.noiseCapTest, 'loo');
    assert.throws(() => parseSamplerConfig({ type: 'gp', noiseCap: 2 }));
    assert.throws(() => parseSamplerConfig({ type: 'gp', noiseCapTest: 'ml' }));
    assert.equal(parseSamplerConfig({ type: 'gp', noiseCapTest: 'none' }).noiseCapTest, 'none');
  });
  it('looLogPredictive is the sum of the predictive densities of each point from the others', () => {
    const theta = Float64Array.from([Math.log(30), Math.log(0.8), Math.log(0.05), 0.1]);
    const perPoint = looLogPredictive(data, 'matern52', theta);
    assert.ok(perPoint);
    const hyper = { invSqLengthscales: Float64Array.of(30), signalVar: 0.8, noiseVar: 0.05, mean: 0.1 };
    for (let i = 0; i < n; i++) {
      const keep = Array.from({ length: n }, (_, j) => j).filter((j) => j !== i);
      const rest: GpData = {
        x: Float64Array.from(keep, (j) => x[j] as number),
        y: Float64Array.from(keep, (j) => data.y[j] as number),
        n: n - 1,
        dim: 1,
        categorical: new Uint8Array(1),
      };
      const p = new GpPosterior(rest, 'matern52', hyper).predict([x[i] as number]);
      const v = p.variance + hyper.noiseVar;
      const slow = -0.5 * Math.log(2 * Math.PI * v) - ((data.y[i] as number) - p.mean) ** 2 / (2 * v);
      assert.ok(
        Math.abs((perPoint[i] as number) - slow) < 1e-6 * Math.abs(slow),
        `${perPoint[i]} vs ${slow}`,
      );
    }
  });
  it('keeps the capped fit for learnable structure and the free fit for real noise', () => {
    // The rugged data above: short lengthscales predict each point from its neighbours.
    const rugged = fitData(data, options({}), new ModelCache());
    assert.ok(rugged.hyper.noiseVar <= 0.01 * (1 + 1e-9), `noise ${rugged.hyper.noiseVar}`);
    // A smooth trend under noise as large as its spread: interpolating the noise predicts held-out
    // points badly, so the free fit, noise and all, stays.
    const rng = createRng(7);
    const n2 = 40;
    const x2 = Float64Array.from({ length: n2 }, (_, i) => (i + 0.5) / n2);
    const raw2 = Array.from(x2, (v) => Math.sin(3 * v) + rng.normal());
    const m2 = raw2.reduce((s, v) => s + v, 0) / n2;
    const sd2 = Math.sqrt(raw2.reduce((s, v) => s + (v - m2) ** 2, 0) / n2);
    const noisy: GpData = { ...data, x: x2, y: Float64Array.from(raw2, (v) => (v - m2) / sd2), n: n2 };
    const free = fitData(noisy, options({}), new ModelCache());
    assert.ok(free.hyper.noiseVar > 0.05, `noise ${free.hyper.noiseVar}`);
    // Without the test the cap binds on both.
    const forced = fitData(noisy, options({ noiseCapTest: 'none' }), new ModelCache());
    assert.ok(forced.hyper.noiseVar <= 0.01 * (1 + 1e-9));
  });
});

describe('observationEi', () => {
  it('scores the next observation: the posterior variance plus the fitted noise', () => {
    const data: GpData = {
      x: Float64Array.of(0.1, 0.4, 0.8),
      y: Float64Array.of(0.5, -1, 0.7),
      n: 3,
      dim: 1,
      categorical: new Uint8Array(1),
    };
    const hyper = { invSqLengthscales: Float64Array.of(10), signalVar: 1, noiseVar: 0.3, mean: 0 };
    const posterior = new GpPosterior(data, 'matern52', hyper);
    const spec = { name: 'logei' as const, best: 0.7, xi: 0, beta: 4 };
    const at = Float64Array.of(0.6);
    const p = posterior.predict(at);
    const latent = new AcquisitionObjective(posterior, spec);
    const observed = new AcquisitionObjective(posterior, { ...spec, observationNoise: hyper.noiseVar });
    assert.equal(latent.value(at), acquisitionValue(spec, p.mean, p.variance));
    assert.equal(observed.value(at), acquisitionValue(spec, p.mean, p.variance + hyper.noiseVar));
    assert.ok(observed.value(at) > latent.value(at));
    const batch = new Float64Array(1);
    observed.values(at, 1, batch);
    assert.ok(Math.abs((batch[0] as number) - observed.value(at)) < 1e-9);
  });
  it('the sampler and the surrogate pass the fitted noise only when asked', () => {
    assert.equal(acquisitionSpec({ ...GP_DEFAULTS, observationEi: true }, 1, 0.3).observationNoise, 0.3);
    assert.equal(acquisitionSpec(GP_DEFAULTS, 1, 0.3).observationNoise, undefined);
  });
  it('is a validated config key, off by default', () => {
    assert.equal(GP_DEFAULTS.observationEi, false);
    assert.equal(parseSamplerConfig({ type: 'gp', observationEi: true }).observationEi, true);
    assert.throws(() => parseSamplerConfig({ type: 'gp', observationEi: 1 }));
  });
});
