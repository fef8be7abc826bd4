import { normalizeStudyFile, parseStudyInput, type StudyInputField, studyInputSchema } from '@posterior/core';
import { parse as parseYaml } from 'yaml';
import {
  draftsToSpace,
  emptyDraft,
  type FieldErrors,
  type ParamDraft,
  spaceFromUnknown,
} from './search-space.ts';
import type { CreateStudyInput, Direction, PrunerConfig, SamplerConfig, Study } from './types.ts';

/** A further objective of a multi-objective study (the first is the form's objective/direction). */
export interface ObjectiveDraft {
  key: string;
  name: string;
  direction: Direction;
}
/** An outcome constraint: the metric whose value must be <= 0. */
export interface ConstraintDraft {
  key: string;
  name: string;
}

let draftSeq = 0;
export const objectiveDraft = (name = '', direction: Direction = 'MINIMIZE'): ObjectiveDraft => ({
  key: `o${++draftSeq}`,
  name,
  direction,
});
export const constraintDraft = (name = ''): ConstraintDraft => ({ key: `c${++draftSeq}`, name });

export const SAMPLERS = [
  { value: 'gp', label: 'Gaussian process (Bayesian)' },
  { value: 'random', label: 'Random' },
  { value: 'qmc', label: 'Quasi-random (Sobol)' },
] as const;
export const PRUNERS = [
  { value: 'none', label: 'None' },
  { value: 'median', label: 'Median' },
] as const;

/** The create-study form, every field as typed. */
export interface StudyForm {
  name: string;
  direction: Direction;
  objective: string;
  /** Objectives after the first: two or more objectives make a multi-objective study. */
  moreObjectives: ObjectiveDraft[];
  constraints: ConstraintDraft[];
  /** Hypervolume reference point, comma-separated, one value per objective (empty: inferred). */
  referencePoint: string;
  params: ParamDraft[];
  sampler: string;
  seed: string;
  /** Extra sampler options as a JSON object, e.g. {"nStartupTrials": 8}. */
  samplerOptions: string;
  pruner: string;
  prunerOptions: string;
  maxTrials: string;
  parallelism: string;
  heartbeatTimeoutS: string;
  retryFailed: string;
}

