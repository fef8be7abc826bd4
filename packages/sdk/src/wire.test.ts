import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toPage, toStudy, toTrial } from './wire.js';

describe('wire conversion', () => {
  it('converts a study, parsing JSON-text scalars and counting trials by state', () => {
    const study = toStudy({
      id: 1,
      teamId: '2',
      name: 'demo',
      state: 'RUNNING',
      direction: 'MINIMIZE',
      objective: 'val_loss',
      searchSpace: JSON.stringify([{ name: 'lr', type: 'float', low: 1e-5, high: 0.1, log: true }]),
      sampler: { type: 'gp', seed: 1 },
      pruner: { type: 'none' },
      maxTrials: 30,
      parallelism: 2,
      heartbeatTimeoutS: 60,
      retryFailed: 1,
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
      trialCounts: { waiting: 1, running: 2, complete: 3, pruned: 0, failed: 1, total: 7, retries: 1 },
      bestTrial: null,
    });
    assert.equal(study.id, '1');
    assert.equal(study.searchSpace[0]?.name, 'lr');
    assert.deepEqual(study.trialCounts, {
      WAITING: 1,
      RUNNING: 2,
      COMPLETE: 3,
      PRUNED: 0,
      FAILED: 1,
      total: 7,
      retries: 1,
    });
    assert.equal(study.createdAt.getUTCFullYear(), 2026);
  });

  it('rejects unknown enum values and non-scalar params', () => {
    const base = {
      id: '1',
      studyId: '2',
      number: 0,
      state: 'RUNNING',
      params: {},
      value: null,
      createdAt: 0,
    };
    assert.throws(() => toTrial({ ...base, state: 'SLEEPING' }), /state/);
    assert.throws(() => toTrial({ ...base, params: { a: [1] } }), /param a/);
  });

  it('reads connections', () => {
    const page = toPage(
      { edges: [{ node: 'a' }, { node: 'b' }], pageInfo: { endCursor: 'c2', hasNextPage: true } },
      (n) => String(n).toUpperCase(),
      'x',
    );
    assert.deepEqual(page, { items: ['A', 'B'], endCursor: 'c2', hasNextPage: true });
  });
});
