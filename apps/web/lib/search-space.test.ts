import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { activeNames, draftFromSpec, draftsToSpace, spaceFromUnknown } from './search-space.ts';
import type { SearchSpace } from './types.ts';

const space: SearchSpace = [
  { name: 'optimizer', type: 'categorical', choices: ['adam', 'sgd'] },
  { name: 'momentum', type: 'float', low: 0, high: 0.99, when: { parent: 'optimizer', values: ['sgd'] } },
  { name: 'layers', type: 'int', low: 1, high: 3 },
  { name: 'units2', type: 'int', low: 8, high: 64, when: { parent: 'layers', values: [2, 3] } },
  { name: 'units3', type: 'int', low: 8, high: 64, when: { parent: 'units2', values: [8] } },
];

describe('conditional spaces in the dashboard', () => {
  it('activeNames follows the tree from form values, nesting included', () => {
    assert.deepEqual([...activeNames(space, { optimizer: 'adam', layers: '1' })], ['optimizer', 'layers']);
    assert.deepEqual(
      [...activeNames(space, { optimizer: 'sgd', layers: '2', units2: '8' })],
      ['optimizer', 'momentum', 'layers', 'units2', 'units3'],
    );
    // units3 hangs under units2: inactive when units2 is, whatever units2's stale value says.
    assert.equal(activeNames(space, { optimizer: 'sgd', layers: '1', units2: '8' }).has('units3'), false);
  });

  it('keeps `when` through the editor (clone) and through study-file import', () => {
    const { space: back, errors } = draftsToSpace(space.map(draftFromSpec));
    assert.deepEqual(errors, {});
    assert.deepEqual(back, space);
    const imported = spaceFromUnknown(JSON.parse(JSON.stringify(space)));
    assert.equal(imported.error, null);
    assert.deepEqual(draftsToSpace(imported.drafts).space, space);
  });
});
