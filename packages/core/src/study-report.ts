import { bestTrial } from './best-trial.js';
import type { Direction } from './direction.js';
import { satisfiesConstraints } from './outcomes.js';

/**
 * The text report of a study (`bayes_opt.txt`, docs/DESIGN.md section 2): the study, its search space,
 * every trial's params and value, the best trial and the model's recommended one. Pure: data in, text
 * out, so the API (`Study.report`, which `posterior report` prints) and the dashboard's download
 * (built from the trials it holds when the server's report cannot be fetched) write the same file.
 */
export interface ReportStudy {
  id: string;
  name: string;
  state: string;
  direction: Direction;
  objective: string;
  /** The search space JSON of docs/DESIGN.md section 3. */
  searchSpace: unknown;
  sampler: unknown;
  pruner?: unknown;
  /** The budget; null when unknown (prints as `?`). */
  maxTrials: number | null;
  createdAt?: string | Date | null;
  /** Every objective in study order (issue 17); absent or one: a single-objective report. */
  objectives?: ReadonlyArray<{ name: string; direction: Direction }>;
  /** Outcome constraints in study order: a trial is feasible when every value is <= 0. */
  constraints?: ReadonlyArray<{ name: string }>;
}

/**
 * A multi-objective study's front as the API computes it (optimizer `paretoFront`/`hypervolume`;
 * this module stays free of the optimizer): the front's trial numbers, its hypervolume, and the
 * reference point it is measured against.
 */
export interface ReportFront {
  trialNumbers: readonly number[];
  /** The hypervolume of the feasible front; null without a reference point. */
  hypervolume: number | null;
  referencePoint: { values: readonly number[]; source: 'STUDY' | 'INFERRED' } | null;
}

export interface ReportTrial {
  number: number;
  state: string;
  params: Record<string, unknown>;
  value: number | null;
  error?: string | null;
  /** One per objective (multi-objective studies); absent: `[value]`. */
  values?: readonly number[] | null;
  /** One per constraint (constrained studies). */
  constraints?: readonly number[] | null;
}

/** The model's recommended trial (Study.recommendedTrial), when the study has a model. */
export interface ReportRecommendation {
  number: number;
  value: number | null;
  mean: number | null;
  std: number | null;
  noiseStd: number | null;
}

interface SpaceEntry {
  name: string;
  text: string;
}

/** Short, exact enough numbers: integers as they are, six significant digits, exponents at the extremes. */
export function formatReportNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(4);
  return String(Number(value.toPrecision(6)));
}

function formatValue(value: unknown): string {
  if (typeof value === 'number') return formatReportNumber(value);
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '-';
  return JSON.stringify(value);
}

