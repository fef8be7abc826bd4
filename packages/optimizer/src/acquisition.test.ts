import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AcquisitionName,
  acquisitionOf,
  acquisitionValue,
  evaluateAcquisition,
  expectedImprovement,
} from './acquisition.js';
import { ACQUISITION_NAMES } from './acquisitions/registry.js';
import { LogProbabilityOfFeasibility } from './multiobjective/constraints.js';
import { erfc, logH, normCdf } from './normal.js';

describe('normal helpers', () => {
  it('erfc and the normal cdf match reference values', () => {
    const table: Array<[number, number]> = [
      [0, 1],
      [0.5, 0.4795001221869535],
      [1, 0.15729920705028513],
      [2, 0.004677734981047266],
      [3, 2.209049699858544e-5],
      [5, 1.5374597944280349e-12],
      [-1, 1.8427007929497148],
    ];
    for (const [x, v] of table)
      assert.ok(Math.abs(erfc(x) - v) <= 1e-13 * Math.max(v, 1e-300) + 1e-16, `erfc(${x})`);
    assert.ok(Math.abs(normCdf(-0.5) - 0.3085375387259869) < 1e-14);
  });

  it('log h(z) is continuous across the branch at z = -5 and finite for very negative z', () => {
    const a = logH(-5);
    const b = logH(-5 - 1e-9);
    assert.ok(Math.abs(a.value - b.value) < 1e-7);
    for (const z of [-40, -1e3, -1e6, -1e9, -1e150]) {
      const r = logH(z);
      assert.ok(Number.isFinite(r.value) && Number.isFinite(r.slope), `z=${z}`);
      // Asymptotically log h(z) ~ -z^2/2 - log(sqrt(2 pi)) - 2 log|z|.
      const asym = -0.5 * z * z - 0.5 * Math.log(2 * Math.PI) - 2 * Math.log(-z);
      assert.ok(Math.abs(r.value - asym) <= 1e-9 * Math.abs(asym) + 3 / (z * z), `z=${z}`);
    }
    // Monotone: more negative z, smaller log h.
    let prev = Number.POSITIVE_INFINITY;
    for (let z = 3; z > -60; z -= 0.25) {
      const v = logH(z).value;
      assert.ok(v < prev);
      prev = v;
    }
  });
});

describe('closed-form acquisition values', () => {
  it('EI with posterior mean -0.5, variance 1 and best 0 is 0.19780 when maximizing', () => {
    const ei = expectedImprovement({ mean: -0.5, std: 1, best: 0, direction: 'MAXIMIZE' });
    assert.ok(Math.abs(ei - 0.1978) < 5e-6, String(ei));
  });
  it('the mirrored minimization problem gives the same EI', () => {
    const ei = expectedImprovement({ mean: 0.5, std: 1, best: 0, direction: 'MINIMIZE' });
    assert.ok(Math.abs(ei - 0.1978) < 5e-6, String(ei));
  });
  it('xi shifts the improvement threshold: EI(mean, best, xi) = EI(mean - xi, best, 0)', () => {
    const a = expectedImprovement({ mean: 0.3, std: 0.7, best: 0.1, xi: 0.25, direction: 'MAXIMIZE' });
    const b = expectedImprovement({ mean: 0.05, std: 0.7, best: 0.1, direction: 'MAXIMIZE' });
    assert.ok(Math.abs(a - b) < 1e-15);
    const c = expectedImprovement({ mean: -0.3, std: 0.7, best: -0.1, xi: 0.25, direction: 'MINIMIZE' });
    assert.ok(Math.abs(a - c) < 1e-15);
  });
  it('EI with an exploration margin xi matches closed-form values, minimizing and maximizing', () => {
    // References: sigma (phi(z) + z Phi(z)), z = (improvement - xi) / sigma, from Python's math.erfc.
    const table: Array<[Parameters<typeof expectedImprovement>[0], number]> = [
      [{ mean: 0.3, std: 0.7, best: 0.1, xi: 0.25, direction: 'MAXIMIZE' }, 0.2549716904749056],
      [{ mean: 2, std: 0.25, best: 1, xi: 0.5, direction: 'MAXIMIZE' }, 0.5021226756542074],
      [{ mean: 0.2, std: 0.5, best: 0.6, xi: 0.1, direction: 'MINIMIZE' }, 0.38433636612087774],
      [{ mean: -0.4, std: 0.4, best: -1.2, xi: 0.3, direction: 'MINIMIZE' }, 0.0003596854420764066],
    ];
    for (const [args, want] of table) {
      const got = expectedImprovement(args);
      assert.ok(Math.abs(got - want) <= 1e-13 * want, `${JSON.stringify(args)}: ${got} vs ${want}`);
    }
  });
  it('zero variance gives the plain improvement', () => {
    assert.ok(
      Math.abs(expectedImprovement({ mean: 2, std: 0, best: 1.5, direction: 'MAXIMIZE' }) - 0.5) < 1e-12,
    );
    assert.ok(expectedImprovement({ mean: 1, std: 0, best: 1.5, direction: 'MAXIMIZE' }) < 1e-12);
  });
  it('LogEI equals log(EI), PI and UCB their formulas', () => {
    for (const [m, v] of [
      [-0.5, 1],
      [0.3, 0.2],
      [-2, 0.5],
    ] as const) {
      const spec = { best: 0, xi: 0.01, beta: 4 };
      const ei = evaluateAcquisition({ ...spec, name: 'ei' }, m, v).value;
      const logei = evaluateAcquisition({ ...spec, name: 'logei' }, m, v).value;
      assert.ok(Math.abs(logei - Math.log(ei)) < 1e-10);
      const pi = evaluateAcquisition({ ...spec, name: 'pi' }, m, v).value;
      assert.ok(Math.abs(pi - normCdf((m - 0.01) / Math.sqrt(v))) < 1e-14);
      const ucb = evaluateAcquisition({ ...spec, name: 'ucb' }, m, v).value;
      assert.ok(Math.abs(ucb - (m + 2 * Math.sqrt(v))) < 1e-14);
    }
  });
  it('LogEI stays finite where EI underflows to zero', () => {
    const ei = evaluateAcquisition({ name: 'ei', best: 0, xi: 0, beta: 0 }, -60, 1).value;
    const logei = evaluateAcquisition({ name: 'logei', best: 0, xi: 0, beta: 0 }, -60, 1).value;
    assert.equal(ei, 0);
    assert.ok(Number.isFinite(logei) && logei < -1800);
  });
});

