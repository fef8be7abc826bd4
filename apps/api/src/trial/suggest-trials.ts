import { studySeed, trialSeed } from '@posterior/optimizer';
import { opsMetrics } from '../ops/index.js';
import type { SourcePart, SuggestionResult, SuggestTaskExtras } from '../suggest/compute.js';
import type { StudyHistory } from '../suggest/observations.js';
import { HISTORY_FREE_SAMPLERS, type Suggester, samplerTypeOf } from '../suggest/suggester.js';

/** The study fields a suggestion depends on. */
export interface SuggestionStudy {
  id: string;
  /** Whose turn it is in the suggestion pool (round the teams); the study's own id when unknown. */
  teamId?: string;
  searchSpace: unknown;
  sampler: Record<string, unknown>;
  direction: 'MINIMIZE' | 'MAXIMIZE';
  objective: string;
  /** Every objective (issue 17); two or more make the suggestion multi-objective. */
  objectives?: ReadonlyArray<{ name: string; direction: 'MINIMIZE' | 'MAXIMIZE' }>;
  constraints?: ReadonlyArray<{ name: string }>;
  referencePoint?: readonly number[] | null;
}

/**
 * Whether the study's suggestions need no history at all: a history-free sampler over a space
 * with a continuous float. A finite space needs the taken points even then, to avoid repeating
 * them and to report exhaustion.
 */
export function suggestsWithoutHistory(study: Pick<SuggestionStudy, 'searchSpace' | 'sampler'>): boolean {
  const continuous =
    Array.isArray(study.searchSpace) &&
    study.searchSpace.some(
      (e: unknown) =>
        typeof e === 'object' &&
        e !== null &&
        (e as { type?: unknown }).type === 'float' &&
        (e as { step?: unknown }).step === undefined,
    );
  return continuous && HISTORY_FREE_SAMPLERS.has(samplerTypeOf(study.sampler));
}

/**
 * The study's sampler config with its seed resolved by the optimizer's `studySeed` (the configured
 * one, else one derived from the study id), so every study has its own stream.
 */
export function seededSampler(
  studyId: string,
  sampler: Record<string, unknown>,
): Record<string, unknown> & { seed: number } {
  const configured = typeof sampler.seed === 'number' ? sampler.seed : undefined;
  return { ...sampler, seed: studySeed(configured, studyId) };
}

/**
 * The optimizer's multi-objective and constraint fields of a study (samplers.ts `suggest`), only
 * when it has two or more objectives or any constraint: a plain study's task stays as it was.
 */
export function extendedPart(
  study: Pick<SuggestionStudy, 'objectives' | 'constraints' | 'referencePoint'>,
): Pick<SuggestTaskExtras, 'objectives' | 'constraints' | 'referencePoint'> {
  const objectives = study.objectives ?? [];
  const constraints = study.constraints ?? [];
  if (objectives.length < 2 && constraints.length === 0) return {};
  return {
    ...(objectives.length >= 2 ? { objectives: objectives.map((o) => ({ ...o })) } : {}),
    ...(constraints.length > 0 ? { constraints: constraints.map((c) => ({ name: c.name })) } : {}),
    ...(study.referencePoint && objectives.length >= 2 ? { referencePoint: [...study.referencePoint] } : {}),
  };
}

/** Suggestions for trial numbers first, first + 1, ... (fewer when a finite space runs out). */
export async function suggestFor(
  suggester: Suggester,
  study: SuggestionStudy,
  history: StudyHistory,
  first: number,
  count: number,
  sources: SourcePart[] = [],
): Promise<SuggestionResult[]> {
  if (count <= 0) return [];
  const samplerType = samplerTypeOf(study.sampler);
  const sampler = seededSampler(study.id, study.sampler);
  // The benchmark harness seeds trial t of a study the same way (`runBenchmark`).
  const seeds = Array.from({ length: count }, (_, i) => trialSeed(sampler.seed, first + i));
  const stopTimer = opsMetrics.timeSuggestion(samplerType);
  const suggestions = await suggester.suggest(
    {
      searchSpace: study.searchSpace,
      sampler,
      direction: study.direction,
      completed: history.observed,
      pending: history.pending,
      seeds,
      ...extendedPart(study),
      ...(sources.length > 0 ? { sources } : {}),
    },
    samplerType,
    study.id,
    study.teamId,
  );
  stopTimer();
  return suggestions;
}
