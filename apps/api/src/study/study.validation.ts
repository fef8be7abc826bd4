import {
  parseStudyInput,
  STUDY_DEFAULTS,
  STUDY_LIMITS,
  type StudyInputProblem,
  studyObjectivesOf,
} from '@posterior/core';
import * as optimizer from '@posterior/optimizer';
import { BadUserInputError } from '../common/errors.js';
import { Direction } from '../db/index.js';
import type { CreateStudyInput } from '../graphql/inputs.js';
import { boundedSearchSpace, checkSamplerBounds } from './study-bounds.js';

export interface ValidStudy {
  teamId: string;
  name: string;
  direction: Direction;
  objective: string;
  /** Every objective in study order; the first is `objective`/`direction`. */
  objectives: Array<{ name: string; direction: Direction }>;
  constraints: Array<{ name: string }>;
  referencePoint: number[] | null;
  searchSpace: unknown[];
  sampler: Record<string, unknown>;
  pruner: Record<string, unknown>;
  maxTrials: number;
  parallelism: number;
  heartbeatTimeoutS: number;
  retryFailed: number;
}

export const LIMITS = STUDY_LIMITS;

/**
 * Turns an optimizer validation error into BAD_USER_INPUT naming the input field: the optimizer
 * names paths from its own root (`searchSpace[2].low`, `sampler.xi`), the API from the argument.
 */
export function optimizerInputError(
  error: unknown,
  root: 'input' | null,
  fallback: string,
): BadUserInputError | null {
  if (!(error instanceof optimizer.SearchSpaceError) && !(error instanceof optimizer.ConfigError))
    return null;
  const path = error.path || fallback;
  const message = error.message.startsWith(`${error.path}: `)
    ? error.message.slice(error.path.length + 2)
    : error.message;
  const anchored = /^(searchSpace|sampler|pruner|params)\b/.test(path) ? path : `${fallback}.${path}`;
  return new BadUserInputError(root ? `${root}.${anchored}` : anchored, message);
}

function parseWith<T>(
  field: 'searchSpace' | 'sampler' | 'pruner',
  parse: (input: unknown) => T,
  input: unknown,
): T {
  try {
    return parse(input);
  } catch (error) {
    const mapped = optimizerInputError(error, 'input', field);
    if (mapped) throw mapped;
    throw error;
  }
}

/** The shared schema's first problem as BAD_USER_INPUT on the argument's path (`input.maxTrials`). */
function inputError(problem: StudyInputProblem): BadUserInputError {
  if (problem.kind === 'field')
    return new BadUserInputError(`input.${problem.path}`, `must be ${problem.expected}`);
  if (problem.kind === 'unknownFields')
    return new BadUserInputError(`input.${problem.fields[0] ?? ''}`, 'is not a createStudy field');
  return new BadUserInputError('input', 'must be an object of createStudy fields');
}

/** GraphQL sends a left-out nullable field as null; the schema knows it as absent. */
function withoutNulls(input: CreateStudyInput): Record<string, unknown> {
  const out = Object.fromEntries(
    Object.entries(input).filter(([, value]) => value !== null && value !== undefined),
  );
  // Input objects arrive as class instances; the schema wants plain mappings.
  for (const key of ['objectives', 'constraints'] as const)
    if (Array.isArray(out[key])) out[key] = (out[key] as object[]).map((o) => ({ ...o }));
  return out;
}

/**
 * Every field of createStudy: the shared study-input schema first (its first problem in field order),
 * then the API's bounds and the optimizer's parsers on the space, the sampler and the pruner. The
 * problem is reported by its path.
 */
export function validateStudyInput(input: CreateStudyInput): ValidStudy {
  const parsed = parseStudyInput(withoutNulls(input));
  if (!parsed.ok) throw inputError(parsed.problem);
  const v = parsed.value;
  const searchSpace = boundedSearchSpace('input.searchSpace', v.searchSpace);
  parseWith('searchSpace', optimizer.parseSearchSpace, searchSpace);
  const sampler = v.sampler ?? { ...STUDY_DEFAULTS.sampler };
  checkSamplerBounds('input.sampler', sampler);
  parseWith('sampler', optimizer.parseSamplerConfig, sampler);
  const pruner = v.pruner ?? { ...STUDY_DEFAULTS.pruner };
  parseWith('pruner', optimizer.parsePrunerConfig, pruner);
  const objectives = studyObjectivesOf(v).map((o) => ({ name: o.name, direction: Direction[o.direction] }));
  const [first] = objectives;
  if (!first)
    throw new BadUserInputError('input.objectives', 'must be a non-empty list of {name, direction}');
  return {
    teamId: input.teamId,
    name: v.name,
    direction: first.direction,
    objective: first.name,
    objectives,
    constraints: (v.constraints ?? []).map((c) => ({ name: c.name })),
    referencePoint: v.referencePoint ?? null,
    searchSpace,
    sampler,
    pruner,
    maxTrials: v.maxTrials,
    parallelism: v.parallelism ?? STUDY_DEFAULTS.parallelism,
    heartbeatTimeoutS: v.heartbeatTimeoutS ?? STUDY_DEFAULTS.heartbeatTimeoutS,
    retryFailed: v.retryFailed ?? STUDY_DEFAULTS.retryFailed,
  };
}
