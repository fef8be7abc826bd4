'use client';

import dynamic from 'next/dynamic';
import { useMemo, useState } from 'react';
import { currentSearch, useUrlQuery } from '../../lib/client/use-url-query';
import type { CurveStore } from '../../lib/learning-curves';
import { selectedTrials } from '../../lib/selection';
import { attributeKeys, attributeOf, csvColumns, filterTrials, toCsv } from '../../lib/trial-fields';
import { applyTableQuery, parseTableQuery, TABLE_KEYS } from '../../lib/trials-table';
import type { Constraint, Objective, Trial } from '../../lib/types';
import { SelectionBar, useSelection } from '../study/selection';
import { TrialsTable } from '../study/trials-table';

// Shown on demand: loaded when first asked for.
const CompareTrials = dynamic(() => import('./compare-trials').then((m) => m.CompareTrials), { ssr: false });

/**
 * URL keys: the query text and the chosen columns ("p:<param>" / "m:<metric>" / "a:<attribute>",
 * comma-separated).
 */
const QUERY_KEY = 'tql';
const COLUMNS_KEY = 'tcols';
const KEYS = [QUERY_KEY, COLUMNS_KEY, ...TABLE_KEYS];
/** Compare shows at most this many trials side by side. */
export const MAX_COMPARED = 8;

export interface TrialsWorkbenchProps {
  studyName: string;
  trials: readonly Trial[];
  params: readonly string[];
  objective: string;
  bestTrialId: string | null;
  loading?: boolean;
  trialHref: (id: string) => string;
  store: CurveStore;
  /** The store's version: metric columns and compare curves redraw when it changes. */
  curvesVersion: number;
  objectives?: readonly Objective[];
  constraints?: readonly Constraint[];
  /** A multi-objective study's Pareto front (its rows are marked). */
  frontIds?: ReadonlySet<string> | undefined;
}

interface Columns {
  params: string[];
  metrics: string[];
  attributes: string[];
}

function parseColumns(raw: string | null, params: readonly string[]): Columns {
  if (raw === null) return { params: [...params], metrics: [], attributes: [] };
  const parts = raw.split(',').filter(Boolean);
  const of = (prefix: string) => parts.filter((p) => p.startsWith(prefix)).map((p) => p.slice(2));
  return { params: of('p:'), metrics: of('m:'), attributes: of('a:') };
}

