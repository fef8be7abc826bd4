import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GP_DEFAULTS } from './config.js';
import { fitHyperparameters, type GpData, GpPosterior, NegLogPosterior, thetaToHyper } from './gp.js';
import { collectObservations, fitModel } from './model.js';
import { ModelCache, processModelCache } from './model-cache.js';
import { transformTargets } from './output-transform.js';
import { DEFAULT_PRIOR } from './prior.js';
import { createRng, type Rng } from './rng.js';
import { gpSampler, suggest } from './samplers.js';
import { type Params, parseSearchSpace } from './search-space.js';
import { trialSeed } from './seeds.js';
import { fitSurrogate } from './surrogate.js';
import {
  augmentWithSources,
  fitSourceModels,
  fitTransfer,
  fitTransferModel,
  MAX_TARGET_OBSERVATIONS,
  type SourceStudy,
  sourceBestParams,
  sourceMeanAt,
  transferPredict,
} from './transfer.js';
import {
  CoregionalNegLogPosterior,
  CoregionalPosterior,
  fitCoregional,
  fitCoregionalModel,
  SourceFactor,
} from './transfer-coregional.js';
import { type SourceMeanAt, TransferNegLogPosterior } from './transfer-likelihood.js';

const space = parseSearchSpace([
  { name: 'a', type: 'float', low: 0, high: 1 },
  { name: 'b', type: 'float', low: 0, high: 1 },
]);

/** A smooth random function on [0, 1]^2 (random Fourier features of an RBF kernel, lengthscale 0.3). */
function randomFunction(rng: Rng): (p: Params) => number {
  const m = 64;
  const w = Array.from({ length: m }, () => [rng.normal() / 0.3, rng.normal() / 0.3]);
  const c = Array.from({ length: m }, () => 2 * Math.PI * rng.next());
  return (p) => {
    let s = 0;
    for (let j = 0; j < m; j++) {
      const wj = w[j] ?? [0, 0];
      s += Math.cos((wj[0] ?? 0) * Number(p.a) + (wj[1] ?? 0) * Number(p.b) + (c[j] ?? 0));
    }
    return Math.sqrt(2 / m) * s;
  };
}

/** A source and a target task whose values have correlation rho over the space. */
function taskPair(
  seed: number,
  rho: number,
): { source: (p: Params) => number; target: (p: Params) => number } {
  const rng = createRng(seed);
  const f = randomFunction(rng);
  const g = randomFunction(rng);
  return { source: f, target: (p) => 3 + 2 * (rho * f(p) + Math.sqrt(1 - rho * rho) * g(p)) };
}

function randomPoints(n: number, rng: Rng): Params[] {
  return Array.from({ length: n }, () => ({ a: rng.next(), b: rng.next() }));
}

function sourceStudy(f: (p: Params) => number, seed: number): SourceStudy {
  const points = randomPoints(40, createRng(seed));
  return { space, direction: 'MINIMIZE', completed: points.map((params) => ({ params, value: f(params) })) };
}

/** Root-mean-square error of the posterior mean (objective units) on a 15 x 15 grid. */
function gridError(predict: (p: Params) => number, truth: (p: Params) => number): number {
  let s = 0;
  let count = 0;
  for (let i = 0; i < 15; i++) {
    for (let j = 0; j < 15; j++) {
      const p = { a: (i + 0.5) / 15, b: (j + 0.5) / 15 };
      s += (predict(p) - truth(p)) ** 2;
      count++;
    }
  }
  return Math.sqrt(s / count);
}

