import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { conditionalObjectives } from './bench/conditional.js';
import {
  ConditionalEncoding,
  type ConditionalEncodingKind,
  EmbeddedAcquisition,
} from './conditional-encoding.js';
import { fitPads, fitSpaceModel, ImputedNegLogPosterior } from './conditional-fit.js';
import { gpOptions, parseSamplerConfig } from './config.js';
import { SearchSpaceError, SpaceExhaustedError } from './errors.js';
import { GpPosterior, NegLogPosterior } from './gp.js';
import { collectObservations, fitCheckpoint, fitPrefixLength, predictObjective } from './model.js';
import { ModelCache } from './model-cache.js';
import { prepareAcquisition } from './multiobjective/suggest.js';
import { AcquisitionObjective } from './optimize-acquisition.js';
import { DEFAULT_PRIOR } from './prior.js';
import { recommend } from './recommend.js';
import { createRng, type Rng } from './rng.js';
import { suggest } from './samplers.js';
import { type Params, type ParsedSearchSpace, parseSearchSpace } from './search-space.js';
import { fitSurrogate } from './surrogate.js';

const OPTIMIZER_SPACE = [
  { name: 'optimizer', type: 'categorical', choices: ['adam', 'sgd'] },
  { name: 'lr', type: 'float', low: 1e-5, high: 1, log: true },
  { name: 'momentum', type: 'float', low: 0, high: 0.99, when: { parent: 'optimizer', values: ['sgd'] } },
  {
    name: 'nesterov',
    type: 'categorical',
    choices: [false, true],
    when: { parent: 'optimizer', values: ['sgd'] },
  },
  { name: 'n_layers', type: 'int', low: 1, high: 3 },
  {
    name: 'units_2',
    type: 'int',
    low: 16,
    high: 512,
    log: true,
    when: { parent: 'n_layers', values: [2, 3] },
  },
  { name: 'units_3', type: 'int', low: 16, high: 512, log: true, when: { parent: 'n_layers', values: [3] } },
];

