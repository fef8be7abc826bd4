import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SobolSequence } from './qmc.js';
import { createRng } from './rng.js';

describe('scrambled Sobol', () => {
  for (const dim of [1, 6, 20, 40]) {
    it(`stratifies every coordinate of the first 2^k points (dim ${dim})`, () => {
      const seq = new SobolSequence(dim, createRng(3));
      const n = 64;
      const pts = seq.points(n);
      for (let d = 0; d < dim; d++) {
        const cells = new Set<number>();
        for (let i = 0; i < n; i++) {
          const v = pts[i * dim + d] ?? -1;
          assert.ok(v >= 0 && v < 1);
          cells.add(Math.floor(v * n));
        }
        assert.equal(cells.size, n, `coordinate ${d}`);
      }
    });
  }

  it('is reproducible per seed and differs across seeds', () => {
    const a = new SobolSequence(5, createRng(1)).points(16);
    const b = new SobolSequence(5, createRng(1)).points(16);
    const c = new SobolSequence(5, createRng(2)).points(16);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it('fills 2-D pairs evenly (each quadrant of the first 16 points holds 4)', () => {
    const pts = new SobolSequence(8, createRng(9)).points(16);
    for (let d = 0; d + 1 < 8; d++) {
      const q = [0, 0, 0, 0];
      for (let i = 0; i < 16; i++) {
        const k = ((pts[i * 8 + d] ?? 0) < 0.5 ? 0 : 1) + ((pts[i * 8 + d + 1] ?? 0) < 0.5 ? 0 : 2);
        q[k] = (q[k] ?? 0) + 1;
      }
      assert.deepEqual(q, [4, 4, 4, 4], `dims ${d},${d + 1}`);
    }
  });
});