export function emptyForm(): StudyForm {
  return {
    name: '',
    direction: 'MINIMIZE',
    objective: 'val_loss',
    moreObjectives: [],
    constraints: [],
    referencePoint: '',
    params: [emptyDraft('float', 'lr')],
    sampler: 'gp',
    seed: '',
    samplerOptions: '',
    pruner: 'none',
    prunerOptions: '',
    maxTrials: '30',
    parallelism: '2',
    heartbeatTimeoutS: '60',
    retryFailed: '0',
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseOptions(text: string, key: string, errors: FieldErrors): Record<string, unknown> {
  if (text.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(text);
    if (isRecord(v)) return v;
    errors[key] = 'Must be a JSON object of name: value options.';
  } catch {
    errors[key] = 'Not valid JSON.';
  }
  return {};
}

function intField(text: string, key: string, min: number, errors: FieldErrors, label: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < min) {
    errors[key] = `${label} must be a whole number ≥ ${min}.`;
    return min;
  }
  return n;
}

/** Validates the form into `createStudy` input; errors are keyed by field (see CreateStudyInput). */
export function formToInput(
  form: StudyForm,
  teamId: string,
): { input: CreateStudyInput; errors: FieldErrors } {
  const { space, errors } = draftsToSpace(form.params);
  if (form.name.trim() === '') errors.name = 'Give the study a name.';
  else if (form.name.trim().length > 200) errors.name = 'At most 200 characters.';
  if (form.objective.trim() === '') errors.objective = 'Name the metric to optimize, e.g. val_loss.';
  const sampler: SamplerConfig = {
    ...parseOptions(form.samplerOptions, 'samplerOptions', errors),
    type: form.sampler,
  };
  if (form.seed.trim() !== '') {
    const s = Number(form.seed);
    if (!Number.isInteger(s) || s < 0) errors.seed = 'Seed must be a whole number ≥ 0.';
    else sampler.seed = s;
  }
  const pruner: PrunerConfig = {
    ...parseOptions(form.prunerOptions, 'prunerOptions', errors),
    type: form.pruner,
  };
  form.moreObjectives.forEach((o, i) => {
    if (o.name.trim() === '') errors[`objectives.${i + 1}.name`] = 'Name the metric, e.g. latency_ms.';
  });
  form.constraints.forEach((c, i) => {
    if (c.name.trim() === '') errors[`constraints.${i}.name`] = 'Name the metric that must stay <= 0.';
  });
  const objectives =
    form.moreObjectives.length > 0
      ? [
          { name: form.objective.trim(), direction: form.direction },
          ...form.moreObjectives.map((o) => ({ name: o.name.trim(), direction: o.direction })),
        ]
      : undefined;
  let referencePoint: number[] | undefined;
  if (objectives && form.referencePoint.trim() !== '') {
    referencePoint = form.referencePoint.split(',').map((v) => Number(v.trim()));
    if (referencePoint.length !== objectives.length || referencePoint.some((v) => !Number.isFinite(v)))
      errors.referencePoint = `One number per objective (${objectives.length}), comma-separated.`;
  }
  const input: CreateStudyInput = {
    teamId,
    name: form.name.trim(),
    direction: form.direction,
    objective: form.objective.trim(),
    ...(objectives ? { objectives } : {}),
    ...(form.constraints.length
      ? { constraints: form.constraints.map((c) => ({ name: c.name.trim() })) }
      : {}),
    ...(referencePoint ? { referencePoint } : {}),
    searchSpace: space,
    sampler,
    pruner,
    maxTrials: intField(form.maxTrials, 'maxTrials', 1, errors, 'Budget'),
    parallelism: intField(form.parallelism, 'parallelism', 1, errors, 'Parallelism'),
    heartbeatTimeoutS: intField(form.heartbeatTimeoutS, 'heartbeatTimeoutS', 1, errors, 'Heartbeat timeout'),
    retryFailed: intField(form.retryFailed, 'retryFailed', 0, errors, 'Retries'),
  };
  if (input.parallelism > input.maxTrials && !errors.parallelism && !errors.maxTrials) {
    errors.parallelism = 'Cannot exceed the budget.';
  }
  // The rest of the rules (limits) are the API's own schema, checked here before the round trip.
  const checked = parseStudyInput(input);
  if (!checked.ok) {
    for (const problem of checked.problems) {
      if (problem.kind !== 'field' || problem.field === null) continue;
      const key = formKey(problem.field, problem.path);
      if (!errors[key]) errors[key] = `${FORM_LABELS[problem.field]} must be ${problem.expected}.`;
    }
  }
  return { input, errors };
}

/**
 * Where a problem shows: an objective's or constraint's own row when the path names one
 * ("objectives[1].name" -> "objectives.1.name"), else the field's place.
 */
function formKey(field: StudyInputField, path: string): string {
  const row = /^(objectives|constraints)\[(\d+)\]/.exec(path);
  if (row) return row[1] === 'objectives' && row[2] === '0' ? 'objective' : `${row[1]}.${row[2]}.name`;
  return FORM_KEYS[field];
}

/** Where each createStudy field's problem shows in the form, and what the form calls it. */
const FORM_KEYS: Record<StudyInputField, string> = {
  teamId: 'form',
  name: 'name',
  direction: 'direction',
  objective: 'objective',
  searchSpace: 'searchSpace',
  sampler: 'samplerOptions',
  pruner: 'prunerOptions',
  maxTrials: 'maxTrials',
  parallelism: 'parallelism',
  heartbeatTimeoutS: 'heartbeatTimeoutS',
  retryFailed: 'retryFailed',
  // Warm start is set through the API, the SDK and study files; the form has no field for it.
  warmStartFrom: 'form',
  warmStartEnqueue: 'form',
  // Set at creation through the API, the SDK and study files, or later on the study page's API.
  description: 'form',
  // a problem with one objective or constraint names its row (formKey); these are the rest
  objectives: 'objective',
  constraints: 'form',
  referencePoint: 'referencePoint',
};
const FORM_LABELS: Record<StudyInputField, string> = {
  teamId: 'The team',
  name: 'The name',
  direction: 'The direction',
  objective: 'The objective',
  searchSpace: 'The search space',
  sampler: 'The sampler',
  pruner: 'The pruner',
  maxTrials: 'Budget',
  parallelism: 'Parallelism',
  heartbeatTimeoutS: 'Heartbeat timeout',
  retryFailed: 'Retries',
  warmStartFrom: 'The warm-start sources',
  warmStartEnqueue: 'The warm-start queue',
  description: 'The description',
  objectives: 'The objectives',
  constraints: 'The constraints',
  referencePoint: 'The reference point',
};

/** Reads a study file (YAML or JSON; the same fields as createStudy) into the form. */
export function formFromFile(
  text: string,
  base: StudyForm = emptyForm(),
): { form: StudyForm; error: string | null } {
  let doc: unknown;
  try {
    doc = parseYaml(text); // YAML is a superset of JSON
  } catch (e) {
    return {
      form: base,
      error: `Could not parse the file: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
    };
  }
  // The file's conveniences (any-case direction, `sampler: gp`) as the CLI reads them.
  doc = normalizeStudyFile(doc);
  if (!isRecord(doc)) return { form: base, error: 'The file must contain a mapping of study fields.' };
  const form: StudyForm = { ...base };
  const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);
  form.name = str(doc.name) ?? form.name;
  form.objective = str(doc.objective) ?? form.objective;
  if (doc.direction !== undefined) {
    const direction = studyInputSchema.shape.direction.safeParse(doc.direction);
    if (!direction.success) return { form: base, error: 'direction must be MINIMIZE or MAXIMIZE.' };
    form.direction = direction.data ?? form.direction;
  }
  if (Array.isArray(doc.objectives) && doc.objectives.length > 0) {
    const objs = doc.objectives.map((o) => (isRecord(o) ? o : {}));
    const dir = (v: unknown): Direction => (String(v).toUpperCase() === 'MAXIMIZE' ? 'MAXIMIZE' : 'MINIMIZE');
    form.objective = str(objs[0]?.name) ?? form.objective;
    form.direction = dir(objs[0]?.direction);
    form.moreObjectives = objs.slice(1).map((o) => objectiveDraft(str(o.name) ?? '', dir(o.direction)));
  }
  if (Array.isArray(doc.constraints))
    form.constraints = doc.constraints.map((c) => constraintDraft(str(isRecord(c) ? c.name : c) ?? ''));
  if (Array.isArray(doc.referencePoint)) form.referencePoint = doc.referencePoint.join(', ');
  form.maxTrials = str(doc.maxTrials) ?? form.maxTrials;
  form.parallelism = str(doc.parallelism) ?? form.parallelism;
  form.heartbeatTimeoutS = str(doc.heartbeatTimeoutS) ?? form.heartbeatTimeoutS;
  form.retryFailed = str(doc.retryFailed) ?? form.retryFailed;
  const samp = doc.sampler;
  if (isRecord(samp)) {
    const { type, seed, ...rest } = samp;
    if (typeof type === 'string') form.sampler = type;
    form.seed = seed === undefined ? '' : String(seed);
    form.samplerOptions = Object.keys(rest).length ? JSON.stringify(rest) : '';
  }
  const prun = doc.pruner;
  if (isRecord(prun)) {
    const { type, ...rest } = prun;
    if (typeof type === 'string') form.pruner = type;
    form.prunerOptions = Object.keys(rest).length ? JSON.stringify(rest) : '';
  }
  if (doc.searchSpace !== undefined) {
    const { drafts, error } = spaceFromUnknown(doc.searchSpace);
    if (error) return { form: base, error };
    form.params = drafts;
  }
  return { form, error: null };
}

/**
 * The form filled from an existing study, for "Clone with edits": the same space, objective,
 * sampler, pruner and budget under a new name (the budget starts over in the copy).
 */
export function formFromStudy(study: Study, base: StudyForm = emptyForm()): StudyForm {
  const { form } = formFromFile(
    JSON.stringify({
      name: `${study.name} (copy)`.slice(0, 200),
      objective: study.objective,
      direction: study.direction,
      ...(study.objectives.length > 1 ? { objectives: study.objectives } : {}),
      ...(study.constraints.length ? { constraints: study.constraints } : {}),
      ...(study.referencePoint?.source === 'STUDY' ? { referencePoint: study.referencePoint.values } : {}),
      maxTrials: study.maxTrials ?? undefined,
      parallelism: study.parallelism ?? undefined,
      sampler: study.sampler,
      pruner: study.pruner,
      searchSpace: study.searchSpace,
    }),
    base,
  );
  return form;
}

/** The API message without its path prefix ("input.maxTrials: must be ≥ 1" -> "must be ≥ 1"). */
export function apiErrorText(message: string): string {
  return message.replace(/^(?:input\.)?[A-Za-z]+(?:\[\d+\])?(?:\.[A-Za-z]+)?\s*:\s*/, '');
}

/**
 * Where to show an API BAD_USER_INPUT error: the field the error names (extensions.field), else the
 * search-space entry whose index or name the message mentions, else a top-level field it mentions.
 */
export function fieldForApiError(
  message: string,
  field: string | null,
  paramNames: readonly string[] = [],
): string {
  if (field) return field;
  // The API prefixes the message with the input path: "input.searchSpace[2].low: must be > 0".
  const path = /^(?:input\.)?([A-Za-z]+(?:\[\d+\])?(?:\.[A-Za-z]+)?)\s*:/.exec(message)?.[1];
  if (path) {
    const entry = /^searchSpace\[(\d+)\](?:\.(\w+))?$/.exec(path);
    if (entry) {
      const sub = entry[2] ?? 'name';
      const known = ['name', 'low', 'high', 'step', 'choices'];
      return `searchSpace.${entry[1]}.${known.includes(sub) ? sub : sub === 'log' ? 'low' : 'name'}`;
    }
    if (path === 'sampler.seed') return 'seed';
    if (path.startsWith('sampler')) return 'samplerOptions';
    if (path.startsWith('pruner')) return 'prunerOptions';
    const top = [
      'name',
      'objective',
      'maxTrials',
      'parallelism',
      'heartbeatTimeoutS',
      'retryFailed',
      'searchSpace',
    ];
    if (top.includes(path)) return path;
  }
  const m = /searchSpace\s*(?:\[|\.|entry\s*)(\d+)/i.exec(message);
  if (m) return `searchSpace.${m[1]}.name`;
  const idx = paramNames.findIndex(
    (n) => n !== '' && new RegExp(`["'\u201c]${escapeRe(n)}["'\u201d]`).test(message),
  );
  if (idx >= 0) return `searchSpace.${idx}.name`;
  const fields: Array<[string, string]> = [
    ['maxTrials', 'maxTrials'],
    ['parallelism', 'parallelism'],
    ['heartbeatTimeoutS', 'heartbeatTimeoutS'],
    ['retryFailed', 'retryFailed'],
    ['objective', 'objective'],
    ['sampler', 'samplerOptions'],
    ['pruner', 'prunerOptions'],
    ['searchSpace', 'searchSpace'],
    ['name', 'name'],
  ];
  for (const [word, key] of fields) if (new RegExp(`\\b${word}\\b`, 'i').test(message)) return key;
  return 'form';
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