/** Plain-GP and transfer-model errors after n target points (null: the guard kept the plain GP). */
function errors(seed: number, rho: number, n: number): { plain: number; transfer: number | null } {
  const { source, target } = taskPair(seed, rho);
  const points = randomPoints(n, createRng(seed + 1000));
  const completed = points.map((params) => ({ params, value: target(params) }));
  const obs = collectObservations(space, 'MINIMIZE', completed);
  const options = { ...GP_DEFAULTS, outputWarping: 'none' as const };
  const model = fitTransferModel(space, obs, [], [sourceStudy(source, seed + 7)], options);
  // The plain GP: same fit with no usable source (b pinned at 0 is its MAP).
  const plainModel = fitTransferModel(space, obs, [], [sourceStudy(() => 0, seed + 7)], options);
  assert.equal(plainModel, null, 'a constant source carries no information');
  const data: GpData = {
    x: obs.x,
    y: plainY(obs.g, obs.n),
    n: obs.n,
    dim: 2,
    categorical: new Uint8Array(2),
  };
  const fit = fitHyperparameters(data, { kernel: 'matern52', noiseFloor: 1e-6 });
  const post = new GpPosterior(data, 'matern52', fit.hyper);
  const { mean, sd } = moments(obs.g, obs.n);
  const plain = gridError((p) => -(post.predict(space.encode(p)).mean * sd + mean), target);
  if (!model) return { plain, transfer: null };
  const transfer = gridError((p) => {
    const m = transferPredict(model, model.posterior, space.encode(p)).mean;
    return -model.target.toTarget(m, 0).mean;
  }, target);
  return { plain, transfer };
}

function moments(g: Float64Array, n: number): { mean: number; sd: number } {
  let mean = 0;
  for (let i = 0; i < n; i++) mean += g[i] ?? 0;
  mean /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += ((g[i] ?? 0) - mean) ** 2;
  return { mean, sd: Math.sqrt(v / n) };
}

function plainY(g: Float64Array, n: number): Float64Array {
  const { mean, sd } = moments(g, n);
  return Float64Array.from(g.subarray(0, n), (v) => (v - mean) / sd);
}

describe('transfer likelihood', () => {
  const rng = createRng(5);
  const n = 12;
  const x = Float64Array.from({ length: n * 3 }, () => rng.next());
  for (let i = 0; i < n; i++) x[i * 3 + 2] = rng.int(3);
  const y = Float64Array.from({ length: n }, () => rng.normal());
  const data: GpData = { x, y, n, dim: 3, categorical: Uint8Array.from([0, 0, 1]) };
  // Two sources with known means: mu_0(z) = sin(3 z_0) + z_1^2 on dims (0, 1), mu_1(z) = cos(2 z_0) on dim 1.
  const meanAt: SourceMeanAt = (k, shift, mean, grad) => {
    for (let i = 0; i < n; i++) {
      if (k === 0) {
        const z0 = (x[i * 3] ?? 0) - (shift[0] ?? 0);
        const z1 = (x[i * 3 + 1] ?? 0) - (shift[1] ?? 0);
        mean[i] = Math.sin(3 * z0) + z1 * z1;
        grad[i * 2] = 3 * Math.cos(3 * z0);
        grad[i * 2 + 1] = 2 * z1;
      } else {
        const z = (x[i * 3 + 1] ?? 0) - (shift[0] ?? 0);
        mean[i] = Math.cos(2 * z);
        grad[i] = -2 * Math.sin(2 * z);
      }
    }
  };

  for (const kernel of ['matern52', 'rbf'] as const) {
    it(`${kernel}: gradient in every hyperparameter, source scales and shifts included, matches central differences`, () => {
      const nlp = new TransferNegLogPosterior(data, meanAt, [2, 1], true, kernel);
      assert.equal(nlp.size, 3 + 3 + 2 + 3);
      const theta = Float64Array.from([0.4, -0.3, 0.9, 0.1, Math.log(0.03), 0.2, 0.7, -0.4, 0.05, -0.1, 0.2]);
      const grad = new Float64Array(theta.length);
      nlp.evaluate(theta, grad);
      const scratch = new Float64Array(theta.length);
      for (let k = 0; k < theta.length; k++) {
        const h = 1e-5;
        const tp = Float64Array.from(theta);
        const tm = Float64Array.from(theta);
        tp[k] = (tp[k] ?? 0) + h;
        tm[k] = (tm[k] ?? 0) - h;
        const fd = (nlp.evaluate(tp, scratch) - nlp.evaluate(tm, scratch)) / (2 * h);
        const g = grad[k] ?? Number.NaN;
        assert.ok(Math.abs(g - fd) <= 1e-5 * Math.max(1, Math.abs(fd)), `theta[${k}]: ${g} vs ${fd}`);
      }
    });
  }

  it('with all scales at zero it is the plain GP posterior', () => {
    const theta = Float64Array.from([0.4, -0.3, 0.9, 0.1, Math.log(0.03), 0.2, 0, 0]);
    const nlp = new TransferNegLogPosterior(data, meanAt, [2, 1], false, 'matern52');
    assert.equal(nlp.size, 8);
    const a = nlp.evaluate(theta, new Float64Array(8));
    const b = new NegLogPosterior(data, 'matern52', DEFAULT_PRIOR).evaluate(
      theta.subarray(0, 6),
      new Float64Array(6),
    );
    assert.ok(Math.abs(a - b) < 1e-9 * Math.abs(b), `${a} vs ${b}`);
    assert.ok(thetaToHyper(theta.subarray(0, 6), 3).signalVar > 0);
  });
});