describe('conditional search-space format', () => {
  const table: Array<{ what: string; space: unknown[]; error?: string; message?: RegExp }> = [
    { what: 'valid: categorical and int parents', space: OPTIMIZER_SPACE },
    {
      what: 'valid: nesting (a grandchild under a conditional child)',
      space: [
        { name: 'a', type: 'categorical', choices: ['x', 'y'] },
        { name: 'b', type: 'categorical', choices: [1, 2], when: { parent: 'a', values: ['y'] } },
        { name: 'c', type: 'float', low: 0, high: 1, when: { parent: 'b', values: [2] } },
      ],
    },
    {
      what: 'valid: a child listed before its parent',
      space: [
        { name: 'c', type: 'float', low: 0, high: 1, when: { parent: 'a', values: ['y'] } },
        { name: 'a', type: 'categorical', choices: ['x', 'y'] },
      ],
    },
    {
      what: 'unknown parent',
      space: [
        { name: 'a', type: 'categorical', choices: ['x'] },
        { name: 'm', type: 'float', low: 0, high: 1, when: { parent: 'optimiser', values: ['x'] } },
      ],
      error: 'searchSpace[1].when.parent',
      message: /"m" names unknown parameter "optimiser"/,
    },
    {
      what: 'cycle of two',
      space: [
        { name: 'a', type: 'categorical', choices: [1, 2], when: { parent: 'b', values: [1] } },
        { name: 'b', type: 'categorical', choices: [1, 2], when: { parent: 'a', values: [2] } },
      ],
      error: 'searchSpace[0].when',
      message: /cycle: a -> b -> a/,
    },
    {
      what: 'depends on itself',
      space: [{ name: 'a', type: 'categorical', choices: [1, 2], when: { parent: 'a', values: [1] } }],
      error: 'searchSpace[0].when.parent',
    },
    {
      what: "value not in the parent's choices",
      space: [
        { name: 'opt', type: 'categorical', choices: ['adam', 'sgd'] },
        {
          name: 'momentum',
          type: 'float',
          low: 0,
          high: 1,
          when: { parent: 'opt', values: ['sgd', 'rmsprop'] },
        },
      ],
      error: 'searchSpace[1].when.values[1]',
      message: /"rmsprop" is not a value of "opt"/,
    },
    {
      what: "value outside an int parent's range",
      space: [
        { name: 'n', type: 'int', low: 1, high: 3 },
        { name: 'u4', type: 'int', low: 1, high: 3, when: { parent: 'n', values: [4] } },
      ],
      error: 'searchSpace[1].when.values[0]',
    },
    {
      what: 'float parent',
      space: [
        { name: 'f', type: 'float', low: 0, high: 1 },
        { name: 'g', type: 'float', low: 0, high: 1, when: { parent: 'f', values: [0.5] } },
      ],
      error: 'searchSpace[1].when.parent',
    },
    {
      what: 'empty values',
      space: [
        { name: 'a', type: 'categorical', choices: ['x'] },
        { name: 'g', type: 'float', low: 0, high: 1, when: { parent: 'a', values: [] } },
      ],
      error: 'searchSpace[1].when.values',
    },
    {
      what: 'unknown field in when',
      space: [
        { name: 'a', type: 'categorical', choices: ['x'] },
        { name: 'g', type: 'float', low: 0, high: 1, when: { parent: 'a', values: ['x'], equals: 1 } },
      ],
      error: 'searchSpace[1].when.equals',
    },
  ];
  for (const row of table) {
    it(row.error ? `rejects ${row.what} at ${row.error}` : `accepts ${row.what}`, () => {
      if (!row.error) {
        assert.equal(parseSearchSpace(row.space).conditional, true);
        return;
      }
      assert.throws(
        () => parseSearchSpace(row.space),
        (e: unknown) =>
          e instanceof SearchSpaceError &&
          e.path === row.error &&
          (!row.message || row.message.test(e.message)),
      );
    });
  }

  const space = parseSearchSpace(OPTIMIZER_SPACE);
  it('validateParams wants exactly the active parameters', () => {
    const adam = { optimizer: 'adam', lr: 0.01, n_layers: 1 };
    assert.deepEqual(space.validateParams(adam), adam);
    const sgd = {
      optimizer: 'sgd',
      lr: 0.01,
      momentum: 0.9,
      nesterov: true,
      n_layers: 3,
      units_2: 64,
      units_3: 32,
    };
    assert.deepEqual(space.validateParams(sgd), sgd);
    const bad: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ ...adam, momentum: 0.9 }, 'params.momentum', /inactive \(optimizer is "adam"\)/],
      [{ optimizer: 'sgd', lr: 0.01, n_layers: 1, nesterov: false }, 'params.momentum', /missing/],
      [{ ...adam, n_layers: 2 }, 'params.units_2', /missing/],
      [{ ...adam, units_3: 16 }, 'params.units_3', /inactive/],
    ];
    for (const [input, path, message] of bad) {
      assert.throws(
        () => space.validateParams(input),
        (e: unknown) => e instanceof SearchSpaceError && e.path === path && message.test(e.message),
        path,
      );
    }
  });

  it('decodes only active parameters and gives one key per configuration', () => {
    const a = space.encode({ optimizer: 'adam', lr: 0.01, n_layers: 1 });
    const b = Float64Array.from(a);
    b[2] = 0.123; // momentum's coordinate, inactive under adam
    b[5] = 0.9; // units_2's, inactive with one layer
    const decoded = space.decode(b);
    assert.deepEqual(Object.keys(decoded), ['optimizer', 'lr', 'n_layers']);
    assert.ok(Math.abs((decoded.lr as number) - 0.01) < 1e-12);
    assert.equal(space.key(a), space.key(b));
    assert.deepEqual(space.snap(b), a);
  });
});

