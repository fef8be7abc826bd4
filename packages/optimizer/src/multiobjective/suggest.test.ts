import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GP_DEFAULTS } from '../config.js';
import { ConfigError } from '../errors.js';
import { ModelCache } from '../model-cache.js';
import { createRng } from '../rng.js';
import { type SuggestRequest, suggest } from '../samplers.js';
import { type Params, parseSearchSpace } from '../search-space.js';
import { paretoFrontIndices } from './pareto.js';
import {
  augmentedChebyshev,
  type CompletedTrial,
  isScalarisedStep,
  leastServedWeights,
  observedRange,
  prepareAcquisition,
  referenceDivisions,
  referencePoint,
  simplexWeights,
} from './suggest.js';

const space2 = [
  { name: 'a', type: 'float', low: 0, high: 1 },
  { name: 'b', type: 'float', low: 0, high: 1 },
  { name: 'c', type: 'float', low: 0, high: 1 },
] as const;
const space = parseSearchSpace(space2);
const objectives = [
  { name: 'loss', direction: 'MINIMIZE' as const },
  { name: 'accuracy', direction: 'MAXIMIZE' as const },
];

function twoObjectives(p: Params): number[] {
  const a = Number(p.a);
  const b = Number(p.b);
  const c = Number(p.c);
  return [a * a + (b - 0.3) ** 2 + c, 1 - (a - 1) ** 2 - (b - 0.7) ** 2 - c];
}

/** A seeded random history of n trials, with constraint c <= 0 (c = a + b - 1) when asked. */
function history(n: number, withConstraint: boolean, seed = 1): CompletedTrial[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => {
    const params = { a: rng.next(), b: rng.next(), c: rng.next() };
    const values = twoObjectives(params);
    const trial: CompletedTrial = { params, value: values[0] as number, values };
    if (withConstraint) trial.constraints = [params.a + params.b - 1];
    return trial;
  });
}

function request(completed: CompletedTrial[], extra: Partial<SuggestRequest> = {}): SuggestRequest {
  return {
    space: space2 as never,
    direction: 'MINIMIZE',
    objectives,
    completed,
    pending: [],
    seed: 5,
    ...extra,
  };
}

