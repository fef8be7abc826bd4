'use client';

import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
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
      Start one with an API token of the team (Team settings → API tokens) in <code>POSTERIOR_TOKEN</code>:
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

const ROW_H = 22;
const LABEL_W = 160;

/** Live workers and a timeline of each worker's trials (start to finish, colored by state). */
export function WorkersPanel({ study, trials }: { study: Study; trials: readonly Trial[] }) {
  const { workers, nowMs, timeoutS } = useWorkers(study, trials);
  const timeline = useMemo(() => workerTimeline(trials, nowMs), [trials, nowMs]);
  const live = workers.filter((w) => w.live);
  const shown = workers.filter((w) => w.live || w.running.length > 0);
  const span = timeline.endMs - timeline.startMs;
  const width = 1000;
  const plotW = width - LABEL_W - 8;
  const x = (t: number) => LABEL_W + ((t - timeline.startMs) / span) * plotW;
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
        ) : (
          <div className="muted">No live worker.</div>
        )}
        {timeline.rows.length ? (
          <figure style={{ margin: 0 }}>
            <svg
              viewBox={`0 0 ${width} ${timeline.rows.length * ROW_H + 4}`}
              width="100%"
              role="img"
              aria-label={`Timeline of trials for ${timeline.rows.length} workers`}
              data-testid="worker-timeline"
            >
              {timeline.rows.map((r, i) => (
                <g key={r.workerId} transform={`translate(0 ${i * ROW_H})`}>
                  <text
                    x={0}
                    y={ROW_H / 2 + 4}
                    fontSize={12}
                    fill="var(--text-muted)"
                    fontFamily="var(--mono)"
                  >
                    {r.workerId.length > 22 ? `${r.workerId.slice(0, 21)}…` : r.workerId}
                  </text>
                  <line
                    x1={LABEL_W}
                    x2={width - 8}
                    y1={ROW_H / 2}
                    y2={ROW_H / 2}
                    stroke="var(--chart-grid)"
                    strokeWidth={1}
                  />
                  {r.bars.map((b) => (
                    <rect
                      key={b.trialId}
                      x={x(b.startMs)}
                      y={4}
                      width={Math.max(2, x(b.endMs) - x(b.startMs))}
                      height={ROW_H - 8}
                      rx={2}
                      fill={BAR_COLOR[b.state]}
                      opacity={0.85}
                    >
                      <title>{`#${b.number} ${b.state.toLowerCase()} · ${formatAge((b.endMs - b.startMs) / 1000)}`}</title>
                    </rect>
                  ))}
                </g>
              ))}
            </svg>
            <figcaption className="faint" style={{ fontSize: 12 }}>
              {new Date(timeline.startMs).toISOString().slice(11, 19)} to{' '}
              {new Date(timeline.endMs).toISOString().slice(11, 19)} UTC · bars: trial start to finish,
              colored by state (running, complete, pruned, failed)
              {timeline.hiddenRows ? ` · ${timeline.hiddenRows} less recent workers not drawn` : ''}
            </figcaption>
          </figure>
        ) : null}
      </div>
    </section>
  );
}
