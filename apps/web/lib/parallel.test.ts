import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildParallel, INACTIVE } from './parallel.ts';
import type { SearchSpace, Trial } from './types.ts';

const space: SearchSpace = [
  { name: 'optimizer', type: 'categorical', choices: ['adam', 'sgd'] },
  { name: 'momentum', type: 'float', low: 0, high: 0.99, when: { parent: 'optimizer', values: ['sgd'] } },
  {
    name: 'nesterov',
    type: 'categorical',
    choices: [false, true],
    when: { parent: 'optimizer', values: ['sgd'] },
  },
];
const trial = (number: number, params: Trial['params'], value: number): Trial => ({
  id: `t${number}`,
  number,
  state: 'COMPLETE',
  params,
  value,
  startedAt: null,
  finishedAt: null,
  workerId: null,
  error: null,
  suggestion: null,
});

describe('parallel coordinates of a conditional space', () => {
  it('leaves inactive parameters blank (ECharts empty value), never 0 or an "undefined" category', () => {
    const data = buildParallel(
      space,
      [
        trial(0, { optimizer: 'adam' }, 0.5),
        trial(1, { optimizer: 'sgd', momentum: 0.9, nesterov: true }, 0.4),
      ],
      'loss',
      'MINIMIZE',
    );
    assert.deepEqual(data.rows[0], ['adam', INACTIVE, INACTIVE, 0.5, 0]);
    assert.deepEqual(data.rows[1], ['sgd', 0.9, 'true', 0.4, 1]);
    assert.deepEqual(data.axes[2]?.categories, ['false', 'true']);
  });
});