function download(text: string, fileName: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * The trials table with the tools around it (issue 15 items 4-6): a query over params, values and
 * metrics, a column chooser offering every reported metric, CSV export of what the filters keep, row
 * selection linked to the charts, and compare for the selected trials.
 */
export function TrialsWorkbench(props: TrialsWorkbenchProps) {
  const { trials, params, objective, store, curvesVersion } = props;
  const url = useUrlQuery(KEYS);
  const query = url.params.get(QUERY_KEY) ?? '';
  const [draft, setDraft] = useState(query);
  const selection = useSelection();
  const [comparing, setComparing] = useState(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the version signals new metric names
  const metricNames = useMemo(() => store.metricNames(), [store, curvesVersion]);
  const cols = useMemo(() => parseColumns(url.params.get(COLUMNS_KEY), params), [url.params, params]);
  const shownParams = useMemo(() => params.filter((p) => cols.params.includes(p)), [params, cols.params]);
  const shownMetrics = useMemo(
    () => cols.metrics.filter((m) => metricNames.includes(m)),
    [cols.metrics, metricNames],
  );
  const attributeNames = useMemo(() => attributeKeys(trials), [trials]);
  const shownAttributes = useMemo(
    () => cols.attributes.filter((k) => attributeNames.includes(k)),
    [cols.attributes, attributeNames],
  );
  const last = useMemo(() => (id: string, m: string) => store.last(id, m), [store]);
  const outcomeNames = useMemo(
    () => ({
      objectives: (props.objectives ?? []).map((o) => o.name),
      constraints: (props.constraints ?? []).map((c) => c.name),
    }),
    [props.objectives, props.constraints],
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: the version signals new metric values
  const result = useMemo(
    () => filterTrials(trials, query, objective, last, undefined, outcomeNames),
    [trials, query, objective, last, curvesVersion, outcomeNames],
  );

  const setColumns = (next: Columns) => {
    const allParams =
      next.params.length === params.length && next.metrics.length === 0 && next.attributes.length === 0;
    url.patch({
      [COLUMNS_KEY]: allParams
        ? null
        : [
            ...next.params.map((p) => `p:${p}`),
            ...next.metrics.map((m) => `m:${m}`),
            ...next.attributes.map((a) => `a:${a}`),
          ].join(','),
    });
  };
  const toggle = (kind: keyof Columns, name: string) => {
    const list = cols[kind];
    setColumns({ ...cols, [kind]: list.includes(name) ? list.filter((x) => x !== name) : [...list, name] });
  };
  const applyQuery = (text: string) => url.patch({ [QUERY_KEY]: text.trim() || null, tpage: null });

  const exportCsv = () => {
    // what the table's own filters and sort keep too, every page
    const q = { ...parseTableQuery(currentSearch()), page: 1, pageSize: Number.MAX_SAFE_INTEGER };
    const rows = applyTableQuery(result.trials, q, Date.now(), (t, column) =>
      column.startsWith('metric:')
        ? last(t.id, column.slice(7))
        : column.startsWith('attr:')
          ? attributeOf(t, column.slice(5))
          : undefined,
    ).rows;
    const csv = toCsv(
      rows,
      csvColumns(params, metricNames, last, Date.now(), {
        objectives: props.objectives ?? [],
        constraints: props.constraints ?? [],
      }),
    );
    download(
      csv,
      `${props.studyName.replace(/[^\w.-]+/g, '_') || 'study'}-trials.csv`,
      'text/csv;charset=utf-8',
    );
  };

  const compared = useMemo(
    () => (comparing ? selectedTrials(trials, selection.ids).slice(0, MAX_COMPARED) : []),
    [comparing, trials, selection.ids],
  );

  const toolbar = (
    <>
      <form
        className="row query-form"
        onSubmit={(e) => {
          e.preventDefault();
          applyQuery(draft);
        }}
      >
        <label htmlFor="trials-query" className="sr-only">
          Trials query
        </label>
        <input
          id="trials-query"
          type="search"
          className="mono"
          placeholder="lr < 1e-3 and val_acc > 0.98"
          title="Compare params, value, metrics (last reported), attributes (attr.x), number, state, worker, tags, note with < <= > >= = != and ~ (contains); combine with and, or, not and parentheses"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={() => draft !== query && applyQuery(draft)}
          aria-invalid={result.error ? 'true' : undefined}
          aria-describedby={result.error ? 'trials-query-error' : undefined}
          style={{ width: 280 }}
        />
      </form>
      <details className="columns-menu">
        <summary className="btn btn-sm">Columns</summary>
        <fieldset className="columns-pop">
          <legend className="sr-only">Columns</legend>
          <div className="k">Parameters</div>
          {params.map((p) => (
            <label key={`p:${p}`} className="check">
              <input type="checkbox" checked={cols.params.includes(p)} onChange={() => toggle('params', p)} />
              {p}
            </label>
          ))}
          <div className="k">Metrics (last reported)</div>
          {metricNames.length === 0 ? <div className="muted">No metrics reported yet</div> : null}
          {metricNames.map((m) => (
            <label key={`m:${m}`} className="check">
              <input
                type="checkbox"
                checked={cols.metrics.includes(m)}
                onChange={() => toggle('metrics', m)}
              />
              {m}
            </label>
          ))}
          <div className="k">Attributes</div>
          {attributeNames.length === 0 ? <div className="muted">No attributes set yet</div> : null}
          {attributeNames.map((k) => (
            <label key={`a:${k}`} className="check">
              <input
                type="checkbox"
                checked={cols.attributes.includes(k)}
                onChange={() => toggle('attributes', k)}
              />
              {k}
            </label>
          ))}
        </fieldset>
      </details>
      <button
        type="button"
        className="btn btn-sm"
        onClick={exportCsv}
        disabled={result.trials.length === 0}
        title="Every trial the query and filters keep, with all params and the last value of every metric"
      >
        Export CSV
      </button>
    </>
  );

  return (
    <div className="stack">
      {result.error ? (
        <div className="alert alert-error" id="trials-query-error" role="alert">
          Query not applied: {result.error.message} (at character {result.error.at + 1}).
        </div>
      ) : null}
      <SelectionBar onCompare={() => setComparing(true)} />
      <TrialsTable
        trials={result.trials}
        total={trials.length}
        params={shownParams}
        objective={objective}
        bestTrialId={props.bestTrialId}
        loading={props.loading}
        trialHref={props.trialHref}
        toolbar={toolbar}
        metrics={shownMetrics}
        metricValue={last}
        attributes={shownAttributes}
        selectable
        objectives={props.objectives}
        constraints={props.constraints}
        frontIds={props.frontIds}
      />
      {comparing && compared.length >= 2 ? (
        <CompareTrials
          trials={compared}
          selectedCount={selection.ids.size}
          params={params}
          objective={objective}
          store={store}
          curvesVersion={curvesVersion}
          trialHref={props.trialHref}
          onClose={() => setComparing(false)}
        />
      ) : null}
    </div>
  );
}
