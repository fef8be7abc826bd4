import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ACTIVE_STATES,
  filterChange,
  pageChange,
  parseStudiesQuery,
  studiesFilter,
} from './studies-query.ts';

describe('studies list URL state', () => {
  it('defaults to active studies, newest first, first page', () => {
    const q = parseStudiesQuery(new URLSearchParams(''));
    assert.deepEqual(q, { q: '', state: '', sort: 'created', after: null, prev: [] });
    assert.deepEqual(studiesFilter(q), { states: ACTIVE_STATES, nameContains: '', sort: 'CREATED_DESC' });
    assert.ok(!ACTIVE_STATES.includes('ARCHIVED'));
  });
  it('maps state, text and sort to the API arguments and ignores unknown values', () => {
    const q = parseStudiesQuery(new URLSearchParams('state=ARCHIVED&q=%20resnet%20&sort=best'));
    assert.deepEqual(studiesFilter(q), {
      states: ['ARCHIVED'],
      nameContains: 'resnet',
      sort: 'BEST_VALUE_ASC',
    });
    assert.deepEqual(studiesFilter(parseStudiesQuery(new URLSearchParams('state=all'))).states, []);
    const bad = parseStudiesQuery(new URLSearchParams('state=NOPE&sort=nope'));
    assert.equal(bad.state, '');
    assert.equal(bad.sort, 'created');
  });
  it('a new filter or order goes back to the first page and leaves defaults out', () => {
    assert.deepEqual(filterChange({ sort: 'created' }), { after: null, prev: null, sort: null });
    assert.deepEqual(filterChange({ q: ' x ', state: 'all' }), {
      after: null,
      prev: null,
      q: 'x',
      state: 'all',
    });
  });
  it('pages forward and back through the cursor stack', () => {
    const first = parseStudiesQuery(new URLSearchParams(''));
    const toSecond = pageChange(first, { next: 'c1' });
    assert.deepEqual(toSecond, { after: 'c1', prev: '_' });
    const second = parseStudiesQuery(new URLSearchParams('after=c1&prev=_'));
    assert.deepEqual(pageChange(second, { next: 'c2' }), { after: 'c2', prev: '_ c1' });
    assert.deepEqual(pageChange(second, 'back'), { after: null, prev: null });
    const third = parseStudiesQuery(new URLSearchParams('after=c2&prev=_+c1'));
    assert.deepEqual(pageChange(third, 'back'), { after: 'c1', prev: '_' });
  });
});
