import type { MarkLineComponentOption } from 'echarts';

/**
 * Room above a cartesian grid for the label of a vertical marker: echarts draws it past the line's
 * top end (12 px line height, 5 px distance), so a smaller grid top pushes it off the canvas and
 * clips the tops of its letters ("best" read as "pest").
 */
export const MARKER_LABEL_ROOM = 26;

export interface VerticalMarkerStyle {
  label: string;
  color: string;
  labelColor: string;
}

/**
 * A dashed vertical line at `x` across the whole grid, labelled above its top end.
 *
 * Given as a from/to pair of coordinates, not `{ xAxis: x }`: that form rounds x to the markLine's
 * `precision` (2 decimals by default), so 0.00095 became 0, which a log axis cannot show (the line
 * was dropped) and a linear one shows at the wrong place. Infinite y stretches the line over the
 * grid's height, as `{ xAxis }` does.
 */
export function verticalMarker(x: number, style: VerticalMarkerStyle): MarkLineComponentOption {
  return {
    symbol: 'none',
    silent: true,
    lineStyle: { color: style.color, type: 'dashed' },
    label: { color: style.labelColor, formatter: style.label, position: 'end' },
    data: [[{ coord: [x, Number.NEGATIVE_INFINITY] }, { coord: [x, Number.POSITIVE_INFINITY] }]],
  };
}
