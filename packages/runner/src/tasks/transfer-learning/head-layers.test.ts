import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadTfjs } from '../../tfjs/index.js';
import { headLayers } from './model.js';
import { parseHeadParams } from './params.js';

describe('conditional head (issue 18.3)', () => {
  it('builds `layers` hidden dense layers with their units, then the softmax', async () => {
    await loadTfjs({ log: () => {} });
    for (const [layers, units] of [
      [1, [40]],
      [2, [40, 20]],
      [3, [40, 20, 10]],
    ] as const) {
      const params = parseHeadParams({ layers, units1: 40, units2: 20, units3: 10, dropout: 0 });
      const dense = headLayers(params, 8, 5, 1, false).map((l) => l.getConfig().units);
      assert.deepEqual(dense, [...units, 5], `layers=${layers}`);
    }
  });
});
