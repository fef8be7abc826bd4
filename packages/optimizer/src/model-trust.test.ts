import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSamplerConfig } from './config.js';
import type { GpData } from './gp.js';
import { GpPosterior } from './gp.js';
import { looMoments } from './hyperparameters.js';
import { spearman } from './model-trust.js';
import { recommend } from './recommend.js';
import { createRng } from './rng.js';
import { suggest } from './samplers.js';
import { parseSearchSpace } from './search-space.js';

const space = parseSearchSpace([
  { name: 'x0', type: 'float', low: 0, high: 1 },
  { name: 'x1', type: 'float', low: 0, high: 1 },
]);

/** n completed trials in the unit square with values f(x0, x1). */
function history(n: number, f: (a: number, b: number) => number, seed = 3) {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => {
    const x0 = rng.next();
    const x1 = rng.next();
    return { params: { x0, x1 }, value: f(x0, x1) };
  });
}

describe('model trust', () => {
  it('spearman ranks, ties included', () => {
    assert.equal(spearman([1, 2, 3, 4], [10, 20, 30, 40], 4), 1);
    assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1], 4), -1);
    assert.equal(spearman([1, 1, 1], [1, 2, 3], 3), 0);
    assert.ok(Math.abs(spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5], 5) - 0.8) < 1e-12);
  });

  it('looMoments are the posterior of each point given the others', () => {
    const n = 12;
    const rng = createRng(7);
    const x = Float64Array.from({ length: n * 2 }, () => rng.next());
    const y = Float64Array.from(
      { length: n },
      (_, i) => Math.sin(6 * (x[2 * i] as number)) + (x[2 * i + 1] as number),
    );
    const data: GpData = { x, y, n, dim: 2, categorical: new Uint8Array(2) };
    const theta = Float64Array.from([Math.log(8), Math.log(3), Math.log(0.9), Math.log(0.02), 0.1]);
    const loo = looMoments(data, 'matern52', theta);
    assert.ok(loo);
    const hyper = { invSqLengthscales: Float64Array.of(8, 3), signalVar: 0.9, noiseVar: 0.02, mean: 0.1 };
    for (let i = 0; i < n; i++) {
      const keep = Array.from({ length: n }, (_, j) => j).filter((j) => j !== i);
      const rest: GpData = {
        x: Float64Array.from(keep.flatMap((j) => [x[2 * j] as number, x[2 * j + 1] as number])),
        y: Float64Array.from(keep, (j) => y[j] as number),
        n: n - 1,
        dim: 2,
        categorical: new Uint8Array(2),
      };
      const p = new GpPosterior(rest, 'matern52', hyper).predict([
        x[2 * i] as number,
        x[2 * i + 1] as number,
      ]);
      assert.ok(Math.abs((loo.mean[i] as number) - p.mean) < 1e-8);
      assert.ok(Math.abs((loo.variance[i] as number) - (p.variance + hyper.noiseVar)) < 1e-8);
    }
  });

  it('takes a Parzen step where the fit calls the data noise and cannot rank it, and only there', () => {
    // Values with no structure the points resolve: the free-noise fit wins LOO and ranks nothing.
    const rng = createRng(11);
    const rugged = history(26, () => rng.normal());
    const request = { space, direction: 'MINIMIZE' as const, completed: rugged, pending: [], seed: 5 };
    const on = suggest(parseSamplerConfig({ type: 'gp', modelTrust: 'parzen' }), request);
    assert.equal(on.info.acquisitionName, 'parzen');
    const off = suggest(parseSamplerConfig({ type: 'gp', modelTrust: 'off' }), request);
    assert.equal(off.info.acquisitionName, 'logei');
    // A smooth function the GP predicts well keeps its acquisition with the gate on.
    const smooth = history(26, (a, b) => (a - 0.3) ** 2 + (b - 0.6) ** 2);
    const kept = suggest(parseSamplerConfig({ type: 'gp', modelTrust: 'parzen' }), {
      ...request,
      completed: smooth,
    });
    assert.equal(kept.info.acquisitionName, 'logei');
    // Too few points for the LOO ranking to mean anything: no gate.
    const early = suggest(parseSamplerConfig({ type: 'gp', modelTrust: 'parzen' }), {
      ...request,
      completed: rugged.slice(0, 15),
    });
    assert.equal(early.info.acquisitionName, 'logei');
  });

  it('recommend keeps the best observed trial where the model fails the same test, whatever modelTrust is', () => {
    const rng = createRng(11);
    const rugged = history(26, () => rng.normal());
    const best = rugged.reduce((b, t, i) => (t.value < (rugged[b]?.value ?? Infinity) ? i : b), 0);
    for (const modelTrust of ['off', 'parzen'] as const) {
      const r = recommend(parseSamplerConfig({ type: 'gp', modelTrust }), {
        space,
        direction: 'MINIMIZE',
        completed: rugged,
      });
      assert.ok(r);
      assert.equal(r.source, 'observed', modelTrust);
      assert.equal(r.index, best);
      assert.equal(r.mean, null);
    }
    // A noisy smooth function the GP ranks well: the posterior mean still picks the trial.
    const noise = createRng(5);
    const smooth = history(26, (a, b) => (a - 0.3) ** 2 + (b - 0.6) ** 2 + 0.01 * noise.normal());
    const r = recommend(parseSamplerConfig({ type: 'gp' }), {
      space,
      direction: 'MINIMIZE',
      completed: smooth,
    });
    assert.equal(r?.source, 'model');
  });

  it('is a validated config key, parzen by default', () => {
    assert.equal(parseSamplerConfig({ type: 'gp' }).modelTrust, 'parzen');
    assert.equal(parseSamplerConfig({ type: 'gp' }).modelTrustMin, 0.45);
    assert.throws(() => parseSamplerConfig({ type: 'gp', modelTrust: 'tpe' }));
    assert.throws(() => parseSamplerConfig({ type: 'gp', modelTrustMin: 2 }));
  });
});
