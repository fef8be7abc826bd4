import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkpointFileName,
  conditionalTransferLearningSearchSpace,
  DEFAULT_HEAD_PARAMS,
  headUnits,
  parseHeadParams,
  transferLearningSearchSpace,
} from './params.js';
import { inverseTimeDecay } from './train.js';

describe('transfer-learning params', () => {
  it('names checkpoints after the hyperparameters', () => {
    const name = checkpointFileName(12, {
      lr: 0.0012,
      decay: 0.05,
      dropout: 0.25,
      units1: 128,
      units2: 64,
      units3: 32,
      l2: 0.0001,
      batch: 64,
    });
    assert.equal(name, 'trial-12_lr=1.2e-3_decay=0.05_dropout=0.25_u1=128_u2=64_u3=32_l2=1e-4_bs=64.json');
    const odd = checkpointFileName(1, { ...DEFAULT_HEAD_PARAMS, lr: 0.012345678, dropout: 0, l2: 2.5e-7 });
    assert.match(odd, /^trial-1_lr=0\.012_decay=0\.05_dropout=0_u1=128_u2=64_u3=32_l2=2\.5e-7_bs=64\.json$/);
  });

  it('reads params, filling in defaults and rejecting unusable values', () => {
    assert.deepEqual(parseHeadParams({}), DEFAULT_HEAD_PARAMS);
    assert.deepEqual(parseHeadParams({ batch: '128', lr: 0.01 }), {
      ...DEFAULT_HEAD_PARAMS,
      batch: 128,
      lr: 0.01,
    });
    assert.throws(() => parseHeadParams({ dropout: 1 }), /dropout=1 must be a number in \[0, 1\)/);
    assert.throws(() => parseHeadParams({ lr: 'fast' }), /lr="fast"/);
    assert.throws(() => parseHeadParams({ units1: 0 }), /units1/);
  });

  it('conditional variant: `layers` picks 1-3 dense layers, and only their units name the checkpoint', () => {
    const two = parseHeadParams({ layers: 2, units1: 200, units2: 40 });
    assert.equal(two.layers, 2);
    assert.deepEqual(headUnits(two), [200, 40]);
    assert.match(checkpointFileName(4, two), /_u1=200_u2=40_l2=/);
    assert.deepEqual(headUnits(parseHeadParams({})), [128, 64, 32]);
    assert.throws(() => parseHeadParams({ layers: 4 }), /layers=4 must be 1, 2 or 3/);
    const names = conditionalTransferLearningSearchSpace.map((p) => p.name);
    assert.deepEqual([...names].sort(), [...Object.keys(DEFAULT_HEAD_PARAMS), 'layers'].sort());
  });

  it('decays the learning rate as lr0 / (1 + rate * step / decaySteps)', () => {
    assert.equal(inverseTimeDecay(0.01, 0.5, 0, 100), 0.01);
    assert.equal(inverseTimeDecay(0.01, 0.5, 100, 100), 0.01 / 1.5);
    assert.equal(inverseTimeDecay(0.01, 0.5, 300, 100), 0.01 / 2.5);
    assert.equal(inverseTimeDecay(0.01, 0, 300, 100), 0.01);
  });

  it('has a search space in the docs/DESIGN.md section 3 format covering every hyperparameter', () => {
    const names = transferLearningSearchSpace.map((p) => p.name);
    assert.deepEqual([...names].sort(), Object.keys(DEFAULT_HEAD_PARAMS).sort());
    for (const entry of transferLearningSearchSpace) {
      assert.match(entry.name, /^[A-Za-z0-9_.-]{1,64}$/);
      if (entry.type === 'categorical') continue;
      assert.ok(entry.low < entry.high, entry.name);
      if ('log' in entry && entry.log) assert.ok(entry.low > 0, entry.name);
      // Every default lies inside the space.
      const d = DEFAULT_HEAD_PARAMS[entry.name];
      assert.ok(d >= entry.low && d <= entry.high, `${entry.name} default ${d}`);
    }
    // Round-trips through JSON (it travels as GraphQL JSON).
    assert.deepEqual(JSON.parse(JSON.stringify(transferLearningSearchSpace)), transferLearningSearchSpace);
  });
});
