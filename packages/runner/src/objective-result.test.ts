import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeObjectiveResult, type ResultShape } from './objective-result.js';

const single: ResultShape = { objectives: ['loss'], constraints: [] };
const two: ResultShape = { objectives: ['val_loss', 'trainable_params'], constraints: [] };
const constrained: ResultShape = {
  objectives: ['val_loss', 'trainable_params'],
  constraints: ['latency_ms'],
};
const none = new Map<string, number>();

function fails(returned: unknown, shape: ResultShape, reported = none): string {
  const r = normalizeObjectiveResult(returned, shape, reported);
  assert.equal(r.ok, false, `expected a failure for ${JSON.stringify(returned)}`);
  const error = r.ok ? '' : r.error;
  assert.ok(!error.includes('\n'), `one line: ${error}`);
  return error;
}

describe('normalizeObjectiveResult (docs/DESIGN.md 6b)', () => {
  it('a number is the value of a single-objective study', () => {
    assert.deepEqual(normalizeObjectiveResult(0.25, single, none), {
      ok: true,
      values: [0.25],
      constraints: null,
    });
  });

  it('an array is one value per objective in study order', () => {
    assert.deepEqual(normalizeObjectiveResult([0.3, 1200], two, none), {
      ok: true,
      values: [0.3, 1200],
      constraints: null,
    });
  });

  it('records are put in study order whatever their key order', () => {
    const r = normalizeObjectiveResult(
      { values: { trainable_params: 1200, val_loss: 0.3 }, constraints: { latency_ms: -2 } },
      constrained,
      none,
    );
    assert.deepEqual(r, { ok: true, values: [0.3, 1200], constraints: [-2] });
  });

  it('nothing returned: each objective and constraint is the last reported point of its metric', () => {
    const reported = new Map([
      ['trainable_params', 900],
      ['val_loss', 0.4],
      ['latency_ms', 3],
      ['acc', 0.9],
    ]);
    assert.deepEqual(normalizeObjectiveResult(undefined, constrained, reported), {
      ok: true,
      values: [0.4, 900],
      constraints: [3],
    });
    assert.deepEqual(normalizeObjectiveResult(null, single, new Map([['loss', 2]])), {
      ok: true,
      values: [2],
      constraints: null,
    });
  });

  it('values without constraints on a constrained study read the constraints from the metrics', () => {
    const reported = new Map([['latency_ms', -1]]);
    assert.deepEqual(normalizeObjectiveResult([0.3, 10], constrained, reported), {
      ok: true,
      values: [0.3, 10],
      constraints: [-1],
    });
    assert.deepEqual(normalizeObjectiveResult({ values: [0.3, 10] }, constrained, reported), {
      ok: true,
      values: [0.3, 10],
      constraints: [-1],
    });
    assert.equal(
      fails({ values: [0.3, 10] }, constrained),
      'the objective returned no constraint values and never reported the metric latency_ms',
    );
  });

  it('a result that does not fit the study fails with what was expected', () => {
    assert.equal(
      fails(undefined, single),
      'the objective returned no value and never reported the metric loss',
    );
    assert.equal(
      fails(undefined, two, new Map([['acc', 1]])),
      'the objective returned no value and never reported the metrics val_loss, trainable_params',
    );
    assert.equal(
      fails(0.5, two),
      'the objective returned one number, expected 2 values (val_loss, trainable_params)',
    );
    assert.equal(
      fails([0.5], two),
      'the objective returned 1 objective value, expected 2 objectives (val_loss, trainable_params)',
    );
    assert.equal(
      fails({ values: { val_loss: 0.5, params: 3 } }, two),
      'the objective returned unknown objective params, expected 2 objectives (val_loss, trainable_params)',
    );
    assert.equal(
      fails({ values: { val_loss: 0.5 } }, two),
      'the objective returned no objective value for trainable_params, expected 2 objectives (val_loss, trainable_params)',
    );
    assert.equal(
      fails({ values: [0.5, 3], constraints: [1, 2] }, constrained),
      'the objective returned 2 constraint values, expected 1 constraint (latency_ms)',
    );
    assert.equal(
      fails({ values: [0.5], constraints: { latency: 1 } }, single),
      'the objective returned unknown constraint latency, expected no constraints',
    );
    assert.equal(
      fails({ values: [0.5], extra: 1 }, single),
      'the objective returned unknown field extra, expected a number (loss) or { values }',
    );
    assert.equal(
      fails('0.5', constrained),
      'the objective returned a string, expected 2 numbers (val_loss, trainable_params) or { values, constraints: 1 number (latency_ms) }',
    );
    assert.equal(
      fails({ loss: 1 }, single),
      'the objective returned an object, expected a number (loss) or { values }',
    );
    assert.equal(
      fails({ values: 'x' }, single),
      'the objective returned objectives as a string, expected 1 objective (loss)',
    );
  });

  it('non-finite or non-numeric values fail, naming the objective or constraint', () => {
    assert.equal(fails(Number.NaN, single), 'objective loss is not finite (NaN)');
    assert.equal(
      fails([0.1, Number.POSITIVE_INFINITY], two),
      'objective trainable_params is not finite (Infinity)',
    );
    assert.equal(
      fails({ values: [0.1, 2], constraints: [Number.NaN] }, constrained),
      'constraint latency_ms is not finite (NaN)',
    );
    assert.equal(fails(['0.1', 2], two), 'objective val_loss is a string, expected a number');
  });

  it('an empty constraint list fits a study without constraints', () => {
    assert.deepEqual(normalizeObjectiveResult({ values: [1], constraints: [] }, single, none), {
      ok: true,
      values: [1],
      constraints: null,
    });
  });
});
