import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { suggest } from './samplers.js';
import { type Params, parseSearchSpace } from './search-space.js';
import { fitSurrogate } from './surrogate.js';

describe('surrogate for insights', () => {
  const space = parseSearchSpace([
    { name: 'important', type: 'float', low: -2, high: 2 },
    { name: 'flat', type: 'float', low: 0, high: 1 },
    { name: 'cat', type: 'categorical', choices: ['a', 'b'] },
  ]);
  const f = (p: Params): number => Math.sin(3 * Number(p.important)) + 0.01 * Number(p.flat);
  const completed: Array<{ params: Params; value: number }> = [];
  for (let t = 0; t < 25; t++) {
    const s = suggest(
      { type: 'qmc', seed: 2 },
      { space, direction: 'MAXIMIZE', completed, pending: [], seed: t },
    );
    completed.push({ params: s.params, value: f(s.params) });
  }
  const request = { space, direction: 'MAXIMIZE' as const, completed, pending: [], seed: 0 };

  it('returns null with too few data', () => {
    assert.equal(fitSurrogate({ type: 'gp' }, { ...request, completed: completed.slice(0, 2) }), null);
  });

  it('predicts in objective units, close to the data where it was observed', () => {
    const s = fitSurrogate({ type: 'gp' }, request);
    assert.ok(s);
    const preds = s.predict(completed.slice(0, 5).map((c) => c.params));
    preds.forEach((p, i) => {
      assert.ok(Math.abs(p.mean - (completed[i]?.value ?? 0)) < 0.05, `mean ${p.mean}`);
      assert.ok(p.std >= 0 && p.std < 0.1);
    });
    const far = s.predict([{ important: 0.123, flat: 0.5, cat: 'a' }]);
    assert.ok(Math.abs((far[0]?.mean ?? 0) - f({ important: 0.123, flat: 0.5 })) < 0.3);
  });

  it('exposes the acquisition, lengthscales and importance', () => {
    const s = fitSurrogate({ type: 'gp' }, request);
    assert.ok(s);
    const acq = s.acquisition([{ important: 0.5, flat: 0.5, cat: 'b' }, completed[0]?.params ?? {}]);
    assert.equal(acq.length, 2);
    assert.ok(acq.every(Number.isFinite));
    const ls = s.lengthscales();
    assert.deepEqual(Object.keys(ls), ['important', 'flat', 'cat']);
    assert.ok((ls.important ?? 0) < (ls.flat ?? 0));
    const imp = s.importance();
    const total = Object.values(imp).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - 1) < 1e-12);
    assert.ok((imp.important ?? 0) > 0.5, JSON.stringify(imp));
  });
});
