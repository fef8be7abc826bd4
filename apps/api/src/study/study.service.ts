import { STUDY_LIMITS } from '@posterior/core';
import * as optimizer from '@posterior/optimizer';
import {
  type Authorizer,
  callerUserId,
  decide,
  memberRoleSql,
  requireCaller,
  roleFor,
} from '../authz/authorization.js';
import type { Caller } from '../authz/caller.js';
import { MAX_DESCRIPTION_CHARS, validateAnnotation } from '../common/annotations.js';
import { pageSize } from '../common/cursor.js';
import type { Db, Sql } from '../common/db.js';
import { BadUserInputError, ConflictError, NotFoundError } from '../common/errors.js';
import { isUuid, requireInt } from '../common/validate.js';
import { Role, StudyState } from '../db/index.js';
import type { CreateStudyInput } from '../graphql/inputs.js';
import { PageInfo, type Study, StudyConnection, StudyEdge, TrialCounts } from '../graphql/types.js';
import { loadWarmStartSources } from '../suggest/warm-start-sources.js';
import { LIMITS, validateStudyInput } from './study.validation.js';
import {
  decodeStudyCursor,
  encodeStudyCursor,
  StudySort,
  studyPageQuery,
  validateStudyListFilter,
} from './study-list.js';
import { STUDY_COLUMNS, type StudyRow, toStudy } from './study-row.js';

export interface StudyAccess {
  row: StudyRow & { budget_used: number };
  role: Role;
}

const TRANSITIONS: Record<StudyState, readonly StudyState[]> = {
  [StudyState.RUNNING]: [StudyState.PAUSED, StudyState.DONE, StudyState.ARCHIVED],
  [StudyState.PAUSED]: [StudyState.RUNNING, StudyState.DONE, StudyState.ARCHIVED],
  [StudyState.DONE]: [StudyState.RUNNING, StudyState.ARCHIVED],
  [StudyState.ARCHIVED]: [StudyState.DONE],
};

export const MAX_STUDIES_PAGE = 100;
/** Source studies one study may warm-start from. */
export const MAX_WARM_START_SOURCES = STUDY_LIMITS.warmStartFrom;
/** Best source configurations one study may queue at creation (`warmStartEnqueue`). */
export const MAX_WARM_START_ENQUEUE = STUDY_LIMITS.warmStartEnqueue;

/**
 * Queues the sources' best `count` configurations (optimizer `sourceBestParams`: best first, round
 * the sources, shared parameters kept, the others at the middle of their range) as WAITING trials of
 * a study just created, so asks hand them out before the sampler suggests anything.
 */
async function enqueueSourceBest(sql: Sql, study: StudyRow, count: number): Promise<void> {
  const sources = await loadWarmStartSources(sql, { ...study, sampler: { type: 'gp' } });
  const space = optimizer.parseSearchSpace(study.search_space);
  const params = optimizer.sourceBestParams(
    space,
    sources.map((s) => ({
      space: optimizer.parseSearchSpace(s.searchSpace),
      direction: s.direction,
      completed: s.completed,
    })),
    count,
  );
  if (params.length === 0) return;
  await sql.rows(
    `WITH alloc AS (
       UPDATE studies SET next_trial_number = next_trial_number + $2, budget_used = budget_used + $2
       WHERE id = $1 RETURNING next_trial_number - $2 AS first)
     INSERT INTO trials (study_id, number, state, params)
     SELECT $1, alloc.first + x.ord::int - 1, 'WAITING', x.p
     FROM alloc, unnest($3::jsonb[]) WITH ORDINALITY AS x(p, ord)`,
    [study.id, params.length, params.map((p) => JSON.stringify(p))],
  );
}

export interface StudyListOptions {
  states?: readonly StudyState[] | null;
  nameContains?: string | null;
  sort?: StudySort | null;
}

/** Removes the stored files of deleted artifacts (the rows are gone with their study). */
export type ArtifactFileRemover = (artifactIds: readonly string[]) => Promise<void>;

