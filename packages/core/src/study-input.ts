import { z } from 'zod';
import { DIRECTIONS } from './direction.js';

// This schema runs in the dashboard under a CSP without 'unsafe-eval': zod's compiled parsers probe
// `new Function`, and the browser reports the probe as a violation even though zod catches it.
// Interpreted parsing is fast enough for study inputs.
z.config({ jitless: true });

/**
 * The input of `createStudy` (docs/DESIGN.md section 3) as one schema: the API validates GraphQL
 * input with it, `posterior study create -f` and the dashboard's create-study form validate study
 * files and typed fields with it, so a study one accepts the others accept. The search space's
 * entries and the sampler's and pruner's options are the optimizer's to judge (its parsers name the
 * offending entry); this schema checks the shape around them.
 *
 * Each issue's message is what the field must be ("a positive integer"): every caller words the
 * sentence its own way ("maxTrials must be a positive integer, got 0").
 */

export const STUDY_LIMITS = {
  name: 200,
  objective: 200,
  maxTrials: 100_000,
  parallelism: 1_000,
  heartbeatTimeoutS: 7 * 24 * 3600,
  retryFailed: 100,
  warmStartFrom: 5,
  warmStartEnqueue: 20,
  description: 10_000,
  objectives: 4,
  constraints: 8,
} as const;

/** The metric-name rule (the API's reportMetrics rule): objective and constraint names follow it. */
export const METRIC_NAME_PATTERN = /^[A-Za-z0-9_.:/-]{1,200}$/;

/** What the API stores for a field the input leaves out. */
export const STUDY_DEFAULTS = {
  sampler: { type: 'gp' },
  pruner: { type: 'none' },
  parallelism: 1,
  heartbeatTimeoutS: 60,
  retryFailed: 0,
} as const;

/** Field order: the first problem reported is the first field here that has one. */
export const STUDY_INPUT_FIELDS = [
  'teamId',
  'name',
  'direction',
  'objective',
  'searchSpace',
  'sampler',
  'pruner',
  'maxTrials',
  'parallelism',
  'heartbeatTimeoutS',
  'retryFailed',
  'warmStartFrom',
  'warmStartEnqueue',
  'description',
  'objectives',
  'constraints',
  'referencePoint',
] as const;
export type StudyInputField = (typeof STUDY_INPUT_FIELDS)[number];

const text = (max: number, expected: string) =>
  z
    .string({ error: expected })
    .trim()
    .min(1, { error: expected })
    .max(max, { error: `at most ${max} characters` });

