import type { Direction } from '@posterior/sdk';

/** What the Pareto plot needs of a trial (SDK Trial fields, MO-CONTRACT "Trial"). */
export interface ParetoTrial {
  readonly id: string;
  readonly number: number;
  readonly state: string;
  readonly values?: readonly number[] | null;
  readonly feasible?: boolean | null;
}

export interface ParetoObjective {
  readonly name: string;
  readonly direction: Direction;
}

export type ParetoClass = 'Pareto front' | 'feasible' | 'infeasible';

/** One plotted trial: its objective values by name and how it stands. */
export interface ParetoRow {
  readonly trial: number;
  readonly class: ParetoClass;
  readonly values: Readonly<Record<string, number>>;
}

const CLASSES: readonly ParetoClass[] = ['Pareto front', 'feasible', 'infeasible'];
const COLORS = ['#e45756', '#4c78a8', '#bab0ac'];

/**
 * The COMPLETE trials with a value per objective, each marked front (the API's `paretoFront`, so
 * the optimizer's dominance is the only one), feasible or infeasible; in trial order.
 */
export function paretoRows(
  trials: readonly ParetoTrial[],
  objectives: readonly ParetoObjective[],
  frontIds: ReadonlySet<string>,
): ParetoRow[] {
  return trials
    .filter(
      (t) =>
        t.state === 'COMPLETE' &&
        t.values?.length === objectives.length &&
        t.values.every((v) => Number.isFinite(v)),
    )
    .sort((a, b) => a.number - b.number)
    .map((t) => ({
      trial: t.number,
      class: frontIds.has(t.id) ? 'Pareto front' : t.feasible === false ? 'infeasible' : 'feasible',
      values: Object.fromEntries(objectives.map((o, j) => [o.name, t.values?.[j] as number])),
    }));
}

export interface ParetoSpecInput {
  readonly title: string;
  readonly objectives: readonly ParetoObjective[];
  readonly rows: readonly ParetoRow[];
}

const arrow = (d: Direction): string => (d === 'MINIMIZE' ? 'min' : 'max');

/** Vega-Lite field names are paths: a metric name with dots (`val.loss`) must be escaped. */
const field = (name: string): string => name.replace(/([.[\]\\])/g, '\\$1');

/**
 * A Vega-Lite spec. Two objectives: every trial as a point (front, feasible, infeasible told apart
 * by colour and shape) and the front as a step line: the edge of the region it dominates (a step
 * after each point when the x objective is minimized, before it when maximized). Three or more: a
 * matrix of every pair of objectives, the same points, no line (a projection of the front is not
 * a staircase).
 */
export function paretoSpec(input: ParetoSpecInput): Record<string, unknown> {
  const { objectives, rows } = input;
  const data = rows.map((r) => ({ trial: r.trial, class: r.class, ...r.values }));
  const color = {
    field: 'class',
    type: 'nominal',
    title: 'trial',
    scale: { domain: [...CLASSES], range: COLORS },
  };
  const shape = {
    field: 'class',
    type: 'nominal',
    title: 'trial',
    scale: { domain: [...CLASSES], range: ['diamond', 'circle', 'cross'] },
  };
  const tooltip = [
    { field: 'trial', type: 'quantitative' },
    ...objectives.map((o) => ({ field: field(o.name), type: 'quantitative', title: o.name })),
  ];
  const subtitle = `${objectives.map((o) => `${arrow(o.direction)} ${o.name}`).join(', ')}; ${rows.filter((r) => r.class === 'Pareto front').length} of ${rows.length} trials on the front`;
  const base = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: input.title, subtitle },
    background: 'white',
    config: { font: 'DejaVu Sans' },
  };
  const points = { type: 'point', filled: true, size: 60, opacity: 0.85 };
  if (objectives.length === 2) {
    const [x, y] = objectives as [ParetoObjective, ParetoObjective];
    const front = data
      .filter((d) => d.class === 'Pareto front')
      .sort((a, b) => (a[x.name as keyof typeof a] as number) - (b[x.name as keyof typeof b] as number));
    const xEnc = {
      field: field(x.name),
      type: 'quantitative',
      title: `${x.name} (${arrow(x.direction)})`,
      scale: { zero: false },
    };
    const yEnc = {
      field: field(y.name),
      type: 'quantitative',
      title: `${y.name} (${arrow(y.direction)})`,
      scale: { zero: false },
    };
    return {
      ...base,
      width: 640,
      height: 420,
      layer: [
        {
          data: { values: front },
          mark: {
            type: 'line',
            interpolate: x.direction === 'MINIMIZE' ? 'step-after' : 'step-before',
            color: COLORS[0],
            strokeWidth: 2,
          },
          encoding: { x: xEnc, y: yEnc },
        },
        {
          data: { values: data },
          mark: points,
          encoding: { x: xEnc, y: yEnc, color, shape, tooltip },
        },
      ],
    };
  }
  const names = objectives.map((o) => field(o.name));
  return {
    ...base,
    data: { values: data },
    repeat: { row: names, column: names },
    spec: {
      width: 180,
      height: 180,
      mark: points,
      encoding: {
        x: { field: { repeat: 'column' }, type: 'quantitative', scale: { zero: false } },
        y: { field: { repeat: 'row' }, type: 'quantitative', scale: { zero: false } },
        color,
        shape,
        tooltip,
      },
    },
  };
}
