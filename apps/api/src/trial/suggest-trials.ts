import { studySeed, trialSeed } from '@posterior/optimizer';
import type { Sql } from '../common/db.js';
import { type StudyRow, TRIAL_RETURNING, type TrialRow } from '../graphql/mapping.js';
import { opsMetrics } from '../ops/index.js';
import type { SourcePart, SuggestionResult } from '../suggest/compute.js';
import { HISTORY_FREE_SAMPLERS, type Suggester } from '../suggest/suggester.js';
import type { Slot } from './ask-batch.js';
import { loadStudyHistory, type StudyHistory } from './observations.js';

/** The study fields a suggestion depends on. */
export interface SuggestionStudy {
  id: string;
  /** Whose turn it is in the suggestion pool (round the teams); the study's own id when unknown. */
  teamId?: string;
  searchSpace: unknown;
  sampler: Record<string, unknown>;
  direction: 'MINIMIZE' | 'MAXIMIZE';
  objective: string;
}

/**
 * The warm-start sources of a GP study: each source study of the same team with its search space,
 * direction and observed trials (a deleted source is simply missing).
 */
export async function loadWarmStartSources(
  sql: Sql,
  study: Pick<StudyRow, 'team_id' | 'warm_start_from' | 'sampler'>,
): Promise<SourcePart[]> {
  const ids = study.warm_start_from ?? [];
  if (ids.length === 0 || samplerTypeOf(study.sampler) !== 'gp') return [];
  const rows = await sql.rows<{
    id: string;
    search_space: unknown;
    direction: SourcePart['direction'];
    objective: string;
  }>(
    `SELECT s.id, s.search_space, s.direction, s.objective FROM studies s
     WHERE s.id = ANY($1::uuid[]) AND s.team_id = $2 ORDER BY array_position($1::uuid[], s.id)`,
    [ids, study.team_id],
  );
  const sources: SourcePart[] = [];
  for (const row of rows) {
    const history = await loadStudyHistory(sql, row.id, row.objective);
    sources.push({
      studyId: row.id,
      searchSpace: row.search_space,
      direction: row.direction,
      completed: history.observed,
    });
  }
  return sources;
}

export function samplerTypeOf(sampler: Record<string, unknown>): string {
  return typeof sampler.type === 'string' ? sampler.type : 'gp';
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
      ...(sources.length > 0 ? { sources } : {}),
    },
    samplerType,
    study.id,
    study.teamId,
  );
  stopTimer();
  return suggestions;
}

/**
 * Under the study lock (the locked ask path): suggests `fresh` trials with the history the
 * sampler needs, then takes their numbers and budget and inserts them in one statement.
 */
export async function suggestAndInsert(
  sql: Sql,
  suggester: Suggester,
  study: StudyRow & { budget_used: number },
  fresh: number,
  slots: readonly Slot[],
): Promise<TrialRow[]> {
  const target: SuggestionStudy = {
    id: study.id,
    teamId: study.team_id,
    searchSpace: study.search_space,
    sampler: study.sampler,
    direction: study.direction,
    objective: study.objective,
  };
  const history: StudyHistory = suggestsWithoutHistory(target)
    ? { observed: [], pending: [] }
    : await loadStudyHistory(sql, study.id, study.objective);
  const sources = await loadWarmStartSources(sql, study);
  const suggestions = await suggestFor(suggester, target, history, study.next_trial_number, fresh, sources);
  const n = suggestions.length;
  if (n === 0) return [];
  return sql.rows<TrialRow>(
    `WITH alloc AS (
       UPDATE studies SET next_trial_number = next_trial_number + $2, budget_used = budget_used + $2
       WHERE id = $1 RETURNING next_trial_number - $2 AS first)
     INSERT INTO trials (study_id, number, state, params, suggestion, worker_id, request_key, started_at,
       heartbeat_at)
     SELECT $1, alloc.first + x.ord::int - 1, 'RUNNING', x.p, x.s, ($3::text[])[x.ord], ($6::text[])[x.ord],
       clock_timestamp(), clock_timestamp()
     FROM alloc, unnest($4::jsonb[], $5::jsonb[]) WITH ORDINALITY AS x(p, s, ord)
     RETURNING ${TRIAL_RETURNING}`,
    [
      study.id,
      n,
      slots.slice(0, n).map((slot) => slot.workerId),
      suggestions.map((s) => JSON.stringify(s.params)),
      suggestions.map((s) => JSON.stringify(s.info)),
      slots.slice(0, n).map((slot) => slot.requestKey),
    ],
  );
}
