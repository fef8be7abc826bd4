'use client';

import { useQuery } from '@tanstack/react-query';
import { Fragment, useMemo, useState } from 'react';
import { apiBase, getClient } from '../../lib/api/client';
import type { Study, Trial, TrialState } from '../../lib/types';
import {
  formatAge,
  needsWorker,
  type WorkerStatus,
  workerCommand,
  workerStatuses,
  workerTimeline,
} from '../../lib/workers';

/** Heartbeats have no live event: the RUNNING trials' heartbeatAt is reread this often. */
const HEARTBEAT_POLL_MS = 5000;
const DEFAULT_TIMEOUT_S = 60;

const BAR_COLOR: Record<TrialState, string> = {
  RUNNING: 'var(--info)',
  WAITING: 'var(--text-faint)',
  COMPLETE: 'var(--good)',
  PRUNED: 'var(--warn)',
  FAILED: 'var(--bad)',
};

const LEGEND: TrialState[] = ['RUNNING', 'COMPLETE', 'PRUNED', 'FAILED'];

/** The alert colors in the warn palette (globals.css has error, info and good alerts). */
const WARN_STYLE = {
  background: 'var(--warn-soft)',
  borderColor: 'color-mix(in srgb, var(--warn) 40%, transparent)',
  color: 'var(--text)',
} as const;

/**
 * The study's workers (from its trials and the polled heartbeats of its RUNNING ones). Two views
 * of it share one query: the banner near the top and the panel below the trials.
 */
function useWorkers(study: Study, trials: readonly Trial[]) {
  const polling = study.state === 'RUNNING' || trials.some((t) => t.state === 'RUNNING');
  const heartbeats = useQuery({
    queryKey: ['workers', study.id],
    queryFn: async ({ signal }) => {
      const running = await getClient().allTrials(study.id, 'RUNNING', { signal });
      return { at: Date.now(), beats: new Map(running.map((t) => [t.id, t.heartbeatAt])) };
    },
    enabled: polling,
    refetchInterval: HEARTBEAT_POLL_MS,
  });
  const now = polling ? (heartbeats.data?.at ?? 0) : 0;
  return useMemo(() => {
    const nowMs = now || Date.now();
    const timeoutS = study.heartbeatTimeoutS ?? DEFAULT_TIMEOUT_S;
    const workers = workerStatuses(trials, heartbeats.data?.beats ?? new Map(), timeoutS, nowMs);
    return { workers, nowMs, timeoutS, loaded: !polling || heartbeats.isFetched };
  }, [trials, heartbeats.data, heartbeats.isFetched, now, polling, study.heartbeatTimeoutS]);
}

function CopyCommand({ command }: { command: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="secret" style={{ marginTop: 8, justifyContent: 'space-between' }}>
      <code data-testid="worker-command">{command}</code>
      <button
        type="button"
        className="btn btn-sm"
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(command);
            setCopied(true);
            setTimeout(() => setCopied(false), 2000);
          } catch {
            setCopied(false);
          }
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}

/** A RUNNING study that no live worker works on: say so, with the command that starts one. */
export function NoWorkerBanner({ study, trials }: { study: Study; trials: readonly Trial[] }) {
  const { workers, timeoutS, loaded } = useWorkers(study, trials);
  if (!loaded || !needsWorker(study.state, workers)) return null;
  const stale = workers.filter((w) => w.running.length > 0);
  return (
    <div className="alert" role="alert" data-testid="no-worker-banner" style={WARN_STYLE}>
      <strong>No worker is running this study.</strong>{' '}
      {stale.length
        ? `${stale.length === 1 ? 'Its last worker has' : `Its ${stale.length} workers have`} not sent a heartbeat for over ${timeoutS}s; their trials fail once the reaper sees them.`
        : 'Trials wait until a worker asks for them.'}{' '}
      Start one with an API token of the team (Team settings → API tokens) in <code>POSTERIOR_TOKEN</code>,
      and <code>--objective ./your-objective.mjs</code> for your own training code (the default is the
      built-in task):
      <CopyCommand command={workerCommand(apiBase(), study.id)} />
    </div>
  );
}

function WorkerRow({ w }: { w: WorkerStatus }) {
  return (
    <tr data-testid="worker-row" data-worker={w.workerId}>
      <td className="mono">{w.workerId}</td>
      <td>
        <span className={`badge ${w.live ? 'badge-COMPLETE' : 'badge-FAILED'}`}>
          {w.live ? 'live' : 'stale'}
        </span>
      </td>
      <td className="num">{formatAge(w.ageS)} ago</td>
      <td>
        {w.running.length ? w.running.map((n) => `#${n}`).join(', ') : <span className="muted">idle</span>}
      </td>
      <td className="num">{w.trials.toLocaleString('en-US')}</td>
    </tr>
  );
}

