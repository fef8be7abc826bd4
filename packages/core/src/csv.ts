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

/** A trial as the trials CSV reads it (the SDK's `Trial`, the API's records both fit). */
export interface CsvTrial {
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
 * The trials of a study as CSV (`posterior export`, `Study.trialsExport`): the fields, `params.<name>`
 * in `paramNames` order, and with `metrics` one `metrics.<name>` column per metric (each trial's last
 * value), ordered by trial number.
 */
export function trialsCsv(
  trials: readonly CsvTrial[],
  paramNames: readonly string[],
  metrics?: {
    names: readonly string[];
    byTrial: ReadonlyMap<string, ReadonlyMap<string, { value: number }>>;
  },
): string {
  const header = [
    ...TRIALS_CSV_FIELDS,
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
      ...paramNames.map((p) => (Object.hasOwn(t.params, p) ? param(t.params[p]) : null)),
      ...(metrics?.names ?? []).map((m) => metrics?.byTrial.get(t.id)?.get(m)?.value ?? null),
    ]);
  return csvText(header, rows);
}
