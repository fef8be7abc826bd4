import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { SamplerConfig } from './config.js';
import { SpaceExhaustedError } from './errors.js';
import { type SuggestRequest, suggest } from './samplers.js';
import { type Params, parseSearchSpace } from './search-space.js';

const mixedSpace = parseSearchSpace([
  { name: 'lr', type: 'float', low: 1e-5, high: 0.1, log: true },
  { name: 'units', type: 'int', low: 16, high: 512, log: true },
  { name: 'dropout', type: 'float', low: 0, high: 0.7, step: 0.05 },
  { name: 'layers', type: 'int', low: 1, high: 4 },
  { name: 'batch', type: 'categorical', choices: [16, 32, 64, 128, 256] },
  { name: 'act', type: 'categorical', choices: ['relu', 'gelu'] },
]);

function objective(p: Params): number {
  const lr = Math.log10(Number(p.lr)) + 3;
  return lr * lr + (Number(p.dropout) - 0.2) ** 2 + (p.act === 'gelu' ? 0 : 0.5) + Number(p.layers) * 0.1;
}

function history(config: SamplerConfig, n: number, f = objective): Array<{ params: Params; value: number }> {
  const completed: Array<{ params: Params; value: number }> = [];
  for (let t = 0; t < n; t++) {
    const s = suggest(config, { space: mixedSpace, direction: 'MINIMIZE', completed, pending: [], seed: t });
    completed.push({ params: s.params, value: f(s.params) });
  }
  return completed;
}

// A small start-up phase makes the GP model phase reachable in a few fast steps.
const samplers: SamplerConfig[] = [
  { type: 'random', seed: 1 },
  { type: 'qmc', seed: 1 },
  { type: 'gp', seed: 1, nStartupTrials: 5 },
  { type: 'gp', seed: 1, nStartupTrials: 5, kernel: 'rbf', acquisition: 'ucb', warmStart: true },
];

for (const config of samplers) {
  describe(`sampler contract: ${config.type}`, () => {
    const completed = history(config, 14);

    it('suggests params inside the space with the right types', () => {
      for (const c of completed) assert.deepEqual(mixedSpace.validateParams(c.params), c.params);
    });

    it('never repeats an evaluated point', () => {
      const keys = completed.map((c) => JSON.stringify(c.params));
      assert.equal(new Set(keys).size, keys.length);
    });

    it('is reproducible for the same seed and history and varies with the seed', () => {
      const req: SuggestRequest = {
        space: mixedSpace,
        direction: 'MINIMIZE',
        completed,
        pending: [],
        seed: 42,
      };
      assert.deepEqual(suggest(config, req), suggest(config, req));
      const other = suggest(config, { ...req, seed: 43 });
      if (config.type === 'random') assert.notDeepEqual(other.params, suggest(config, req).params);
    });

    it('survives NaN, infinite and duplicate observations', () => {
      const messy = [
        ...completed,
        { params: completed[0]?.params ?? {}, value: Number.NaN },
        { params: completed[1]?.params ?? {}, value: Number.POSITIVE_INFINITY },
        { params: completed[2]?.params ?? {}, value: Number.NEGATIVE_INFINITY },
        { params: completed[3]?.params ?? {}, value: completed[3]?.value ?? 0 },
        { params: completed[3]?.params ?? {}, value: completed[3]?.value ?? 0 },
      ];
      for (const direction of ['MINIMIZE', 'MAXIMIZE'] as const) {
        const s = suggest(config, { space: mixedSpace, direction, completed: messy, pending: [], seed: 5 });
        assert.deepEqual(mixedSpace.validateParams(s.params), s.params);
        assert.ok(!messy.some((m) => JSON.stringify(m.params) === JSON.stringify(s.params)));
      }
    });

    it('reports which sampler and phase produced the suggestion', () => {
      const s = suggest(config, {
        space: mixedSpace,
        direction: 'MINIMIZE',
        completed,
        pending: [],
        seed: 1,
      });
      assert.equal(s.info.sampler, config.type);
      if (config.type === 'gp') {
        assert.equal(s.info.phase, 'model');
        assert.ok(
          Number.isFinite(s.info.mean) && (s.info.std ?? -1) >= 0 && Number.isFinite(s.info.acquisition),
        );
        assert.equal(s.info.acquisitionName, config.acquisition ?? 'logei');
        const first = suggest(config, {
          space: mixedSpace,
          direction: 'MINIMIZE',
          completed: [],
          pending: [],
          seed: 1,
        });
        assert.equal(first.info.phase, 'initial');
        assert.equal(first.info.mean, null);
      }
    });

    it('exhausts a small discrete space without repeats, then says so', () => {
      const tiny = parseSearchSpace([
        { name: 'a', type: 'int', low: 0, high: 2 },
        { name: 'b', type: 'categorical', choices: ['x', 'y'] },
      ]);
      const done: Array<{ params: Params; value: number }> = [];
      for (let t = 0; t < 6; t++) {
        const s = suggest(config, {
          space: tiny,
          direction: 'MINIMIZE',
          completed: done,
          pending: [],
          seed: t,
        });
        done.push({ params: s.params, value: Number(s.params.a) + (s.params.b === 'x' ? 0 : 1) });
      }
      assert.equal(new Set(done.map((d) => JSON.stringify(d.params))).size, 6);
      assert.throws(
        () => suggest(config, { space: tiny, direction: 'MINIMIZE', completed: done, pending: [], seed: 9 }),
        SpaceExhaustedError,
      );
    });
  });
}

