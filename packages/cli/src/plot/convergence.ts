import { isBetter, TERMINAL_TRIAL_STATES } from '@posterior/core';
import type { Direction, HistoryPoint } from '@posterior/sdk';

/** One row per finished trial: its value (if any) and the best COMPLETE value up to it. */
export interface ConvergenceRow {
  readonly trial: number;
  readonly state: string;
  readonly value: number | null;
  readonly best: number | null;
}

/**
 * Recomputes best-so-far from the values rather than trusting the wire, so the plotted line is
 * monotone by construction (never rises when minimizing, never falls when maximizing).
 */
export function convergenceRows(history: readonly HistoryPoint[], direction: Direction): ConvergenceRow[] {
  const sorted = [...history].sort((a, b) => a.number - b.number);
  let best: number | null = null;
  return sorted.map((point) => {
    const value = point.value !== null && Number.isFinite(point.value) ? point.value : null;
    if (point.state === 'COMPLETE' && value !== null) {
      if (best === null || isBetter(direction, value, best)) best = value;
    }
    return { trial: point.number, state: point.state, value, best };
  });
}

export interface ConvergenceSpecInput {
  readonly title: string;
  readonly objective: string;
  readonly direction: Direction;
  readonly rows: readonly ConvergenceRow[];
}

/** A Vega-Lite spec: trial values as points coloured by state, best so far as a step line. */
export function convergenceSpec(input: ConvergenceSpecInput): Record<string, unknown> {
  const points = input.rows
    .filter((r) => r.value !== null)
    .map((r) => ({ trial: r.trial, value: r.value, state: r.state }));
  const best = input.rows.filter((r) => r.best !== null).map((r) => ({ trial: r.trial, best: r.best }));
  const x = { field: 'trial', type: 'quantitative', title: 'trial', axis: { tickMinStep: 1, format: 'd' } };
  const y = { type: 'quantitative', title: input.objective, scale: { zero: false } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: input.title,
      subtitle: `${input.direction.toLowerCase()} ${input.objective}; line: best so far`,
    },
    width: 640,
    height: 360,
    background: 'white',
    config: { font: 'DejaVu Sans' },
    layer: [
      {
        data: { values: points },
        mark: { type: 'point', filled: true, size: 60, opacity: 0.85 },
        encoding: {
          x,
          y: { ...y, field: 'value' },
          color: {
            field: 'state',
            type: 'nominal',
            title: 'trial',
            scale: { domain: [...TERMINAL_TRIAL_STATES], range: ['#4c78a8', '#9d9d9d', '#e45756'] },
          },
        },
      },
      {
        data: { values: best },
        mark: { type: 'line', interpolate: 'step-after', color: '#f58518', strokeWidth: 2.5 },
        encoding: { x, y: { ...y, field: 'best' } },
      },
    ],
  };
}