function describeSpace(space: unknown): SpaceEntry[] {
  if (!Array.isArray(space)) return [];
  return space.map((raw: unknown, index): SpaceEntry => {
    const entry = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const name = typeof entry.name === 'string' ? entry.name : `#${index}`;
    const type = String(entry.type ?? '?');
    if (type === 'categorical') {
      const choices = Array.isArray(entry.choices) ? entry.choices.map(formatValue).join(', ') : '';
      return { name, text: `categorical {${choices}}` };
    }
    let text = `${type.padEnd(5)} [${formatValue(entry.low)}, ${formatValue(entry.high)}]`;
    if (entry.log === true) text += ' log';
    if (typeof entry.step === 'number') text += ` step ${formatReportNumber(entry.step)}`;
    return { name, text };
  });
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

export function formatStudyReport(
  study: ReportStudy,
  trials: readonly ReportTrial[],
  recommended: ReportRecommendation | null = null,
  front: ReportFront | null = null,
): string {
  const objectives = study.objectives ?? [];
  const constraints = study.constraints ?? [];
  if (objectives.length >= 2 || constraints.length > 0)
    return formatExtendedReport(study, trials, recommended, front);
  const sorted = [...trials].sort((a, b) => a.number - b.number);
  const counts = new Map<string, number>();
  for (const trial of sorted) counts.set(trial.state, (counts.get(trial.state) ?? 0) + 1);
  const countText = [...counts.entries()].map(([state, n]) => `${n} ${state.toLowerCase()}`).join(', ');
  const created = study.createdAt instanceof Date ? study.createdAt.toISOString() : (study.createdAt ?? null);

  const out: string[] = [];
  out.push('Posterior study report', '======================', '');
  out.push(`Study:      ${study.name} (${study.id})`);
  out.push(`State:      ${study.state}`);
  if (created) out.push(`Created:    ${created}`);
  out.push(`Objective:  ${study.direction === 'MINIMIZE' ? 'minimize' : 'maximize'} ${study.objective}`);
  out.push(`Sampler:    ${JSON.stringify(study.sampler)}`);
  if (study.pruner !== undefined) out.push(`Pruner:     ${JSON.stringify(study.pruner)}`);
  out.push(`Trials:     ${sorted.length} of ${study.maxTrials ?? '?'}${countText ? ` (${countText})` : ''}`);

  const space = describeSpace(study.searchSpace);
  out.push('', 'Search space', '------------');
  const nameWidth = Math.max(4, ...space.map((entry) => entry.name.length));
  for (const entry of space) out.push(`  ${entry.name.padEnd(nameWidth)}  ${entry.text}`);

  const names = space.map((entry) => entry.name);
  out.push('', 'Trials', '------');
  const header = ['#', 'state', study.objective, ...names];
  const rows = sorted.map((trial) => [
    String(trial.number),
    trial.state,
    trial.value === null ? '-' : formatReportNumber(trial.value),
    ...names.map((name) => formatValue(trial.params[name])),
  ]);
  out.push(...table(header, rows).map((line) => `  ${line}`));

  out.push('', 'Best trial', '----------');
  const best = bestTrial(study.direction, sorted);
  if (best === null || best.value === null) {
    out.push('  none (no completed trial yet)');
  } else {
    out.push(`  trial #${best.number}: ${study.objective} = ${formatReportNumber(best.value)}`);
    for (const name of names) out.push(`    ${name.padEnd(nameWidth)} = ${formatValue(best.params[name])}`);
  }
  pushRecommended(out, study, sorted, recommended, names, nameWidth);
  out.push('');
  return out.join('\n');
}

function pushRecommended(
  out: string[],
  study: ReportStudy,
  sorted: readonly ReportTrial[],
  recommended: ReportRecommendation | null,
  names: readonly string[],
  nameWidth: number,
): void {
  const pick = recommended && sorted.find((trial) => trial.number === recommended.number);
  if (recommended && pick) {
    out.push('', 'Recommended trial (model)', '-------------------------');
    const belief =
      recommended.mean === null
        ? ''
        : `; posterior mean ${formatReportNumber(recommended.mean)} +- ${formatReportNumber(recommended.std ?? Number.NaN)}` +
          `, fitted noise sd ${formatReportNumber(recommended.noiseStd ?? Number.NaN)}`;
    const observed = recommended.value === null ? '-' : formatReportNumber(recommended.value);
    out.push(`  trial #${recommended.number}: ${study.objective} = ${observed}${belief}`);
    for (const name of names) out.push(`    ${name.padEnd(nameWidth)} = ${formatValue(pick.params[name])}`);
    out.push(
      '  (the completed trial with the best posterior mean of the GP: with a noisy objective the best',
      '  observed value is biased towards a lucky draw, the posterior mean is not)',
    );
  }
}

const numberOrDash = (v: number | null | undefined): string =>
  v === null || v === undefined ? '-' : formatReportNumber(v);

/** Feasible: COMPLETE with every constraint value <= 0; null before COMPLETE or when unknown. */
function feasibility(trial: ReportTrial, constraintCount: number): boolean | null {
  if (trial.state !== 'COMPLETE') return null;
  if (constraintCount === 0) return true;
  const c = trial.constraints;
  if (!c || c.length !== constraintCount) return null;
  return satisfiesConstraints(c);
}

/**
 * The report of a multi-objective or constrained study (docs/DESIGN.md 6f): every objective and
 * constraint gets a trial-table column and a `feasible` column marks infeasible trials; a
 * multi-objective study lists its Pareto front (with its hypervolume and reference point) where a
 * single-objective one has its best trial, which in a constrained study is the best feasible one.
 */
function formatExtendedReport(
  study: ReportStudy,
  trials: readonly ReportTrial[],
  recommended: ReportRecommendation | null,
  front: ReportFront | null,
): string {
  const objectives = study.objectives?.length
    ? study.objectives
    : [{ name: study.objective, direction: study.direction }];
  const constraints = study.constraints ?? [];
  const multi = objectives.length >= 2;
  const sorted = [...trials].sort((a, b) => a.number - b.number);
  const counts = new Map<string, number>();
  for (const trial of sorted) counts.set(trial.state, (counts.get(trial.state) ?? 0) + 1);
  const countText = [...counts.entries()].map(([state, n]) => `${n} ${state.toLowerCase()}`).join(', ');
  const created = study.createdAt instanceof Date ? study.createdAt.toISOString() : (study.createdAt ?? null);
  const dir = (d: Direction) => (d === 'MINIMIZE' ? 'minimize' : 'maximize');

  const out: string[] = [];
  out.push('Posterior study report', '======================', '');
  out.push(`Study:      ${study.name} (${study.id})`);
  out.push(`State:      ${study.state}`);
  if (created) out.push(`Created:    ${created}`);
  if (multi) out.push(`Objectives: ${objectives.map((o) => `${dir(o.direction)} ${o.name}`).join(', ')}`);
  else out.push(`Objective:  ${dir(study.direction)} ${study.objective}`);
  if (constraints.length > 0)
    out.push(`Constraints: ${constraints.map((c) => c.name).join(', ')} (feasible when every one is <= 0)`);
  if (multi) {
    const ref = front?.referencePoint ?? null;
    out.push(
      `Reference:  ${
        ref === null
          ? 'none yet (inferred once a trial is feasible)'
          : `(${ref.values.map(formatReportNumber).join(', ')}) ${ref.source === 'STUDY' ? 'given by the study' : 'inferred from the feasible trials'}`
      }`,
    );
  }
  out.push(`Sampler:    ${JSON.stringify(study.sampler)}`);
  if (study.pruner !== undefined) out.push(`Pruner:     ${JSON.stringify(study.pruner)}`);
  out.push(`Trials:     ${sorted.length} of ${study.maxTrials ?? '?'}${countText ? ` (${countText})` : ''}`);

  const space = describeSpace(study.searchSpace);
  out.push('', 'Search space', '------------');
  const nameWidth = Math.max(4, ...space.map((entry) => entry.name.length));
  for (const entry of space) out.push(`  ${entry.name.padEnd(nameWidth)}  ${entry.text}`);

  const names = space.map((entry) => entry.name);
  const valuesOf = (t: ReportTrial): ReadonlyArray<number | null> =>
    t.values ?? (multi ? objectives.map(() => null) : [t.value]);
  const mark = (f: boolean | null): string => (f === null ? '-' : f ? 'yes' : 'no');
  const cells = (t: ReportTrial, withFeasible: boolean): string[] => [
    ...objectives.map((_, j) => numberOrDash(valuesOf(t)[j])),
    ...constraints.map((_, k) => numberOrDash(t.constraints?.[k])),
    ...(withFeasible ? [mark(feasibility(t, constraints.length))] : []),
    ...names.map((name) => formatValue(t.params[name])),
  ];
  const outcomes = [...objectives.map((o) => o.name), ...constraints.map((c) => c.name)];
  const withFeasible = constraints.length > 0;
  out.push('', 'Trials', '------');
  out.push(
    ...table(
      ['#', 'state', ...outcomes, ...(withFeasible ? ['feasible'] : []), ...names],
      sorted.map((t) => [String(t.number), t.state, ...cells(t, withFeasible)]),
    ).map((line) => `  ${line}`),
  );

  if (multi) {
    out.push('', 'Pareto front', '------------');
    const members = (front?.trialNumbers ?? [])
      .map((n) => sorted.find((t) => t.number === n))
      .filter((t): t is ReportTrial => t !== undefined);
    if (front?.hypervolume !== null && front?.hypervolume !== undefined && front.referencePoint)
      out.push(
        `  hypervolume ${formatReportNumber(front.hypervolume)} against (${front.referencePoint.values
          .map(formatReportNumber)
          .join(', ')})`,
      );
    if (members.length === 0) out.push('  none (no feasible completed trial yet)');
    else
      out.push(
        ...table(
          ['#', ...outcomes, ...names],
          members.map((t) => [String(t.number), ...cells(t, false)]),
        ).map((line) => `  ${line}`),
      );
  } else {
    out.push('', 'Best feasible trial', '-------------------');
    const best = bestTrial(
      study.direction,
      sorted.filter((t) => feasibility(t, constraints.length) === true),
    );
    if (best === null || best.value === null) {
      out.push('  none (no feasible completed trial yet)');
    } else {
      out.push(`  trial #${best.number}: ${study.objective} = ${formatReportNumber(best.value)}`);
      const width = Math.max(nameWidth, ...constraints.map((c) => c.name.length));
      for (const [k, c] of constraints.entries())
        out.push(`    ${c.name.padEnd(width)} = ${numberOrDash(best.constraints?.[k])}`);
      for (const name of names) out.push(`    ${name.padEnd(width)} = ${formatValue(best.params[name])}`);
    }
    pushRecommended(out, study, sorted, recommended, names, nameWidth);
  }
  out.push('');
  return out.join('\n');
}