/** A random tree-shaped space: each parameter may hang under an earlier categorical or int one. */
function randomConditionalSpace(rng: Rng): ParsedSearchSpace {
  // One unconditional float keeps the space from running out of untried points.
  const specs: Array<Record<string, unknown>> = [{ name: 'root', type: 'float', low: -1, high: 1 }];
  const n = 2 + rng.int(7);
  for (let i = 0; i < n; i++) {
    const kind = rng.int(4);
    const spec: Record<string, unknown> =
      kind === 0
        ? { name: `p${i}`, type: 'categorical', choices: ['a', 'b', 'c'].slice(0, 2 + rng.int(2)) }
        : kind === 1
          ? { name: `p${i}`, type: 'int', low: 1, high: 2 + rng.int(3) }
          : kind === 2
            ? { name: `p${i}`, type: 'float', low: 0, high: 1 + rng.int(3), log: false }
            : { name: `p${i}`, type: 'float', low: 1e-3, high: 1, log: true };
    const parents = specs.filter((s) => s.type === 'categorical' || s.type === 'int');
    if (parents.length > 0 && rng.next() < 0.7) {
      const parent = parents[rng.int(parents.length)] as Record<string, unknown>;
      const values =
        parent.type === 'categorical'
          ? (parent.choices as string[]).filter(() => rng.next() < 0.5)
          : [parent.low as number];
      spec.when = {
        parent: parent.name,
        values: values.length > 0 ? values : [(parent.choices as string[])[0]],
      };
    }
    specs.push(spec);
  }
  return parseSearchSpace(specs);
}

/** Whether params hold exactly the parameters the tree activates, each valid. */
function consistent(space: ParsedSearchSpace, params: Params): boolean {
  try {
    space.validateParams(params);
    return true;
  } catch {
    return false;
  }
}

describe('property: suggestions are consistent with the tree', () => {
  for (const kind of ['arc', 'category', 'imputed', 'indicator', 'padded'] as ConditionalEncodingKind[]) {
    it(`every suggestion of the GP (${kind}) on 12 random spaces holds exactly its active parameters`, () => {
      const rng = createRng(18);
      let checked = 0;
      for (let s = 0; s < 12; s++) {
        const space = randomConditionalSpace(rng);
        const config = parseSamplerConfig({
          type: 'gp',
          seed: s,
          nStartupTrials: 4,
          conditionalEncoding: kind,
        });
        const completed: Array<{ params: Params; value: number }> = [];
        for (let t = 0; t < 14; t++) {
          const { params } = suggest(config, {
            space,
            direction: 'MINIMIZE',
            completed,
            pending: [],
            seed: t,
          });
          assert.ok(consistent(space, params), `space ${s}, trial ${t}: ${JSON.stringify(params)}`);
          checked++;
          const value = Object.values(params).reduce<number>(
            (acc, v) => acc + (typeof v === 'number' ? Math.sin(3 * v) : String(v).length),
            0,
          );
          completed.push({ params, value });
        }
      }
      assert.equal(checked, 12 * 14);
    });
  }

  for (const kind of ['imputed', 'padded'] as ConditionalEncodingKind[]) {
    it(`every multi-objective constrained suggestion (${kind}) on 8 random spaces holds exactly its active parameters`, () => {
      const rng = createRng(27);
      let modelled = 0;
      for (let s = 0; s < 8; s++) {
        const space = randomConditionalSpace(rng);
        const config = parseSamplerConfig({
          type: 'gp',
          seed: s,
          nStartupTrials: 4,
          conditionalEncoding: kind,
        });
        const completed: Array<{ params: Params; value: number; values: number[]; constraints: number[] }> =
          [];
        for (let t = 0; t < 12; t++) {
          const { params, info } = suggest(config, {
            space,
            direction: 'MINIMIZE',
            objectives: [
              { name: 'f1', direction: 'MINIMIZE' },
              { name: 'f2', direction: 'MINIMIZE' },
            ],
            constraints: [{ name: 'c' }],
            completed,
            pending: [],
            seed: t,
          });
          assert.ok(consistent(space, params), `space ${s}, trial ${t}: ${JSON.stringify(params)}`);
          if (info.phase === 'model') modelled++;
          const nums = Object.values(params).map((v) => (typeof v === 'number' ? v : String(v).length));
          const f1 = nums.reduce((a, v) => a + Math.sin(3 * v), 0);
          const f2 = nums.reduce((a, v) => a + Math.cos(2 * v), 0);
          completed.push({ params, value: f1, values: [f1, f2], constraints: [Math.sin(f1 + f2)] });
        }
      }
      // Most suggestions after the 4 startup trials come from the models, not a fallback.
      assert.ok(modelled >= 8 * 6, `modelled ${modelled}`);
    });
  }

  it('random and qmc suggestions on 30 random spaces hold exactly their active parameters', () => {
    const rng = createRng(81);
    for (let s = 0; s < 30; s++) {
      const space = randomConditionalSpace(rng);
      for (const type of ['random', 'qmc'] as const) {
        const config = parseSamplerConfig({ type, seed: s });
        const completed: Array<{ params: Params; value: number }> = [];
        for (let t = 0; t < 20; t++) {
          const { params } = suggest(config, {
            space,
            direction: 'MINIMIZE',
            completed,
            pending: [],
            seed: t,
          });
          assert.ok(consistent(space, params), `${type} space ${s}, trial ${t}: ${JSON.stringify(params)}`);
          completed.push({ params, value: t });
        }
      }
    }
  });

  it('a small discrete tree: its 6 configurations once each, then SpaceExhaustedError', () => {
    const space = parseSearchSpace([
      { name: 'a', type: 'categorical', choices: ['x', 'y'] },
      { name: 'b', type: 'int', low: 1, high: 3, when: { parent: 'a', values: ['y'] } },
      { name: 'c', type: 'categorical', choices: ['p', 'q'], when: { parent: 'b', values: [2, 3] } },
    ]);
    const config = parseSamplerConfig({ type: 'gp', seed: 2, nStartupTrials: 2 });
    const completed: Array<{ params: Params; value: number }> = [];
    const seen = new Set<string>();
    for (let t = 0; t < 6; t++) {
      const { params } = suggest(config, { space, direction: 'MINIMIZE', completed, pending: [], seed: t });
      assert.ok(consistent(space, params), JSON.stringify(params));
      seen.add(JSON.stringify(params));
      completed.push({ params, value: t % 3 });
    }
    assert.equal(seen.size, 6);
    assert.throws(
      () => suggest(config, { space, direction: 'MINIMIZE', completed, pending: [], seed: 6 }),
      SpaceExhaustedError,
    );
  });

  it('never proposes momentum under adam (mlp_hpo, 40 trials)', () => {
    const objective = conditionalObjectives.mlp_hpo;
    assert.ok(objective);
    const space = parseSearchSpace(objective.space);
    const config = parseSamplerConfig({ type: 'gp', seed: 3 });
    const completed: Array<{ params: Params; value: number }> = [];
    for (let t = 0; t < 40; t++) {
      const { params } = suggest(config, { space, direction: 'MINIMIZE', completed, pending: [], seed: t });
      assert.ok(consistent(space, params), JSON.stringify(params));
      if (params.optimizer !== 'sgd') assert.equal(params.momentum, undefined);
      completed.push({ params, value: objective.evaluate(params) as number });
    }
  });
});

