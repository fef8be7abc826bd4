import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinObjectives } from './bench/objectives.js';
import { gpOptions } from './config.js';
import { fitHyperparameters } from './gp.js';
import { chainedFrom, collectObservations, fitCheckpoint, fitModel, fitPrefixLength } from './model.js';
import { ModelCache } from './model-cache.js';
import { transformTargets } from './output-transform.js';
import { createRng } from './rng.js';
import { parseSearchSpace } from './search-space.js';

describe('fitModel: hyperparameters', () => {
  it('finds the short-lengthscale mode of a multimodal function instead of calling it noise', () => {
    const objective = builtinObjectives.michalewicz2;
    assert.ok(objective);
    const space = parseSearchSpace(objective.space);
    const rng = createRng(6);
    const completed = Array.from({ length: 40 }, () => {
      const params = space.decode(space.fromUnit(Float64Array.of(rng.next(), rng.next())));
      return { params, value: Number(objective.evaluate(params)) };
    });
    const obs = collectObservations(space, 'MINIMIZE', completed);
    const options = gpOptions({ type: 'gp' });
    const model = fitModel(space, 'MINIMIZE', obs, [], options, new ModelCache());
    // From the default start alone the fit stops in the "smooth and noisy" mode.
    const single = fitHyperparameters(
      { x: obs.x, y: model.target.y, n: obs.n, dim: 2, categorical: new Uint8Array(2) },
      { kernel: options.kernel, noiseFloor: options.noiseFloor },
    );
    assert.ok(single.hyper.noiseVar > 0.1, `single start: noise ${single.hyper.noiseVar}`);
    assert.ok(model.fit.objective < single.objective - 1, `${model.fit.objective} vs ${single.objective}`);
    assert.ok(model.fit.hyper.noiseVar < 0.01, `noise ${model.fit.hyper.noiseVar}`);
  });
});

describe('fitPrefixLength', () => {
  it('refits at every trial below 32, every n/8 below 128 and every n/4 from there', () => {
    assert.equal(fitPrefixLength(31), 31);
    assert.equal(fitPrefixLength(35), 32);
    assert.equal(fitPrefixLength(71), 64);
    assert.equal(fitPrefixLength(127), 120);
    assert.equal(fitPrefixLength(200), 192);
    assert.equal(fitPrefixLength(223), 192);
    assert.equal(fitPrefixLength(224), 224);
    assert.equal(fitPrefixLength(300), 256);
  });
});

describe('noiseUnits', () => {
  it("'objective' gives each observation the noise of one objective-unit size through the warp", () => {
    const space = parseSearchSpace([{ name: 'x', type: 'float', low: 0, high: 1 }]);
    const rng = createRng(2);
    // A long tail of good values: the warp is far from linear.
    const completed = Array.from({ length: 20 }, (_, i) => {
      const x = (i + 0.5) / 20;
      return { params: { x }, value: -Math.exp(-30 * (x - 0.3) ** 2) * 10 + 0.05 * rng.normal() };
    });
    const obs = collectObservations(space, 'MINIMIZE', completed);
    const warped = fitModel(space, 'MINIMIZE', obs, [], gpOptions({ type: 'gp' }), new ModelCache());
    assert.equal(warped.fit.noiseScaled, undefined);
    assert.equal(warped.posterior.data.noiseScale, undefined);
    const objective = fitModel(
      space,
      'MINIMIZE',
      obs,
      [],
      gpOptions({ type: 'gp', noiseUnits: 'objective' }),
      new ModelCache(),
    );
    assert.ok(objective.target.lambda !== 1);
    assert.equal(objective.fit.noiseScaled, true);
    const scale = objective.posterior.data.noiseScale;
    assert.ok(scale && scale.length === 20);
    // (dy/dg)^2 differs across the observations, with mean 1 before clipping.
    assert.ok(Math.max(...scale) / Math.min(...scale) > 2, `${[...scale]}`);
    assert.notEqual(objective.fit.objective, warped.fit.objective);
  });
});

