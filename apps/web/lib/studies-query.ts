import { STUDY_STATES, type StudyState } from './types.ts';

/** The studies list's URL state: `?q=&state=&sort=&after=&prev=` (filter and order run on the server). */
export type StudiesSortKey = 'created' | 'oldest' | 'name' | 'best' | 'progress';

export const STUDIES_SORTS: ReadonlyArray<{
  value: StudiesSortKey;
  label: string;
  api: 'CREATED_DESC' | 'CREATED_ASC' | 'NAME_ASC' | 'BEST_VALUE_ASC' | 'PROGRESS_DESC';
}> = [
  { value: 'created', label: 'Newest first', api: 'CREATED_DESC' },
  { value: 'oldest', label: 'Oldest first', api: 'CREATED_ASC' },
  { value: 'name', label: 'Name', api: 'NAME_ASC' },
  { value: 'progress', label: 'Progress', api: 'PROGRESS_DESC' },
  { value: 'best', label: 'Best value (lowest first)', api: 'BEST_VALUE_ASC' },
];

/** `state=` choices: '' is the default (every study but archived ones), 'all' is every state. */
export type StudiesStateChoice = '' | 'all' | StudyState;

/** What the default list shows: archiving a study takes it out of the everyday list. */
export const ACTIVE_STATES: readonly StudyState[] = STUDY_STATES.filter((s) => s !== 'ARCHIVED');

export interface StudiesQuery {
  q: string;
  state: StudiesStateChoice;
  sort: StudiesSortKey;
  /** Cursor of the page shown (null: the first page). */
  after: string | null;
  /** Cursors of the pages before, for "Previous" ('_' is the first page). */
  prev: string[];
}

export function parseStudiesQuery(sp: URLSearchParams): StudiesQuery {
  const state = sp.get('state') ?? '';
  const sort = sp.get('sort');
  return {
    q: (sp.get('q') ?? '').trim(),
    state:
      state === 'all' || (STUDY_STATES as readonly string[]).includes(state)
        ? (state as StudiesStateChoice)
        : '',
    sort: STUDIES_SORTS.find((s) => s.value === sort)?.value ?? 'created',
    after: sp.get('after') || null,
    prev: (sp.get('prev') ?? '').split(' ').filter(Boolean),
  };
}

/** The API arguments of a query (cursors aside). */
export function studiesFilter(q: StudiesQuery) {
  return {
    states: q.state === 'all' ? [] : q.state === '' ? ACTIVE_STATES : [q.state],
    nameContains: q.q,
    sort: STUDIES_SORTS.find((s) => s.value === q.sort)?.api ?? 'CREATED_DESC',
  };
}

/**
 * The URL changes of a new filter or order: back to the first page (a cursor belongs to one filter
 * and order), defaults left out of the URL.
 */
export function filterChange(
  patch: Partial<Pick<StudiesQuery, 'q' | 'state' | 'sort'>>,
): Record<string, string | null> {
  const out: Record<string, string | null> = { after: null, prev: null };
  if (patch.q !== undefined) out.q = patch.q.trim() || null;
  if (patch.state !== undefined) out.state = patch.state || null;
  if (patch.sort !== undefined) out.sort = patch.sort === 'created' ? null : patch.sort;
  return out;
}

/** URL changes to go one page forward (to `endCursor`) or back. */
export function pageChange(q: StudiesQuery, to: { next: string } | 'back'): Record<string, string | null> {
  if (to === 'back') {
    const stack = [...q.prev];
    const back = stack.pop() ?? null;
    return { after: back === '_' || back === null ? null : back, prev: stack.join(' ') || null };
  }
  return { after: to.next, prev: [...q.prev, q.after ?? '_'].join(' ') };
}