describe('transfer on synthetic tasks with known correlation', () => {
  it('a source with correlation 0.95 is used on 5 target points and predicts the target better than the plain GP', () => {
    let logRatio = 0;
    const seeds = [1, 2, 3, 4, 5, 6];
    for (const seed of seeds) {
      const e = errors(seed, 0.95, 5);
      assert.notEqual(e.transfer, null, `seed ${seed}: the guard rejected a related source`);
      logRatio += Math.log((e.transfer ?? e.plain) / e.plain);
    }
    // Measured: geometric mean 0.45 (grid RMSE of the transfer model over the plain GP's).
    const ratio = Math.exp(logRatio / seeds.length);
    assert.ok(ratio < 0.7, `error ratio ${ratio}`);
  });

  it('an unrelated source (correlation 0) is mostly rejected and does not make predictions worse on average', () => {
    let accepted = 0;
    let logRatio = 0;
    let count = 0;
    for (const seed of [1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 15, 16]) {
      for (const n of [5, 10]) {
        const e = errors(seed, 0, n);
        count++;
        if (e.transfer === null) continue;
        accepted++;
        logRatio += Math.log(e.transfer / e.plain);
      }
    }
    // Measured: 3 of 24 accepted, geometric mean error ratio 1.05 over all 24.
    assert.ok(accepted <= 5, `accepted ${accepted} of ${count}`);
    const ratio = Math.exp(logRatio / count);
    assert.ok(ratio < 1.15, `error ratio ${ratio}`);
  });

  it('the evidence for a partly related source fades as target data grows, and the plain GP takes over', () => {
    // Correlation 0.7: useful with few points, less so once the residual GP has data.
    const { source, target } = taskPair(21, 0.7);
    const points = randomPoints(60, createRng(99));
    const src = [sourceStudy(source, 3)];
    const options = { ...GP_DEFAULTS, outputWarping: 'none' as const };
    const gains: number[] = [];
    for (const n of [6, 60]) {
      const completed = points.slice(0, n).map((params) => ({ params, value: target(params) }));
      const obs = collectObservations(space, 'MINIMIZE', completed);
      const models = fitSourceModels(space, src, options);
      const data = { x: obs.x, y: plainY(obs.g, obs.n), n: obs.n, dim: 2, categorical: new Uint8Array(2) };
      const fit = fitTransfer(data, sourceMeanAt(models, obs.x, obs.n, 2), [2], options);
      gains.push(Math.max(...fit.candidateGains) / n);
      if (n >= MAX_TARGET_OBSERVATIONS)
        assert.equal(fitTransferModel(space, obs, [], src, GP_DEFAULTS), null);
    }
    assert.ok((gains[1] ?? 0) < (gains[0] ?? 0), `gain per point ${gains.join(' -> ')}`);
  });
});

