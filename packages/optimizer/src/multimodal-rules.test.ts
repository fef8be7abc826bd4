import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GP_DEFAULTS, type GpOptions, parseSamplerConfig } from './config.js';
import type { GpData } from './gp.js';
import { fitHyperparameters } from './hyperparameters.js';
import { noiseCeiling } from './model.js';
import { type AcquisitionFunction, onBoundary, optimizeAcquisition } from './optimize-acquisition.js';
import { createRng } from './rng.js';
import { collapsed } from './samplers.js';
import { parseSearchSpace } from './search-space.js';

/** A gradient-free acquisition given pointwise (unit coordinates), for the search rules alone. */
function pointwise(f: (x: ArrayLike<number>) => number, dim: number, slope = 0): AcquisitionFunction {
  return {
    values(xs, count, out) {
      for (let i = 0; i < count; i++) out[i] = f(xs.subarray(i * dim, (i + 1) * dim));
    },
    upperBounds(xs, count, out) {
      this.values(xs, count, out);
    },
    value: f,
    valueAndGradient(x, grad) {
      grad.fill(slope);
      return f(x);
    },
  };
}

const space2 = parseSearchSpace([
  { name: 'a', type: 'float', low: -5, high: 5 },
  { name: 'b', type: 'float', low: 0, high: 1 },
]);
const searchOptions = { candidates: 256, localStarts: 4, maxIterations: 10 };

describe('onBoundary', () => {
  it('flags a continuous coordinate at either bound, not categorical ones', () => {
    assert.equal(onBoundary(space2, [0.5, 0.5]), false);
    assert.equal(onBoundary(space2, [0, 0.5]), true);
    assert.equal(onBoundary(space2, [0.3, 1]), true);
    const mixed = parseSearchSpace([
      { name: 'a', type: 'float', low: 0, high: 1 },
      { name: 'c', type: 'categorical', choices: ['x', 'y'] },
    ]);
    assert.equal(onBoundary(mixed, [0.5, 0]), false);
  });
});

describe('boundaryTolerance', () => {
  // Log acquisition rising towards the corner (1, 1): the search's best is the corner, an interior
  // point is worse by less than a nat.
  const acq = pointwise((x) => -20 + 0.5 * ((x[0] ?? 0) + (x[1] ?? 0)), 2, 0.5);
  it('keeps the boundary point when off', () => {
    const r = optimizeAcquisition(space2, acq, createRng(1), new Set(), [], searchOptions);
    assert.ok(r && onBoundary(space2, r.x));
  });
  it('takes the best interior point within the tolerance', () => {
    const r = optimizeAcquisition(space2, acq, createRng(1), new Set(), [], {
      ...searchOptions,
      boundaryTolerance: 1,
    });
    assert.ok(r && !onBoundary(space2, r.x));
    assert.ok(r.value >= -20 + 1 - 1);
  });
  it('keeps the boundary point when the interior is worse by more than the tolerance', () => {
    const steep = pointwise((x) => -20 + 50 * ((x[0] ?? 0) + (x[1] ?? 0)), 2, 50);
    const r = optimizeAcquisition(space2, steep, createRng(1), new Set(), [], {
      ...searchOptions,
      boundaryTolerance: 1,
    });
    assert.ok(r && onBoundary(space2, r.x));
  });
});

describe('aroundBest', () => {
  // A plateau of radius 0.01 next to the incumbent and no gradient anywhere: only a candidate that
  // lands on it finds it.
  const incumbent = Float64Array.from([0.4, 0.6]);
  const acq = pointwise((x) => (Math.hypot((x[0] ?? 0) - 0.415, (x[1] ?? 0) - 0.6) < 0.01 ? 0 : -10), 2);
  it('finds an acquisition peak next to the incumbent that the QMC candidates miss', () => {
    const off = optimizeAcquisition(space2, acq, createRng(2), new Set(), [incumbent], searchOptions);
    assert.equal(off?.value, -10);
    const on = optimizeAcquisition(space2, acq, createRng(2), new Set(), [incumbent], {
      ...searchOptions,
      aroundBest: 60,
    });
    assert.equal(on?.value, 0);
  });
});

describe('collapsed', () => {
  const options = (o: Partial<GpOptions>): GpOptions => ({ ...GP_DEFAULTS, ...o });
  it('triggers only below an opted-in threshold with logei on a noisy fit', () => {
    assert.equal(collapsed(options({}), -50), false);
    assert.equal(collapsed(options({ collapseLogEi: -20 }), -50), true);
    assert.equal(collapsed(options({ collapseLogEi: -20 }), -5), false);
    assert.equal(collapsed(options({ collapseLogEi: -20, deterministic: true }), -50), false);
    assert.equal(collapsed(options({ collapseLogEi: -20, acquisition: 'ucb' }), -50), false);
    assert.equal(collapsed(options({ collapseLogEi: -20 }), Number.NEGATIVE_INFINITY), false);
  });
});

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
    assert.throws(() => parseSamplerConfig({ type: 'gp', boundaryTolerance: -1 }));
    assert.throws(() => parseSamplerConfig({ type: 'gp', collapseLogEi: 1 }));
    assert.throws(() => parseSamplerConfig({ type: 'gp', aroundBest: 0.5 }));
  });
});
