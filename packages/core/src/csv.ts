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