export class StudyService {
  constructor(
    private readonly db: Db,
    private readonly authz: Authorizer,
    private readonly removeArtifactFiles: ArtifactFileRemover = async () => {},
  ) {}

  /** Loads a study the caller may act on with at least `min`; NOT_FOUND for outsiders. */
  async access(caller: Caller | null, studyId: string, min: Role): Promise<StudyAccess> {
    const c = requireCaller(caller);
    if (!isUuid(studyId)) throw new NotFoundError('study');
    const row = await this.db.one<StudyRow & { budget_used: number; member_role: Role | null }>(
      `SELECT ${STUDY_COLUMNS}, s.budget_used, ${memberRoleSql('s.team_id', '$2')} AS member_role
       FROM studies s WHERE s.id = $1`,
      [studyId, callerUserId(c)],
    );
    const role = decide(row && roleFor(c, row.team_id, row.member_role), min, 'study');
    if (row === null) throw new NotFoundError('study');
    return { row, role };
  }

  async get(caller: Caller | null, studyId: string): Promise<Study> {
    return toStudy((await this.access(caller, studyId, Role.VIEWER)).row);
  }

  async create(caller: Caller | null, input: CreateStudyInput): Promise<Study> {
    const c = requireCaller(caller);
    await this.authz.requireTeam(c, input.teamId, Role.MEMBER);
    const v = validateStudyInput(input);
    const description = validateAnnotation('input.description', input.description, MAX_DESCRIPTION_CHARS);
    const warmStartFrom = await this.warmStartSources(input.teamId, input.warmStartFrom);
    const enqueue = input.warmStartEnqueue ?? 0;
    if (
      !Number.isInteger(enqueue) ||
      enqueue < 0 ||
      enqueue > Math.min(MAX_WARM_START_ENQUEUE, v.maxTrials)
    ) {
      throw new BadUserInputError(
        'warmStartEnqueue',
        `must be an integer between 0 and ${Math.min(MAX_WARM_START_ENQUEUE, v.maxTrials)}`,
      );
    }
    if (enqueue > 0 && warmStartFrom.length === 0) {
      throw new BadUserInputError('warmStartEnqueue', 'needs source studies in warmStartFrom');
    }
    const createdBy = c.kind === 'user' ? c.userId : c.createdBy;
    return this.db.tx(async (sql) => {
      const row = await sql.one<StudyRow>(
        `INSERT INTO studies AS s (team_id, name, direction, objective, search_space, sampler, pruner, max_trials,
         parallelism, heartbeat_timeout_s, retry_failed, created_by, warm_start_from, description, objectives,
         constraints, reference_point)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING ${STUDY_COLUMNS}`,
        [
          v.teamId,
          v.name,
          v.direction,
          v.objective,
          JSON.stringify(v.searchSpace),
          JSON.stringify(v.sampler),
          JSON.stringify(v.pruner),
          v.maxTrials,
          v.parallelism,
          v.heartbeatTimeoutS,
          v.retryFailed,
          createdBy,
          warmStartFrom,
          description,
          JSON.stringify(v.objectives),
          JSON.stringify(v.constraints),
          v.referencePoint === null ? null : JSON.stringify(v.referencePoint),
        ],
      );
      if (row === null) throw new Error('insert returned nothing');
      if (enqueue > 0) await enqueueSourceBest(sql, row, enqueue);
      return toStudy(row);
    });
  }

  /**
   * The distinct source studies of `warmStartFrom`: each must be a study of the same team (the
   * caller is already a MEMBER of it). Any other id, another team's study included, is NOT_FOUND:
   * whether a study exists elsewhere is not revealed.
   */
  private async warmStartSources(
    teamId: string,
    ids: readonly string[] | null | undefined,
  ): Promise<string[]> {
    const unique = [...new Set(ids ?? [])];
    if (unique.length === 0) return [];
    if (unique.length > MAX_WARM_START_SOURCES) {
      throw new BadUserInputError('warmStartFrom', `at most ${MAX_WARM_START_SOURCES} source studies`);
    }
    if (!unique.every(isUuid)) throw new NotFoundError('study');
    const found = await this.db.rows<{ id: string }>(
      'SELECT s.id FROM studies s WHERE s.id = ANY($1::uuid[]) AND s.team_id = $2',
      [unique, teamId],
    );
    if (found.length !== unique.length) throw new NotFoundError('study');
    return unique;
  }

