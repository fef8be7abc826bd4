'use client';

import Link from 'next/link';
import { type ReactNode, useMemo, useState } from 'react';
import { currentSearch, useUrlQuery } from '../../lib/client/use-url-query';
import { durationMs, formatDuration, formatNumber, formatParam } from '../../lib/format';
import { attributeOf } from '../../lib/trial-fields';
import {
  applyTableQuery,
  type ColumnValue,
  PAGE_SIZES,
  parseTableQuery,
  TABLE_KEYS,
  type TableQuery,
  writeTableQuery,
} from '../../lib/trials-table';
import { type Constraint, type Objective, TRIAL_STATES, type Trial, type TrialState } from '../../lib/types';
import { EmptyState, Skeleton, StateBadge } from '../ui/states';
import { useSelection } from './selection';

export function TrialsTable({
  trials,
  params,
  objective,
  bestTrialId,
  loading,
  trialHref,
  toolbar,
  metrics = [],
  metricValue,
  attributes = [],
  total,
  selectable = false,
  objectives = [],
  constraints = [],
  frontIds,
}: {
  trials: readonly Trial[];
  params: readonly string[];
  objective: string;
  bestTrialId: string | null;
  loading?: boolean;
  trialHref: (id: string) => string;
  /** More controls in the filter bar (the query box, the column chooser, the export). */
  toolbar?: ReactNode;
  /** Metric columns: each trial's last reported value. */
  metrics?: readonly string[];
  metricValue?: (trialId: string, metric: string) => number | null;
  /** Attribute columns (user attributes, by key). */
  attributes?: readonly string[];
  /** How many trials there are before `trials` was narrowed (by the query box). */
  total?: number;
  /** A box per row that adds the trial to the page's linked selection. */
  selectable?: boolean;
  /** Two or more: a sortable column per objective instead of the one value column. */
  objectives?: readonly Objective[];
  /** A sortable column per constraint, and a feasible column. */
  constraints?: readonly Constraint[];
  /** A multi-objective study's front: its rows stand out as the best trial's does. */
  frontIds?: ReadonlySet<string>;
}) {
  const multi = objectives.length > 1;
  const isTop = (id: string) => (frontIds ? frontIds.has(id) : id === bestTrialId);
  const selection = useSelection();
  const url = useUrlQuery(TABLE_KEYS);
  const q = useMemo(() => parseTableQuery(url.params), [url.params]);
  const [text, setText] = useState(q.text);
  const columnValue = useMemo((): ColumnValue => tableColumnValue(metricValue), [metricValue]);
  const page = useMemo(() => applyTableQuery(trials, q, Date.now(), columnValue), [trials, q, columnValue]);
  const set = (patch: Partial<TableQuery>) => {
    const next: TableQuery = { ...q, page: 1, ...patch };
    url.replace(writeTableQuery(currentSearch(), next));
  };
  const sortHeader = (key: string, label: string, numeric = false, title?: string) => {
    const active = q.sort === key;
    return (
      <th
        key={key}
        className={numeric ? 'num' : undefined}
        aria-sort={active ? (q.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
        scope="col"
        title={title}
      >
        <button
          type="button"
          className="sort-btn"
          onClick={() =>
            set({
              sort: key,
              dir: active && q.dir === 'desc' ? 'asc' : active ? 'desc' : key === 'number' ? 'desc' : 'asc',
            })
          }
        >
          {label}
          <span aria-hidden="true" style={{ opacity: active ? 1 : 0.3 }}>
            {active && q.dir === 'asc' ? '▲' : '▼'}
          </span>
        </button>
      </th>
    );
  };
  const toggleState = (s: TrialState) =>
    set({ states: q.states.includes(s) ? q.states.filter((x) => x !== s) : [...q.states, s] });
  const now = Date.now();
  return (
    <section className="card" aria-labelledby="trials-title" id="trials">
      <div className="card-head">
        <div>
          <h2 id="trials-title">Trials</h2>
          <div className="desc">
            {loading
              ? 'Loading…'
              : `${page.total.toLocaleString('en-US')} of ${(total ?? trials.length).toLocaleString('en-US')} trials`}
          </div>
        </div>
      </div>
      <search className="toolbar" aria-label="Filter trials">
        <fieldset className="row" style={{ border: 0, padding: 0, margin: 0, gap: 6 }}>
          <legend className="sr-only">Trial state</legend>
          {TRIAL_STATES.map((s) => (
            <label key={s} className="check" style={{ fontSize: 12.5 }}>
              <input type="checkbox" checked={q.states.includes(s)} onChange={() => toggleState(s)} />
              {s.toLowerCase()}
            </label>
          ))}
        </fieldset>
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            set({ text });
          }}
        >
          <label htmlFor="trial-search" className="sr-only">
            Search trials
          </label>
          <input
            id="trial-search"
            type="search"
            placeholder="#12, act=gelu, worker…"
            value={text}
            onChange={(e) => setText(e.target.value)}
            onBlur={() => text !== q.text && set({ text })}
            style={{ width: 220 }}
          />
        </form>
        {toolbar}
        <div className="row" style={{ marginLeft: 'auto' }}>
          <label htmlFor="page-size" className="muted" style={{ fontSize: 12.5 }}>
            Rows
          </label>
          <select
            id="page-size"
            value={q.pageSize}
            onChange={(e) => set({ pageSize: Number(e.target.value) })}
            style={{ height: 28 }}
          >
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
      </search>
      {loading && trials.length === 0 ? (
        <div className="card-body stack" role="status" aria-busy="true" aria-label="Loading trials">
          {[0, 1, 2, 3, 4].map((i) => (
            <Skeleton key={i} height={18} />
          ))}
        </div>
      ) : trials.length === 0 ? (
        <EmptyState title="No trials yet" icon="◷">
          Start a worker on this study (<code>npx posterior worker --study …</code>) or enqueue a trial with
          chosen parameters.
        </EmptyState>
      ) : page.total === 0 ? (
        <EmptyState title="No trial matches these filters">
          Clear the state boxes or the search to see every trial.
        </EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table className="data" aria-label="Trials">
              <thead>
                <tr>
                  {selectable ? (
                    <th scope="col" className="select-col">
                      <input
                        type="checkbox"
                        aria-label="Select every trial on this page"
                        checked={page.rows.length > 0 && page.rows.every((t) => selection.ids.has(t.id))}
                        onChange={(e) => {
                          const next = new Set(selection.ids);
                          for (const t of page.rows) {
                            if (e.target.checked) next.add(t.id);
                            else next.delete(t.id);
                          }
                          selection.select(next, 'table');
                        }}
                      />
                    </th>
                  ) : null}
                  {sortHeader('number', '#', true)}
                  {sortHeader('state', 'State')}
                  {multi
                    ? objectives.map((o, i) =>
                        sortHeader(
                          `obj:${i}`,
                          o.name,
                          true,
                          `${o.direction === 'MINIMIZE' ? 'Minimize' : 'Maximize'} ${o.name}`,
                        ),
                      )
                    : sortHeader('value', objective, true)}
                  {constraints.map((c, i) =>
                    sortHeader(`con:${i}`, c.name, true, `Constraint ${c.name}: feasible when ≤ 0`),
                  )}
                  {constraints.length > 0 ? sortHeader('feasible', 'Feasible') : null}
                  {params.map((p) => (
                    <SortParam key={p} name={p} q={q} set={set} />
                  ))}
                  {metrics.map((m) => (
                    <SortColumn
                      key={`m:${m}`}
                      sortKey={`metric:${m}`}
                      label={m}
                      title={`Last reported ${m}`}
                      q={q}
                      set={set}
                    />
                  ))}
                  {attributes.map((k) => (
                    <SortColumn
                      key={`a:${k}`}
                      sortKey={`attr:${k}`}
                      label={k}
                      title={`Attribute ${k}`}
                      q={q}
                      set={set}
                    />
                  ))}
                  {sortHeader('duration', 'Duration', true)}
                  <th scope="col">Worker</th>
                  <th scope="col">Tags</th>
                </tr>
              </thead>
              <tbody>
                {page.rows.map((t) => (
                  <tr
                    key={t.id}
                    className={
                      [isTop(t.id) ? 'best' : '', selection.ids.has(t.id) ? 'selected' : '']
                        .join(' ')
                        .trim() || undefined
                    }
                    data-selected={selection.ids.has(t.id) ? 'true' : undefined}
                  >
                    {selectable ? (
                      <td className="select-col">
                        <input
                          type="checkbox"
                          aria-label={`Select trial ${t.number}`}
                          checked={selection.ids.has(t.id)}
                          onChange={() => {
                            const next = new Set(selection.ids);
                            if (next.has(t.id)) next.delete(t.id);
                            else next.add(t.id);
                            selection.select(next, 'table');
                          }}
                        />
                      </td>
                    ) : null}
                    <td className="num">
                      <Link prefetch={false} href={trialHref(t.id)} aria-label={`Open trial ${t.number}`}>
                        #{t.number}
                      </Link>
                    </td>
                    <td data-col="state">
                      <StateBadge state={t.state} />
                      {isTop(t.id) ? (
                        <span className="badge badge-COMPLETE" style={{ marginLeft: 6 }}>
                          {frontIds ? 'front' : 'best'}
                        </span>
                      ) : null}
                      {t.state === 'PRUNED' && t.pruneStep !== null && t.pruneStep !== undefined ? (
                        <span
                          className="faint prune-step"
                          style={{ marginLeft: 6, fontSize: 12 }}
                          title={t.pruneReason ?? undefined}
                        >
                          at step {t.pruneStep}
                        </span>
                      ) : null}
                    </td>
                    {multi ? (
                      objectives.map((o, i) => (
                        <td key={`obj:${o.name}`} className="num">
                          {formatNumber(t.values?.[i] ?? null, 5)}
                        </td>
                      ))
                    ) : (
                      <td className="num">{formatNumber(t.value, 5)}</td>
                    )}
                    {constraints.map((c, i) => {
                      const v = t.constraints?.[i] ?? null;
                      return (
                        <td key={`con:${c.name}`} className={`num${v !== null && v > 0 ? ' violated' : ''}`}>
                          {formatNumber(v, 5)}
                        </td>
                      );
                    })}
                    {constraints.length > 0 ? (
                      <td data-col="feasible">
                        {t.feasible === true ? (
                          <span className="badge badge-feasible">yes</span>
                        ) : t.feasible === false ? (
                          <span className="badge badge-infeasible">no</span>
                        ) : (
                          <span className="faint">—</span>
                        )}
                      </td>
                    ) : null}
                    {params.map((p) =>
                      // Inactive in a conditional space (absent from params): blank, never a number.
                      t.params[p] === undefined ? (
                        <td key={p} className="num mono" title={`${p} inactive`} />
                      ) : (
                        <td key={p} className="num mono">
                          {formatParam(t.params[p])}
                        </td>
                      ),
                    )}
                    {metrics.map((m) => (
                      <td key={`m:${m}`} className="num mono">
                        {formatNumber(metricValue?.(t.id, m) ?? null, 5)}
                      </td>
                    ))}
                    {attributes.map((k) => {
                      const v = attributeOf(t, k);
                      return (
                        <td key={`a:${k}`} className={typeof v === 'number' ? 'num mono' : 'mono'}>
                          {v === undefined || v === null
                            ? ''
                            : typeof v === 'number'
                              ? formatNumber(v, 5)
                              : String(v)}
                        </td>
                      );
                    })}
                    <td className="num">{formatDuration(durationMs(t.startedAt, t.finishedAt, now))}</td>
                    <td className="muted">{t.workerId ?? '—'}</td>
                    <td title={t.note ?? undefined}>
                      {(t.tags ?? []).map((tag) => (
                        <span key={tag} className="badge" style={{ marginRight: 4 }}>
                          {tag}
                        </span>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Trials pages">
            <span>
              Page {page.page} of {page.pages}
            </span>
            <div className="row">
              <button
                type="button"
                className="btn btn-sm"
                disabled={page.page <= 1}
                onClick={() => set({ page: 1 })}
              >
                First
              </button>
              <button
                type="button"
                className="btn btn-sm"
                disabled={page.page <= 1}
                onClick={() => set({ page: page.page - 1 })}
              >
                Previous
              </button>
              <button
                type="button"
                className="btn btn-sm"
                disabled={page.page >= page.pages}
                onClick={() => set({ page: page.page + 1 })}
              >
                Next
              </button>
              <button
                type="button"
                className="btn btn-sm"
                disabled={page.page >= page.pages}
                onClick={() => set({ page: page.pages })}
              >
                Last
              </button>
            </div>
          </nav>
        </>
      )}
    </section>
  );
}

/** A metric's last value or an attribute, for sorting by their columns. */
function tableColumnValue(metricValue?: (trialId: string, metric: string) => number | null): ColumnValue {
  return (t, column) => {
    if (column.startsWith('metric:')) return metricValue?.(t.id, column.slice(7)) ?? null;
    if (column.startsWith('attr:')) return attributeOf(t, column.slice(5));
    return undefined;
  };
}

function SortColumn({
  sortKey,
  label,
  title,
  q,
  set,
}: {
  sortKey: string;
  label: string;
  title: string;
  q: TableQuery;
  set: (p: Partial<TableQuery>) => void;
}) {
  const active = q.sort === sortKey;
  return (
    <th
      className="num"
      title={title}
      aria-sort={active ? (q.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
      scope="col"
    >
      <button
        type="button"
        className="sort-btn"
        onClick={() => set({ sort: sortKey, dir: active && q.dir === 'asc' ? 'desc' : 'asc' })}
      >
        {label}
        <span aria-hidden="true" style={{ opacity: active ? 1 : 0.3 }}>
          {active && q.dir === 'desc' ? '▼' : '▲'}
        </span>
      </button>
    </th>
  );
}

function SortParam({ name, q, set }: { name: string; q: TableQuery; set: (p: Partial<TableQuery>) => void }) {
  const key = `param:${name}`;
  const active = q.sort === key;
  return (
    <th
      className="num"
      aria-sort={active ? (q.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
      scope="col"
    >
      <button
        type="button"
        className="sort-btn"
        onClick={() => set({ sort: key, dir: active && q.dir === 'asc' ? 'desc' : 'asc' })}
      >
        {name}
        <span aria-hidden="true" style={{ opacity: active ? 1 : 0.3 }}>
          {active && q.dir === 'desc' ? '▼' : '▲'}
        </span>
      </button>
    </th>
  );
}
