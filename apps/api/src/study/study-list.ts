import { TERMINAL_TRIAL_STATES } from '@posterior/core';
import { registerEnumType } from 'type-graphql';
import { openCursor, sealCursor } from '../common/cursor.js';
import { BadUserInputError } from '../common/errors.js';
import { isUuid } from '../common/validate.js';
import { StudyState, sqlList } from '../db/index.js';

export enum StudySort {
  CREATED_DESC = 'CREATED_DESC',
  CREATED_ASC = 'CREATED_ASC',
  NAME_ASC = 'NAME_ASC',
  NAME_DESC = 'NAME_DESC',
  BEST_VALUE_ASC = 'BEST_VALUE_ASC',
  BEST_VALUE_DESC = 'BEST_VALUE_DESC',
  PROGRESS_DESC = 'PROGRESS_DESC',
  PROGRESS_ASC = 'PROGRESS_ASC',
}
registerEnumType(StudySort, {
  name: 'StudySort',
  description:
    'Order of a team’s studies. BEST_VALUE_* sort by the best trial value (studies without one last); PROGRESS_* by finished trials / budget',
});

export const MAX_NAME_FILTER = 200;

/**
 * How one sort order is computed and paged. Every order is (nulls last, key, id) so the keyset
 * condition is one comparison, and the cursor carries the key itself: best value and progress
 * change as trials finish, so looking the key up again from an id would skip or repeat studies.
 */
interface SortSpec {
  /** SQL over the `ranked` columns; numeric or text, never null (null keys sort last by `key_null`). */
  key: string;
  keyType: 'numeric' | 'float8' | 'text';
  desc: boolean;
}

const SORTS: Record<StudySort, SortSpec> = {
  // epoch seconds as numeric keep created_at's microseconds (a JS Date would round them away)
  [StudySort.CREATED_DESC]: { key: 'extract(epoch FROM s.created_at)', keyType: 'numeric', desc: true },
  [StudySort.CREATED_ASC]: { key: 'extract(epoch FROM s.created_at)', keyType: 'numeric', desc: false },
  [StudySort.NAME_ASC]: { key: 'lower(s.name)', keyType: 'text', desc: false },
  [StudySort.NAME_DESC]: { key: 'lower(s.name)', keyType: 'text', desc: true },
  [StudySort.BEST_VALUE_ASC]: { key: 'b.best', keyType: 'float8', desc: false },
  [StudySort.BEST_VALUE_DESC]: { key: 'b.best', keyType: 'float8', desc: true },
  [StudySort.PROGRESS_DESC]: { key: 'p.progress', keyType: 'float8', desc: true },
  [StudySort.PROGRESS_ASC]: { key: 'p.progress', keyType: 'float8', desc: false },
};

interface CursorKey {
  sort: StudySort;
  isNull: boolean;
  /** The sort key as text (numeric keys as their exact decimal text). */
  key: string;
  id: string;
}

export function encodeStudyCursor(teamId: string, c: CursorKey): string {
  return sealCursor(teamId, [c.sort, c.isNull ? 1 : 0, c.key, c.id]);
}

/** The numeric text PostgreSQL's float8/numeric accept and a double can hold (1e999 is neither). */
const NUMERIC_KEY = /^-?\d{1,40}(\.\d{1,40})?(e[+-]?\d{1,3})?$/i;

/** A cursor of `sort` issued for this team's list (see openCursor: another team's is refused). */
export function decodeStudyCursor(
  cursor: string | null | undefined,
  sort: StudySort,
  teamId: string,
): CursorKey | null {
  const key = openCursor('after', cursor, teamId, (parsed) =>
    Array.isArray(parsed) &&
    parsed.length === 4 &&
    typeof parsed[0] === 'string' &&
    typeof parsed[2] === 'string' &&
    parsed[2].length <= 1000 &&
    typeof parsed[3] === 'string' &&
    isUuid(parsed[3]) &&
    (parsed[1] === 0 || parsed[1] === 1)
      ? { sort: parsed[0] as StudySort, isNull: parsed[1] === 1, key: parsed[2], id: parsed[3] }
      : null,
  );
  if (key === null) return null;
  if (key.sort !== sort) throw new BadUserInputError('after', `is a cursor of sort ${key.sort}, not ${sort}`);
  if (SORTS[sort].keyType !== 'text' && (!NUMERIC_KEY.test(key.key) || !Number.isFinite(Number(key.key))))
    throw new BadUserInputError('after', 'is not a cursor from this API');
  // float8 refuses what a double rounds to 0 or infinity (1e-400): send the double's own text.
  return SORTS[sort].keyType === 'float8' ? { ...key, key: String(Number(key.key)) } : key;
}