  async list(
    caller: Caller | null,
    teamId: string,
    firstInput: number | null | undefined,
    after: string | null | undefined,
    options: StudyListOptions = {},
  ): Promise<StudyConnection> {
    await this.authz.requireTeam(caller, teamId, Role.VIEWER);
    const first = pageSize('first', firstInput, 20, MAX_STUDIES_PAGE);
    const sort = options.sort ?? StudySort.CREATED_DESC;
    const filter = validateStudyListFilter(options.states, options.nameContains);
    const cursor = decodeStudyCursor(after, sort, teamId);
    const q = studyPageQuery(STUDY_COLUMNS, teamId, filter, sort, cursor, first + 1);
    const [rows, total] = await Promise.all([
      this.db.rows<StudyRow & { key_null: boolean; sort_key: string }>(q.sql, q.params),
      this.db.one<{ n: number }>(q.countSql, q.countParams),
    ]);
    const page = rows.slice(0, first);
    const connection = new StudyConnection();
    connection.edges = page.map((row) =>
      Object.assign(new StudyEdge(), {
        cursor: encodeStudyCursor(teamId, { sort, isNull: row.key_null, key: row.sort_key, id: row.id }),
        node: toStudy(row),
      }),
    );
    connection.nodes = connection.edges.map((e) => e.node);
    connection.pageInfo = Object.assign(new PageInfo(), {
      hasNextPage: rows.length > first,
      endCursor: connection.edges.at(-1)?.cursor ?? null,
    });
    connection.totalCount = total?.n ?? 0;
    return connection;
  }

  async setState(caller: Caller | null, studyId: string, state: StudyState): Promise<Study> {
    await this.access(caller, studyId, Role.MEMBER);
    return this.db.tx(async (sql) => {
      const current = await sql.one<StudyRow & { budget_used: number }>(
        `SELECT ${STUDY_COLUMNS}, s.budget_used FROM studies s WHERE s.id = $1 FOR NO KEY UPDATE`,
        [studyId],
      );
      if (current === null) throw new NotFoundError('study');
      if (current.state === state) return toStudy(current);
      if (!TRANSITIONS[current.state].includes(state)) {
        throw new ConflictError(`study is ${current.state}; it cannot become ${state}`);
      }
      if (state === StudyState.RUNNING && current.budget_used >= current.max_trials) {
        throw new ConflictError(
          `study has used its budget of ${current.max_trials} trials; it cannot run again`,
        );
      }
      const row = await sql.one<StudyRow>(
        `UPDATE studies s SET state = $2, updated_at = now() WHERE s.id = $1 RETURNING ${STUDY_COLUMNS}`,
        [studyId, state],
      );
      if (row === null) throw new NotFoundError('study');
      return toStudy(row);
    });
  }

  /** Sets a study's description (free text, null clears it). MEMBER or above; any state. */
  async setDescription(caller: Caller | null, studyId: string, description: string | null): Promise<Study> {
    await this.access(caller, studyId, Role.MEMBER);
    const d = validateAnnotation('description', description, MAX_DESCRIPTION_CHARS);
    const row = await this.db.one<StudyRow>(
      `UPDATE studies s SET description = $2, updated_at = now() WHERE s.id = $1 RETURNING ${STUDY_COLUMNS}`,
      [studyId, d],
    );
    if (row === null) throw new NotFoundError('study');
    return toStudy(row);
  }

