'use client';

import Link from 'next/link';
import { useEffect, useMemo, useState } from 'react';
import { useAsync } from '../../lib/api/hooks';
import { listStudies } from '../../lib/api/queries';
import { useUrlQuery } from '../../lib/client/use-url-query';
import { loadPageOrFirst } from '../../lib/cursor-fallback';
import { formatNumber } from '../../lib/format';
import { can } from '../../lib/roles';
import {
  filterChange,
  pageChange,
  parseStudiesQuery,
  STUDIES_SORTS,
  type StudiesSortKey,
  type StudiesStateChoice,
  studiesFilter,
} from '../../lib/studies-query';
import { finishedTrials, STUDY_STATES, type StudySummary, totalTrials } from '../../lib/types';
import { Sparkline } from '../charts/sparkline';
import { useSession } from '../session';
import { EmptyState, ErrorState, Skeleton, StateBadge } from '../ui/states';
import { RelativeTime } from '../ui/time';

const PAGE = 25;
const STUDIES_REFRESH_MS = 5000;

function Progress({ s }: { s: StudySummary }) {
  const c = s.trialCounts;
  const total = Math.max(1, s.maxTrials ?? totalTrials(c));
  const pct = (n: number) => `${(100 * n) / total}%`;
  return (
    <div
      className="progress"
      title={`${c.complete} complete, ${c.pruned} pruned, ${c.failed} failed, ${c.running} running`}
    >
      <div
        className="progress-bar"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={finishedTrials(c)}
        aria-label={`${s.name} progress`}
      >
        <span style={{ width: pct(c.complete), background: 'var(--good)' }} />
        <span style={{ width: pct(c.pruned), background: 'var(--warn)' }} />
        <span style={{ width: pct(c.failed), background: 'var(--bad)' }} />
        <span style={{ width: pct(c.running), background: 'var(--info)', opacity: 0.6 }} />
      </div>
      <span className="progress-text">
        {finishedTrials(c)} / {s.maxTrials ?? '—'}
        {c.running ? <span style={{ color: 'var(--info)' }}> · {c.running} running</span> : null}
      </span>
    </div>
  );
}

