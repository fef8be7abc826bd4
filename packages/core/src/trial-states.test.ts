import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ACTIVE_TRIAL_STATES,
  isActive,
  isTerminal,
  STUDY_STATES,
  TERMINAL_TRIAL_STATES,
  TRIAL_STATES,
} from './trial-states.js';

test('every trial state is either active or terminal, never both', () => {
  assert.deepEqual(TRIAL_STATES, ['WAITING', 'RUNNING', 'COMPLETE', 'PRUNED', 'FAILED']);
  assert.deepEqual(TERMINAL_TRIAL_STATES, ['COMPLETE', 'PRUNED', 'FAILED']);
  assert.deepEqual(ACTIVE_TRIAL_STATES, ['WAITING', 'RUNNING']);
  for (const state of TRIAL_STATES) assert.notEqual(isTerminal(state), isActive(state), state);
});

test('isTerminal and isActive answer false for strings that are no trial state', () => {
  for (const state of ['', 'complete', 'PAUSED', 'CREATED']) {
    assert.equal(isTerminal(state), false);
    assert.equal(isActive(state), false);
  }
});

test('study states', () => {
  assert.deepEqual(STUDY_STATES, ['RUNNING', 'PAUSED', 'DONE', 'ARCHIVED']);
});
