import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pendingQuery } from './url-query.ts';

describe('pending URL query (controls answer before the router catches up)', () => {
  it('shows the router query when nothing is pending', () => {
    assert.equal(pendingQuery('log=1', null), 'log=1');
  });
  it('shows the change while the router still reports the URL from before it', () => {
    assert.equal(pendingQuery('', { value: 'log=1', stale: [''] }), 'log=1');
  });
  it('keeps the latest of several quick changes while the router reports the earlier ones', () => {
    const pending = { value: 'tstate=COMPLETE%2CPRUNED', stale: ['', 'tstate=COMPLETE'] };
    assert.equal(pendingQuery('tstate=COMPLETE', pending), 'tstate=COMPLETE%2CPRUNED');
    assert.equal(pendingQuery('', pending), 'tstate=COMPLETE%2CPRUNED');
  });
  it('follows the router once it reports the change, or a URL nobody set here', () => {
    assert.equal(pendingQuery('log=1', { value: 'log=1', stale: [''] }), 'log=1');
    assert.equal(pendingQuery('q=other', { value: 'log=1', stale: [''] }), 'q=other');
  });
});