describe('multi-objective GP suggestions', () => {
  it('are deterministic for a seed and report means, stds, acquisition and the reference point', () => {
    const completed = history(20, false);
    const a = suggest({ type: 'gp', seed: 3 }, request(completed));
    const b = suggest({ type: 'gp', seed: 3 }, request(completed));
    assert.deepEqual(a, b);
    assert.equal(a.info.phase, 'model');
    assert.equal(a.info.acquisitionName, 'logehvi');
    assert.equal(a.info.means?.length, 2);
    assert.equal(a.info.stds?.length, 2);
    assert.ok(Number.isFinite(a.info.acquisition));
    assert.equal(a.info.referencePoint?.source, 'inferred');
    // Inferred: the worst value of each objective on the feasible front plus 1/H of the range of
    // that objective over every feasible trial, H = front size - 1 in [1, 10]; with two objectives
    // the front the models predict past the observed one can only move it further out.
    const front = paretoFrontIndices(
      completed.map((t) => t.values as number[]),
      ['MINIMIZE', 'MAXIMIZE'],
    ).map((i) => completed[i] as CompletedTrial);
    assert.ok(front.length >= 2 && front.length < completed.length);
    const loss = completed.map((t) => t.values?.[0] as number);
    const acc = completed.map((t) => t.values?.[1] as number);
    const frontLoss = Math.max(...front.map((t) => t.values?.[0] as number));
    const frontAcc = Math.min(...front.map((t) => t.values?.[1] as number));
    assert.ok(frontLoss < Math.max(...loss));
    const h = Math.min(10, front.length - 1);
    const lossRef = frontLoss + (Math.max(...loss) - Math.min(...loss)) / h;
    const accRef = frontAcc - (Math.max(...acc) - Math.min(...acc)) / h;
    assert.ok((a.info.referencePoint?.values[0] as number) >= lossRef - 1e-12);
    assert.ok((a.info.referencePoint?.values[1] as number) <= accRef + 1e-12);
  });

  it('predicted front points push the inferred reference point out, never in', () => {
    const objectivesMin = objectives.map((o) => ({ ...o, direction: 'MINIMIZE' as const }));
    // Observed front (1, 5), (3, 2); ranges 4 and 6 (with the dominated (5, 8)); H = 1.
    const rows = [
      [1, 5],
      [3, 2],
      [5, 8],
    ];
    const base = referencePoint(rows, objectivesMin, undefined)?.min;
    assert.deepEqual(base, [3 + 4, 5 + 6]);
    // A prediction past the low-f2 end extends the front: the nadir's f1 becomes 6.
    assert.deepEqual(referencePoint(rows, objectivesMin, undefined, [[6, 1]])?.min, [6 + 4, 5 + 6]);
    // Dominated predictions, or ones inside the observed front's extent, change nothing.
    const inside = [
      [4, 3],
      [2, 2.5],
    ];
    assert.deepEqual(referencePoint(rows, objectivesMin, undefined, inside)?.min, [3 + 4, 5 + 6]);
    // Past the low-f1 end: the nadir's f2 becomes 9.
    assert.deepEqual(referencePoint(rows, objectivesMin, undefined, [[0.5, 9]])?.min, [3 + 4, 9 + 6]);
    // A prediction that dominates an observed extreme does not pull the nadir in.
    assert.deepEqual(referencePoint(rows, objectivesMin, undefined, [[2.5, 1.5]])?.min, [3 + 4, 5 + 6]);
  });

  it('a 2-objective study whose models predict the front past its observed end places the reference beyond it', () => {
    // f = (a, 1 - a) on the line b = c = 0.5, observed only for a in [0.1, 0.5]: every trial is on
    // the front, which the models extrapolate to a = 0 and a = 1.
    const line: CompletedTrial[] = Array.from({ length: 12 }, (_, i) => {
      const a = 0.1 + (0.4 * i) / 11;
      return { params: { a, b: 0.5, c: 0.5 }, value: a, values: [a, 1 - a] };
    });
    const objectivesMin = objectives.map((o) => ({ ...o, direction: 'MINIMIZE' as const }));
    const observed = referencePoint(
      line.map((t) => t.values as number[]),
      objectivesMin,
      undefined,
    )?.info.values as number[];
    const s = suggest({ type: 'gp', seed: 3 }, request(line, { objectives: objectivesMin }));
    const ref = s.info.referencePoint?.values as number[];
    assert.equal(s.info.referencePoint?.source, 'inferred');
    assert.ok((ref[0] as number) > (observed[0] as number) + 0.2, `${ref} vs ${observed}`);
    assert.ok((ref[1] as number) > (observed[1] as number) + 0.05, `${ref} vs ${observed}`);
  });

  it('the inferred reference point starts a whole range past a small 2-objective front and settles at 10%', () => {
    const sizes = [1, 2, 3, 5, 11, 12, 50];
    assert.deepEqual(
      sizes.map((size) => referenceDivisions(size, 2)),
      [1, 1, 2, 4, 10, 10, 10],
    );
    assert.deepEqual(
      sizes.map((size) => referenceDivisions(size, 3)),
      sizes.map(() => 10),
    );
    const objectivesMin = objectives.map((o) => ({ ...o, direction: 'MINIMIZE' as const }));
    // Two front points and a dominated one: ranges 4 and 6, front nadir (3, 5).
    const rows = [
      [1, 5],
      [3, 2],
      [5, 8],
    ];
    assert.deepEqual(referencePoint(rows, objectivesMin, undefined)?.min, [3 + 4, 5 + 6]);
    // Twelve points on a line: H = 10.
    const line = Array.from({ length: 12 }, (_, i) => [i, 11 - i]);
    assert.deepEqual(referencePoint(line, objectivesMin, undefined)?.min, [11 + 1.1, 11 + 1.1]);
  });

  it("uses the study's reference point and rejects one of the wrong length", () => {
    const completed = history(20, false);
    const s = suggest({ type: 'gp', seed: 3 }, request(completed, { referencePoint: [3, -1] }));
    assert.deepEqual(s.info.referencePoint, { values: [3, -1], source: 'study' });
    for (const history of [completed, completed.slice(0, 3)]) {
      assert.throws(
        () => suggest({ type: 'gp', seed: 3 }, request(history, { referencePoint: [3] })),
        (e: unknown) => e instanceof ConfigError && /referencePoint/.test(e.message),
      );
    }
  });

  it('a pending point lowers the acquisition near it (kriging believer)', () => {
    const completed = history(20, false);
    const first = suggest({ type: 'gp', seed: 3 }, request(completed));
    const x = space.snap(space.encode(first.params));
    const env = (pending: Float64Array[]) => ({
      space,
      options: GP_DEFAULTS,
      rng: createRng(1),
      taken: new Set<string>(),
      pending,
      warnings: [],
      cache: new ModelCache(),
    });
    const without = prepareAcquisition(request(completed), env([]));
    const withPending = prepareAcquisition(request(completed), env([x]));
    assert.ok(without.ready && withPending.ready);
    const near = Float64Array.from(x, (v) => Math.min(1, v + 0.01));
    assert.ok(
      withPending.acquisition.value(x) < without.acquisition.value(x) - 1,
      `${withPending.acquisition.value(x)} vs ${without.acquisition.value(x)}`,
    );
    assert.ok(withPending.acquisition.value(near) < without.acquisition.value(near));
    // And the next suggestion moves away from the pending one.
    const second = suggest({ type: 'gp', seed: 3 }, request(completed, { pending: [first.params] }));
    assert.notDeepEqual(second.params, first.params);
  });

  it('the acquisition gradient in x matches finite differences (LogEHVI + log PoF)', () => {
    const completed = history(25, true);
    const env = {
      space,
      options: GP_DEFAULTS,
      rng: createRng(1),
      taken: new Set<string>(),
      pending: [] as Float64Array[],
      warnings: [],
      cache: new ModelCache(),
    };
    for (const constraints of [[], [{ name: 'budget' }]]) {
      const prepared = prepareAcquisition(request(completed, { constraints }), env);
      assert.ok(prepared.ready);
      assert.equal(prepared.name, constraints.length > 0 ? 'logehvi+logpof' : 'logehvi');
      const rng = createRng(9);
      for (let rep = 0; rep < 5; rep++) {
        const x = Float64Array.from({ length: 3 }, () => 0.1 + 0.8 * rng.next());
        const grad = new Float64Array(3);
        const v = prepared.acquisition.valueAndGradient(x, grad);
        assert.ok(Math.abs(v - prepared.acquisition.value(x)) < 1e-9 * Math.max(1, Math.abs(v)));
        // Relative to the gradient's norm: far from improving, log EHVI is in the thousands and
        // its coordinates span orders of magnitude, so rounding in the small ones is no error.
        const norm = Math.hypot(...grad);
        const h = 1e-5;
        for (let d = 0; d < 3; d++) {
          const up = Float64Array.from(x);
          const dn = Float64Array.from(x);
          up[d] = (up[d] as number) + h;
          dn[d] = (dn[d] as number) - h;
          const fd = (prepared.acquisition.value(up) - prepared.acquisition.value(dn)) / (2 * h);
          assert.ok(
            Math.abs((grad[d] as number) - fd) <= 1e-5 * Math.max(1, norm),
            `d=${d}: ${grad[d]} vs ${fd}`,
          );
        }
      }
    }
  });

  it('3 objectives run the box decomposition through the sampler', () => {
    const rng = createRng(4);
    // An even count: odd ones are ParEGO steps.
    const completed: CompletedTrial[] = Array.from({ length: 16 }, () => {
      const params = { a: rng.next(), b: rng.next(), c: rng.next() };
      const values = [params.a, params.b, 2 - params.a - params.b + params.c];
      return { params, value: values[0] as number, values };
    });
    const three = [0, 1, 2].map((j) => ({ name: `f${j}`, direction: 'MINIMIZE' as const }));
    const s = suggest({ type: 'gp', seed: 1 }, request(completed, { objectives: three }));
    assert.equal(s.info.acquisitionName, 'logehvi');
    assert.equal(s.info.means?.length, 3);
    // A pending trial counts as a suggestion made: the next one of the batch is a ParEGO step.
    const batch = suggest(
      { type: 'gp', seed: 1 },
      request(completed, { objectives: three, pending: [s.params] }),
    );
    assert.equal(batch.info.acquisitionName, 'logei-chebyshev');
  });

  it('a pending point believed on the front serves its direction: the next ParEGO step aims elsewhere', () => {
    const rng = createRng(4);
    // On the plane f0 + f1 + f2 = 2 + c: every trial with c = 0 is on the front.
    const values = (a: number, b: number, c: number) => [a, b, 2 - a - b + c];
    const completed: CompletedTrial[] = Array.from({ length: 16 }, () => {
      const params = { a: rng.next(), b: rng.next(), c: rng.next() };
      const v = values(params.a, params.b, params.c);
      return { params, value: v[0] as number, values: v };
    });
    const three = [0, 1, 2].map((j) => ({ name: `f${j}`, direction: 'MINIMIZE' as const }));
    const weightsWith = (pending: Float64Array) => {
      const prepared = prepareAcquisition(request(completed, { objectives: three }), {
        space,
        options: GP_DEFAULTS,
        rng: createRng(1),
        taken: new Set<string>(),
        pending: [pending],
        warnings: [],
        cache: new ModelCache(),
      });
      assert.ok(prepared.ready && prepared.weights, 'a ParEGO step');
      return prepared.weights;
    };
    // A pending point far behind the front serves no direction: the step aims where it would alone.
    const aimed = weightsWith(Float64Array.from([1, 1, 1]));
    // The front point best in the aimed direction, pending: the step turns to another direction.
    const scale = observedRange(completed.map((t) => t.values as number[]));
    let best = [0, 0];
    let bestValue = Number.POSITIVE_INFINITY;
    for (let a = 0; a <= 1; a += 0.05) {
      for (let b = 0; b <= 1; b += 0.05) {
        const v = augmentedChebyshev(values(a, b, 0), aimed, scale);
        if (v < bestValue) {
          bestValue = v;
          best = [a, b];
        }
      }
    }
    const turned = weightsWith(Float64Array.from([best[0] as number, best[1] as number, 0]));
    assert.notDeepEqual(turned, aimed);
  });

  it('3 objectives take a ParEGO step every other suggestion: valid, deterministic, with feasibility', () => {
    const rng = createRng(4);
    const completed: CompletedTrial[] = Array.from({ length: 17 }, () => {
      const params = { a: rng.next(), b: rng.next(), c: rng.next() };
      const values = [params.a, params.b, 2 - params.a - params.b + params.c];
      return { params, value: values[0] as number, values, constraints: [params.c - 0.8] };
    });
    const three = [0, 1, 2].map((j) => ({ name: `f${j}`, direction: 'MINIMIZE' as const }));
    const req = request(completed, { objectives: three, constraints: [{ name: 'c' }] });
    const s = suggest({ type: 'gp', seed: 1 }, req);
    assert.deepEqual(suggest({ type: 'gp', seed: 1 }, req), s);
    assert.equal(s.info.phase, 'model');
    assert.equal(s.info.acquisitionName, 'logei-chebyshev+logpof');
    assert.ok(Number.isFinite(s.info.acquisition));
    assert.equal(s.info.means?.length, 3);
    assert.equal(s.info.stds?.length, 3);
    assert.ok(s.info.stds?.every((v) => v >= 0));
    assert.ok((s.info.feasibility as number) > 0 && (s.info.feasibility as number) <= 1);
    for (const k of ['a', 'b', 'c']) assert.ok(Number(s.params[k]) >= 0 && Number(s.params[k]) <= 1);
    assert.ok(!completed.some((t) => t.params.a === s.params.a && t.params.b === s.params.b));
    // Another seed draws other weights and so, here, another point.
    assert.notDeepEqual(suggest({ type: 'gp', seed: 2 }, req).params, s.params);
    // Two objectives never scalarise, whatever the count.
    const two = suggest({ type: 'gp', seed: 1 }, request(history(17, false)));
    assert.equal(two.info.acquisitionName, 'logehvi');
    assert.equal(isScalarisedStep(17), true);
    assert.equal(isScalarisedStep(18), false);
    assert.equal(isScalarisedStep(61), false);
  });

  it('ParEGO weights lie on the simplex and repeat for a seed; the scalarisation is augmented Chebyshev', () => {
    for (const m of [2, 3, 4]) {
      const w = simplexWeights(m, createRng(7));
      assert.deepEqual(simplexWeights(m, createRng(7)), w);
      assert.equal(w.length, m);
      assert.ok(w.every((v) => v > 0 && v < 1));
      assert.ok(Math.abs(w.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    }
    assert.notDeepEqual(simplexWeights(3, createRng(8)), simplexWeights(3, createRng(7)));
    // Normalised by the observed range, independent of any reference point.
    const rows = [
      [0, 10, 5],
      [2, 0, 5],
      [1, 5, 5],
    ];
    const scale = observedRange(rows);
    assert.deepEqual(scale, { lo: [0, 0, 5], range: [2, 10, 1] });
    const w = [0.5, 0.25, 0.25];
    // Row [1, 5, 5] normalises to [0.5, 0.5, 0]; weighted [0.25, 0.125, 0]: max 0.25 + 0.05 * 0.375.
    assert.ok(Math.abs(augmentedChebyshev(rows[2] as number[], w, scale) - (0.25 + 0.05 * 0.375)) < 1e-15);
    assert.ok(augmentedChebyshev([0, 0, 5], w, scale) === 0);
  });

  it('ParEGO steps aim at the direction the trials serve worst', () => {
    // Trials only at the three extremes: every direction between them is served badly, the more so
    // the more balanced its weights (the best scalarised value is 1.05 * min_j w_j).
    const poles = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ];
    const scale = observedRange(poles);
    const served = (w: readonly number[]) => Math.min(...poles.map((r) => augmentedChebyshev(r, w, scale)));
    const w = leastServedWeights(poles, scale, 3, createRng(7));
    assert.deepEqual(leastServedWeights(poles, scale, 3, createRng(7)), w);
    assert.ok(Math.abs(w.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    assert.ok(Math.min(...w) > 0.2, `weights ${w}`);
    // No single uniform draw from the same stream does better.
    const rng = createRng(7);
    for (let i = 0; i < 32; i++) assert.ok(served(simplexWeights(3, rng)) <= served(w));
    // A trial in the middle of the front serves the balanced directions; the pick moves off them.
    const filled = [...poles, [0.3, 0.3, 0.3]];
    const v = leastServedWeights(filled, observedRange(filled), 3, createRng(7));
    assert.ok(Math.min(...v) < Math.min(...w), `weights ${v}`);
  });
});

describe('constrained GP suggestions', () => {
  it('single objective: log PoF alone before any feasible trial, then log EI + log PoF', () => {
    const rng = createRng(2);
    // Feasible only when a > 0.9: the random history misses it.
    const trial = (a: number, b: number, c: number): CompletedTrial => ({
      params: { a, b, c },
      value: (a - 0.95) ** 2 + b,
      constraints: [0.9 - a],
    });
    const infeasible = Array.from({ length: 12 }, () => trial(0.8 * rng.next(), rng.next(), rng.next()));
    const constraints = [{ name: 'c0' }];
    const base = {
      space: space2 as never,
      direction: 'MINIMIZE' as const,
      pending: [],
      seed: 1,
      constraints,
    };
    const s = suggest({ type: 'gp', seed: 1 }, { ...base, completed: infeasible });
    assert.equal(s.info.acquisitionName, 'logpof');
    // It goes where feasibility is likely: larger a than anything tried.
    assert.ok(Number(s.params.a) > 0.8, `a = ${s.params.a}`);
    // No trial is feasible yet, so the model cannot be sure there.
    assert.ok(typeof s.info.feasibility === 'number' && s.info.feasibility > 0.1, `${s.info.feasibility}`);
    const withFeasible = [...infeasible, trial(0.95, 0.5, 0.5)];
    const t = suggest({ type: 'gp', seed: 1 }, { ...base, completed: withFeasible });
    assert.equal(t.info.acquisitionName, 'logei+logpof');
    assert.ok(t.info.mean !== null && t.info.std !== null);
    assert.ok(typeof t.info.feasibility === 'number' && t.info.feasibility >= 0 && t.info.feasibility <= 1);
  });

  it('multi-objective with constraints reports the probability of feasibility', () => {
    const completed = history(20, true);
    const s = suggest({ type: 'gp', seed: 2 }, request(completed, { constraints: [{ name: 'budget' }] }));
    assert.equal(s.info.acquisitionName, 'logehvi+logpof');
    assert.ok(typeof s.info.feasibility === 'number' && s.info.feasibility > 0 && s.info.feasibility <= 1);
  });
});

describe('incomplete trials', () => {
  it('missing objective values and constraint values count as failed and infeasible', () => {
    const completed = history(20, true);
    // Trials 0-4 lost their second objective, trials 5-9 their constraint value.
    const damaged = completed.map((t, i) => {
      if (i < 5) return { ...t, values: [t.values?.[0] as number] };
      if (i < 10) return { ...t, constraints: [] };
      return t;
    });
    const s = suggest({ type: 'gp', seed: 2 }, request(damaged, { constraints: [{ name: 'budget' }] }));
    assert.equal(s.info.phase, 'model');
    assert.equal(s.info.acquisitionName, 'logehvi+logpof');
    // With every constraint value missing there is nothing to model: a space-filling point.
    const none = completed.map((t) => ({ ...t, constraints: [] }));
    const f = suggest({ type: 'gp', seed: 2 }, request(none, { constraints: [{ name: 'budget' }] }));
    assert.equal(f.info.phase, 'fallback');
  });
});

describe('other samplers and single-objective studies', () => {
  it('random and QMC samplers accept multi-objective and constrained requests', () => {
    const completed = history(5, true);
    for (const type of ['random', 'qmc'] as const) {
      const s = suggest({ type, seed: 1 }, request(completed, { constraints: [{ name: 'budget' }] }));
      assert.equal(s.info.sampler, type);
      assert.ok(Number(s.params.a) >= 0 && Number(s.params.a) <= 1);
    }
  });

  it('one objective without constraints takes the single-objective path unchanged', () => {
    const completed = history(15, false).map((t) => ({ params: t.params, value: t.value }));
    const plain = suggest(
      { type: 'gp', seed: 1 },
      { space: space2 as never, direction: 'MINIMIZE', completed, pending: [], seed: 2 },
    );
    const listed = suggest(
      { type: 'gp', seed: 1 },
      {
        space: space2 as never,
        direction: 'MINIMIZE',
        objectives: [{ name: 'loss', direction: 'MINIMIZE' }],
        constraints: [],
        completed,
        pending: [],
        seed: 2,
      },
    );
    assert.deepEqual(listed, plain);
    assert.equal(plain.info.acquisitionName, 'logei');
    assert.equal(plain.info.means, undefined);
  });
});
