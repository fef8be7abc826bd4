import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateAcquisition, expectedImprovement } from './acquisition.js';
import { GpPosterior } from './gp.js';

/**
 * The textbook 1-D loop: RBF kernel with lengthscale l and signal sigma_f, noiseless observations,
 * EI with exploration xi over a grid of candidates, stopping when the proposal was already sampled.
 */
describe('1-D noiseless Bayesian optimization', () => {
  const l = 0.15;
  const sigmaF = 1;
  const xi = 0.01;
  const grid = Array.from({ length: 101 }, (_, i) => i / 100);
  const f = (x: number): number => Math.sin(10 * x) * x + 0.3 * x; // min on the grid near x = 0.48

  function posterior(xs: number[], ys: number[]): GpPosterior {
    return new GpPosterior(
      {
        x: Float64Array.from(xs),
        y: Float64Array.from(ys),
        n: xs.length,
        dim: 1,
        categorical: new Uint8Array(1),
      },
      'rbf',
      {
        invSqLengthscales: Float64Array.of(1 / (l * l)),
        signalVar: sigmaF * sigmaF,
        noiseVar: 1e-10,
        mean: 0,
      },
    );
  }

  for (const direction of ['MINIMIZE', 'MAXIMIZE'] as const) {
    it(`${direction}: loops until it proposes a sampled point, having found the grid optimum`, () => {
      const sign = direction === 'MAXIMIZE' ? 1 : -1;
      const xs = [0.05, 0.95];
      const ys = xs.map(f);
      let stoppedOnRepeat = false;
      for (let iter = 0; iter < 60; iter++) {
        const post = posterior(xs, ys);
        const best = sign > 0 ? Math.max(...ys) : Math.min(...ys);
        let bestEi = Number.NEGATIVE_INFINITY;
        let proposal = Number.NaN;
        for (const x of grid) {
          const p = post.predict([x]);
          const ei = expectedImprovement({ mean: p.mean, std: Math.sqrt(p.variance), best, xi, direction });
          if (ei > bestEi) {
            bestEi = ei;
            proposal = x;
          }
        }
        if (xs.includes(proposal)) {
          stoppedOnRepeat = true;
          break;
        }
        xs.push(proposal);
        ys.push(f(proposal));
      }
      assert.ok(stoppedOnRepeat, 'the loop converged to an already-sampled point');
      const values = grid.map(f);
      const target = sign > 0 ? Math.max(...values) : Math.min(...values);
      const found = sign > 0 ? Math.max(...ys) : Math.min(...ys);
      assert.ok(Math.abs(found - target) < 1e-3, `found ${found}, grid optimum ${target}`);
      // Noiseless: the posterior interpolates every observation with (numerically) zero variance.
      const post = posterior(xs, ys);
      xs.forEach((x, i) => {
        const p = post.predict([x]);
        assert.ok(Math.abs(p.mean - (ys[i] ?? 0)) < 1e-4);
        assert.ok(p.variance < 1e-6);
        // ... so EI there is at most the plain improvement minus xi, i.e. zero.
        const ei = evaluateAcquisition(
          { name: 'ei', best: Math.max(...ys.map((y) => sign * y)), xi, beta: 0 },
          sign * p.mean,
          p.variance,
        );
        assert.ok(ei.value < 1e-3);
      });
    });
  }
});
