import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { conditionalObjectives } from './bench/conditional.js';
import { ConditionalEncoding } from './conditional-encoding.js';
import { fitSpaceModel } from './conditional-fit.js';
import { gpOptions, parseSamplerConfig } from './config.js';
import { type GpData, GpPosterior } from './gp.js';
import { collectObservations } from './model.js';
import { ModelCache } from './model-cache.js';
import { createRng, type Rng } from './rng.js';
import { type Params, type ParsedSearchSpace, parseSearchSpace } from './search-space.js';
import { type TreeKernel, TreeNegLogPosterior, treeWeights } from './tree-kernel.js';

function space(name: string): ParsedSearchSpace {
  const objective = conditionalObjectives[name];
  assert.ok(objective);
  return parseSearchSpace(objective.space);
}

function rows(s: ParsedSearchSpace, enc: ConditionalEncoding, n: number, rng: Rng): Float64Array {
  const D = s.dimension;
  const xs = new Float64Array(n * D);
  for (let i = 0; i < n; i++) {
    const u = Float64Array.from({ length: D }, () => rng.next());
    xs.set(s.snap(s.fromUnit(u)), i * D);
  }
  return enc.embedRows(xs, n);
}

function members(enc: ConditionalEncoding, c: number): string {
  const tree = enc.tree;
  assert.ok(tree);
  return Array.from(tree.members.subarray(c * enc.dimension, (c + 1) * enc.dimension)).join('');
}

