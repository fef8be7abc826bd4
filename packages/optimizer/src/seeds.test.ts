import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { suggest } from './samplers.js';
import { parseSearchSpace } from './search-space.js';
import { studySeed, trialSeed } from './seeds.js';

const space = parseSearchSpace([
  { name: 'x0', type: 'float', low: 0, high: 1 },
  { name: 'x1', type: 'float', low: 0, high: 1 },
]);

describe('studySeed and trialSeed', () => {
  it('keeps a configured seed and derives distinct seeds from distinct ids', () => {
    assert.equal(studySeed(42, 'a'), 42);
    assert.equal(studySeed(0, 'a'), 0);
    const ids = Array.from({ length: 200 }, (_, i) => `study-${i}`);
    const seeds = new Set(ids.map((id) => studySeed(undefined, id)));
    assert.equal(seeds.size, ids.length);
    assert.equal(studySeed(undefined, 'study-1'), studySeed(undefined, 'study-1'));
  });

  it('gives every trial of a study its own seed, and different studies different streams', () => {
    const a = Array.from({ length: 100 }, (_, t) => trialSeed(1, t));
    const b = Array.from({ length: 100 }, (_, t) => trialSeed(2, t));
    assert.equal(new Set(a).size, 100);
    assert.equal(new Set([...a, ...b]).size, 200);
  });

  it('two studies with derived seeds start from different initial designs', () => {
    const first = (id: string) => {
      const seed = studySeed(undefined, id);
      return suggest(
        { type: 'gp', seed },
        { space, direction: 'MINIMIZE', completed: [], pending: [], seed: trialSeed(seed, 0) },
      ).params;
    };
    assert.notDeepEqual(first('study-a'), first('study-b'));
    assert.deepEqual(first('study-a'), first('study-a'));
  });
});