describe('mapped source trials in the study GP (augmentWithSources)', () => {
  /** Grid RMSE (objective units) of the study GP alone and with the mapped source rows. */
  function augmentedErrors(
    source: (p: Params) => number,
    target: (p: Params) => number,
    seed: number,
    n: number,
  ): { plain: number; augmented: number; shift: number[]; rows: number; variance: number } | null {
    const completed = randomPoints(n, createRng(seed + 1000)).map((params) => ({
      params,
      value: target(params),
    }));
    const obs = collectObservations(space, 'MINIMIZE', completed);
    const model = fitTransferModel(space, obs, [], [sourceStudy(source, seed + 7)], GP_DEFAULTS);
    if (!model) return null;
    const plain = fitModel(space, 'MINIMIZE', obs, [], GP_DEFAULTS, processModelCache);
    const aug = augmentWithSources(model, plain);
    const at = (g: GpPosterior) => (p: Params) =>
      -plain.target.toTarget(g.predict(space.encode(p)).mean, 0).mean;
    const plainError = gridError(at(plain.posterior), target);
    const shift = Array.from(model.shifts[0] ?? []);
    if (!aug)
      return { plain: plainError, augmented: plainError, shift, rows: 0, variance: Number.POSITIVE_INFINITY };
    const post = new GpPosterior(aug.data, GP_DEFAULTS.kernel, plain.posterior.hyper);
    return {
      plain: plainError,
      augmented: gridError(at(post), target),
      shift,
      rows: aug.pseudo,
      variance: aug.pseudoVariance,
    };
  }

  it('a source shifted by 0.1 and scaled by 2 is mapped back: rows at the learned shift, better predictions', () => {
    let logRatio = 0;
    const seeds = [1, 2, 3, 4];
    for (const seed of seeds) {
      const f = randomFunction(createRng(seed));
      const target = (p: Params) => 1 + 2 * f({ a: Number(p.a) - 0.1, b: Number(p.b) });
      const e = augmentedErrors(f, target, seed, 12);
      assert.ok(e, `seed ${seed}: the guard rejected a shifted copy`);
      assert.ok(
        Math.abs((e.shift[0] ?? 0) - 0.1) < 0.04 && Math.abs(e.shift[1] ?? 0) < 0.04,
        `shift ${e.shift}`,
      );
      // Source trials shifted out of the box by more than 0.05 are dropped (40 points, a ~ U(0, 1)).
      assert.ok(e.rows > 25 && e.rows < 40, `rows ${e.rows}`);
      assert.ok(e.variance >= 1e-4 && e.variance < 0.5, `pseudo variance ${e.variance}`);
      logRatio += Math.log(e.augmented / e.plain);
    }
    // Measured: geometric mean 0.34 of the grid RMSE with the mapped rows over without.
    const ratio = Math.exp(logRatio / seeds.length);
    assert.ok(ratio < 0.5, `error ratio ${ratio}`);
  });

  it('a partly related source (correlation 0.7) gets noisier rows than a close one (0.95)', () => {
    const variance = (rho: number): number[] =>
      [1, 2, 3, 4].flatMap((seed) => {
        const { source, target } = taskPair(seed, rho);
        const e = augmentedErrors(source, target, seed, 12);
        return e ? [e.variance] : [];
      });
    const close = variance(0.95);
    const partial = variance(0.7);
    assert.ok(close.length >= 3 && partial.length >= 1);
    const mean = (v: number[]) => Math.exp(v.reduce((x, y) => x + Math.log(y), 0) / v.length);
    assert.ok(
      mean(partial) > 2 * mean(close),
      `pseudo variance ${mean(close)} (0.95) vs ${mean(partial)} (0.7)`,
    );
  });
});