describe('value-only acquisition', () => {
  it('acquisitionValue gives the bits of evaluateAcquisition(...).value on every branch', () => {
    // z from the far tail (both logH tail branches) through 0 to large, and variances down to and
    // below the clamp.
    const means = [-1e9, -60, -6, -5.0000001, -1, -0.3, 0, 0.7, 3, 40];
    const variances = [0, 1e-30, 1e-12, 1e-3, 0.5, 1, 7];
    for (const name of ['logei', 'ei', 'pi', 'ucb'] as const) {
      const spec = { name, best: 0.25, xi: 0.01, beta: 3 };
      for (const mean of means) {
        for (const variance of variances) {
          const expected = evaluateAcquisition(spec, mean, variance).value;
          assert.ok(
            Object.is(acquisitionValue(spec, mean, variance), expected),
            `${name} mean ${mean} variance ${variance}`,
          );
        }
      }
    }
  });
});

describe('acquisition gradients', () => {
  const names: AcquisitionName[] = ['logei', 'ei', 'pi', 'ucb'];
  for (const name of names) {
    it(`${name}: derivatives in mean and variance match finite differences`, () => {
      const spec = { name, best: 0.2, xi: 0.05, beta: 2 };
      for (const [m, v] of [
        [-0.5, 1],
        [0.4, 0.09],
        [-3, 0.04],
        [1.2, 2],
        [-20, 0.5],
      ] as const) {
        const a = evaluateAcquisition(spec, m, v);
        const h = 1e-6;
        const fdm =
          (evaluateAcquisition(spec, m + h, v).value - evaluateAcquisition(spec, m - h, v).value) / (2 * h);
        const hv = 1e-7 * v;
        const fdv =
          (evaluateAcquisition(spec, m, v + hv).value - evaluateAcquisition(spec, m, v - hv).value) /
          (2 * hv);
        const tol = (x: number): number => 1e-5 * Math.max(1, Math.abs(x));
        if (name === 'ei' || name === 'pi') {
          if (a.value < 1e-100) continue; // underflowed: no finite-difference signal
        }
        assert.ok(Math.abs(a.dMean - fdm) <= tol(fdm), `${name} dMean at (${m}, ${v}): ${a.dMean} vs ${fdm}`);
        assert.ok(
          Math.abs(a.dVariance - fdv) <= tol(fdv),
          `${name} dVar at (${m}, ${v}): ${a.dVariance} vs ${fdv}`,
        );
      }
    });
  }
});

describe('acquisition registry', () => {
  it('every acquisition, log PoF included: upperBound bounds the value at every smaller variance', () => {
    const acquisitions = [
      ...ACQUISITION_NAMES.map((name) => acquisitionOf({ name, best: 0.25, xi: 0.01, beta: 3 })),
      new LogProbabilityOfFeasibility(0.25),
    ];
    for (const a of acquisitions) {
      for (const mean of [-6, -1, 0.2, 0.26, 0.7, 3]) {
        for (const varUpper of [1e-3, 0.5, 1, 7]) {
          const bound = a.upperBound(mean, varUpper);
          for (const f of [0, 1e-6, 0.01, 0.3, 0.9, 1]) {
            const v = a.value(mean, f * varUpper);
            assert.ok(bound >= v, `${a.name} mean ${mean} var ${f * varUpper}: ${bound} < ${v}`);
          }
          assert.ok(Object.is(a.value(mean, varUpper), a.evaluate(mean, varUpper).value), a.name);
        }
      }
    }
  });
});
