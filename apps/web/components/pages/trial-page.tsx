'use client';

import { isActive, isBetter, isTerminal, worstValue } from '@posterior/core';
import { dashboard, PosteriorError } from '@posterior/sdk';
import Link from 'next/link';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  describeError,
  downloadUrl,
  getClient,
  subscribeMetricPoints,
  subscribeTrialEvents,
} from '../../lib/api/client';
import { fromWireTrial, toMetricPoint, toTrial } from '../../lib/api/convert';
import { useAsync } from '../../lib/api/hooks';
import { useDocumentTitle } from '../../lib/client/use-document-title';
import { useLiveSync } from '../../lib/client/use-live';
import { durationMs, formatDateTime, formatDuration, formatNumber, formatParam } from '../../lib/format';
import { CurveStore } from '../../lib/learning-curves';
import { newerTrial } from '../../lib/live-sync';
import { can } from '../../lib/roles';
import type { MetricPoint, Trial } from '../../lib/types';
import { MetricChart } from '../charts/metric-chart';
import { useSession } from '../session';
import { TrialAnnotations } from '../trial/trial-annotations';
import { LogTail, PruneReason, TrialEnvironment } from '../trial/trial-run-info';
import { LiveIndicator } from '../ui/live-indicator';
import { EmptyState, ErrorState, PageSkeleton, StateBadge } from '../ui/states';

interface TrialPageData {
  trial: ReturnType<typeof fromWireTrial>;
  /** A failed trial's log tail and what it ran on (only the trial page reads them). */
  run: Pick<dashboard.TrialPage, 'logTail' | 'environment'>;
  study: dashboard.TrialPage['study'];
  metrics: MetricPoint[];
  artifacts: dashboard.TrialPage['artifacts'];
}

