import type { Sql } from '../common/db.js';
import { EventsExpiredError } from '../common/errors.js';
import type { TrialRecord } from '../common/trial-record.js';
import type { OutboxItem, Sequence } from './pg-event-target.js';
import type { TrialEventPayload, TrialEventType } from './pubsub.js';

/**
 * The per-study sequence of trial events and the log they can be replayed from (issue 13).
 *
 * Contract: every trial event of a study carries `seq`, 1, 2, 3, ... with no number skipped and
 * none reused. A subscriber that sees a number more than one past the last it saw has missed
 * events; it resubscribes with `trialEvents(studyId, afterSeq: <last seen>)`, and the server
 * replays every logged event after that number, then continues live (numbers at or below the last
 * replayed are not sent twice). Events are kept for EVENT_RETENTION_S; a subscriber asking for
 * events older than that gets an EVENTS_EXPIRED error and refetches the study's trials instead.
 */

/** How long events stay replayable. A reconnect takes seconds; an hour covers long outages. */
export const EVENT_RETENTION_S = 3600;
/** Most events one replay sends; a subscriber further behind refetches (EVENTS_EXPIRED). */
export const MAX_REPLAY = 10_000;

export const TRIAL_EVENTS_PREFIX = 'TRIAL_EVENTS:';

/**
 * Numbers the trial events among `items` in one synchronously committed statement and logs them:
 * a number a subscriber sees is on disk, so a replay after a database crash still has it. Study
 * heads are locked in study-id order (no deadlock between processes). Events of a study deleted
 * meanwhile are dropped. Other topics pass through unnumbered.
 */
export function sequenceTrialEvents(sql: Sql): Sequence {
  return async (items) => {
    const events = items.filter((item) => item.t.startsWith(TRIAL_EVENTS_PREFIX));
    if (events.length === 0) return items;
    const rows = await sql.rows<{ ord: string; seq: string }>(
      `WITH ev AS (
         SELECT x.ord, x.study_id, x.type, x.trial_id, x.trial
         FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::jsonb[]) WITH ORDINALITY
           AS x(study_id, type, trial_id, trial, ord)
         WHERE EXISTS (SELECT 1 FROM studies s WHERE s.id = x.study_id)),
       counts AS (SELECT study_id, count(*) AS n FROM ev GROUP BY study_id),
       heads AS (
         INSERT INTO study_event_heads AS h (study_id, seq)
         SELECT study_id, n FROM counts ORDER BY study_id
         ON CONFLICT (study_id) DO UPDATE SET seq = h.seq + EXCLUDED.seq
         RETURNING h.study_id, h.seq),
       numbered AS (
         SELECT ev.*, heads.seq - counts.n + row_number() OVER (PARTITION BY ev.study_id ORDER BY ev.ord) AS seq
         FROM ev JOIN counts USING (study_id) JOIN heads USING (study_id)),
       ins AS (
         INSERT INTO study_events (study_id, seq, type, trial_id, trial)
         SELECT study_id, seq, type, trial_id, trial FROM numbered)
       SELECT ord::text, seq::text FROM numbered`,
      [
        events.map((e) => e.t.slice(TRIAL_EVENTS_PREFIX.length)),
        events.map((e) => (e.d as TrialEventPayload).type),
        events.map((e) => (e.d as TrialEventPayload).trialId),
        events.map((e) => {
          const trial = (e.d as TrialEventPayload).trial;
          return trial === null ? null : JSON.stringify(trial);
        }),
      ],
      true,
    );
    const seqByIndex = new Map(rows.map((r) => [Number(r.ord) - 1, Number(r.seq)]));
    const dropped = new Set<OutboxItem>();
    events.forEach((event, i) => {
      const seq = seqByIndex.get(i);
      if (seq === undefined) dropped.add(event);
      else event.d = { ...(event.d as TrialEventPayload), seq };
    });
    return items.filter((item) => !dropped.has(item));
  };
}

/**
 * The logged events of a study after `afterSeq`, in order. Throws EventsExpiredError when the
 * log no longer holds the first of them (pruned, or more than MAX_REPLAY behind).
 */
export async function replayTrialEvents(
  sql: Sql,
  studyId: string,
  afterSeq: number,
): Promise<TrialEventPayload[]> {
  // One statement, one snapshot: the head and the events up to it agree (they commit together),
  // so an event committed while this runs cannot look like a hole in the log.
  const found = await sql.rows<{
    last: string;
    seq: string | null;
    type: TrialEventType | null;
    trial_id: string | null;
    trial: TrialRecord | null;
  }>(
    `SELECT h.seq::text AS last, e.seq::text AS seq, e.type, e.trial_id, e.trial
     FROM (SELECT seq FROM study_event_heads WHERE study_id = $1) h
     LEFT JOIN LATERAL (
       SELECT seq, type, trial_id, trial FROM study_events
       WHERE study_id = $1 AND seq > $2 AND seq <= h.seq ORDER BY seq LIMIT $3) e ON true`,
    [studyId, afterSeq, MAX_REPLAY + 1],
  );
  const last = Number(found[0]?.last ?? 0);
  const rows = found.filter(
    (r): r is typeof r & { seq: string; type: TrialEventType; trial_id: string } => r.seq !== null,
  );
  const first = rows[0];
  const missing = last > afterSeq && (first === undefined || Number(first.seq) !== afterSeq + 1);
  // A number past the head was never handed out here (another database, or a restored backup).
  if (rows.length > MAX_REPLAY || missing) {
    throw new EventsExpiredError(`events after ${afterSeq} are no longer kept; refetch the study's trials`);
  }
  if (afterSeq > last) {
    throw new EventsExpiredError(
      `this study's events end at ${last}, not ${afterSeq}; refetch the study's trials`,
    );
  }
  return rows.map((r) => ({ type: r.type, trialId: r.trial_id, trial: r.trial, seq: Number(r.seq) }));
}

/** Deletes events past retention (oldest first, a bounded batch per call). */
export async function pruneEventLog(sql: Sql, retentionS = EVENT_RETENTION_S): Promise<number> {
  const rows = await sql.rows<{ n: number }>(
    `WITH old AS (
       SELECT study_id, seq FROM study_events WHERE created_at < now() - make_interval(secs => $1)
       ORDER BY created_at LIMIT 10000),
     del AS (DELETE FROM study_events e USING old WHERE e.study_id = old.study_id AND e.seq = old.seq RETURNING 1)
     SELECT count(*)::int AS n FROM del`,
    [retentionS],
  );
  return rows[0]?.n ?? 0;
}
