import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURE_SPACE, fixtureStudy } from './fixtures.ts';
import { estimateImportance, normalizeImportance } from './importance.ts';
import { buildParallel } from './parallel.ts';
import { buildPredicted } from './predicted.ts';
import { BAND_Z, buildSurrogate } from './surrogate.ts';

const { trials, surrogate } = fixtureStudy({ trials: 400, steps: 0, seed: 3 });

describe('buildParallel', () => {
  it('has one axis per param plus the objective, with log and category axes', () => {
    const d = buildParallel(FIXTURE_SPACE, trials, 'val_loss', 'MINIMIZE');
    assert.deepEqual(
      d.axes.map((a) => [a.name, a.type]),
      [
        ['lr', 'log'],
        ['units1', 'log'],
        ['dropout', 'value'],
        ['batch', 'category'],
        ['act', 'category'],
        ['bn', 'category'],
        ['val_loss (min)', 'value'],
      ],
    );
    assert.deepEqual(d.axes[3]?.categories, ['16', '32', '64', '128', '256']);
    assert.equal(d.rows.length, trials.filter((t) => t.state === 'COMPLETE').length);
    const row = d.rows[0];
    assert.equal(row?.length, 8, 'params, objective, trial number');
    assert.equal(typeof row?.[4], 'string');
  });
});

describe('estimateImportance', () => {
  it('finds the parameters that drive the fixture objective and sums to 1', () => {
    const imp = estimateImportance(FIXTURE_SPACE, trials);
    assert.equal(imp.length, FIXTURE_SPACE.length);
    assert.ok(Math.abs(imp.reduce((a, b) => a + b.importance, 0) - 1) < 1e-9);
    assert.equal(imp[0]?.param, 'lr', 'lr dominates the fixture objective');
    const bn = imp.find((p) => p.param === 'bn');
    assert.ok((bn?.importance ?? 1) < 0.1, 'bn has no effect');
  });
  it('needs a few trials', () => {
    assert.deepEqual(estimateImportance(FIXTURE_SPACE, trials.slice(0, 2)), []);
  });
  it('normalizes API values and drops invalid ones', () => {
    assert.deepEqual(
      normalizeImportance([
        { param: 'a', importance: 1 },
        { param: 'b', importance: 3 },
        { param: 'c', importance: Number.NaN },
      ]),
      [
        { param: 'b', importance: 0.75 },
        { param: 'a', importance: 0.25 },
      ],
    );
  });
});

describe('buildSurrogate', () => {
  it('builds a symmetric 95% band and finds the acquisition maximum', () => {
    const s = surrogate[0];
    assert.ok(s);
    const d = buildSurrogate(s, trials, { logX: true });
    assert.equal(d.mean.length, 100);
    const i = 10;
    const m = d.mean[i]?.[1] ?? 0;
    const lo = d.lower[i]?.[1] ?? 0;
    const w = d.band[i]?.[1] ?? 0;
    assert.ok(Math.abs(m - lo - BAND_Z * (s.std[i] ?? 0)) < 1e-12);
    assert.ok(Math.abs(lo + w - (m + BAND_Z * (s.std[i] ?? 0))) < 1e-12);
    const k = s.acquisition.indexOf(Math.max(...s.acquisition));
    assert.equal(d.argmax, s.x[k]);
    assert.ok(d.observed.length > 200);
  });
});

describe('buildPredicted', () => {
  it('pairs GP predictions with outcomes and scores them', () => {
    const d = buildPredicted(trials);
    assert.ok(d.points.length > 100);
    assert.ok(d.points.every((p) => Number.isFinite(p.predicted) && Number.isFinite(p.actual)));
    assert.ok((d.correlation ?? 0) > 0.8, `correlation ${d.correlation}`);
    assert.ok(d.coverage !== null && d.coverage > 0.5);
    assert.ok(d.range && d.range[0] < d.range[1]);
  });
  it('is empty without model suggestions', () => {
    const d = buildPredicted(trials.map((t) => ({ ...t, suggestion: null })));
    assert.deepEqual(d, { points: [], range: null, rmse: null, correlation: null, coverage: null });
  });
});
