import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as echarts from 'echarts';
import { MARKER_LABEL_ROOM, verticalMarker } from './chart-marks.ts';
import { fixtureStudy } from './fixtures.ts';
import { buildSurrogate } from './surrogate.ts';

const STYLE = { color: '#3ecf8e', labelColor: '#9aa3b8' };

/** Draws one line series with a vertical marker off-screen (echarts' server-side renderer). */
function draw(options: {
  xType: 'value' | 'log';
  points: Array<[number, number]>;
  marker: number;
  label: string;
  gridTop: number;
}) {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 600, height: 220 });
  chart.setOption({
    animation: false,
    grid: { left: 52, right: 16, top: options.gridTop, bottom: 32 },
    xAxis: { type: options.xType, scale: true },
    yAxis: { type: 'value', scale: true },
    series: [
      {
        type: 'line',
        data: options.points,
        markLine: verticalMarker(options.marker, { ...STYLE, label: options.label }),
      },
    ],
  });
  // the marker's label and line are plain elements of the drawn scene
  const scene = chart.getZr().storage.getDisplayList(true);
  const label = scene.find((el) => (el.style as { text?: unknown } | undefined)?.text === options.label);
  const labelRect = label?.getBoundingRect().clone();
  if (label && labelRect) labelRect.applyTransform(label.getComputedTransform());
  // markLines are drawn as 'ec-line' paths (axis lines and ticks are plain 'line's)
  const markLines = scene
    .filter((el) => el.type === 'ec-line')
    .map((el) => (el as unknown as { shape: { x1: number; x2: number } }).shape);
  const expectedX = chart.convertToPixel({ xAxisIndex: 0 }, options.marker);
  const size = { width: chart.getWidth(), height: chart.getHeight() };
  chart.dispose();
  return { labelRect, markLines, expectedX, size };
}

const curve = (xs: number[]) => xs.map((x, i): [number, number] => [x, Math.exp(-i / 3)]);

describe('verticalMarker', () => {
  it('keeps the label of a marker at the top of a metric chart inside the canvas', () => {
    const steps = Array.from({ length: 12 }, (_, i) => i);
    const { labelRect, size } = draw({
      xType: 'value',
      points: curve(steps),
      marker: 11,
      label: 'best',
      gridTop: MARKER_LABEL_ROOM,
    });
    assert.ok(labelRect, 'the label is drawn');
    assert.ok(labelRect.y >= 0, `label top ${labelRect.y} is on the canvas`);
    assert.ok(labelRect.y + labelRect.height <= size.height);
    assert.ok(labelRect.x >= 0 && labelRect.x + labelRect.width <= size.width);
  });

  it('draws the surrogate "next" line on a log axis at the acquisition maximum', () => {
    // the fixture's lr slice: log-spaced over [1e-5, 1e-1], acquisition peaking near 1e-3
    const slice = fixtureStudy({ trials: 20, steps: 3 }).surrogate[0];
    assert.ok(slice);
    const data = buildSurrogate(slice, [], { logX: true });
    assert.ok(data.argmax !== null && data.argmax > 5e-4 && data.argmax < 2e-3, String(data.argmax));
    const { markLines, expectedX } = draw({
      xType: 'log',
      points: data.acquisition,
      marker: data.argmax,
      label: 'next',
      gridTop: 30,
    });
    assert.equal(markLines.length, 1, 'the line is drawn');
    const line = markLines[0];
    assert.ok(line && line.x1 === line.x2, 'vertical');
    assert.ok(Math.abs(line.x1 - expectedX) < 1, `line at ${line.x1}px, argmax at ${expectedX}px`);
  });

  it('puts the line at the exact x on a linear axis of small values (no rounding to 2 decimals)', () => {
    const xs = Array.from({ length: 50 }, (_, i) => (i / 49) * 0.004);
    const { markLines, expectedX } = draw({
      xType: 'value',
      points: curve(xs),
      marker: 0.0031,
      label: 'next',
      gridTop: 30,
    });
    assert.equal(markLines.length, 1);
    const line = markLines[0];
    assert.ok(line && Math.abs(line.x1 - expectedX) < 1, `line at ${line?.x1}px, marker at ${expectedX}px`);
  });
});