export function StudiesList({ teamId }: { teamId: string }) {
  const url = useUrlQuery();
  const session = useSession();
  const team = session.teams.find((t) => t.id === teamId);
  const query = useMemo(() => parseStudiesQuery(url.params), [url.params]);
  const { q, state, sort } = query;
  const filter = useMemo(() => studiesFilter(query), [query]);
  const [text, setText] = useState(q);
  const loaded = useAsync(
    (signal) => loadPageOrFirst(query.after, (a) => listStudies(teamId, PAGE, a, filter, signal)),
    JSON.stringify([teamId, query.after, filter]),
    // studies have no live event of their own: the list rereads its page while it is open
    { refreshMs: STUDIES_REFRESH_MS },
  );
  const rejectedCursor = loaded.data?.rejectedCursor ?? null;
  // A bookmark's cursor the API no longer accepts: the first page is shown, and the URL says so.
  useEffect(() => {
    if (rejectedCursor !== null) url.patch({ after: null, prev: null });
  }, [rejectedCursor, url.patch]);
  const res = { ...loaded, data: loaded.data?.page };
  /** The cursor of the page shown (null on the first page, also while the URL still has a refused one). */
  const after = rejectedCursor === null ? query.after : null;
  const shown = res.data?.studies ?? [];
  const filtered = q !== '' || state !== '';
  const go = (patch: Record<string, string | null>) => url.patch(patch);

  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Studies</h1>
          <div className="sub">
            {team ? team.name : 'Team'}
            {res.data ? ` · ${res.data.totalCount} ${res.data.totalCount === 1 ? 'study' : 'studies'}` : ''}
          </div>
        </div>
        {can(team?.role, 'MEMBER') ? (
          <Link prefetch={false} className="btn btn-primary" href={`/teams/${teamId}/studies/new`}>
            New study
          </Link>
        ) : null}
      </div>
      <section className="card" aria-label="Studies">
        <search className="toolbar" aria-label="Filter studies">
          <form
            className="field"
            onSubmit={(e) => {
              e.preventDefault();
              go(filterChange({ q: text }));
            }}
          >
            <label htmlFor="study-search">Name</label>
            <input
              id="study-search"
              type="search"
              placeholder="Filter by name"
              value={text}
              onChange={(e) => setText(e.target.value)}
              onBlur={() => text.trim() !== q && go(filterChange({ q: text }))}
            />
          </form>
          <div className="field">
            <label htmlFor="study-state">State</label>
            <select
              id="study-state"
              value={state}
              onChange={(e) => go(filterChange({ state: e.target.value as StudiesStateChoice }))}
            >
              <option value="">Active (not archived)</option>
              <option value="all">Any state</option>
              {STUDY_STATES.map((s) => (
                <option key={s} value={s}>
                  {s.toLowerCase()}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="study-sort">Sort</label>
            <select
              id="study-sort"
              value={sort}
              onChange={(e) => go(filterChange({ sort: e.target.value as StudiesSortKey }))}
            >
              {STUDIES_SORTS.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          </div>
        </search>
        {res.error ? (
          <ErrorState error={res.error} onRetry={res.reload} />
        ) : res.loading && !res.data ? (
          <div className="card-body stack" role="status" aria-busy="true" aria-label="Loading studies">
            {[0, 1, 2, 3].map((i) => (
              <Skeleton key={i} height={28} />
            ))}
          </div>
        ) : res.data && res.data.studies.length === 0 && !after && !filtered ? (
          <EmptyState
            title="No studies yet"
            icon="✦"
            action={
              <Link prefetch={false} className="btn btn-primary" href={`/teams/${teamId}/studies/new`}>
                Create your first study
              </Link>
            }
          >
            A study searches a space of hyperparameters for the best value of one metric. Create one here, or
            from a file with <code>npx posterior study create -f study.yaml</code>. Archived studies are
            listed under State: archived.
          </EmptyState>
        ) : shown.length === 0 ? (
          <EmptyState title="No study matches these filters">
            Clear the name filter or choose another state to see more studies.
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="data" aria-label="Studies">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">State</th>
                  <th scope="col">Progress</th>
                  <th scope="col" className="num">
                    Best value
                  </th>
                  <th scope="col">History</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((s) => (
                  <tr key={s.id}>
                    <td>
                      <Link prefetch={false} href={`/studies/${s.id}`} style={{ fontWeight: 600 }}>
                        {s.name}
                      </Link>
                      <div className="faint" style={{ fontSize: 12 }}>
                        {s.direction === 'MINIMIZE' ? 'min' : 'max'} {s.objective}
                      </div>
                    </td>
                    <td>
                      <StateBadge state={s.state} />
                    </td>
                    <td>
                      <Progress s={s} />
                    </td>
                    <td className="num">{formatNumber(s.bestValue, 5)}</td>
                    <td>
                      <Sparkline values={s.history} direction={s.direction} />
                    </td>
                    <td className="muted">
                      <RelativeTime iso={s.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {res.data && (after || res.data.hasNextPage) ? (
          <nav className="pager" aria-label="Studies pages">
            <span>{res.data.studies.length} on this page</span>
            <div className="row">
              <button
                type="button"
                className="btn btn-sm"
                disabled={!after}
                onClick={() => go(pageChange(query, 'back'))}
              >
                Previous
              </button>
              <button
                type="button"
                className="btn btn-sm"
                disabled={!res.data.hasNextPage}
                onClick={() => {
                  const next = res.data?.endCursor;
                  if (next) go(pageChange(query, { next }));
                }}
              >
                Next
              </button>
            </div>
          </nav>
        ) : null}
      </section>
    </div>
  );
}
