import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SearchSpaceError } from './errors.js';
import { createRng } from './rng.js';
import { type ParamSpec, parseSearchSpace } from './search-space.js';

describe('search space transforms', () => {
  const cases: Array<{ spec: ParamSpec; values: Array<number | string | boolean> }> = [
    { spec: { name: 'f', type: 'float', low: -2, high: 3 }, values: [-2, 0, 1.2345, 3] },
    { spec: { name: 'lf', type: 'float', low: 1e-5, high: 0.1, log: true }, values: [1e-5, 3e-4, 0.1] },
    { spec: { name: 'sf', type: 'float', low: 0, high: 0.7, step: 0.05 }, values: [0, 0.05, 0.35, 0.7] },
    { spec: { name: 'i', type: 'int', low: -3, high: 7 }, values: [-3, 0, 7] },
    { spec: { name: 'li', type: 'int', low: 16, high: 512, log: true }, values: [16, 17, 100, 511, 512] },
    { spec: { name: 'si', type: 'int', low: 0, high: 100, step: 10 }, values: [0, 10, 100] },
    {
      spec: { name: 'c', type: 'categorical', choices: [16, 'relu', true, 2.5] },
      values: [16, 'relu', true, 2.5],
    },
  ];
  for (const { spec, values } of cases) {
    it(`round-trips ${spec.name} (${spec.type})`, () => {
      const space = parseSearchSpace([spec]);
      const dim = space.dims[0];
      assert.ok(dim);
      for (const v of values) {
        const x = dim.encode(v);
        if (spec.type !== 'categorical') assert.ok(x >= 0 && x <= 1, `${v} encodes to ${x}`);
        const back = dim.decode(x);
        if (typeof v === 'number' && spec.type === 'float' && spec.step === undefined) {
          assert.ok(Math.abs((back as number) - v) <= 1e-12 * Math.max(1, Math.abs(v)), `${v} -> ${back}`);
        } else {
          assert.equal(back, v);
        }
        assert.equal(dim.snap(x), x, 'encoded points are fixed points of snap');
      }
    });
  }

  it('gives every grid value an equal share of the unit interval (steps widened by half a step)', () => {
    const space = parseSearchSpace([{ name: 'i', type: 'int', low: 1, high: 4 }]);
    const dim = space.dims[0];
    assert.ok(dim);
    const counts = new Map<unknown, number>();
    for (let k = 0; k < 4000; k++) {
      const v = dim.decode(dim.fromUnit((k + 0.5) / 4000));
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    assert.deepEqual([...counts.entries()].sort(), [
      [1, 1000],
      [2, 1000],
      [3, 1000],
      [4, 1000],
    ]);
  });
});

describe('parseSearchSpace errors name the entry', () => {
  const bad: Array<[unknown, string]> = [
    [{}, 'searchSpace'],
    [[], 'searchSpace'],
    [
      [
        { name: 'a', type: 'float', low: 0, high: 1 },
        { name: 'b', type: 'float', low: 2, high: 1 },
      ],
      'searchSpace[1].high',
    ],
    [[{ name: 'a b', type: 'float', low: 0, high: 1 }], 'searchSpace[0].name'],
    [[{ name: 'a', type: 'double', low: 0, high: 1 }], 'searchSpace[0].type'],
    [[{ name: 'a', type: 'float', low: 0, high: 1, log: true }], 'searchSpace[0].low'],
    [[{ name: 'a', type: 'int', low: 0.5, high: 3 }], 'searchSpace[0].low'],
    [[{ name: 'a', type: 'int', low: 0, high: 3, step: 1.5 }], 'searchSpace[0].step'],
    [[{ name: 'a', type: 'float', low: 0, high: 3, step: -1 }], 'searchSpace[0].step'],
    [[{ name: 'a', type: 'float', low: 0, high: 'x' }], 'searchSpace[0].high'],
    [[{ name: 'a', type: 'categorical', choices: [] }], 'searchSpace[0].choices'],
    [[{ name: 'a', type: 'categorical', choices: [1, {}] }], 'searchSpace[0].choices[1]'],
    [[{ name: 'a', type: 'categorical', choices: [1, 1] }], 'searchSpace[0].choices[1]'],
    [[{ name: 'a', type: 'float', low: 0, high: 1, extra: 1 }], 'searchSpace[0].extra'],
    [
      [
        { name: 'a', type: 'float', low: 0, high: 1 },
        { name: 'a', type: 'int', low: 0, high: 1 },
      ],
      'searchSpace[1].name',
    ],
  ];
  for (const [input, path] of bad) {
    it(`rejects at ${path}`, () => {
      assert.throws(
        () => parseSearchSpace(input),
        (e: unknown) => e instanceof SearchSpaceError && e.path === path && e.message.startsWith(path),
      );
    });
  }
});

describe('validateParams', () => {
  const space = parseSearchSpace([
    { name: 'lr', type: 'float', low: 1e-5, high: 0.1, log: true },
    { name: 'units', type: 'int', low: 16, high: 512 },
    { name: 'dropout', type: 'float', low: 0, high: 0.7, step: 0.05 },
    { name: 'act', type: 'categorical', choices: ['relu', 'gelu'] },
  ]);
  it('accepts params inside the space', () => {
    const p = { lr: 0.001, units: 64, dropout: 0.15, act: 'gelu' };
    assert.deepEqual(space.validateParams(p), p);
  });
  const bad: Array<[Record<string, unknown>, string]> = [
    [{ lr: 0.001, units: 64, dropout: 0.15 }, 'params.act'],
    [{ lr: 1, units: 64, dropout: 0.15, act: 'relu' }, 'params.lr'],
    [{ lr: 0.001, units: 64.5, dropout: 0.15, act: 'relu' }, 'params.units'],
    [{ lr: 0.001, units: 64, dropout: 0.12, act: 'relu' }, 'params.dropout'],
    [{ lr: 0.001, units: 64, dropout: 0.15, act: 'tanh' }, 'params.act'],
    [{ lr: 0.001, units: 64, dropout: 0.15, act: 'relu', other: 1 }, 'params.other'],
    [{ lr: '0.1', units: 64, dropout: 0.15, act: 'relu' }, 'params.lr'],
  ];
  for (const [input, path] of bad) {
    it(`rejects at ${path}`, () => {
      assert.throws(
        () => space.validateParams(input),
        (e: unknown) => e instanceof SearchSpaceError && e.path === path,
      );
    });
  }
});

describe('property: random spaces decode to valid params', () => {
  it('every decoded point of 200 random spaces is inside its space with the right types', () => {
    const rng = createRng(7);
    for (let s = 0; s < 200; s++) {
      const specs: unknown[] = [];
      const nParams = 1 + rng.int(5);
      for (let i = 0; i < nParams; i++) {
        const kind = rng.int(5);
        const low = Math.round((rng.next() * 20 - 10) * 100) / 100;
        const width = 0.5 + rng.next() * 50;
        if (kind === 0) specs.push({ name: `p${i}`, type: 'float', low, high: low + width });
        if (kind === 1)
          specs.push({ name: `p${i}`, type: 'float', low: 1e-3 + rng.next(), high: 2 + width, log: true });
        if (kind === 2)
          specs.push({ name: `p${i}`, type: 'float', low, high: low + width, step: 0.1 + rng.int(5) / 4 });
        if (kind === 3) {
          const lo = Math.round(low);
          specs.push({ name: `p${i}`, type: 'int', low: lo, high: lo + rng.int(40), step: 1 + rng.int(3) });
        }
        if (kind === 4)
          specs.push({
            name: `p${i}`,
            type: 'categorical',
            choices: ['a', 2, false].slice(0, 1 + rng.int(3)),
          });
      }
      const space = parseSearchSpace(specs);
      for (let k = 0; k < 20; k++) {
        const u = Array.from({ length: nParams }, () => (k === 0 ? 0 : k === 1 ? 0.999999999 : rng.next()));
        const relaxed = Float64Array.from(u, (v) => v * 1.2 - 0.1); // also outside [0, 1]
        for (const x of [space.fromUnit(u), relaxed]) {
          const params = space.decode(x);
          assert.deepEqual(space.validateParams(params), params);
          for (const spec of space.params) {
            const v = params[spec.name];
            if (spec.type === 'int') assert.ok(Number.isInteger(v));
            if (spec.type === 'categorical') assert.ok(spec.choices.includes(v as never));
          }
        }
      }
    }
  });
});