describe('GP sampler on objective values too large to square', () => {
  it('suggests what it suggests at an ordinary scale, with the mean and std scaled', () => {
    const config: SamplerConfig = { type: 'gp', seed: 2, nStartupTrials: 5 };
    const ordinary = history(config, 9);
    const huge = 2 ** 600; // about 4e180: the squared deviations of the values overflow
    const scaled = ordinary.map((c) => ({ params: c.params, value: c.value * huge }));
    for (const direction of ['MINIMIZE', 'MAXIMIZE'] as const) {
      const req = { space: mixedSpace, direction, pending: [], seed: 3 };
      const a = suggest(config, { ...req, completed: ordinary });
      const b = suggest(config, { ...req, completed: scaled });
      assert.equal(b.info.phase, 'model');
      assert.deepEqual(b.params, a.params);
      assert.equal(b.info.mean, (a.info.mean ?? Number.NaN) * huge);
      assert.equal(b.info.std, (a.info.std ?? Number.NaN) * huge);
      assert.equal(b.info.acquisition, a.info.acquisition);
    }
  });
});

describe('GP sampler on awkward spaces', () => {
  it('never repeats params on a wide log int plus a constant float', () => {
    const space = parseSearchSpace([
      { name: 'u', type: 'int', low: 1, high: 100000, log: true },
      { name: 'v', type: 'int', low: -5, high: 5 },
      { name: 'c', type: 'float', low: 3, high: 3 },
    ]);
    const done: Array<{ params: Params; value: number }> = [];
    for (let t = 0; t < 16; t++) {
      const s = suggest(
        { type: 'gp', seed: 5, nStartupTrials: 5 },
        { space, direction: 'MAXIMIZE', completed: done, pending: [], seed: t },
      );
      done.push({ params: s.params, value: Math.sin(Number(s.params.u)) + Number(s.params.v) });
    }
    assert.equal(new Set(done.map((d) => JSON.stringify(d.params))).size, done.length);
    assert.ok(done.every((d) => d.params.c === 3));
  });
});