describe("incumbent 'capped'", () => {
  const space = parseSearchSpace([
    { name: 'x', type: 'float', low: 0, high: 1 },
    { name: 'z', type: 'float', low: 0, high: 1 },
  ]);
  const history = (noise: number, lucky: number) => {
    const rng = createRng(4);
    return Array.from({ length: 30 }, (_, i) => {
      const x = rng.next();
      const z = rng.next();
      const truth = (x - 0.4) ** 2 + (z - 0.6) ** 2;
      return { params: { x, z }, value: truth + noise * rng.normal() - (i === 7 ? lucky : 0) };
    });
  };
  const best = (completed: ReturnType<typeof history>, incumbent: 'capped' | 'observed' | 'mean') => {
    const obs = collectObservations(space, 'MINIMIZE', completed);
    return fitModel(space, 'MINIMIZE', obs, [], gpOptions({ type: 'gp', incumbent }), new ModelCache());
  };

  it('is the best observed target when the model sees no noise', () => {
    const completed = history(0, 0);
    const obs = collectObservations(space, 'MINIMIZE', completed);
    const model = fitModel(
      space,
      'MINIMIZE',
      obs,
      [],
      gpOptions({ type: 'gp', incumbent: 'capped', deterministic: true }),
      new ModelCache(),
    );
    assert.equal(model.best, Math.max(...model.target.y));
  });

  it('counts a lucky draw only up to one noise std above the posterior mean there', () => {
    // One observation far better than its neighbours allow: the model takes it for noise.
    const completed = history(0.02, 0.15);
    const capped = best(completed, 'capped');
    const observed = best(completed, 'observed');
    const mean = best(completed, 'mean');
    const noiseStd = Math.sqrt(capped.posterior.hyper.noiseVar);
    assert.ok(noiseStd > 0.01, `noise ${noiseStd}`);
    assert.ok(capped.best < observed.best - 1e-6, `${capped.best} vs ${observed.best}`);
    assert.ok(capped.best >= mean.best, `${capped.best} vs ${mean.best}`);
    assert.ok(capped.best <= mean.best + noiseStd + 1e-12);
  });
});

describe('collectObservations: pruned trials', () => {
  const space = parseSearchSpace([{ name: 'x', type: 'float', low: 0, high: 1 }]);
  it('caps a pruned trial at the worst completed value, in the direction of the study', () => {
    const completed = [
      { params: { x: 0.1 }, value: 0.2 },
      { params: { x: 0.2 }, value: 0.5 },
      { params: { x: 0.3 }, value: 9, pruned: true },
      { params: { x: 0.4 }, value: 0.3, pruned: true },
    ];
    const min = collectObservations(space, 'MINIMIZE', completed);
    // Targets are to maximize: -value. The early-epoch 9 enters as the worst completed 0.5; a pruned
    // value better than that stands.
    assert.deepEqual(Array.from(min.g), [-0.2, -0.5, -0.5, -0.3]);
    const max = collectObservations(
      space,
      'MAXIMIZE',
      completed.map((t) => ({ ...t, value: -t.value })),
    );
    assert.deepEqual(Array.from(max.g), [-0.2, -0.5, -0.5, -0.3]);
  });
  it('keeps pruned values as they are before any trial has completed', () => {
    const obs = collectObservations(space, 'MINIMIZE', [{ params: { x: 0.3 }, value: 9, pruned: true }]);
    assert.deepEqual(Array.from(obs.g), [-9]);
  });
});

describe('chainedFrom: checkpoint fits started from the previous one', () => {
  it('chains checkpoints above 128 to the previous checkpoint and restarts at powers of two', () => {
    assert.equal(chainedFrom(64), null);
    assert.equal(chainedFrom(128), null);
    assert.equal(chainedFrom(160), 128);
    assert.equal(chainedFrom(192), 160);
    assert.equal(chainedFrom(224), 192);
    assert.equal(chainedFrom(256), null);
    assert.equal(chainedFrom(320), 256);
    assert.equal(chainedFrom(200), null); // not a checkpoint
  });
  it('reaches the optimum of a fit from the default start, the same in a fresh cache', () => {
    const dim = 4;
    const space = parseSearchSpace(
      Array.from({ length: dim }, (_, i) => ({ name: `x${i}`, type: 'float' as const, low: -5, high: 5 })),
    );
    const rng = createRng(11);
    const completed = Array.from({ length: 192 }, () => {
      const u = Float64Array.from({ length: dim }, () => rng.next());
      const params = space.decode(space.fromUnit(u));
      let v = 0;
      for (let i = 0; i < dim; i++)
        v += Math.sin(3 * Number(params[`x${i}`])) + 0.1 * Number(params[`x${i}`]) ** 2;
      return { params, value: v + 0.05 * rng.normal() };
    });
    const obs = collectObservations(space, 'MINIMIZE', completed);
    const options = gpOptions({ type: 'gp' });
    const categorical = new Uint8Array(dim);
    const chained = fitCheckpoint(obs, 192, dim, categorical, options, new ModelCache());
    const again = fitCheckpoint(obs, 192, dim, categorical, options, new ModelCache());
    assert.deepEqual(Array.from(again.theta), Array.from(chained.theta));
    const t = transformTargets(obs.g, 192, true);
    const cold = fitHyperparameters(
      { x: obs.x, y: t.y, n: 192, dim, categorical },
      { kernel: options.kernel, noiseFloor: options.noiseFloor },
    );
    assert.ok(chained.objective <= cold.objective + 0.01, `${chained.objective} vs ${cold.objective}`);
  });
});
