import type { Sql } from '../common/db.js';
import type { SourcePart } from './compute.js';
import { loadStudyHistory } from './observations.js';
import { samplerTypeOf } from './suggester.js';

/** What a study says about its sources (the studies row's columns). */
export interface WarmStartOf {
  team_id: string;
  warm_start_from: readonly string[] | null;
  sampler: Record<string, unknown>;
}

/**
 * The warm-start sources of a GP study: each source study of the same team with its search space,
 * direction and observed trials (a deleted source is simply missing).
 */
export async function loadWarmStartSources(sql: Sql, study: WarmStartOf): Promise<SourcePart[]> {
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