describe('tree kernel (conditionalEncoding: tree)', () => {
  it('gives a branch the coordinates active wherever it is, and unrelated branches only the root', () => {
    // nested_sphere: depth, z1..z4, then gates for depth >= 2, >= 3, = 4.
    const nested = new ConditionalEncoding(space('nested_sphere'), 'tree');
    assert.deepEqual(Array.from(nested.tree?.gates ?? []), [-1, 5, 6, 7]);
    assert.deepEqual(
      [0, 1, 2, 3].map((c) => members(nested, c)),
      ['11111000', '11100000', '11110000', '11111000'],
    );
    // branin_or_hartmann3: family, b1, b2, h1, h2, h3, then gates for branin and hartmann3.
    const bh = new ConditionalEncoding(space('branin_or_hartmann3'), 'tree');
    assert.deepEqual(
      [1, 2].map((c) => members(bh, c)),
      ['11100000', '10011100'],
    );
    // Gate coordinates enter no distance.
    for (let c = 0; c < 4; c++) assert.equal(members(nested, c).slice(5), '000');
  });

  it('has the gradient of its negative log posterior equal to finite differences', () => {
    const rng = createRng(7);
    for (const name of ['nested_sphere', 'mlp_hpo', 'jenatton', 'branin_or_hartmann3']) {
      const s = space(name);
      const enc = new ConditionalEncoding(s, 'tree');
      const tree = enc.tree;
      assert.ok(tree);
      const n = 14;
      const M = enc.dimension;
      const C = tree.gates.length;
      const z = rows(s, enc, n, rng);
      const y = Float64Array.from({ length: n }, () => rng.normal());
      const noiseScale = Float64Array.from({ length: n }, () => 0.5 + rng.next());
      const nlp = new TreeNegLogPosterior(
        tree,
        z,
        y,
        n,
        M,
        enc.categorical,
        'matern52',
        undefined,
        noiseScale,
      );
      const v = new Float64Array(M + 3 + C);
      for (let d = 0; d < M; d++) v[d] = rng.next() - 0.5;
      v[M] = 0.2;
      v[M + 1] = -3;
      v[M + 2] = 0.1;
      for (let c = 0; c < C; c++) v[M + 3 + c] = 2 * rng.next() - 1;
      const grad = new Float64Array(v.length);
      const f0 = nlp.evaluate(v, grad);
      assert.ok(Number.isFinite(f0));
      const scratch = new Float64Array(v.length);
      for (let i = 0; i < v.length; i++) {
        const h = 1e-5;
        const a = v.slice();
        const b = v.slice();
        a[i] = (a[i] as number) + h;
        b[i] = (b[i] as number) - h;
        const fd = (nlp.evaluate(a, scratch) - nlp.evaluate(b, scratch)) / (2 * h);
        assert.ok(
          Math.abs(fd - (grad[i] as number)) <= 1e-5 * Math.max(1, Math.abs(fd)),
          `${name} entry ${i}: ${grad[i]} vs ${fd}`,
        );
      }
    }
  });

  it('keeps the prior variance at s2 and has input gradients equal to finite differences', () => {
    const rng = createRng(11);
    const s = space('mlp_hpo');
    const enc = new ConditionalEncoding(s, 'tree');
    const tree = enc.tree;
    assert.ok(tree);
    const n = 20;
    const M = enc.dimension;
    const data: GpData = {
      x: rows(s, enc, n, rng),
      y: Float64Array.from({ length: n }, () => rng.normal()),
      n,
      dim: M,
      categorical: enc.categorical,
    };
    const kernel: TreeKernel = { ...tree, weights: treeWeights([0.3, -0.5, 1, 0, 0.7, -1, 0.2], 0, 7) };
    const hyper = {
      invSqLengthscales: Float64Array.from({ length: M }, () => 0.5 + 2 * rng.next()),
      signalVar: 1.3,
      noiseVar: 1e-4,
      mean: 0.1,
      tree: kernel,
    };
    const post = new GpPosterior(data, 'matern52', hyper);
    // With no observations close by, the variance approaches k(x, x) = s2 whatever the branch.
    const far = new GpPosterior(
      { ...data, n: 1, x: data.x.subarray(0, M), y: data.y.subarray(0, 1) },
      'matern52',
      {
        ...hyper,
        invSqLengthscales: new Float64Array(M).fill(1e4),
      },
    );
    for (let q = 1; q < 5; q++) {
      const p = far.predict(data.x.subarray(q * M, (q + 1) * M));
      assert.ok(Math.abs(p.variance - 1.3) < 1e-6, `variance ${p.variance}`);
    }
    const dMean = new Float64Array(M);
    const dVar = new Float64Array(M);
    const params: Params = s.decode(
      s.snap(s.fromUnit(Float64Array.from({ length: s.dimension }, () => 0.37))),
    );
    const xq = enc.embed(s.encode(params));
    post.predict(xq, dMean, dVar);
    for (let d = 0; d < M; d++) {
      if (enc.categorical[d] === 1) continue;
      const h = 1e-6;
      const a = xq.slice();
      const b = xq.slice();
      a[d] = (a[d] as number) + h;
      b[d] = (b[d] as number) - h;
      const pa = post.predict(a);
      const pb = post.predict(b);
      const fm = (pa.mean - pb.mean) / (2 * h);
      const fv = (pa.variance - pb.variance) / (2 * h);
      assert.ok(Math.abs(fm - (dMean[d] as number)) <= 1e-5 * Math.max(1, Math.abs(fm)), `mean ${d}`);
      assert.ok(Math.abs(fv - (dVar[d] as number)) <= 1e-5 * Math.max(1, Math.abs(fv)), `var ${d}`);
    }
  });

  it('with the root term switched off, observations of one branch tell nothing of another', () => {
    // branin_or_hartmann3 with weights (root, branin, hartmann3) = (0, 1, 1): the prediction at a
    // branin point does not move when the hartmann3 observations' values do.
    const s = space('branin_or_hartmann3');
    const enc = new ConditionalEncoding(s, 'tree');
    const tree = enc.tree;
    assert.ok(tree);
    const rng = createRng(3);
    const n = 16;
    const M = enc.dimension;
    const x = rows(s, enc, n, rng);
    const branin = Array.from({ length: n }, (_, i) => x[i * M] === 0);
    assert.ok(branin.some((b) => b) && branin.some((b) => !b));
    const y1 = Float64Array.from({ length: n }, () => rng.normal());
    const y2 = y1.map((v, i) => (branin[i] ? v : v + 3 * rng.normal()));
    const hyper = {
      invSqLengthscales: new Float64Array(M).fill(2),
      signalVar: 1,
      noiseVar: 1e-4,
      mean: 0,
      tree: { ...tree, weights: Float64Array.from([1e-300, 1, 1]) },
    };
    const data = { x, n, dim: M, categorical: enc.categorical };
    const q = enc.embed(s.encode({ family: 'branin', b1: 1, b2: 4 }));
    const a = new GpPosterior({ ...data, y: y1 }, 'matern52', hyper).predict(q);
    const b = new GpPosterior({ ...data, y: y2 }, 'matern52', hyper).predict(q);
    assert.ok(Math.abs(a.mean - b.mean) < 1e-9, `${a.mean} vs ${b.mean}`);
    // The padded product kernel on the same coordinates does not separate them.
    const product = { ...hyper, invSqLengthscales: new Float64Array(M).fill(0.05), tree: undefined };
    const c = new GpPosterior({ ...data, y: y1 }, 'matern52', product).predict(q);
    const d = new GpPosterior({ ...data, y: y2 }, 'matern52', product).predict(q);
    assert.ok(Math.abs(c.mean - d.mean) > 1e-3);
  });

  it('is fitted by the sampler path, weights included, and recalled from the cache', () => {
    const s = space('nested_sphere');
    const objective = conditionalObjectives.nested_sphere;
    assert.ok(objective);
    const rng = createRng(5);
    const completed: Array<{ params: Params; value: number }> = [];
    for (let t = 0; t < 16; t++) {
      const params = s.decode(
        s.snap(s.fromUnit(Float64Array.from({ length: s.dimension }, () => rng.next()))),
      );
      completed.push({ params, value: Number(objective.evaluate(params)) });
    }
    const options = gpOptions(parseSamplerConfig({ type: 'gp', conditionalEncoding: 'tree' }));
    const obs = collectObservations(s, 'MINIMIZE', completed);
    const cache = new ModelCache();
    const m = fitSpaceModel(s, 'MINIMIZE', obs, [], options, cache);
    const w = m.model.posterior.hyper.tree?.weights;
    assert.ok(w && w.length === 4 && w.every((v) => v > 0));
    assert.equal(m.encoding?.kind, 'tree');
    const again = fitSpaceModel(s, 'MINIMIZE', obs, [], options, cache);
    assert.deepEqual(Array.from(again.model.posterior.hyper.tree?.weights ?? []), Array.from(w));
  });
});
