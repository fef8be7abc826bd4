import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePrunerConfig } from './config.js';
import { ConfigError } from './errors.js';
import { type IntermediateValue, type OtherTrial, pruneDecision, shouldPrune } from './pruners.js';

const curve = (values: number[], from = 0): IntermediateValue[] =>
  values.map((value, i) => ({ step: from + i, value }));
const complete = (values: number[]): OtherTrial => ({ state: 'COMPLETE', values: curve(values) });

describe('median pruner', () => {
  const config = parsePrunerConfig({ type: 'median', warmupSteps: 2, minTrials: 3 });
  const others = [complete([5, 4, 3, 2]), complete([6, 5, 4, 3]), complete([4, 3, 2, 1])];

  it('prunes a trial worse than the median at the same step, after warm-up', () => {
    assert.equal(shouldPrune(config, 'MINIMIZE', curve([9, 9, 9]), others), true);
    assert.equal(shouldPrune(config, 'MINIMIZE', curve([9, 9]), others), false, 'still warming up');
  });
  it('keeps a trial at or better than the median', () => {
    assert.equal(shouldPrune(config, 'MINIMIZE', curve([5, 4, 3]), others), false);
    assert.equal(shouldPrune(config, 'MINIMIZE', curve([9, 9, 2.5]), others), false);
  });
  it('respects the direction', () => {
    assert.equal(shouldPrune(config, 'MAXIMIZE', curve([9, 9, 9]), others), false);
    assert.equal(shouldPrune(config, 'MAXIMIZE', curve([1, 1, 1]), others), true);
  });
  it('waits for minTrials completed trials, ignoring running and pruned ones', () => {
    const few = [
      complete([5, 4, 3]),
      { state: 'RUNNING' as const, values: curve([1, 1, 1]) },
      complete([1, 1, 1]),
    ];
    assert.equal(shouldPrune(config, 'MINIMIZE', curve([9, 9, 9]), few), false);
  });
  it('ignores NaN reports', () => {
    assert.equal(shouldPrune(config, 'MINIMIZE', curve([Number.NaN, Number.NaN, Number.NaN]), others), false);
  });
});

describe('asynchronous successive halving', () => {
  const config = parsePrunerConfig({ type: 'asha', minResource: 1, reductionFactor: 3, minTrials: 3 });
  // Rungs at steps 1, 3, 9, ...
  const peers = [1, 2, 3, 4, 5, 6, 7, 8].map((v) => ({
    state: 'RUNNING' as const,
    values: curve([v, v, v, v], 0),
  }));

  it('promotes the top 1/eta at a rung and prunes the rest', () => {
    assert.equal(shouldPrune(config, 'MINIMIZE', curve([0, 1.5]), peers), false);
    assert.equal(shouldPrune(config, 'MINIMIZE', curve([0, 2.5]), peers), false);
    assert.equal(shouldPrune(config, 'MINIMIZE', curve([0, 3.5]), peers), true);
  });
  it('decides only when a report crosses a rung', () => {
    assert.equal(shouldPrune(config, 'MINIMIZE', curve([0, 1, 9]), peers), false, 'step 2 is no rung');
    assert.equal(shouldPrune(config, 'MINIMIZE', curve([0, 1, 9, 9]), peers), true, 'step 3 is');
    assert.equal(
      shouldPrune(config, 'MINIMIZE', curve([9]), peers),
      false,
      'step 0 is before the first rung',
    );
  });
  it('warms up until the first rung, minResource * eta^minEarlyStoppingRate', () => {
    for (const warm of [
      { minResource: 3, minEarlyStoppingRate: 0 },
      { minResource: 1, minEarlyStoppingRate: 1 },
    ]) {
      const later = parsePrunerConfig({ type: 'asha', reductionFactor: 3, minTrials: 3, ...warm });
      // Rungs at steps 3, 9, ...: the step-1 report that `config` prunes above is still warm-up.
      assert.equal(shouldPrune(later, 'MINIMIZE', curve([0, 9]), peers), false, JSON.stringify(warm));
      assert.equal(shouldPrune(later, 'MINIMIZE', curve([0, 9, 9]), peers), false, JSON.stringify(warm));
      assert.equal(shouldPrune(later, 'MINIMIZE', curve([0, 9, 9, 9]), peers), true, JSON.stringify(warm));
    }
    assert.equal(shouldPrune(config, 'MINIMIZE', curve([0, 9]), peers), true);
  });
  it('needs minTrials trials at the rung', () => {
    assert.equal(shouldPrune(config, 'MINIMIZE', curve([0, 9]), peers.slice(0, 1)), false);
  });
  it('respects the direction', () => {
    assert.equal(shouldPrune(config, 'MAXIMIZE', curve([0, 8.5]), peers), false);
    assert.equal(shouldPrune(config, 'MAXIMIZE', curve([0, 0.5]), peers), true);
  });
});

describe('parsePrunerConfig', () => {
  it('defaults to none and fills defaults', () => {
    assert.deepEqual(parsePrunerConfig(undefined), { type: 'none' });
    assert.deepEqual(parsePrunerConfig({ type: 'median' }), { type: 'median', warmupSteps: 0, minTrials: 5 });
    assert.equal(shouldPrune({ type: 'none' }, 'MINIMIZE', curve([1e9]), []), false);
  });
  for (const [input, path] of [
    [{ type: 'hyperband' }, 'pruner.type'],
    [{ type: 'median', warmupSteps: -1 }, 'pruner.warmupSteps'],
    [{ type: 'asha', reductionFactor: 1 }, 'pruner.reductionFactor'],
    [{ type: 'median', minResource: 1 }, 'pruner.minResource'],
    ['median', 'pruner'],
  ] as const) {
    it(`rejects at ${path}`, () => {
      assert.throws(
        () => parsePrunerConfig(input),
        (e: unknown) => e instanceof ConfigError && e.path === path,
      );
    });
  }
});

describe('prune decisions in words (issue 15 item 8)', () => {
  it("the median pruner names the step, the median, how many trials, and the trial's best", () => {
    const config = parsePrunerConfig({ type: 'median', warmupSteps: 0, minTrials: 3 });
    const others = [complete([0.5, 0.4]), complete([0.5, 0.41]), complete([0.5, 0.42])];
    assert.deepEqual(pruneDecision(config, 'MINIMIZE', curve([0.6, 0.52]), others), {
      step: 1,
      reason: "median of 3 completed trials at step 1 was 0.41; this trial's best so far 0.52",
    });
    assert.equal(pruneDecision(config, 'MINIMIZE', curve([0.6, 0.3]), others), null);
  });
  it("ASHA names the rung, its step, the cut-off and the trial's value there", () => {
    const config = parsePrunerConfig({ type: 'asha', minResource: 1, reductionFactor: 3, minTrials: 3 });
    const peers = [1, 2, 3, 4, 5, 6, 7, 8].map((v) => ({ state: 'RUNNING' as const, values: curve([v, v]) }));
    assert.deepEqual(pruneDecision(config, 'MINIMIZE', curve([0, 3.5]), peers), {
      step: 1,
      reason: 'ASHA rung 0 (step 1): only the top 3 of 9 trials go on (cut-off 3); this trial 3.5',
    });
  });
});