describe('warm-started surrogate', () => {
  it('fitSurrogate explains a study with a related source by the transfer model', () => {
    let logRatio = 0;
    const seeds = [1, 2, 3, 4, 5, 6];
    for (const seed of seeds) {
      const { source, target } = taskPair(seed, 0.95);
      const completed = randomPoints(6, createRng(seed + 1000)).map((params) => ({
        params,
        value: target(params),
      }));
      const request = { space, direction: 'MINIMIZE' as const, completed, pending: [], seed: 0 };
      const cold = fitSurrogate({ type: 'gp' }, request);
      const warm = fitSurrogate({ type: 'gp' }, { ...request, sources: [sourceStudy(source, seed + 7)] });
      assert.ok(cold && warm);
      const err = (s: NonNullable<typeof cold>) =>
        gridError((p) => s.predict([p])[0]?.mean ?? Number.NaN, target);
      logRatio += Math.log(err(warm) / err(cold));
      assert.ok(warm.acquisition([{ a: 0.5, b: 0.5 }]).every(Number.isFinite));
    }
    // Measured: geometric mean 0.39 of the grid RMSE with the source over without.
    const ratio = Math.exp(logRatio / seeds.length);
    assert.ok(ratio < 0.7, `error ratio ${ratio}`);
  });
});

describe('warm-started sampler', () => {
  const run = (
    sources: SourceStudy[] | undefined,
    f: (p: Params) => number,
    trials: number,
    warmStartRows = false,
  ) => {
    const completed: Array<{ params: Params; value: number }> = [];
    const infos = [];
    for (let t = 0; t < trials; t++) {
      const s = suggest(
        { type: 'gp', seed: 4, warmStartRows },
        {
          space,
          direction: 'MINIMIZE',
          completed,
          pending: [],
          seed: trialSeed(4, t),
          ...(sources ? { sources } : {}),
        },
      );
      completed.push({ params: s.params, value: f(s.params) });
      infos.push(s.info);
    }
    return { completed, infos };
  };

  it('a related source puts the model to work during the initial design; an unrelated one mostly leaves the cold start as it was', () => {
    const { source, target } = taskPair(31, 0.95);
    const warm = run([sourceStudy(source, 5)], target, 7);
    assert.equal(warm.infos[2]?.phase, 'initial', 'two points are too few to judge a source');
    const used = warm.infos.slice(3).filter((i) => i.phase === 'model' && i.transfer?.used === true);
    assert.ok(used.length >= 2, `transfer used in ${used.length} of trials 4-7`);
    const unrelated = taskPair(32, 0).source;
    const cold = run(undefined, target, 8);
    const guarded = run([sourceStudy(unrelated, 6)], target, 8);
    const usedAt = guarded.infos.map((i) => i.transfer?.used === true);
    const first = usedAt.includes(true) ? usedAt.indexOf(true) : usedAt.length;
    // Until the guard lets the source in, the warm-started study is the cold one, trial for trial.
    assert.ok(first >= 3);
    assert.deepEqual(
      guarded.completed.slice(0, first).map((c) => c.params),
      cold.completed.slice(0, first).map((c) => c.params),
    );
    const count = usedAt.filter(Boolean).length;
    assert.ok(count <= 2, `unrelated source used in ${count} of 8`);
  });

  it('with warmStartRows a related source stays in use past MAX_TARGET_OBSERVATIONS while the guard accepts it', () => {
    const { source, target } = taskPair(31, 0.95);
    const warm = run([sourceStudy(source, 5)], target, MAX_TARGET_OBSERVATIONS + 3, true);
    const late = warm.infos.slice(MAX_TARGET_OBSERVATIONS);
    assert.ok(
      late.some((i) => i.transfer?.used === true),
      'no handover at a fixed count',
    );
  });

  it('sourceBestParams maps the best source configurations onto the target space', () => {
    const target = parseSearchSpace([
      { name: 'a', type: 'float', low: 0, high: 0.5 },
      { name: 'c', type: 'categorical', choices: ['x', 'y'] },
    ]);
    const source: SourceStudy = {
      space,
      direction: 'MAXIMIZE',
      completed: [
        { params: { a: 0.2, b: 0.1 }, value: 1 },
        { params: { a: 0.9, b: 0.1 }, value: 3 },
        { params: { a: 0.3, b: 0.1 }, value: Number.NaN },
      ],
    };
    assert.deepEqual(sourceBestParams(target, [source], 5), [
      { a: 0.5, c: target.decode(target.fromUnit([0.5, 0.5])).c },
      { a: 0.2, c: target.decode(target.fromUnit([0.5, 0.5])).c },
    ]);
  });
});

