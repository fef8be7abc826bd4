import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { wilcoxonSignedRank } from './stats.js';

// Reference p-values from scipy.stats.wilcoxon 1.17 (method 'exact', or 'approx' with correction);
// with ties, from enumerating all 2^12 sign patterns over the mean ranks (scipy's 'exact' ignores
// ties and gives 0.00806 there).
const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe('wilcoxonSignedRank', () => {
  it('matches the exact distribution without ties', () => {
    const r = wilcoxonSignedRank([
      -0.012, -0.003, 0.004, -0.02, -0.007, -0.011, 0.002, -0.015, -0.009, -0.001,
    ]);
    assert.equal(r.method, 'exact');
    assert.equal(r.wPlus, 6);
    close(r.pLess, 0.013671875);
    close(r.pTwoSided, 0.02734375);
    close(wilcoxonSignedRank([1, -2, 3, -4, 5, 6, 7, 8, 9, 10]).pGreater, 0.013671875);
  });

  it('matches the exact distribution with tied magnitudes (mean ranks) and drops zeros', () => {
    const r = wilcoxonSignedRank([1, 1, -1, 2, 2, 3, -3, 4, 5, 5, 5, 6, 0]);
    assert.equal(r.n, 12);
    assert.equal(r.wPlus, 69.5);
    close(r.pGreater, 0.007568359375);
  });

  it('uses the normal approximation with tie and continuity corrections for many pairs', () => {
    // biome-ignore format: data
    const d = [0.65, 1.12, 0.63, -1, 1.21, 0.75, -0.24, 0.88, 0.66, 0.59, 0.33, 0.85, -0.44, 0.14, -0.18, 0.9, 0.34, 0.01, -0.48, 0.04, 0.31, 0.02, 1.59, 1.31, -2.41, -1.59, 0.13, -0.12, 0.51, 0.52, 2.42, -0.81, -0.08, 2.34, 0.95, 0.96, -0.21, -1.35, 0.47, 0.41, -0.93, -0.38, 0.23, -0.64, 0.2, 0.4, 0.34, -0.21, 0.89, 1.19, 0.62, -0.52, 1.03, -0.2, 1.18, -0.77, 1.21, 0.28, -0.95, -0.01];
    const r = wilcoxonSignedRank(d);
    assert.equal(r.method, 'normal');
    assert.equal(r.wPlus, 1245.5);
    close(r.pGreater, 0.00756202624635506, 1e-6);
  });
});
