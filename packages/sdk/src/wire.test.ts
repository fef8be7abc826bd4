import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toPage, toRecommendedTrial, toStudy, toTrial } from './wire.js';

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
    // a server before descriptions (issue 15 item 8) sends none: null
    assert.equal(study.description, null);
    assert.equal(
      toStudy({ ...JSON.parse(JSON.stringify(study)), trialCounts: {}, description: 'lr sweep' }).description,
      'lr sweep',
    );
  });

  it('converts a recommended trial and rejects an unknown source', () => {
    const trial = {
      id: 't1',
      studyId: 's1',
      number: 4,
      state: 'COMPLETE',
      params: { lr: 0.01 },
      value: 0.3,
      workerId: null,
      createdAt: '2026-01-01T00:00:00Z',
      startedAt: null,
      heartbeatAt: null,
      finishedAt: null,
      error: null,
      retryOf: null,
      suggestion: null,
    };
    const r = toRecommendedTrial({ trial, mean: 0.25, std: 0.01, noiseStd: 0.05, source: 'model' });
    assert.equal(r.trial.number, 4);
    assert.deepEqual([r.mean, r.std, r.noiseStd, r.source], [0.25, 0.01, 0.05, 'model']);
    const early = toRecommendedTrial({ trial, mean: null, std: null, noiseStd: null, source: 'observed' });
    assert.equal(early.mean, null);
    assert.throws(() => toRecommendedTrial({ trial, mean: 1, std: 1, noiseStd: 1, source: 'guess' }));
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
