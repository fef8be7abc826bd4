import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GP_DEFAULTS, parseSamplerConfig } from './config.js';
import { collectObservations } from './model.js';
import { type SuggestionInfo, suggest } from './samplers.js';
import { type Params, parseSearchSpace } from './search-space.js';
import { trialSeed } from './seeds.js';
import { fitTransferModel, MAX_TARGET_OBSERVATIONS, type SourceStudy } from './transfer.js';
import { BoxAcquisition, REFINE_HALF_WIDTH, refineBox } from './transfer-refine.js';

// Branin (the source study) and the warmstart bench's target: shifted by 10% of the range, scaled by 2.
const specs = [
  { name: 'x0', type: 'float' as const, low: -5, high: 10 },
  { name: 'x1', type: 'float' as const, low: 0, high: 15 },
];
const space = parseSearchSpace(specs);
const OPTIMUM = 0.397887357729739;
const branin = (p: Params): number => {
  const x = Number(p.x0);
  const y = Number(p.x1);
  const b = 5.1 / (4 * Math.PI ** 2);
  return (y - b * x * x + (5 / Math.PI) * x - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x) + 10;
};
const shifted = (p: Params): number => 2 * branin({ x0: Number(p.x0) - 1.5, x1: Number(p.x1) - 1.5 });

function study(
  f: (p: Params) => number,
  trials: number,
  seed: number,
  sources?: SourceStudy[],
  refine = false,
): { completed: Array<{ params: Params; value: number }>; infos: SuggestionInfo[] } {
  const config = parseSamplerConfig({ type: 'gp', seed, warmStartRefine: refine });
  const completed: Array<{ params: Params; value: number }> = [];
  const infos: SuggestionInfo[] = [];
  for (let t = 0; t < trials; t++) {
    const s = suggest(config, {
      space,
      direction: 'MINIMIZE',
      completed,
      pending: [],
      seed: trialSeed(seed, t),
      ...(sources ? { sources } : {}),
    });
    completed.push({ params: s.params, value: f(s.params) });
    infos.push(s.info);
  }
  return { completed, infos };
}

const source: SourceStudy = {
  space,
  direction: 'MINIMIZE',
  completed: study(branin, 30, 1000).completed,
};

describe('refinement of a confirmed transfer (transfer-refine.ts)', () => {
  it('BoxAcquisition maps the unit cube onto its box, gradients scaled by the box widths', () => {
    const inner = {
      values: (xs: Float64Array, count: number, out: Float64Array) => {
        for (let i = 0; i < count; i++) out[i] = (xs[2 * i] ?? 0) + 3 * (xs[2 * i + 1] ?? 0);
      },
      upperBounds: (xs: Float64Array, count: number, out: Float64Array) => inner.values(xs, count, out),
      value: (x: ArrayLike<number>) => (x[0] ?? 0) + 3 * (x[1] ?? 0),
      valueAndGradient: (x: ArrayLike<number>, grad: Float64Array) => {
        grad[0] = 1;
        grad[1] = 3;
        return inner.value(x);
      },
    };
    const box = new BoxAcquisition(inner, Float64Array.of(0.2, 0), Float64Array.of(0.4, 1));
    assert.equal(box.value([0.5, 0.5]), 0.3 + 1.5);
    const grad = new Float64Array(2);
    box.valueAndGradient([0, 0], grad);
    assert.ok(Math.abs((grad[0] ?? 0) - 0.2) < 1e-12 && grad[1] === 3);
    const out = new Float64Array(1);
    box.values(Float64Array.of(1, 0), 1, out);
    assert.ok(Math.abs((out[0] ?? 0) - 0.4) < 1e-12);
    assert.deepEqual(
      Array.from(box.fromBox([0.3, 0.25])).map((v) => Math.round(v * 1e9) / 1e9),
      [0.5, 0.25],
    );
  });

  it('confirms a related source only where it rates the best trial highly, with 2 (D + 1) trials nearby', () => {
    const { completed } = study(shifted, 14, 0, [source]);
    const obs = collectObservations(space, 'MINIMIZE', completed);
    const model = fitTransferModel(
      space,
      obs,
      [],
      [source],
      GP_DEFAULTS,
      true,
      undefined,
      Number.POSITIVE_INFINITY,
    );
    assert.ok(model, 'the guard accepts the shifted source');
    const box = refineBox(model, space, obs);
    assert.ok(box, 'the study found the basin the shifted source points to');
    for (let d = 0; d < 2; d++)
      assert.ok((box.hi[d] ?? 0) - (box.lo[d] ?? 0) <= 2 * REFINE_HALF_WIDTH + 1e-12);
    // The same trials with the best one moved to a corner the source rates poorly: not confirmed.
    const moved = completed.map((c) => ({ ...c }));
    const worst = { params: { x0: -5, x1: 0 }, value: -1e6 };
    moved.push(worst);
    const obs2 = collectObservations(space, 'MINIMIZE', moved);
    assert.equal(refineBox(model, space, obs2), null);
  });

  it('with warmStartRefine the study refines in the box instead of re-exploring the corners after the handover', () => {
    const trials = MAX_TARGET_OBSERVATIONS + 8;
    const refined = study(shifted, trials, 0, [source], true);
    const plain = study(shifted, trials, 0, [source], false);
    const late = (s: typeof refined) => s.completed.slice(MAX_TARGET_OBSERVATIONS).map((c) => c.value);
    const first = refined.infos.findIndex((i) => i.transfer?.refined === true);
    assert.ok(first >= 0 && first < MAX_TARGET_OBSERVATIONS, `refinement starts at ${first}`);
    assert.ok(!plain.infos.some((i) => i.transfer?.refined === true));
    // Without it the study's own GP spends trials far from the basin (values far above the optimum).
    const opt = 2 * OPTIMUM;
    assert.ok(Math.max(...late(plain)) - opt > 1, 'the plain handover re-explores');
    assert.ok(
      Math.max(...late(refined)) - opt < 1,
      `refined trials stay in the basin: ${Math.max(...late(refined)) - opt}`,
    );
    const best = (s: typeof refined) => Math.min(...s.completed.map((c) => c.value)) - opt;
    assert.ok(best(refined) < best(plain), `${best(refined)} vs ${best(plain)}`);
  });
});
