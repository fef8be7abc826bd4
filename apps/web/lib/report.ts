import { formatNumber, formatParam } from './format.ts';
import { paramNames } from './params.ts';
import type { ParamSpec, Study, Trial } from './types.ts';

function describeSpec(p: ParamSpec): string {
  if (p.type === 'categorical') return `categorical {${p.choices.map(String).join(', ')}}`;
  const opts = [p.log ? 'log' : '', p.step !== undefined ? `step ${p.step}` : ''].filter(Boolean).join(', ');
  return `${p.type} [${p.low}, ${p.high}]${opts ? ` (${opts})` : ''}`;
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

/**
 * The text report (bayes_opt.txt): the study, its space, every trial's params and value, the best trial.
 * Built from what the dashboard already holds, so the download needs no extra round trip.
 */
export function buildReport(study: Study, trials: readonly Trial[], now = new Date()): string {
  const lines: string[] = [];
  const c = study.trialCounts;
  const sorted = [...trials].sort((a, b) => a.number - b.number);
  lines.push(`Posterior study report: ${study.name}`);
  lines.push('='.repeat(Math.min(100, 25 + study.name.length)));
  lines.push(`study id     ${study.id}`);
  lines.push(`state        ${study.state}`);
  lines.push(`objective    ${study.objective} (${study.direction.toLowerCase()})`);
  const { type, ...samplerOpts } = study.sampler;
  const so = Object.entries(samplerOpts)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ');
  lines.push(`sampler      ${type}${so ? ` ${so}` : ''}`);
  lines.push(`pruner       ${study.pruner.type}`);
  lines.push(`budget       ${study.maxTrials ?? '—'} trials, parallelism ${study.parallelism ?? '—'}`);
  lines.push(
    `trials       ${sorted.length} (complete ${c.complete}, pruned ${c.pruned}, failed ${c.failed}, running ${c.running}, waiting ${c.waiting})`,
  );
  lines.push(`created      ${study.createdAt}`);
  lines.push(`generated    ${now.toISOString()}`);
  lines.push('');
  lines.push('Search space');
  const w = Math.max(4, ...study.searchSpace.map((p) => p.name.length));
  for (const p of study.searchSpace) lines.push(`  ${pad(p.name, w)}  ${describeSpec(p)}`);
  lines.push('');
  lines.push('Trials');
  const names = paramNames(study.searchSpace, sorted);
  const cols = ['#', 'state', study.objective, ...names];
  const rows = sorted.map((t) => [
    String(t.number),
    t.state,
    formatNumber(t.value, 6),
    ...names.map((n) => formatParam(t.params[n])),
  ]);
  const widths = cols.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) =>
    `  ${r.map((cell, i) => (i === 0 || i === 2 ? lpad(cell, widths[i] ?? 0) : pad(cell, widths[i] ?? 0))).join('  ')}`.trimEnd();
  lines.push(fmt(cols));
  for (const r of rows) lines.push(fmt(r));
  lines.push('');
  const better = (a: number, b: number) => (study.direction === 'MINIMIZE' ? a < b : a > b);
  let best: Trial | null = null;
  for (const t of sorted) {
    if (t.state !== 'COMPLETE' || t.value === null || !Number.isFinite(t.value)) continue;
    if (best === null || (best.value !== null && better(t.value, best.value))) best = t;
  }
  if (best) {
    lines.push(`Best trial: #${best.number}  ${study.objective} = ${formatNumber(best.value, 8)}`);
    for (const n of names) lines.push(`  ${pad(n, w)}  ${formatParam(best.params[n])}`);
  } else {
    lines.push('Best trial: none yet (no COMPLETE trial)');
  }
  lines.push('');
  return lines.join('\n');
}