async function loadTrial(id: string, signal: AbortSignal): Promise<TrialPageData | null> {
  const t = await dashboard.trialPage(getClient(), id, { signal });
  if (!t) return null;
  const { study, metrics, artifacts, logTail, environment, ...trial } = t;
  return {
    trial: fromWireTrial(trial),
    run: { logTail, environment },
    study,
    metrics: [...metrics],
    artifacts,
  };
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 ** 2).toFixed(1)} MB`;
}

const NO_TAGS: readonly string[] = [];
const NO_ATTRIBUTES: readonly { key: string; value: string | number | boolean }[] = [];

export function TrialPage({ trialId }: { trialId: string }) {
  const res = useAsync((signal) => loadTrial(trialId, signal), trialId);
  const { reload } = res;
  const storeRef = useRef(new CurveStore());
  const [version, setVersion] = useState(0);
  const [liveTrial, setLiveTrial] = useState<Trial | null>(null);
  const [dlError, setDlError] = useState<string | null>(null);
  const data = res.data;
  const session = useSession();

  useEffect(() => {
    if (!data) return;
    const store = new CurveStore();
    store.add(data.metrics);
    storeRef.current = store;
    setVersion(store.version);
    setLiveTrial(null);
    const active = isActive(data.trial.state);
    // A finished trial still hears its annotation events (note, tags, attributes set elsewhere).
    const un1 = active
      ? subscribeMetricPoints(data.study.id, trialId, {
          next: (pts) => {
            if (store.add(pts.map(toMetricPoint))) setVersion(store.version);
          },
        })
      : () => {};
    const un2 = subscribeTrialEvents(data.study.id, {
      next: (e) => {
        if (e.trial.id !== trialId) return;
        if (e.annotated) {
          // the same state, newer annotations: take them as they are now
          setLiveTrial((prev) => ({ ...(prev ?? {}), ...toTrial(e.trial) }));
          return;
        }
        if (!active) return;
        setLiveTrial((prev) => newerTrial(prev ?? undefined, toTrial(e.trial)));
        // Once it has ended, read it again: its checkpoint (uploaded before the tell), final
        // metrics, log tail and environment appear without a reload, and the page stops listening.
        if (isTerminal(e.trial.state)) reload();
      },
    });
    return () => {
      un1();
      un2();
    };
  }, [data, trialId, reload]);

  // The subscription needs the study id, so it starts only after the first read: read again once the
  // socket is up (and after every reconnect, or on a timer while it is down) and merge, so points
  // reported in between are not lost (the store keeps one value per step).
  const running = data ? !isTerminal(data.trial.state) : false;
  const resync = useCallback(
    async (signal: AbortSignal) => {
      const fresh = await loadTrial(trialId, signal);
      if (!fresh || signal.aborted) return;
      if (storeRef.current.add(fresh.metrics)) setVersion(storeRef.current.version);
      setLiveTrial((prev) => newerTrial(prev ?? undefined, fresh.trial));
      if (isTerminal(fresh.trial.state)) reload();
    },
    [trialId, reload],
  );
  const liveStatus = useLiveSync(resync, running, { loadedFirst: true });

  useDocumentTitle(data ? `Trial #${data.trial.number} · ${data.study.name} · Posterior` : null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: version signals new points
  const metricNames = useMemo(() => storeRef.current.metricNames(), [version]);

  if (res.error) return <ErrorState error={res.error} onRetry={res.reload} />;
  if (res.loading || !data) {
    if (!res.loading && data === null)
      return <ErrorState error={new PosteriorError('NOT_FOUND', 'trial not found')} />;
    return <PageSkeleton label="Loading trial" />;
  }
  const t = { ...data.trial, ...(liveTrial ?? {}) };
  const s = data.study;
  const sg = data.trial.suggestion;
  const objectiveCurve = storeRef.current.curve(t.id, s.objective);
  let bestStep: number | null = null;
  if (objectiveCurve.length) {
    let bv = worstValue(s.direction);
    for (const [step, v] of objectiveCurve) {
      if (isBetter(s.direction, v, bv)) {
        bv = v;
        bestStep = step;
      }
    }
  }
  const ordered = [...metricNames].sort((a, b) =>
    a === s.objective ? -1 : b === s.objective ? 1 : a.localeCompare(b),
  );
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <div className="breadcrumbs">
            <Link prefetch={false} href={`/teams/${s.teamId}/studies`}>
              Studies
            </Link>{' '}
            /{' '}
            <Link prefetch={false} href={`/studies/${s.id}`}>
              {s.name}
            </Link>{' '}
            / trial #{t.number}
          </div>
          <div className="row" style={{ gap: 10 }}>
            <h1>Trial #{t.number}</h1>
            <StateBadge state={t.state} />
            {!isTerminal(t.state) ? <LiveIndicator status={liveStatus} /> : null}
          </div>
          <div className="sub" data-testid="trial-values">
            {(s.objectives?.length ?? 0) > 1 ? (
              s.objectives.map((o, i) => (
                <span key={o.name}>
                  {i > 0 ? ' · ' : null}
                  {o.name}: <b>{formatNumber(t.values?.[i] ?? null, 6)}</b>
                </span>
              ))
            ) : (
              <>
                {s.objective}: <b>{formatNumber(t.value, 6)}</b>
              </>
            )}
            {(s.constraints ?? []).map((c, i) => (
              <span key={c.name}>
                {' · '}
                {c.name}: <b>{formatNumber(t.constraints?.[i] ?? null, 6)}</b>
              </span>
            ))}
            {t.feasible === false ? (
              <>
                {' · '}
                <span className="badge badge-infeasible">infeasible</span>
              </>
            ) : null}
            {t.retryOf ? (
              <>
                {' '}
                · retry of{' '}
                <Link prefetch={false} href={`/trials/${t.retryOf}`}>
                  a failed trial
                </Link>
              </>
            ) : null}
          </div>
        </div>
        <Link prefetch={false} className="btn" href={`/studies/${s.id}`}>
          Back to study
        </Link>
      </div>
      {t.error ? (
        <div className="alert alert-error" role="alert">
          <strong>Failed:</strong> <code>{t.error}</code>
        </div>
      ) : null}
      <PruneReason step={t.pruneStep} reason={t.pruneReason} state={t.state} />
      <div className="grid-3">
        <section className="card" aria-labelledby="params-h">
          <div className="card-head">
            <h2 id="params-h">Parameters</h2>
          </div>
          <div className="card-body">
            <dl className="dl">
              {Object.entries(t.params).map(([k, v]) => (
                <div key={k} style={{ display: 'contents' }}>
                  <dt>{k}</dt>
                  <dd className="mono">{formatParam(v)}</dd>
                </div>
              ))}
            </dl>
          </div>
        </section>
        <section className="card" aria-labelledby="timing-h">
          <div className="card-head">
            <h2 id="timing-h">Run</h2>
          </div>
          <div className="card-body">
            <dl className="dl">
              <dt>State</dt>
              <dd>{t.state.toLowerCase()}</dd>
              <dt>Worker</dt>
              <dd className="mono">{t.workerId ?? '—'}</dd>
              <dt>Created</dt>
              <dd>{formatDateTime(data.trial.createdAt)}</dd>
              <dt>Started</dt>
              <dd>{formatDateTime(t.startedAt)}</dd>
              <dt>Finished</dt>
              <dd>{formatDateTime(t.finishedAt)}</dd>
              <dt>Duration</dt>
              <dd>{formatDuration(durationMs(t.startedAt, t.finishedAt))}</dd>
              <dt>Last heartbeat</dt>
              <dd>{formatDateTime(data.trial.heartbeatAt)}</dd>
            </dl>
          </div>
        </section>
        <section className="card" aria-labelledby="sugg-h">
          <div className="card-head">
            <h2 id="sugg-h">Suggestion</h2>
          </div>
          <div className="card-body">
            {sg ? (
              <dl className="dl">
                <dt>Sampler</dt>
                <dd>
                  {sg.sampler}
                  {sg.phase ? <span className="faint"> ({sg.phase})</span> : null}
                </dd>
                <dt>Predicted {s.objective}</dt>
                <dd>
                  {sg.mean === null
                    ? '—'
                    : `${formatNumber(sg.mean, 5)}${sg.std !== null ? ` ± ${formatNumber(1.96 * sg.std, 3)}` : ''}`}
                </dd>
                <dt>Actual</dt>
                <dd>{formatNumber(t.value, 5)}</dd>
                <dt>{sg.acquisitionName ?? 'Acquisition'}</dt>
                <dd>{formatNumber(sg.acquisition, 5)}</dd>
              </dl>
            ) : (
              <p className="muted" style={{ margin: 0 }}>
                Enqueued by hand: no model prediction.
              </p>
            )}
          </div>
        </section>
      </div>
      <LogTail text={data.run.logTail} />
      <div className="grid-2">
        <TrialAnnotations
          trialId={t.id}
          note={t.note ?? null}
          tags={t.tags ?? NO_TAGS}
          attributes={t.attributes ?? NO_ATTRIBUTES}
          canEdit={can(session.teams.find((team) => team.id === s.teamId)?.role, 'MEMBER')}
        />
        <TrialEnvironment env={data.run.environment} />
      </div>
      <section className="card" aria-labelledby="art-h">
        <div className="card-head">
          <h2 id="art-h">Checkpoints and artifacts</h2>
        </div>
        <div className="card-body">
          {dlError ? (
            <div className="alert alert-error" role="alert" style={{ marginBottom: 10 }}>
              {dlError}
            </div>
          ) : null}
          {data.artifacts.length === 0 ? (
            <p className="muted" style={{ margin: 0 }}>
              No checkpoint uploaded {t.state === 'RUNNING' ? 'yet' : 'for this trial'}.
            </p>
          ) : (
            <ul style={{ listStyle: 'none', padding: 0, margin: 0 }} className="stack">
              {data.artifacts.map((a) => (
                <li key={a.id} className="row" style={{ justifyContent: 'space-between' }}>
                  <span>
                    <code>{a.name}</code> <span className="faint">· {bytes(a.sizeBytes)}</span>
                  </span>
                  <button
                    type="button"
                    className="btn btn-sm"
                    aria-label={`Download ${a.name}`}
                    onClick={async () => {
                      setDlError(null);
                      try {
                        await downloadUrl(a.url.startsWith('/') ? a.url : `/artifacts/${a.id}`, a.name);
                      } catch (e) {
                        setDlError(describeError(e).detail);
                      }
                    }}
                  >
                    Download
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      </section>
      <h2>Metrics</h2>
      {metricNames.length === 0 ? (
        <div className="card">
          <EmptyState title="No metrics reported" icon="◠">
            {isActive(t.state)
              ? 'Curves appear here live as the worker reports them.'
              : 'This trial finished without reporting intermediate metrics.'}
          </EmptyState>
        </div>
      ) : (
        <div className="grid-2">
          {ordered.map((n, i) => (
            <MetricChart
              key={n}
              name={n}
              points={storeRef.current.curve(t.id, n)}
              color={i}
              highlightStep={n === s.objective ? bestStep : null}
            />
          ))}
        </div>
      )}
    </div>
  );
}