const int = (min: number, max: number, expected: string) =>
  z
    .number({ error: expected })
    .int({ error: expected })
    .min(min, { error: expected })
    .max(max, { error: `at most ${max}` });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{ "type": "gp", ...options }`: the options stay for the optimizer to check. */
const config = z.looseObject(
  { type: z.string({ error: 'a type name' }) },
  { error: 'a mapping with a "type"' },
);

/** A `{params: [...]}` space (which the optimizer also reads) is the array it wraps. */
function unwrapParams(space: unknown): unknown {
  return typeof space === 'object' && space !== null && !Array.isArray(space) && 'params' in space
    ? (space as { params: unknown }).params
    : space;
}

const metricName = z
  .string({ error: 'a metric name' })
  .regex(METRIC_NAME_PATTERN, { error: 'a metric name (1-200 of A-Z a-z 0-9 _ . : / -)' });

const objectiveEntry = z.strictObject(
  { name: metricName, direction: z.enum(DIRECTIONS, { error: 'minimize or maximize' }) },
  { error: 'a mapping {name, direction}' },
);
const constraintEntry = z.strictObject({ name: metricName }, { error: 'a mapping {name}' });
const finite = z.number({ error: 'a finite number' }).finite({ error: 'a finite number' });

/** One objective of a study: the metric it optimizes and which way. */
export type StudyObjective = z.output<typeof objectiveEntry>;
/** One outcome constraint: a trial is feasible when every constraint value is <= 0. */
export type StudyConstraint = z.output<typeof constraintEntry>;

const baseStudyInputSchema = z.strictObject(
  {
    teamId: z.string({ error: 'a team id' }),
    name: text(STUDY_LIMITS.name, 'a non-empty string'),
    direction: z.enum(DIRECTIONS, { error: 'minimize or maximize' }).optional(),
    objective: text(STUDY_LIMITS.objective, 'a metric name').optional(),
    searchSpace: z.preprocess(
      unwrapParams,
      z.array(z.unknown(), { error: 'a non-empty list' }).min(1, { error: 'a non-empty list' }),
    ),
    sampler: config.optional(),
    pruner: config.optional(),
    maxTrials: int(1, STUDY_LIMITS.maxTrials, 'a positive integer'),
    parallelism: int(1, STUDY_LIMITS.parallelism, 'an integer >= 1').optional(),
    heartbeatTimeoutS: int(1, STUDY_LIMITS.heartbeatTimeoutS, 'an integer >= 1').optional(),
    retryFailed: int(0, STUDY_LIMITS.retryFailed, 'an integer >= 0').optional(),
    warmStartFrom: z
      .array(z.string({ error: 'a list of study ids' }).min(1, { error: 'a list of study ids' }), {
        error: 'a list of study ids',
      })
      .max(STUDY_LIMITS.warmStartFrom, { error: `at most ${STUDY_LIMITS.warmStartFrom} source studies` })
      .optional(),
    warmStartEnqueue: int(0, STUDY_LIMITS.warmStartEnqueue, 'an integer >= 0').optional(),
    description: z
      .string({ error: 'a string' })
      .max(STUDY_LIMITS.description, { error: `at most ${STUDY_LIMITS.description} characters` })
      .optional(),
    objectives: z
      .array(objectiveEntry, { error: 'a list of {name, direction}' })
      .min(1, { error: 'a non-empty list of {name, direction}' })
      .max(STUDY_LIMITS.objectives, { error: `at most ${STUDY_LIMITS.objectives} objectives` })
      .optional(),
    constraints: z
      .array(constraintEntry, { error: 'a list of {name}' })
      .max(STUDY_LIMITS.constraints, { error: `at most ${STUDY_LIMITS.constraints} constraints` })
      .optional(),
    referencePoint: z.array(finite, { error: 'a list of finite numbers' }).optional(),
  },
  { error: 'a mapping of study fields' },
);

/**
 * The rules across fields (MO-CONTRACT): `objective` and `direction` are required without
 * `objectives` and, when given beside it, must be its first entry; names are distinct across
 * objectives and constraints; a reference point needs two or more objectives, one value each.
 */
export const studyInputSchema = baseStudyInputSchema.superRefine(
  (v, ctx) => {
    // Also runs when other fields failed (so a missing direction is named in field order): every
    // value is checked for its shape before use.
    const list = Array.isArray(v.objectives) ? v.objectives : undefined;
    if (v.objectives === undefined) {
      if (v.direction === undefined)
        ctx.addIssue({ code: 'custom', path: ['direction'], message: 'minimize or maximize' });
      if (v.objective === undefined)
        ctx.addIssue({ code: 'custom', path: ['objective'], message: 'a metric name' });
    } else if (list) {
      const first = list[0];
      if (first && typeof v.objective === 'string' && v.objective !== first.name)
        ctx.addIssue({
          code: 'custom',
          path: ['objective'],
          message: `the first objective's name ("${first.name}") when objectives are given`,
        });
      if (first && typeof v.direction === 'string' && v.direction !== first.direction)
        ctx.addIssue({
          code: 'custom',
          path: ['direction'],
          message: `the first objective's direction (${first.direction}) when objectives are given`,
        });
    }
    const seen = new Set<string>();
    const entries = (field: 'objectives' | 'constraints', raw: unknown): Array<[string, number, unknown]> =>
      Array.isArray(raw)
        ? raw.map((e: unknown, i): [string, number, unknown] => [field, i, isRecord(e) ? e.name : undefined])
        : [];
    for (const [field, i, name] of [
      ...entries('objectives', v.objectives),
      ...entries('constraints', v.constraints),
    ]) {
      if (typeof name !== 'string') continue;
      if (seen.has(name))
        ctx.addIssue({
          code: 'custom',
          path: [field, i, 'name'],
          message: `a name no other objective or constraint has ("${name}" is taken)`,
        });
      seen.add(name);
    }
    if (Array.isArray(v.referencePoint)) {
      const m = list?.length ?? 1;
      if (m < 2)
        ctx.addIssue({
          code: 'custom',
          path: ['referencePoint'],
          message: 'given only with two or more objectives',
        });
      else if (v.referencePoint.length !== m)
        ctx.addIssue({
          code: 'custom',
          path: ['referencePoint'],
          message: `a list of ${m} finite numbers, one per objective`,
        });
    }
  },
  { when: (payload) => isRecord(payload.value) },
);
export type StudyInput = z.output<typeof studyInputSchema>;

