import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixtureStudy } from './fixtures.ts';
import { CurveStore, defaultMetric } from './learning-curves.ts';
import type { MetricPoint } from './types.ts';

const p = (trialId: string, step: number, value: number, name = 'val_loss'): MetricPoint => ({
  trialId,
  name,
  step,
  value,
  time: '2026-01-01T00:00:00Z',
});

describe('CurveStore', () => {
  it('appends, is idempotent on (trial, name, step) and sorts out-of-order steps', () => {
    const s = new CurveStore();
    assert.equal(s.add([p('a', 0, 1), p('a', 2, 0.5)]), true);
    const v = s.version;
    assert.equal(s.add([p('a', 2, 0.5)]), false, 'a retried report changes nothing');
    assert.equal(s.version, v);
    s.add([p('a', 1, 0.7)]);
    assert.deepEqual(s.curve('a', 'val_loss'), [
      [0, 1],
      [1, 0.7],
      [2, 0.5],
    ]);
    s.add([p('a', 1, 0.6)]);
    assert.deepEqual(s.curve('a', 'val_loss')[1], [1, 0.6], 'a corrected value replaces the old one');
    assert.equal(s.size, 3);
    assert.equal(s.lastPoint?.value, 0.6);
  });

  it("reads a trial's last reported value (at its highest step), for the query box and metric columns", () => {
    const s = new CurveStore();
    s.add([p('a', 3, 0.4), p('a', 1, 0.9), p('b', 0, 2, 'acc')]);
    assert.equal(s.last('a', 'val_loss'), 0.4, 'the highest step, not the latest report');
    assert.equal(s.last('a', 'acc'), null);
    assert.equal(s.has('b', 'acc'), true);
    assert.equal(s.has('b', 'val_loss'), false);
  });

  it('merges curves into one gapped polyline, excluding chosen trials', () => {
    const s = new CurveStore();
    s.add([p('a', 0, 1), p('a', 1, 0.5), p('b', 0, 2), p('c', 0, 3), p('c', 0, 9, 'acc')]);
    assert.deepEqual(s.merged('val_loss', new Set(['b'])), [
      [0, 1],
      [1, 0.5],
      [null, null],
      [0, 3],
      [null, null],
    ]);
    assert.deepEqual(s.metricNames(), ['acc', 'val_loss']);
  });

  it('flattens the gapped polyline into a typed array with NaN pairs between curves', () => {
    const s = new CurveStore();
    s.add([p('a', 0, 1), p('a', 1, 0.5), p('b', 0, 2), p('c', 0, 3), p('c', 0, 9, 'acc')]);
    const { data, curves } = s.mergedFlat('val_loss', new Set(['b']));
    assert.equal(curves, 2);
    assert.deepEqual([...data], [0, 1, 1, 0.5, Number.NaN, Number.NaN, 0, 3, Number.NaN, Number.NaN]);
    const flat = s.merged('val_loss').flatMap(([x, y]) => [x ?? Number.NaN, y ?? Number.NaN]);
    assert.deepEqual([...s.mergedFlat('val_loss').data], flat);
    assert.equal(s.mergedFlat('missing').data.length, 0);
  });

  it('holds 200,000 points of a large fixture', () => {
    const { metrics } = fixtureStudy({ trials: 12_000, steps: 20 });
    const s = new CurveStore();
    s.add(metrics);
    assert.ok(s.size >= 200_000, `has ${s.size}`);
    assert.equal(s.merged('val_loss').length, s.size + s.trialIds().length);
  });
});

describe('defaultMetric', () => {
  it('prefers the objective', () => {
    assert.equal(defaultMetric(['acc', 'val_loss'], 'val_loss'), 'val_loss');
    assert.equal(defaultMetric(['acc'], 'val_loss'), 'acc');
    assert.equal(defaultMetric([], 'val_loss'), null);
  });
});

describe('CurveStore.nearest (naming a curve under the pointer)', () => {
  const pts = (trialId: string, values: number[]) =>
    values.map((value, step) => ({ trialId, name: 'loss', step, value, time: '' }));

  it('interpolates between steps and picks the closest curve within the tolerance', () => {
    const s = new CurveStore();
    s.add([...pts('a', [1, 0.8, 0.6]), ...pts('b', [2, 1.5, 1]), ...pts('c', [5])]);
    assert.equal(s.valueAt('a', 'loss', 0.5), 0.9);
    assert.equal(s.valueAt('c', 'loss', 1), null, 'outside its steps');
    assert.equal(s.nearest('loss', 1.5, 1.3, 0.2, ['a', 'b', 'c']), 'b');
    assert.equal(s.nearest('loss', 1.5, 0.72, 0.2, ['a', 'b', 'c']), 'a');
    assert.equal(s.nearest('loss', 1.5, 3, 0.2, ['a', 'b', 'c']), null, 'nothing close enough');
    assert.equal(s.nearest('loss', 1.5, 1.3, 0.2, ['a']), null, 'only among the given trials');
  });
});