describe('coregional warm start (transfer-coregional.ts)', () => {
  const rng = createRng(8);
  const space3 = parseSearchSpace([
    { name: 'a', type: 'float', low: 0, high: 1 },
    { name: 'b', type: 'float', low: 0, high: 1 },
    { name: 'c', type: 'float', low: 0, high: 1 },
  ]);
  const f = (p: Params) => Math.sin(3 * Number(p.a)) + Number(p.c) * Number(p.a);
  const completed = Array.from({ length: 30 }, () => {
    const params = { a: rng.next(), c: rng.next() };
    return { params, value: f(params) };
  });
  // A source on two of the three target parameters.
  const partial: SourceStudy = {
    space: parseSearchSpace([
      { name: 'a', type: 'float', low: 0, high: 1 },
      { name: 'c', type: 'float', low: 0, high: 1 },
    ]),
    direction: 'MAXIMIZE',
    completed,
  };
  const factors = fitSourceModels(space3, [partial], GP_DEFAULTS).map((m) => new SourceFactor(m, 'matern52'));
  const dims = [[0, 2]];
  const n = 9;
  const x = Float64Array.from({ length: n * 3 }, () => rng.next());
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(3 * (x[i * 3] ?? 0)) + 0.3 * rng.normal());
  const data: GpData = { x, y, n, dim: 3, categorical: new Uint8Array(3) };

  it('gradient in every parameter (scale and shift of the source included) matches central differences', () => {
    const nlp = new CoregionalNegLogPosterior(data, factors, dims, 'matern52');
    assert.equal(nlp.size, 3 + 3 + 1 + 2);
    const theta = Float64Array.from([0.2, -0.4, 0.3, 0.1, Math.log(0.05), 0.2, 0.8, 0.07, -0.05]);
    const grad = new Float64Array(theta.length);
    nlp.evaluate(theta, grad);
    const scratch = new Float64Array(theta.length);
    for (let k = 0; k < theta.length; k++) {
      const h = 1e-6;
      const tp = Float64Array.from(theta);
      const tm = Float64Array.from(theta);
      tp[k] = (tp[k] ?? 0) + h;
      tm[k] = (tm[k] ?? 0) - h;
      const fd = (nlp.evaluate(tp, scratch) - nlp.evaluate(tm, scratch)) / (2 * h);
      const g = grad[k] ?? Number.NaN;
      assert.ok(Math.abs(g - fd) <= 1e-5 * Math.max(1, Math.abs(fd)), `theta[${k}]: ${g} vs ${fd}`);
    }
  });

  it('the joint posterior: gradients in x match central differences, and it interpolates the target', () => {
    const fit = fitCoregional(data, factors, dims, GP_DEFAULTS);
    const post = new CoregionalPosterior(data, factors, dims, fit, 'matern52');
    const q = [0.3, 0.6, 0.2];
    const dMean = new Float64Array(3);
    const dVar = new Float64Array(3);
    post.predict(q, dMean, dVar);
    for (let d = 0; d < 3; d++) {
      const h = 1e-6;
      const a = q.slice();
      const b = q.slice();
      a[d] = (a[d] ?? 0) + h;
      b[d] = (b[d] ?? 0) - h;
      const pa = post.predict(a);
      const pb = post.predict(b);
      const fm = (pa.mean - pb.mean) / (2 * h);
      const fv = (pa.variance - pb.variance) / (2 * h);
      assert.ok(Math.abs((dMean[d] ?? 0) - fm) <= 1e-5 * Math.max(1, Math.abs(fm)), `mean ${d}`);
      assert.ok(Math.abs((dVar[d] ?? 0) - fv) <= 1e-5 * Math.max(1, Math.abs(fv)), `variance ${d}`);
    }
    // With scale zero the joint posterior is the target's own GP with theta's hyperparameters.
    const zero = { ...fit, scales: new Float64Array(1) };
    const own = new CoregionalPosterior(data, factors, dims, zero, 'matern52');
    const plain = new GpPosterior(data, 'matern52', thetaToHyper(fit.theta.subarray(0, 6), 3));
    const a = own.predict(q);
    const b = plain.predict(q);
    assert.ok(Math.abs(a.mean - b.mean) < 1e-9 && Math.abs(a.variance - b.variance) < 1e-9);
  });

  it('learns a high correlation with a related source, which cross-validation keeps; an unrelated one is dropped', () => {
    const learned = (rho: number, seed: number): { rho: number; used: boolean } => {
      const { source, target } = taskPair(seed, rho);
      const points = randomPoints(15, createRng(seed + 1000));
      const obs = collectObservations(
        space,
        'MINIMIZE',
        points.map((params) => ({ params, value: target(params) })),
      );
      const src = [sourceStudy(source, seed + 7)];
      const models = fitSourceModels(space, src, GP_DEFAULTS);
      const y = transformTargets(obs.g, obs.n, true).y;
      const data: GpData = { x: obs.x, y, n: obs.n, dim: 2, categorical: new Uint8Array(2) };
      const factors = models.map((m) => new SourceFactor(m, 'matern52'));
      const fit = fitCoregional(data, factors, [[0, 1]], GP_DEFAULTS);
      const used = fitCoregionalModel(space, obs, [], src, GP_DEFAULTS) !== null;
      return { rho: fit.correlations[0] ?? Number.NaN, used };
    };
    const seeds = [1, 2, 3, 4, 5, 6];
    const related = seeds.map((s) => learned(0.95, s));
    const unrelated = seeds.map((s) => learned(0, s));
    const median = (v: number[]) => v.slice().sort((p, q) => p - q)[Math.floor(v.length / 2)] ?? Number.NaN;
    const show = (v: Array<{ rho: number; used: boolean }>) =>
      v.map((r) => `${r.rho.toFixed(2)}${r.used ? '*' : ''}`);
    assert.ok(median(related.map((r) => r.rho)) > 0.8, `related ${show(related)}`);
    // The MAP correlation of an unrelated source is not near zero here: the learned shift finds some
    // alignment of its landscape with 15 points (measured |rho| 0.45-0.95); the two-fold
    // cross-validation (crossValidatedGain) is what drops it.
    // Measured: 4 of 6 related sources kept on 15 points, none of the unrelated ones.
    assert.ok(related.filter((r) => r.used).length >= 4, `related ${show(related)}`);
    assert.ok(unrelated.filter((r) => r.used).length <= 1, `unrelated ${show(unrelated)}`);
  });

  it('suggestions are deterministic, with or without a shared cache', () => {
    const { source, target } = taskPair(41, 0.9);
    const go = (cache: ModelCache) => {
      const done: Array<{ params: Params; value: number }> = [];
      for (let t = 0; t < 6; t++) {
        const s = gpSampler({ type: 'gp', seed: 3, warmStartModel: 'coregional' }, cache).suggest({
          space,
          direction: 'MINIMIZE',
          completed: done,
          pending: [],
          seed: trialSeed(3, t),
          sources: [sourceStudy(source, 9)],
        });
        done.push({ params: s.params, value: target(s.params) });
      }
      return done.map((c) => c.params);
    };
    const shared = new ModelCache();
    assert.deepEqual(go(shared), go(new ModelCache()));
    assert.deepEqual(go(shared), go(shared));
  });
});
