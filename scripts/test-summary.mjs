// Adds up the TAP files that scripts/run-node-tests.mjs writes (one per package) into npm test's last
// line. Skips are counted and their reasons shown, never folded into the passes: a run that could not
// do part of its work says so on the line people and CI read.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const COUNTS = /^# (pass|fail|cancelled|skipped|todo) (\d+)$/;
const RESULT = /^(\s*)(?:not )?ok \d+ - .*? # (SKIP|TODO)(?:\s+(.*))?$/i;

/** Totals and skip reasons of one TAP document from Node's test runner. */
export function summariseTap(text) {
  const totals = { pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0 };
  const reasons = new Map();
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const count = COUNTS.exec(line);
    if (count) totals[count[1]] += Number(count[2]);
    const result = RESULT.exec(line);
    if (!result) return;
    const [, indent, directive, reason] = result;
    const why = directive.toUpperCase() === 'TODO' ? 'todo' : reason?.trim() || 'no reason given';
    reasons.set(why, (reasons.get(why) ?? 0) + 1);
    // Node counts a skipped suite in neither `# skipped` nor `# tests`; its tests never ran, so it
    // counts here as one skipped test rather than vanishing from the totals.
    if (isSuite(lines, i + 1, indent)) totals.skipped += 1;
  });
  return { ...totals, reasons };
}

/** Whether the YAML block after a result line (at `indent`) says `type: 'suite'`. */
function isSuite(lines, from, indent) {
  if (lines[from] !== `${indent}  ---`) return false;
  for (let i = from + 1; i < lines.length && lines[i] !== `${indent}  ...`; i++) {
    if (lines[i] === `${indent}  type: 'suite'`) return true;
  }
  return false;
}

/** The sum over every `.tap` file in `dir` (none: all zero). */
export function summariseDir(dir) {
  const sum = { pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0, reasons: new Map() };
  let files = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.tap'));
  } catch {
    // No package wrote results.
  }
  for (const file of files) {
    const one = summariseTap(readFileSync(join(dir, file), 'utf8'));
    for (const key of ['pass', 'fail', 'cancelled', 'skipped', 'todo']) sum[key] += one[key];
    for (const [why, n] of one.reasons) sum.reasons.set(why, (sum.reasons.get(why) ?? 0) + n);
  }
  return sum;
}

/** `tests: N passed, N failed[, N skipped (reasons)]`: the form CI and people read. */
export function closingLine(sum) {
  const failed = sum.fail + sum.cancelled;
  const skipped = sum.skipped + sum.todo;
  let line = `tests: ${sum.pass} passed, ${failed} failed`;
  if (skipped === 0) return line;
  line += `, ${skipped} skipped`;
  const groups = [...sum.reasons].sort((a, b) => b[1] - a[1]);
  if (groups.length === 1) return `${line} (${groups[0][0]})`;
  if (groups.length > 1) return `${line} (${groups.map(([why, n]) => `${n}: ${why}`).join('; ')})`;
  return line;
}
