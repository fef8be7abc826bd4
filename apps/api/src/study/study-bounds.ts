import { BadUserInputError } from '../common/errors.js';
import { MAX_CANDIDATES } from '../suggest/candidate-budget.js';

/**
 * Bounds on what one study may ask of the shared suggestion pool (issue 12, item 10): a GP's cost
 * grows with the parameters and the candidates it scores, and one 1,000-parameter study with
 * 65,536 candidates held a pool thread for 20 s. Checked before the optimizer parses anything, each
 * refusal a BAD_USER_INPUT naming the limit.
 */
export const SPACE_LIMITS = {
  /** Parameters of one search space. */
  params: 100,
  /** Choices of one categorical parameter. */
  choices: 100,
  /** Characters of one string choice. */
  choiceLength: 200,
  /** QMC candidates a GP scores per suggestion (suggest/candidate-budget.ts). */
  candidates: MAX_CANDIDATES,
} as const;

/**
 * The search space as stored: DESIGN's array of parameters (a `{params: [...]}` wrapper, which
 * the optimizer also reads, is unwrapped so every reader sees one shape), within SPACE_LIMITS.
 */
export function boundedSearchSpace(field: string, input: unknown): unknown[] {
  const space =
    typeof input === 'object' && input !== null && !Array.isArray(input) && 'params' in input
      ? (input as { params: unknown }).params
      : input;
  if (!Array.isArray(space)) throw new BadUserInputError(field, 'must be an array of parameters');
  if (space.length > SPACE_LIMITS.params)
    throw new BadUserInputError(field, `at most ${SPACE_LIMITS.params} parameters (got ${space.length})`);
  space.forEach((entry: unknown, i) => {
    if (typeof entry !== 'object' || entry === null) return; // the optimizer names the problem
    const choices = (entry as { choices?: unknown }).choices;
    if (!Array.isArray(choices)) return;
    if (choices.length > SPACE_LIMITS.choices)
      throw new BadUserInputError(
        `${field}[${i}].choices`,
        `at most ${SPACE_LIMITS.choices} choices (got ${choices.length})`,
      );
    choices.forEach((choice: unknown, j) => {
      if (typeof choice === 'string' && choice.length > SPACE_LIMITS.choiceLength)
        throw new BadUserInputError(
          `${field}[${i}].choices[${j}]`,
          `at most ${SPACE_LIMITS.choiceLength} characters`,
        );
    });
  });
  return space;
}

/** The sampler's options within SPACE_LIMITS (the optimizer checks the rest). */
export function checkSamplerBounds(field: string, sampler: Record<string, unknown>): void {
  const candidates = sampler.candidates;
  if (typeof candidates === 'number' && candidates > SPACE_LIMITS.candidates)
    throw new BadUserInputError(`${field}.candidates`, `at most ${SPACE_LIMITS.candidates}`);
}