export interface StudyListFilter {
  states: readonly StudyState[];
  /** Case-insensitive substring of the name; empty for any. */
  nameContains: string;
}

export function validateStudyListFilter(
  states: readonly StudyState[] | null | undefined,
  nameContains: string | null | undefined,
): StudyListFilter {
  const valid = new Set<string>(Object.values(StudyState));
  for (const s of states ?? [])
    if (!valid.has(s)) throw new BadUserInputError('states', `unknown study state ${String(s)}`);
  const name = (nameContains ?? '').trim();
  if (name.length > MAX_NAME_FILTER)
    throw new BadUserInputError('nameContains', `must be at most ${MAX_NAME_FILTER} characters`);
  return { states: [...new Set(states ?? [])], nameContains: name };
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The SQL of one page: the team's studies that pass the filter, in sort order after the cursor,
 * `limit` rows, each with its sort key (`sort_key` as text, `key_null`) for the next cursor.
 * Parameters: $1 team, $2 states (text[] or null), $3 name pattern (or null), $4 limit, then the
 * cursor's $5 key_null, $6 key, $7 id when there is one.
 */
export function studyPageQuery(
  columns: string,
  teamId: string,
  filter: StudyListFilter,
  sort: StudySort,
  cursor: CursorKey | null,
  limit: number,
): { sql: string; params: unknown[]; countSql: string; countParams: unknown[] } {
  const spec = SORTS[sort];
  const needsBest = spec.key.startsWith('b.');
  const needsProgress = spec.key.startsWith('p.');
  const joins = [
    needsBest
      ? `LEFT JOIN LATERAL (SELECT CASE WHEN s.direction = 'MINIMIZE' THEN min(t.value) ELSE max(t.value) END AS best
           FROM trials t WHERE t.study_id = s.id AND t.state = 'COMPLETE' AND t.value IS NOT NULL) b ON true`
      : '',
    needsProgress
      ? `LEFT JOIN LATERAL (SELECT count(*)::float8 / greatest(s.max_trials, 1) AS progress
           FROM trials t WHERE t.study_id = s.id AND t.state IN (${sqlList(TERMINAL_TRIAL_STATES)})) p ON true`
      : '',
  ].join('\n');
  const where = `s.team_id = $1
    AND ($2::text[] IS NULL OR s.state = ANY($2::text[]))
    AND ($3::text IS NULL OR s.name ILIKE $3 ESCAPE '\\')`;
  const base = [
    teamId,
    filter.states.length ? filter.states : null,
    filter.nameContains ? `%${likeEscape(filter.nameContains)}%` : null,
  ];
  const dir = spec.desc ? 'DESC' : 'ASC';
  const op = spec.desc ? '<' : '>';
  const keyExpr = `(${spec.key})`;
  const nullFlag = `(${keyExpr} IS NULL)`;
  const safeKey =
    spec.keyType === 'text' ? `coalesce(${keyExpr}, '')` : `coalesce(${keyExpr}, 0)::${spec.keyType}`;
  const after = cursor
    ? `AND (${nullFlag} > $5::boolean OR (${nullFlag} = $5::boolean AND (${safeKey}, s.id) ${op} ($6::${spec.keyType}, $7::uuid)))`
    : '';
  const sql = `SELECT ${columns}, ${nullFlag} AS key_null, ${safeKey}::text AS sort_key
    FROM studies s ${joins}
    WHERE ${where} ${after}
    ORDER BY ${nullFlag} ASC, ${safeKey} ${dir}, s.id ${dir}
    LIMIT $4`;
  const params = [...base, limit, ...(cursor ? [cursor.isNull, cursor.key, cursor.id] : [])];
  return {
    sql,
    params,
    countSql: `SELECT count(*)::int AS n FROM studies s WHERE ${where}`,
    countParams: base,
  };
}