describe('conditional encodings: gradients against finite differences', () => {
  const space = parseSearchSpace(OPTIMIZER_SPACE);
  const rng = createRng(5);
  const n = 12;
  const rows: Float64Array[] = [];
  for (let i = 0; i < n; i++)
    rows.push(space.fromUnit(Array.from({ length: space.dimension }, () => rng.next())));
  for (const kind of ['arc', 'category', 'imputed', 'indicator', 'padded'] as ConditionalEncodingKind[]) {
    it(`${kind}: d acquisition / dx matches central differences on active numeric coordinates`, () => {
      const enc = new ConditionalEncoding(space, kind);
      const x = enc.embedRows(
        rows.flatMap((r) => [...r]),
        n,
      );
      const y = Float64Array.from(rows, (_, i) => Math.sin(i));
      const lambdas = Float64Array.from({ length: enc.dimension }, (_, d) => 0.5 + d / 4);
      const posterior = new GpPosterior(
        { x, y, n, dim: enc.dimension, categorical: enc.categorical },
        'matern52',
        { invSqLengthscales: lambdas, signalVar: 1.3, noiseVar: 1e-3, mean: 0.1 },
      );
      const acq = new EmbeddedAcquisition(
        new AcquisitionObjective(posterior, { name: 'logei', best: 0.8, xi: 0, beta: 4 }),
        enc,
      );
      const points: Params[] = [
        {
          optimizer: 'sgd',
          lr: 0.003,
          momentum: 0.4,
          nesterov: true,
          n_layers: 3,
          units_2: 40,
          units_3: 100,
        },
        { optimizer: 'sgd', lr: 0.2, momentum: 0.9, nesterov: false, n_layers: 2, units_2: 300 },
      ];
      for (const at of points) {
        const x0 = space.encode(at);
        const grad = new Float64Array(space.dimension);
        acq.valueAndGradient(x0, grad);
        const active = space.activeMask(x0);
        space.dims.forEach((d, i) => {
          if (d.kind === 'categorical' || active[i] === 0) return;
          const h = 1e-6;
          const up = Float64Array.from(x0);
          const down = Float64Array.from(x0);
          up[i] = (up[i] ?? 0) + h;
          down[i] = (down[i] ?? 0) - h;
          const fd = (acq.value(up) - acq.value(down)) / (2 * h);
          const g = grad[i] ?? 0;
          assert.ok(Math.abs(fd - g) <= 1e-5 * Math.max(1, Math.abs(fd)), `${kind} ${d.name}: ${g} vs ${fd}`);
        });
        // Inactive coordinates do not move the acquisition, and their gradient is zero.
        space.dims.forEach((_, i) => {
          if (active[i] === 1) return;
          assert.equal(grad[i], 0);
          const moved = Float64Array.from(x0);
          moved[i] = 0.77;
          assert.equal(acq.value(moved), acq.value(x0));
        });
      }
    });
  }
});

