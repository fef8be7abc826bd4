import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDateTime, formatRelative } from './format.ts';

describe('times say their zone', () => {
  it('absolute times are UTC and labelled so', () => {
    assert.equal(formatDateTime('2026-12-07T07:43:03.123Z'), '2026-12-07 07:43:03 UTC');
    assert.equal(formatDateTime('2026-12-07T08:43:03+01:00'), '2026-12-07 07:43:03 UTC');
    assert.equal(formatDateTime(null), '—');
  });

  it('relative times older than a week fall back to a UTC date', () => {
    const now = Date.parse('2026-12-20T00:00:00Z');
    assert.equal(formatRelative('2026-12-01T23:30:00Z', now), '2026-12-01 UTC');
    assert.equal(formatRelative('2026-12-19T23:00:00Z', now), '1 h ago');
  });
});