describe('GP sampler with parallel workers', () => {
  const space = parseSearchSpace([
    { name: 'x', type: 'float', low: 0, high: 1 },
    { name: 'y', type: 'float', low: 0, high: 1 },
  ]);
  // Several basins, and few observations: the posterior is uncertain enough to be worth spreading.
  const f = (p: Params): number => Math.sin(6 * Number(p.x)) * Math.cos(5 * Number(p.y)) + 0.3 * Number(p.x);
  const config: SamplerConfig = { type: 'gp', seed: 3, nStartupTrials: 8 };
  const completed: Array<{ params: Params; value: number }> = [];
  for (let t = 0; t < 10; t++) {
    const s = suggest(config, { space, direction: 'MINIMIZE', completed, pending: [], seed: t });
    completed.push({ params: s.params, value: f(s.params) });
  }
  const dist = (a: Params, b: Params): number =>
    Math.hypot(Number(a.x) - Number(b.x), Number(a.y) - Number(b.y));

  it('4 concurrent suggestions spread out instead of clustering', () => {
    const batch: Params[] = [];
    for (let w = 0; w < 4; w++) {
      // As the API does: each ask sees the earlier asks as pending trials.
      const s = suggest(config, { space, direction: 'MINIMIZE', completed, pending: batch, seed: 100 });
      batch.push(s.params);
    }
    let minDist = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 4; i++) {
      for (let j = i + 1; j < 4; j++) minDist = Math.min(minDist, dist(batch[i] ?? {}, batch[j] ?? {}));
    }
    assert.ok(minDist > 0.1, `closest pair of the batch is ${minDist} apart`);
    // Without pending trials the same request returns the same point every time.
    const alone = batch.map(
      () => suggest(config, { space, direction: 'MINIMIZE', completed, pending: [], seed: 100 }).params,
    );
    assert.equal(dist(alone[0] ?? {}, alone[3] ?? {}), 0);
  });

  it('is deterministic across processes, caches notwithstanding', () => {
    // A 40-trial study run here fills this process's caches (refit checkpoints, reused Cholesky
    // factors); the child process computes the same suggestions cold.
    const long: Array<{ params: Params; value: number }> = [];
    const here: unknown[] = [];
    for (let t = 0; t < 40; t++) {
      const s = suggest(config, { space, direction: 'MINIMIZE', completed: long, pending: [], seed: t });
      if (t >= 36) here.push(s);
      long.push({ params: s.params, value: f(s.params) });
    }
    const pending = [long[3]?.params ?? {}];
    here.push(suggest(config, { space, direction: 'MINIMIZE', completed: long, pending, seed: 99 }));
    const index = fileURLToPath(new URL('./index.js', import.meta.url));
    const script = `
      const m = await import(${JSON.stringify(index)});
      const space = m.parseSearchSpace(${JSON.stringify(space.params)});
      const { long, pending } = JSON.parse(process.argv[1]);
      const out = [];
      for (const t of [36, 37, 38, 39]) {
        const req = { space, direction: 'MINIMIZE', completed: long.slice(0, t), pending: [], seed: t };
        out.push(m.suggest(${JSON.stringify(config)}, req));
      }
      out.push(m.suggest(${JSON.stringify(config)}, { space, direction: 'MINIMIZE', completed: long, pending, seed: 99 }));
      process.stdout.write(JSON.stringify(out));`;
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', script, JSON.stringify({ long, pending })],
      {
        encoding: 'utf8',
      },
    );
    assert.deepEqual(JSON.parse(out), JSON.parse(JSON.stringify(here)));
  });
});

describe('replicateIncumbent', () => {
  const space = parseSearchSpace([
    { name: 'x', type: 'float', low: 0, high: 1 },
    { name: 'y', type: 'float', low: 0, high: 1 },
  ]);
  // A flat objective under heavy noise: nothing is left to gain but the luck of the incumbent.
  function noisyHistory(n: number): Array<{ params: Params; value: number }> {
    let state = 12345;
    const next = (): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 2 ** 32;
    };
    return Array.from({ length: n }, () => {
      const params = { x: next(), y: next() };
      return { params, value: 0.01 * (params.x - 0.5) ** 2 + (next() - 0.5) };
    });
  }
  const request = (completed: Array<{ params: Params; value: number }>): SuggestRequest => ({
    space,
    direction: 'MINIMIZE',
    completed,
    pending: [],
    seed: 3,
  });
  const bestOf = (completed: Array<{ params: Params; value: number }>) =>
    completed.reduce((a, b) => (b.value < a.value ? b : a)).params;

  it('re-evaluates the incumbent once when noise dominates the remaining improvement', () => {
    const completed = noisyHistory(30);
    const s = suggest({ type: 'gp', seed: 1, replicateIncumbent: true }, request(completed));
    assert.deepEqual(s.params, bestOf(completed));
    assert.equal(s.info.acquisitionName, 'replicate');
    // Off by default: a new point.
    const plain = suggest({ type: 'gp', seed: 1 }, request(completed));
    assert.notDeepEqual(plain.params, bestOf(completed));
    // Once: with the replicate in the history (and while it runs), no second one.
    const again = suggest(
      { type: 'gp', seed: 1, replicateIncumbent: true },
      { ...request(completed), pending: [s.params] },
    );
    assert.notDeepEqual(again.params, bestOf(completed));
  });

  it('does not replicate on a noise-free objective with improvement left', () => {
    const completed = noisyHistory(12).map((t) => ({
      params: t.params,
      value: (Number(t.params.x) - 0.3) ** 2 + (Number(t.params.y) - 0.7) ** 2,
    }));
    const s = suggest({ type: 'gp', seed: 1, replicateIncumbent: true }, request(completed));
    assert.notDeepEqual(s.params, bestOf(completed));
    assert.notEqual(s.info.acquisitionName, 'replicate');
  });
});
