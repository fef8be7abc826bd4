import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dominates, satisfiesConstraints } from './outcomes.js';

test('constraints are satisfied at <= 0, never by NaN; none told is satisfied', () => {
  assert.equal(satisfiesConstraints([0, -1]), true);
  assert.equal(satisfiesConstraints([0.001]), false);
  assert.equal(satisfiesConstraints([Number.NaN]), false);
  assert.equal(satisfiesConstraints(null), true);
  assert.equal(satisfiesConstraints([]), true);
});

test('dominance follows each objective direction and needs a strict gain', () => {
  assert.equal(dominates([1, 5], [2, 4], ['MINIMIZE', 'MAXIMIZE']), true);
  assert.equal(dominates([1, 3], [2, 4], ['MINIMIZE', 'MAXIMIZE']), false);
  assert.equal(dominates([1, 2], [1, 2], ['MINIMIZE', 'MINIMIZE']), false, 'equal points do not dominate');
  assert.equal(dominates([1, 2], [1, 3], ['MINIMIZE', 'MINIMIZE']), true);
});