describe('surrogate of a conditional space', () => {
  it('predicts at slice points that set a parent without its children or keep a deactivated child', () => {
    const space = parseSearchSpace(OPTIMIZER_SPACE);
    const config = parseSamplerConfig({ type: 'gp', seed: 1, nStartupTrials: 4 });
    const completed: Array<{ params: Params; value: number }> = [];
    for (let t = 0; t < 8; t++) {
      const { params } = suggest(config, { space, direction: 'MINIMIZE', completed, pending: [], seed: t });
      completed.push({ params, value: Math.log10(params.lr as number) ** 2 });
    }
    const surrogate = fitSurrogate(config, { space, direction: 'MINIMIZE', completed, pending: [], seed: 0 });
    assert.ok(surrogate);
    const [a, b] = surrogate.predict([
      { optimizer: 'sgd', lr: 0.01, n_layers: 1 },
      { optimizer: 'adam', lr: 0.01, n_layers: 1, momentum: 0.5 },
    ]);
    assert.ok(Number.isFinite(a?.mean) && Number.isFinite(b?.mean));
  });
});

describe('imputed: the joint posterior of hyperparameters and inactive pads', () => {
  const space = parseSearchSpace(OPTIMIZER_SPACE);
  const rng = createRng(11);
  const n = 16;
  const xs = new Float64Array(n * space.dimension);
  for (let i = 0; i < n; i++) {
    const x = space.canonicalize(space.fromUnit(Array.from({ length: space.dimension }, () => rng.next())));
    xs.set(x, i * space.dimension);
  }
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(1.7 * i) + 0.2 * rng.normal());
  const enc = new ConditionalEncoding(space, 'imputed');
  const nlp = new ImputedNegLogPosterior(enc, xs, y, n, 'matern52');
  const M = enc.dimension;

  it('has one pad per conditional numeric parameter (momentum, units_2, units_3)', () => {
    assert.deepEqual(
      enc.padSlots.map((s) => space.params[s.from]?.name),
      ['momentum', 'units_2', 'units_3'],
    );
  });

  it('at the canonical pads equals the GP likelihood of the category embedding (gradient included)', () => {
    const cat = new ConditionalEncoding(space, 'category');
    const data = { x: cat.embedRows(xs, n), y, n, dim: M, categorical: cat.categorical };
    const plain = new NegLogPosterior(data, 'matern52', DEFAULT_PRIOR);
    const theta = Float64Array.from({ length: M + 3 }, (_, i) =>
      i < M ? 0.3 * Math.cos(i) : i === M + 1 ? -3 : 0.1,
    );
    const v = new Float64Array(M + 3 + nlp.pads);
    v.set(theta);
    v.set(nlp.centers, M + 3);
    const g1 = new Float64Array(M + 3);
    const g2 = new Float64Array(v.length);
    const f1 = plain.evaluate(theta, g1);
    const f2 = nlp.evaluate(v, g2);
    assert.ok(Math.abs(f1 - f2) <= 1e-9 * Math.abs(f1), `${f1} vs ${f2}`);
    for (let i = 0; i < M + 3; i++)
      assert.ok(
        Math.abs((g1[i] ?? 0) - (g2[i] ?? 0)) <= 1e-8 * Math.max(1, Math.abs(g1[i] ?? 0)),
        `theta ${i}`,
      );
  });

  it('gradient in theta and in the pads matches central differences', () => {
    for (const trial of [0, 1, 2]) {
      const v = Float64Array.from({ length: M + 3 + nlp.pads }, (_, i) =>
        i < M
          ? 0.5 * rng.normal()
          : i === M
            ? 0.2
            : i === M + 1
              ? -4
              : i === M + 2
                ? 0.1
                : -0.5 + 2 * rng.next(),
      );
      const grad = new Float64Array(v.length);
      nlp.evaluate(v, grad);
      for (let i = 0; i < v.length; i++) {
        const h = 1e-6;
        const up = Float64Array.from(v);
        const down = Float64Array.from(v);
        up[i] = (up[i] ?? 0) + h;
        down[i] = (down[i] ?? 0) - h;
        const scratch = new Float64Array(v.length);
        const fd = (nlp.evaluate(up, scratch) - nlp.evaluate(down, scratch)) / (2 * h);
        const g = grad[i] ?? 0;
        assert.ok(
          Math.abs(fd - g) <= 1e-5 * Math.max(1, Math.abs(fd)),
          `trial ${trial}, variable ${i}: ${g} vs ${fd}`,
        );
      }
    }
  });
});

