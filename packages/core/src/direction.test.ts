import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bestTrial } from './best-trial.js';
import { isBetter, worstValue } from './direction.js';

test('isBetter is strict and follows the direction', () => {
  assert.equal(isBetter('MINIMIZE', 1, 2), true);
  assert.equal(isBetter('MINIMIZE', 2, 1), false);
  assert.equal(isBetter('MAXIMIZE', 2, 1), true);
  assert.equal(isBetter('MAXIMIZE', 1, 2), false);
  assert.equal(isBetter('MINIMIZE', 1, 1), false);
  assert.equal(isBetter('MAXIMIZE', 1, 1), false);
});

test('every finite value beats worstValue', () => {
  assert.equal(isBetter('MINIMIZE', 1e300, worstValue('MINIMIZE')), true);
  assert.equal(isBetter('MAXIMIZE', -1e300, worstValue('MAXIMIZE')), true);
});

test('bestTrial counts only COMPLETE trials with a finite value, and keeps the first of a tie', () => {
  const trials = [
    { number: 0, state: 'PRUNED', value: -5 },
    { number: 1, state: 'COMPLETE', value: 2 },
    { number: 2, state: 'COMPLETE', value: null },
    { number: 3, state: 'COMPLETE', value: Number.NaN },
    { number: 4, state: 'COMPLETE', value: 1 },
    { number: 5, state: 'COMPLETE', value: 1 },
    { number: 6, state: 'RUNNING', value: 0 },
  ];
  assert.equal(bestTrial('MINIMIZE', trials)?.number, 4);
  assert.equal(bestTrial('MAXIMIZE', trials)?.number, 1);
  assert.equal(bestTrial('MINIMIZE', trials.slice(0, 1)), null);
});