const ROW_H = 20;
const LABEL_W = 160;

/** Live workers and a timeline of each worker's trials (start to finish, colored by state). */
export function WorkersPanel({ study, trials }: { study: Study; trials: readonly Trial[] }) {
  const { workers, nowMs, timeoutS } = useWorkers(study, trials);
  const timeline = useMemo(() => workerTimeline(trials, nowMs), [trials, nowMs]);
  const live = workers.filter((w) => w.live);
  const shown = workers.filter((w) => w.live || w.running.length > 0);
  const span = timeline.endMs - timeline.startMs;
  const pct = (t: number) => ((t - timeline.startMs) / span) * 100;
  return (
    <section className="card" aria-labelledby="workers-title" data-testid="workers-panel">
      <div className="card-head">
        <div>
          <h2 id="workers-title">Workers</h2>
          <div className="desc">
            {live.length} live of {workers.length} seen · live means a heartbeat or finished trial within the
            last {timeoutS}s
          </div>
        </div>
      </div>
      <div className="card-body stack" style={{ gap: 12 }}>
        {shown.length ? (
          // biome-ignore lint/a11y/noNoninteractiveTabindex: on a phone this table scrolls sideways and holds nothing focusable, so a keyboard reaches the scroll region itself (axe: scrollable-region-focusable)
          <section className="table-wrap" aria-label="Live workers, scrollable" tabIndex={0}>
            <table className="data" aria-label="Live workers">
              <thead>
                <tr>
                  <th>Worker</th>
                  <th>Status</th>
                  <th className="num">Last seen</th>
                  <th>Running</th>
                  <th className="num">Trials</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((w) => (
                  <WorkerRow key={w.workerId} w={w} />
                ))}
              </tbody>
            </table>
          </section>
        ) : (
          <div className="muted">No live worker.</div>
        )}
        {timeline.rows.length ? (
          <figure style={{ margin: 0 }}>
            <div
              role="img"
              aria-label={`Timeline of trials for ${timeline.rows.length} workers`}
              data-testid="worker-timeline"
              style={{
                display: 'grid',
                gridTemplateColumns: `${LABEL_W}px 1fr`,
                rowGap: 4,
                alignItems: 'center',
              }}
            >
              {timeline.rows.map((r) => (
                <Fragment key={r.workerId}>
                  <div
                    className="mono"
                    title={r.workerId}
                    style={{
                      fontSize: 12,
                      color: 'var(--text-muted)',
                      overflow: 'hidden',
                      textOverflow: 'ellipsis',
                      whiteSpace: 'nowrap',
                      paddingRight: 8,
                    }}
                  >
                    {r.workerId}
                  </div>
                  <div
                    style={{
                      position: 'relative',
                      height: ROW_H,
                      background: 'var(--bg-sunken)',
                      borderRadius: 3,
                    }}
                  >
                    {r.bars.map((b) => (
                      <div
                        key={b.trialId}
                        data-bar={b.state}
                        title={`#${b.number} ${b.state.toLowerCase()} · ${formatAge((b.endMs - b.startMs) / 1000)}`}
                        style={{
                          position: 'absolute',
                          top: 3,
                          bottom: 3,
                          left: `${pct(b.startMs)}%`,
                          width: `max(3px, ${pct(b.endMs) - pct(b.startMs)}%)`,
                          background: BAR_COLOR[b.state],
                          borderRadius: 2,
                          boxShadow: '0 0 0 1px var(--bg-elev)',
                        }}
                      />
                    ))}
                  </div>
                </Fragment>
              ))}
            </div>
            <figcaption
              className="faint"
              style={{
                fontSize: 12,
                marginTop: 8,
                marginLeft: LABEL_W,
                display: 'flex',
                gap: 12,
                flexWrap: 'wrap',
              }}
            >
              <span>
                {new Date(timeline.startMs).toISOString().slice(11, 19)} to{' '}
                {new Date(timeline.endMs).toISOString().slice(11, 19)} UTC, each trial from start to finish
              </span>
              {LEGEND.map((state) => (
                <span key={state} style={{ display: 'inline-flex', alignItems: 'center', gap: 4 }}>
                  <span
                    aria-hidden="true"
                    style={{ width: 10, height: 10, borderRadius: 2, background: BAR_COLOR[state] }}
                  />
                  {state.toLowerCase()}
                </span>
              ))}
              {timeline.hiddenRows ? <span>{timeline.hiddenRows} less recent workers not drawn</span> : null}
              {timeline.hiddenBars ? <span>{timeline.hiddenBars} earlier trials not drawn</span> : null}
            </figcaption>
          </figure>
        ) : null}
      </div>
    </section>
  );
}
