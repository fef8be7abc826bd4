import * as optimizer from '@posterior/optimizer';
import { BadUserInputError } from '../common/errors.js';
import { requireInt, requireText } from '../common/validate.js';
import { Direction } from '../db/index.js';
import type { CreateStudyInput } from '../graphql/inputs.js';
import { boundedSearchSpace, checkSamplerBounds } from './study-bounds.js';

export interface ValidStudy {
  teamId: string;
  name: string;
  direction: Direction;
  objective: string;
  searchSpace: unknown[];
  sampler: Record<string, unknown>;
  pruner: Record<string, unknown>;
  maxTrials: number;
  parallelism: number;
  heartbeatTimeoutS: number;
  retryFailed: number;
}

export const LIMITS = {
  maxTrials: 100_000,
  parallelism: 1_000,
  heartbeatTimeoutS: 7 * 24 * 3600,
  retryFailed: 100,
} as const;

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

function jsonObject(
  field: string,
  value: unknown,
  fallback: Record<string, unknown>,
): Record<string, unknown> {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new BadUserInputError(field, 'must be an object like {"type": "..."}');
  }
  return value as Record<string, unknown>;
}

/** Every field of createStudy, checked in input order; the first problem is reported by its path. */
export function validateStudyInput(input: CreateStudyInput): ValidStudy {
  const name = requireText('input.name', input.name, 200);
  const direction = input.direction;
  if (direction !== Direction.MINIMIZE && direction !== Direction.MAXIMIZE) {
    throw new BadUserInputError('input.direction', 'must be MINIMIZE or MAXIMIZE');
  }
  const objective = requireText('input.objective', input.objective, 200);
  const searchSpace = boundedSearchSpace('input.searchSpace', input.searchSpace);
  parseWith('searchSpace', optimizer.parseSearchSpace, searchSpace);
  const sampler = jsonObject('input.sampler', input.sampler, { type: 'gp' });
  checkSamplerBounds('input.sampler', sampler);
  parseWith('sampler', optimizer.parseSamplerConfig, sampler);
  const pruner = jsonObject('input.pruner', input.pruner, { type: 'none' });
  parseWith('pruner', optimizer.parsePrunerConfig, pruner);
  const maxTrials = requireInt('input.maxTrials', input.maxTrials, 1, LIMITS.maxTrials);
  const parallelism = requireInt('input.parallelism', input.parallelism, 1, LIMITS.parallelism, 1);
  const heartbeatTimeoutS = requireInt(
    'input.heartbeatTimeoutS',
    input.heartbeatTimeoutS,
    1,
    LIMITS.heartbeatTimeoutS,
    60,
  );
  const retryFailed = requireInt('input.retryFailed', input.retryFailed, 0, LIMITS.retryFailed, 0);
  return {
    teamId: input.teamId,
    name,
    direction,
    objective,
    searchSpace,
    sampler,
    pruner,
    maxTrials,
    parallelism,
    heartbeatTimeoutS,
    retryFailed,
  };
}
