import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixtureStudy } from './fixtures.ts';
import { durationMs, formatDuration, formatNumber } from './format.ts';
import { buildReport } from './report.ts';

describe('buildReport', () => {
  // bayes_opt.txt has one format (packages/core study-report, pinned byte for byte there): the
  // dashboard's fallback writes what the server's Study.report writes.
  it('lists the space, every trial and the best trial', () => {
    const { study, trials } = fixtureStudy({ trials: 30, steps: 0, seed: 1 });
    const text = buildReport(study, trials);
    assert.match(text, /^Posterior study report\n/);
    assert.match(text, /\nStudy: {6}Fixture study \(/);
    assert.match(text, /lr\s+float \[1\.0000e-5, 0\.1\] log/);
    assert.match(text, /batch\s+categorical \{16, 32, 64, 128, 256\}/);
    const trialLines = text
      .split('\n')
      .filter((l) => /^\s+\d+\s+(COMPLETE|PRUNED|FAILED|RUNNING|WAITING)/.test(l));
    assert.equal(trialLines.length, 30);
    const best = trials
      .filter((t) => t.state === 'COMPLETE')
      .sort((a, b) => (a.value ?? 0) - (b.value ?? 0))[0];
    assert.match(text, new RegExp(`Best trial\n-+\n  trial #${best?.number}: `));
  });
});

describe('format', () => {
  it('formats numbers and durations', () => {
    assert.equal(formatNumber(0.000012346), '1.235e-5');
    assert.equal(formatNumber(0.123456), '0.1235');
    assert.equal(formatNumber(null), '—');
    assert.equal(formatDuration(850), '850 ms');
    assert.equal(formatDuration(125_000), '2m 05s');
    assert.equal(durationMs('2026-01-01T00:00:00Z', '2026-01-01T00:00:05Z'), 5000);
    assert.equal(durationMs(null, null), null);
  });
});
