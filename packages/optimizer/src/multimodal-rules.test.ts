import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GP_DEFAULTS, type GpOptions, parseSamplerConfig } from './config.js';
import type { GpData } from './gp.js';
import { fitHyperparameters } from './hyperparameters.js';
import { noiseCeiling } from './model.js';

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
    assert.deepEqual(noiseCeiling(data, options({})), {});
    assert.deepEqual(noiseCeiling(data, options({ noiseCap: 0.01 })), { noiseCeiling: 0.01 });
    const twice: GpData = { ...data, x: Float64Array.from([...x.subarray(0, n - 1), x[0] ?? 0]) };
    assert.deepEqual(noiseCeiling(twice, options({ noiseCap: 0.01 })), {});
    const capped = fitHyperparameters(data, { kernel: 'matern52', noiseFloor: 1e-6, noiseCeiling: 0.01 });
    assert.ok(capped.hyper.noiseVar <= 0.01 * (1 + 1e-9));
  });
  it('is a validated config key, off by default', () => {
    assert.equal(GP_DEFAULTS.noiseCap, 0);
    assert.throws(() => parseSamplerConfig({ type: 'gp', noiseCap: 2 }));
  });
});
