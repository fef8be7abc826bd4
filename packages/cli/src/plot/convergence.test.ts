import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HistoryPoint } from '@posterior/sdk';
import { convergenceRows, convergenceSpec } from './convergence.js';
import { renderSvg, svgToPng } from './render.js';

const point = (number: number, state: HistoryPoint['state'], value: number | null): HistoryPoint => ({
  trialId: String(number),
  number,
  state,
  value,
  bestSoFar: null,
});

const history = [
  point(2, 'COMPLETE', 0.5),
  point(0, 'COMPLETE', 0.9),
  point(1, 'PRUNED', 0.1),
  point(3, 'FAILED', null),
  point(4, 'COMPLETE', 0.7),
  point(5, 'COMPLETE', 0.2),
];

describe('convergence', () => {
  it('tracks the best COMPLETE value in trial order (pruned values do not count)', () => {
    const rows = convergenceRows(history, 'MINIMIZE');
    assert.deepEqual(
      rows.map((r) => [r.trial, r.best]),
      [
        [0, 0.9],
        [1, 0.9],
        [2, 0.5],
        [3, 0.5],
        [4, 0.5],
        [5, 0.2],
      ],
    );
    const max = convergenceRows(history, 'MAXIMIZE');
    assert.deepEqual(
      max.map((r) => r.best),
      [0.9, 0.9, 0.9, 0.9, 0.9, 0.9],
    );
  });

  it('renders an SVG with one symbol per valued trial and a PNG', async () => {
    const rows = convergenceRows(history, 'MINIMIZE');
    const svg = await renderSvg(
      convergenceSpec({ title: 't', objective: 'loss', direction: 'MINIMIZE', rows }),
    );
    const symbols = /<g class="mark-symbol role-mark[^"]*"[^>]*>(.*?)<\/g>/s.exec(svg);
    assert.ok(symbols);
    assert.equal((symbols[1]?.match(/<path /g) ?? []).length, 5);
    assert.match(svg, /class="mark-line role-mark/);
    const png = svgToPng(svg);
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
  });
});