describe('imputed: the fitted pads', () => {
  const space = parseSearchSpace(OPTIMIZER_SPACE);
  const config = parseSamplerConfig({ type: 'gp', conditionalEncoding: 'imputed' });
  const options = gpOptions(config);
  const history = (count: number, seed: number): Params[] => {
    const rng = createRng(seed);
    return Array.from({ length: count }, () =>
      space.decode(
        space.canonicalize(space.fromUnit(Array.from({ length: space.dimension }, () => rng.next()))),
      ),
    );
  };
  const score = (p: Params): number =>
    Math.log10(p.lr as number) ** 2 +
    (p.optimizer === 'sgd' ? 1 - (p.momentum as number) : 0.3) +
    0.1 * (p.n_layers as number);
  const observations = (count: number, seed: number) =>
    collectObservations(
      space,
      'MINIMIZE',
      history(count, seed).map((params) => ({ params, value: score(params) })),
    );

  it('never has a lower posterior than the fixed-pad fit it starts from', () => {
    for (const seed of [1, 2, 3]) {
      const obs = observations(24, seed);
      const cache = new ModelCache();
      const { fit } = fitPads(space, obs, options, cache);
      const cat = new ConditionalEncoding(space, 'category');
      const plain = fitCheckpoint(
        { ...obs, x: cat.embedRows(obs.x, obs.n) },
        fitPrefixLength(obs.n),
        cat.dimension,
        cat.categorical,
        options,
        new ModelCache(),
      );
      assert.ok(
        fit && fit.objective <= plain.objective + 1e-9,
        `seed ${seed}: ${fit?.objective} vs ${plain.objective}`,
      );
    }
  });

  it('above 128 observations, chained to the previous checkpoint: the same pads from a fresh cache', () => {
    const obs = observations(160, 4);
    const warm = new ModelCache();
    fitPads(space, { ...obs, n: 128 }, options, warm);
    const a = fitPads(space, obs, options, warm);
    const b = fitPads(space, obs, options, new ModelCache());
    assert.deepEqual([...a.pads], [...b.pads]);
    assert.ok(a.fit?.fitted && Number.isFinite(a.fit.objective));
  });

  it('the surrogate and the recommendation use the sampler embedding (pads included)', () => {
    const completed = history(20, 5).map((params) => ({ params, value: score(params) }));
    const request = {
      space,
      direction: 'MINIMIZE' as const,
      completed,
      pending: [],
      seed: 0,
    };
    const cache = new ModelCache();
    const sampled = fitSpaceModel(
      space,
      'MINIMIZE',
      collectObservations(space, 'MINIMIZE', completed),
      [],
      options,
      cache,
    );
    assert.ok(
      sampled.encoding?.padSlots.some(
        (s, k) => s.pad !== new ConditionalEncoding(space, 'imputed').padSlots[k]?.pad,
      ),
    );
    const surrogate = fitSurrogate(config, request, cache);
    const rec = recommend(config, request, cache);
    assert.ok(surrogate && rec?.source === 'model' && rec.mean !== null);
    const params = completed[rec.index]?.params ?? {};
    const shown = surrogate.predict([params])[0];
    const own = predictObjective(sampled.model, sampled.toModel(space.snap(space.encode(params))));
    assert.ok(Math.abs((shown?.mean ?? 0) - own.mean) <= 1e-9 * Math.max(1, Math.abs(own.mean)));
    assert.ok(Math.abs(rec.mean - own.mean) <= 1e-9 * Math.max(1, Math.abs(own.mean)));
  });
  it('multi-objective: each objective and constraint model is the sampler model of its values, and the acquisition gradient holds', () => {
    const base = history(22, 6);
    const completed = base.map((params) => {
      const f1 = score(params);
      const f2 =
        (params.n_layers as number) + (params.optimizer === 'sgd' ? (params.momentum as number) : 0.5);
      return { params, value: f1, values: [f1, f2], constraints: [f1 - 2] };
    });
    const cache = new ModelCache();
    const prepared = prepareAcquisition(
      {
        direction: 'MINIMIZE',
        objectives: [
          { name: 'f1', direction: 'MINIMIZE' },
          { name: 'f2', direction: 'MINIMIZE' },
        ],
        constraints: [{ name: 'c' }],
        completed,
      },
      { space, options, rng: createRng(1), taken: new Set(), pending: [], warnings: [], cache },
    );
    assert.ok(prepared.ready);
    const columns = [
      completed.map((t) => ({ params: t.params, value: t.values[0] as number })),
      completed.map((t) => ({ params: t.params, value: t.values[1] as number })),
      completed.map((t) => ({ params: t.params, value: t.constraints[0] as number })),
    ];
    const models = [...prepared.objModels, ...prepared.constraintModels];
    assert.equal(models.length, 3);
    models.forEach((m, j) => {
      const own = fitSpaceModel(
        space,
        'MINIMIZE',
        collectObservations(space, 'MINIMIZE', columns[j] ?? []),
        [],
        options,
        new ModelCache(),
      );
      assert.deepEqual(
        m.encoding?.padSlots.map((s) => s.pad),
        own.encoding?.padSlots.map((s) => s.pad),
      );
      const x = space.snap(space.encode(completed[3]?.params ?? {}));
      assert.equal(m.posterior.predict(x).mean, own.model.posterior.predict(own.toModel(x)).mean);
    });
    // Different values, different pads: each model fits its own.
    assert.notDeepEqual(
      models[0]?.encoding?.padSlots.map((s) => s.pad),
      models[1]?.encoding?.padSlots.map((s) => s.pad),
    );
    const acq = prepared.acquisition;
    for (const params of base.slice(0, 6)) {
      const x0 = space.snap(space.encode(params));
      const grad = new Float64Array(space.dimension);
      const v = acq.valueAndGradient(x0, grad);
      assert.ok(Math.abs(v - acq.value(x0)) <= 1e-9 * Math.max(1, Math.abs(v)));
      const active = space.activeMask(x0);
      const norm = Math.hypot(...grad);
      space.dims.forEach((d, i) => {
        if (active[i] === 0) {
          assert.equal(grad[i], 0);
          return;
        }
        if (d.kind !== 'continuous') return;
        const h = 1e-6;
        const up = Float64Array.from(x0);
        const down = Float64Array.from(x0);
        up[i] = (up[i] ?? 0) + h;
        down[i] = (down[i] ?? 0) - h;
        const fd = (acq.value(up) - acq.value(down)) / (2 * h);
        assert.ok(
          Math.abs(fd - (grad[i] ?? 0)) <= 1e-5 * Math.max(1, norm),
          `${d.name}: ${grad[i]} vs ${fd}`,
        );
      });
    }
  });
});
