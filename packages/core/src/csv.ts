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
