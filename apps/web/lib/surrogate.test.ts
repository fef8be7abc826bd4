import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BAND_Z, buildSurrogate } from './surrogate.ts';
import type { SurrogateSlice, Trial } from './types.ts';

function trial(number: number, state: Trial['state'], value: number | null, lr: unknown): Trial {
  return {
    id: `t${number}`,
    number,
    state,
    params: { lr } as Trial['params'],
    value,
    startedAt: null,
    finishedAt: null,
    workerId: null,
    error: null,
    suggestion: null,
  };
}

describe('buildSurrogate', () => {
  const slice: SurrogateSlice = {
    param: 'lr',
    x: [0.0001, 0.0003, 0.001, 0.003],
    mean: [1, 0.5, 0.25, 0.75],
    std: [0.1, 0.2, -0.05, 0],
    acquisition: [-3, -1.25, -0.5, -2],
  };

  it('finds the acquisition maximum at its exact x, even a small one (negative log-EI values)', () => {
    const data = buildSurrogate(slice, [], { logX: true });
    assert.equal(data.argmax, 0.001);
    assert.deepEqual(data.acquisition, [
      [0.0001, -3],
      [0.0003, -1.25],
      [0.001, -0.5],
      [0.003, -2],
    ]);
    assert.equal(data.logX, true);
  });

  it("keeps warm-start sources' trials apart from the study's own", () => {
    const data = buildSurrogate({ ...slice, sourcePoints: [{ studyId: 's1', x: 0.002, value: 0.4 }] }, [
      trial(3, 'COMPLETE', 0.3, 0.001),
    ]);
    assert.deepEqual(data.sources, [[0.002, 0.4]]);
    assert.deepEqual(data.observed, [[0.001, 0.3, 3]]);
    assert.deepEqual(buildSurrogate(slice, []).sources, []);
  });

  it('skips non-finite acquisition values and has no maximum when none is finite', () => {
    const withGaps = { ...slice, acquisition: [Number.NaN, -1, Number.POSITIVE_INFINITY, -4] };
    const data = buildSurrogate(withGaps, []);
    assert.equal(data.argmax, 0.0003);
    assert.deepEqual(
      data.acquisition.map(([x]) => x),
      [0.0003, 0.003],
    );
    const none = buildSurrogate(
      { ...slice, acquisition: [Number.NaN, Number.NaN, Number.NaN, Number.NaN] },
      [],
    );
    assert.equal(none.argmax, null);
    assert.deepEqual(none.acquisition, []);
  });

  it('stacks the band as lower plus width, clamping a negative std to zero', () => {
    const data = buildSurrogate(slice, []);
    assert.deepEqual(data.lower[1], [0.0003, 0.5 - BAND_Z * 0.2]);
    assert.deepEqual(data.band[1], [0.0003, 2 * BAND_Z * 0.2]);
    assert.deepEqual(data.band[2], [0.001, 0]);
  });

  it('overlays only complete trials with a finite value and a numeric parameter', () => {
    const trials = [
      trial(0, 'COMPLETE', 0.4, 0.002),
      trial(1, 'RUNNING', null, 0.001),
      trial(2, 'COMPLETE', Number.NaN, 0.001),
      trial(3, 'COMPLETE', 0.3, 'adam'),
      trial(4, 'PRUNED', 0.9, 0.0005),
    ];
    assert.deepEqual(buildSurrogate(slice, trials).observed, [[0.002, 0.4, 0]]);
  });
});
