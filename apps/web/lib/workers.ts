import type { StudyState, Trial } from './types.ts';

/**
 * Workers as the dashboard sees them. The API has no workers table: a worker is the `workerId` its
 * trials carry, alive while a RUNNING trial of it heartbeats (or it finished one) within the study's
 * heartbeat timeout. A worker between studies, or one that never claimed a trial, is not visible.
 */

type WorkerTrialFields = Pick<Trial, 'id' | 'number' | 'state' | 'startedAt' | 'finishedAt' | 'workerId'> & {
  heartbeatAt?: string | null;
};

export interface WorkerStatus {
  workerId: string;
  /** RUNNING trials of this worker, by number. */
  running: number[];
  /** Last sign of life: the newest heartbeat, claim or finish of its trials (ms since epoch). */
  lastSeenMs: number;
  /** Seconds since lastSeenMs (never negative: the browser's clock may lag the server's). */
  ageS: number;
  /** Seen within the heartbeat timeout. */
  live: boolean;
  /** Trials the worker has claimed in this study. */
  trials: number;
}

const ms = (iso: string | null | undefined): number | null => {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : null;
};

/**
 * Every worker that claimed a trial of the study, live ones first, then by last sign of life.
 * `heartbeats` (trial id -> heartbeatAt) carries heartbeats newer than the trials themselves (the
 * dashboard polls RUNNING trials: heartbeats have no live event).
 */
export function workerStatuses(
  trials: readonly WorkerTrialFields[],
  heartbeats: ReadonlyMap<string, string | null>,
  heartbeatTimeoutS: number,
  nowMs: number,
): WorkerStatus[] {
  const byWorker = new Map<string, WorkerStatus>();
  for (const t of trials) {
    if (!t.workerId) continue;
    let w = byWorker.get(t.workerId);
    if (!w) {
      w = { workerId: t.workerId, running: [], lastSeenMs: 0, ageS: 0, live: false, trials: 0 };
      byWorker.set(t.workerId, w);
    }
    w.trials++;
    if (t.state === 'RUNNING') w.running.push(t.number);
    const seen = Math.max(
      ms(t.startedAt) ?? 0,
      ms(t.finishedAt) ?? 0,
      ms(t.heartbeatAt) ?? 0,
      ms(heartbeats.get(t.id)) ?? 0,
    );
    if (seen > w.lastSeenMs) w.lastSeenMs = seen;
  }
  const out = [...byWorker.values()];
  for (const w of out) {
    w.running.sort((a, b) => a - b);
    w.ageS = Math.max(0, (nowMs - w.lastSeenMs) / 1000);
    w.live = w.ageS <= heartbeatTimeoutS;
  }
  return out.sort(
    (a, b) =>
      Number(b.live) - Number(a.live) || b.lastSeenMs - a.lastSeenMs || a.workerId.localeCompare(b.workerId),
  );
}

/** A running study nobody works on: it hands out trials that nobody asks for. */
export function needsWorker(state: StudyState, workers: readonly WorkerStatus[]): boolean {
  return state === 'RUNNING' && !workers.some((w) => w.live);
}

export interface TimelineBar {
  trialId: string;
  number: number;
  state: Trial['state'];
  startMs: number;
  /** finishedAt, or now for a trial still running. */
  endMs: number;
}

export interface TimelineRow {
  workerId: string;
  bars: TimelineBar[];
}

export interface WorkerTimeline {
  rows: TimelineRow[];
  startMs: number;
  endMs: number;
  /** Workers left out (only the most recently active `maxRows` are drawn). */
  hiddenRows: number;
  /** Trials of the drawn workers left out (only the `maxBars` that ended last are drawn). */
  hiddenBars: number;
}

/**
 * One row per worker (most recently active first), each trial a bar from its start to its finish.
 * A big study draws only its latest `maxBars` trials: older ones would be slivers anyway.
 */
export function workerTimeline(
  trials: readonly WorkerTrialFields[],
  nowMs: number,
  maxRows = 12,
  maxBars = 1500,
): WorkerTimeline {
  const rows = new Map<string, TimelineRow & { lastMs: number }>();
  let startMs = Number.POSITIVE_INFINITY;
  let endMs = Number.NEGATIVE_INFINITY;
  for (const t of trials) {
    const start = ms(t.startedAt);
    if (!t.workerId || start === null) continue;
    const end = t.state === 'RUNNING' ? Math.max(nowMs, start) : (ms(t.finishedAt) ?? start);
    let row = rows.get(t.workerId);
    if (!row) {
      row = { workerId: t.workerId, bars: [], lastMs: 0 };
      rows.set(t.workerId, row);
    }
    row.bars.push({ trialId: t.id, number: t.number, state: t.state, startMs: start, endMs: end });
    row.lastMs = Math.max(row.lastMs, end);
  }
  const ordered = [...rows.values()].sort(
    (a, b) => b.lastMs - a.lastMs || a.workerId.localeCompare(b.workerId),
  );
  const shown = ordered.slice(0, maxRows);
  const ends = shown.flatMap((r) => r.bars.map((b) => b.endMs));
  let hiddenBars = 0;
  if (ends.length > maxBars) {
    const cutoff = ends.sort((a, b) => b - a)[maxBars - 1] ?? Number.NEGATIVE_INFINITY;
    for (const r of shown) {
      const kept = r.bars.filter((b) => b.endMs >= cutoff);
      hiddenBars += r.bars.length - kept.length;
      r.bars = kept;
    }
  }
  for (const r of shown) {
    r.bars.sort((a, b) => a.startMs - b.startMs);
    for (const b of r.bars) {
      startMs = Math.min(startMs, b.startMs);
      endMs = Math.max(endMs, b.endMs);
    }
  }
  if (!shown.length) return { rows: [], startMs: nowMs, endMs: nowMs, hiddenRows: 0, hiddenBars: 0 };
  return {
    rows: shown.map(({ workerId, bars }) => ({ workerId, bars })),
    startMs,
    endMs: Math.max(endMs, startMs + 1),
    hiddenRows: ordered.length - shown.length,
    hiddenBars,
  };
}

/** Shell-quotes one argument only when it needs it (ids and URLs usually do not). */
function shellArg(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * The command that starts a worker on this study (`posterior worker`, README), the token from the
 * environment so it is never shown or copied from the page.
 */
export function workerCommand(apiUrl: string, studyId: string): string {
  return `npx posterior worker --api ${shellArg(apiUrl)} --study ${shellArg(studyId)} --token "$POSTERIOR_TOKEN"`;
}

/** "12s", "4m 05s", "2h 03m": how long ago a worker was last seen. */
export function formatAge(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
