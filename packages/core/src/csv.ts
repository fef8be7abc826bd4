// CSV as the dashboard's export and `posterior export` write it (RFC 4180, CRLF line ends).

export type CsvValue = string | number | boolean | null | undefined;

/**
 * One cell: empty for a missing value or a non-finite number, quoted when it holds a comma, quote or
 * line break. Text a spreadsheet would run as a formula (=, +, -, @, tab or CR first) gets a leading
 * apostrophe; numbers are written as numbers.
 */
export function csvCell(v: CsvValue): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A whole file: the header row, then one row per record, each line ending in CRLF. */
export function csvText(header: readonly string[], rows: Iterable<readonly CsvValue[]>): string {
  const lines = [header.map(csvCell).join(',')];
  for (const r of rows) lines.push(r.map(csvCell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** The study fields the outcome columns depend on (issue 17). */
export interface CsvOutcomeStudy {
  readonly objectives?: ReadonlyArray<{ readonly name: string }>;
  readonly constraints?: ReadonlyArray<{ readonly name: string }>;
}

/** The trial fields the outcome columns read. */
export interface CsvOutcomeTrial {
  readonly values?: readonly number[] | null;
  readonly constraints?: readonly number[] | null;
  readonly feasible?: boolean | null;
}

/**
 * The outcome columns of a multi-objective or constrained study's export (MO-CONTRACT): one
 * `value_<name>` per objective, one `constraint_<name>` per constraint, and `feasible`. A
 * single-objective study without constraints has none, so its file stays as it was.
 */
export function csvOutcomeColumns(study: CsvOutcomeStudy): string[] {
  const objectives = study.objectives ?? [];
  const constraints = study.constraints ?? [];
  if (objectives.length < 2 && constraints.length === 0) return [];
  return [
    ...objectives.map((o) => `value_${o.name}`),
    ...constraints.map((c) => `constraint_${c.name}`),
    'feasible',
  ];
}

/** A trial's cells for csvOutcomeColumns, in the same order. */
export function csvOutcomeCells(study: CsvOutcomeStudy, trial: CsvOutcomeTrial): CsvValue[] {
  const objectives = study.objectives ?? [];
  const constraints = study.constraints ?? [];
  if (objectives.length < 2 && constraints.length === 0) return [];
  return [
    ...objectives.map((_, j) => trial.values?.[j] ?? null),
    ...constraints.map((_, k) => trial.constraints?.[k] ?? null),
    trial.feasible ?? null,
  ];
}

/** A trial as the trials CSV reads it (the SDK's `Trial`, the API's records both fit). */
export interface CsvTrial extends CsvOutcomeTrial {
  readonly id: string;
  readonly number: number;
  readonly state: string;
  readonly value: number | null;
  readonly workerId: string | null;
  readonly error: string | null;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly params: Readonly<Record<string, unknown>>;
}

/** The trial fields first, as the dashboard's "Export CSV" writes them (docs/DESIGN.md section 2). */
export const TRIALS_CSV_FIELDS = [
  'number',
  'state',
  'value',
  'worker',
  'error',
  'duration_s',
  'started_at',
  'finished_at',
] as const;

const param = (v: unknown): CsvValue =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : null;

/**
 * The trials of a study as CSV (`posterior export`, `Study.trialsExport`, the dashboard's Export CSV):
 * the fields, for a multi-objective or constrained study its outcome columns (`value_<objective>`,
 * `constraint_<name>`, `feasible`: csvOutcomeColumns), `params.<name>` in `paramNames` order, and with
 * `metrics` one `metrics.<name>` column per metric (each trial's last value), ordered by trial number.
 */
export function trialsCsv(
  trials: readonly CsvTrial[],
  paramNames: readonly string[],
  metrics?: {
    names: readonly string[];
    byTrial: ReadonlyMap<string, ReadonlyMap<string, { value: number }>>;
  },
  study: CsvOutcomeStudy = {},
): string {
  const header = [
    ...TRIALS_CSV_FIELDS,
    ...csvOutcomeColumns(study),
    ...paramNames.map((p) => `params.${p}`),
    ...(metrics?.names ?? []).map((m) => `metrics.${m}`),
  ];
  const rows = [...trials]
    .sort((a, b) => a.number - b.number)
    .map((t): CsvValue[] => [
      t.number,
      t.state,
      t.value,
      t.workerId,
      t.error,
      t.startedAt && t.finishedAt ? (t.finishedAt.getTime() - t.startedAt.getTime()) / 1000 : null,
      t.startedAt?.toISOString() ?? null,
      t.finishedAt?.toISOString() ?? null,
      ...csvOutcomeCells(study, t),
      ...paramNames.map((p) => (Object.hasOwn(t.params, p) ? param(t.params[p]) : null)),
      ...(metrics?.names ?? []).map((m) => metrics?.byTrial.get(t.id)?.get(m)?.value ?? null),
    ]);
  return csvText(header, rows);
}