  /**
   * Sets a study's budget (`maxTrials`). Never below the trials it has already used; ARCHIVED studies
   * are read-only (CONFLICT: unarchive first). A DONE study keeps its state: the caller resumes it
   * with setStudyState(RUNNING), which succeeds once the budget has room.
   */
  async setBudget(caller: Caller | null, studyId: string, maxTrials: number): Promise<Study> {
    await this.access(caller, studyId, Role.MEMBER);
    const n = requireInt('maxTrials', maxTrials, 1, LIMITS.maxTrials);
    return this.db.tx(async (sql) => {
      const current = await sql.one<StudyRow & { budget_used: number }>(
        `SELECT ${STUDY_COLUMNS}, s.budget_used FROM studies s WHERE s.id = $1 FOR NO KEY UPDATE`,
        [studyId],
      );
      if (current === null) throw new NotFoundError('study');
      if (current.state === StudyState.ARCHIVED) {
        throw new ConflictError('study is ARCHIVED; unarchive it before changing its budget');
      }
      if (n < current.budget_used) {
        throw new BadUserInputError(
          'maxTrials',
          `the study has already used ${current.budget_used} trials; the budget cannot be lower`,
        );
      }
      const row = await sql.one<StudyRow>(
        `UPDATE studies s SET max_trials = $2, updated_at = now() WHERE s.id = $1 RETURNING ${STUDY_COLUMNS}`,
        [studyId, n],
      );
      if (row === null) throw new NotFoundError('study');
      return toStudy(row);
    });
  }

  /**
   * Deletes a study with its trials, metric points and artifacts (ADMIN or higher). A RUNNING study is
   * CONFLICT: workers are still being handed its trials, so pause or archive it first. Stored artifact
   * files are removed after the rows are gone (a failure there leaves only unreachable files).
   */
  async delete(caller: Caller | null, studyId: string): Promise<boolean> {
    await this.access(caller, studyId, Role.ADMIN);
    const artifactIds = await this.db.tx(async (sql) => {
      const current = await sql.one<{ state: StudyState }>(
        'SELECT s.state FROM studies s WHERE s.id = $1 FOR UPDATE',
        [studyId],
      );
      if (current === null) throw new NotFoundError('study');
      if (current.state === StudyState.RUNNING) {
        throw new ConflictError('study is RUNNING; pause or archive it before deleting it');
      }
      const artifacts = await sql.rows<{ id: string }>(
        'SELECT a.id FROM artifacts a JOIN trials t ON t.id = a.trial_id WHERE t.study_id = $1',
        [studyId],
      );
      await sql.rows('DELETE FROM studies WHERE id = $1', [studyId]);
      return artifacts.map((a) => a.id);
    });
    await this.removeArtifactFiles(artifactIds);
    return true;
  }

  async trialCounts(studyId: string): Promise<TrialCounts> {
    return (await this.trialCountsMany([studyId])).get(studyId) ?? trialCountsOf([]);
  }

  /** Trial counts of many studies in one statement (the per-request loader's fetch). */
  async trialCountsMany(studyIds: readonly string[]): Promise<Map<string, TrialCounts>> {
    const rows = await this.db.rows<{ study_id: string; state: string; n: number; retries: number }>(
      `SELECT study_id, state, count(*)::int AS n, count(*) FILTER (WHERE retry_of IS NOT NULL)::int AS retries
       FROM trials WHERE study_id = ANY($1::uuid[]) GROUP BY study_id, state`,
      [studyIds],
    );
    return new Map(studyIds.map((id) => [id, trialCountsOf(rows.filter((r) => r.study_id === id))]));
  }
}

export function trialCountsOf(
  rows: ReadonlyArray<{ state: string; n: number; retries: number }>,
): TrialCounts {
  const get = (state: string): number => rows.find((r) => r.state === state)?.n ?? 0;
  return Object.assign(new TrialCounts(), {
    waiting: get('WAITING'),
    running: get('RUNNING'),
    complete: get('COMPLETE'),
    pruned: get('PRUNED'),
    failed: get('FAILED'),
    total: rows.reduce((sum, r) => sum + r.n, 0),
    retries: rows.reduce((sum, r) => sum + r.retries, 0),
  });
}
