import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixtureStudy } from './fixtures.ts';
import { applyTableQuery, DEFAULT_QUERY, parseTableQuery, writeTableQuery } from './trials-table.ts';

const { trials } = fixtureStudy({ trials: 10_000, steps: 0 });

describe('table query in the URL', () => {
  it('round-trips and leaves defaults out', () => {
    const q = {
      states: ['FAILED' as const, 'PRUNED' as const],
      text: 'act=gelu',
      sort: 'param:lr',
      dir: 'asc' as const,
      page: 3,
      pageSize: 100,
    };
    const sp = writeTableQuery(new URLSearchParams('metric=acc'), q);
    assert.equal(sp.get('metric'), 'acc', 'keeps unrelated keys');
    assert.deepEqual(parseTableQuery(sp), q);
    assert.equal(writeTableQuery(new URLSearchParams(), DEFAULT_QUERY).toString(), '');
  });
  it('ignores junk', () => {
    assert.deepEqual(parseTableQuery(new URLSearchParams('tstate=NOPE,failed&tpage=-2&tsize=7&tdir=up')), {
      ...DEFAULT_QUERY,
      states: ['FAILED'],
    });
  });
});

describe('applyTableQuery', () => {
  it('filters by state and text, sorts and paginates 10,000 trials', () => {
    const page = applyTableQuery(trials, {
      ...DEFAULT_QUERY,
      states: ['COMPLETE'],
      text: 'act=gelu',
      sort: 'value',
      dir: 'asc',
    });
    assert.ok(page.total > 2000);
    assert.equal(page.rows.length, 50);
    assert.ok(page.rows.every((t) => t.state === 'COMPLETE' && t.params.act === 'gelu'));
    const values = page.rows.map((t) => t.value ?? 0);
    assert.deepEqual(
      values,
      [...values].sort((a, b) => a - b),
    );
    const last = applyTableQuery(trials, { ...DEFAULT_QUERY, page: 10_000 });
    assert.equal(last.page, last.pages, 'clamps to the last page');
  });
  it('keeps trials without a value last in both directions', () => {
    for (const dir of ['asc', 'desc'] as const) {
      const page = applyTableQuery(trials, { ...DEFAULT_QUERY, sort: 'value', dir, pageSize: 250, page: 40 });
      const all = applyTableQuery(trials, { ...DEFAULT_QUERY, sort: 'value', dir, pageSize: 250, page: 1 });
      assert.ok(all.rows.every((t) => t.value !== null));
      assert.ok(
        page.rows.every((t) => t.value === null),
        dir,
      );
    }
  });
  it('finds a trial by number', () => {
    const page = applyTableQuery(trials, { ...DEFAULT_QUERY, text: '#42' });
    assert.deepEqual(
      page.rows.map((t) => t.number),
      [42],
    );
  });
});

describe('sorting a multi-objective, constrained study', () => {
  const mo = fixtureStudy({ trials: 60, steps: 0, objectives: 3, constraints: 1 }).trials;
  const q = { ...DEFAULT_QUERY, pageSize: 250 };
  it('by each objective, each constraint and feasibility; untold trials last', () => {
    for (const [sort, get] of [
      ['obj:1', (t: (typeof mo)[number]) => t.values?.[1]],
      ['obj:2', (t: (typeof mo)[number]) => t.values?.[2]],
      ['con:0', (t: (typeof mo)[number]) => t.constraints?.[0]],
    ] as const) {
      for (const dir of ['asc', 'desc'] as const) {
        const rows = applyTableQuery(mo, { ...q, sort, dir }).rows;
        const told = rows.map(get).filter((v): v is number => v !== undefined && v !== null);
        assert.ok(told.length > 10);
        const sorted = [...told].sort((a, b) => (dir === 'asc' ? a - b : b - a));
        assert.deepEqual(told, sorted, `${sort} ${dir}`);
        assert.deepEqual(rows.slice(0, told.length).map(get), told, `${sort} ${dir}: untold last`);
      }
    }
    const byFeasible = applyTableQuery(mo, { ...q, sort: 'feasible', dir: 'asc' }).rows.map(
      (t) => t.feasible,
    );
    const firstInfeasible = byFeasible.indexOf(false);
    assert.ok(firstInfeasible > 0, 'some feasible, then infeasible');
    assert.ok(byFeasible.slice(0, firstInfeasible).every((f) => f === true));
    assert.ok(
      byFeasible.slice(byFeasible.lastIndexOf(false) + 1).every((f) => f === null || f === undefined),
    );
  });
});