/**
 * A valid input's objectives in study order: `objectives`, or the one `{objective, direction}`.
 * The study's `objective`/`direction` are always the first entry's.
 */
export function studyObjectivesOf(v: StudyInput): StudyObjective[] {
  if (v.objectives && v.objectives.length > 0) return v.objectives.map((o) => ({ ...o }));
  return [{ name: v.objective ?? '', direction: v.direction ?? 'MINIMIZE' }];
}

/**
 * A study file's conveniences over the GraphQL input: `direction: minimize` in any case, `sampler: gp`
 * for `{type: gp}`, a numeric team id. Anything else passes through for the schema to judge.
 */
export function normalizeStudyFile(raw: unknown): unknown {
  if (!isRecord(raw)) return raw;
  const out: Record<string, unknown> = { ...raw };
  if (typeof out.direction === 'string') out.direction = out.direction.toUpperCase();
  if (Array.isArray(out.objectives))
    out.objectives = out.objectives.map((o: unknown) =>
      isRecord(o) && typeof o.direction === 'string' ? { ...o, direction: o.direction.toUpperCase() } : o,
    );
  if (typeof out.teamId === 'number') out.teamId = String(out.teamId);
  for (const key of ['sampler', 'pruner'] as const) {
    if (typeof out[key] === 'string') out[key] = { type: out[key] };
  }
  return out;
}

/** The same schema over a study file (YAML or JSON already parsed). */
export const studyFileSchema = z.preprocess(normalizeStudyFile, studyInputSchema);

/** One problem with a study input: where (`searchSpace`, `sampler.type`) and what it must be. */
export type StudyInputProblem =
  | { kind: 'notAMapping' }
  | { kind: 'unknownFields'; fields: string[] }
  | { kind: 'field'; field: StudyInputField | null; path: string; expected: string };

export type StudyInputResult =
  | { ok: true; value: StudyInput }
  | { ok: false; problem: StudyInputProblem; problems: StudyInputProblem[] };

function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('');
}

function rank(problem: StudyInputProblem): number {
  if (problem.kind !== 'field') return -1;
  return problem.field === null ? STUDY_INPUT_FIELDS.length : STUDY_INPUT_FIELDS.indexOf(problem.field);
}

function toProblem(issue: z.core.$ZodIssue): StudyInputProblem {
  if (issue.code === 'unrecognized_keys') {
    if (issue.path.length === 0) return { kind: 'unknownFields', fields: [...issue.keys] };
    // An unknown key inside an entry ({name, direction, extra}): that entry's field, by its path.
    const head = String(issue.path[0]);
    const field = (STUDY_INPUT_FIELDS as readonly string[]).includes(head) ? (head as StudyInputField) : null;
    return {
      kind: 'field',
      field,
      path: pathText([...issue.path, issue.keys[0] ?? '']),
      expected: 'left out (not a known field)',
    };
  }
  if (issue.path.length === 0) return { kind: 'notAMapping' };
  const head = String(issue.path[0]);
  const field = (STUDY_INPUT_FIELDS as readonly string[]).includes(head) ? (head as StudyInputField) : null;
  return { kind: 'field', field, path: pathText(issue.path), expected: issue.message };
}

function result(parsed: z.ZodSafeParseResult<StudyInput>): StudyInputResult {
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems = parsed.error.issues.map(toProblem).sort((a, b) => rank(a) - rank(b));
  const [problem = { kind: 'notAMapping' } as const] = problems;
  return { ok: false, problem, problems };
}

/** Validates `createStudy` input; problems come in field order, the first one first. */
export function parseStudyInput(input: unknown): StudyInputResult {
  return result(studyInputSchema.safeParse(input));
}

/** Validates a parsed study file (see normalizeStudyFile). */
export function parseStudyFile(raw: unknown): StudyInputResult {
  return result(studyFileSchema.safeParse(raw));
}
