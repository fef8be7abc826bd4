import { createPubSub, type PubSub, Repeater, SlidingBuffer } from '@graphql-yoga/subscription';
import type pg from 'pg';
import type { Logger } from '../common/logger.js';
import type { TrialRecord } from '../common/trial-record.js';
import { MAX_NOTIFY_BYTES, PgEventTarget, type Sequence } from './pg-event-target.js';

/** The topics, each keyed by study id, and what they carry. */
/**
 * ANNOTATED (a note, tags or attributes changed) is internal: on the wire it is the event of the
 * trial's current state with `annotated: true` (subscription.resolver.ts), which older clients take as
 * the trial as it now is.
 */
export type TrialEventType = 'CREATED' | 'CLAIMED' | 'COMPLETE' | 'PRUNED' | 'FAILED' | 'ANNOTATED';

export interface TrialEventPayload {
  type: TrialEventType;
  trialId: string;
  /** Null when the row is too large for one NOTIFY; the subscriber then loads it by id. */
  trial: TrialRecord | null;
  /** The event's number in its study (see event-log.ts); absent only without an event log. */
  seq?: number;
}

/** [name, step, value, time (ms since epoch)]: tuples keep a batch of points small on the wire. */
export type MetricTuple = [string, number, number, number];

export interface MetricPointsPayload {
  trialId: string;
  points: MetricTuple[];
}

/** A change of a study that no trial event carries (its description), announced unnumbered. */
export interface StudyUpdatePayload {
  change: 'DESCRIPTION';
}

export enum Topic {
  TrialEvents = 'TRIAL_EVENTS',
  MetricPoints = 'METRIC_POINTS',
  StudyUpdates = 'STUDY_UPDATES',
}

/** Events a subscriber may fall behind by before its oldest are dropped. */
const SUBSCRIBER_BUFFER = 1000;

/**
 * Credentials were revoked or ended somewhere: every process drops its authentication cache and
 * closes the sockets that authenticated with them (detail: their sha256 hashes).
 */
const AUTH_CHANGED = 'AUTH_CHANGED';

/** A user's membership of a team changed: sockets streaming that team's studies re-authorize. */
const MEMBERSHIP_CHANGED = 'MEMBERSHIP_CHANGED';

export interface AuthChange {
  /** sha256 hashes of the secrets that no longer authenticate (empty when unknown). */
  revoked: string[];
}

export interface MembershipChange {
  teamId: string;
  userId: string;
}

type Topics = {
  [Topic.TrialEvents]: [studyId: string, payload: TrialEventPayload];
  [Topic.MetricPoints]: [studyId: string, payload: MetricPointsPayload];
  [Topic.StudyUpdates]: [studyId: string, payload: StudyUpdatePayload];
};

export interface ApiPubSub {
  publishTrialEvent(studyId: string, type: TrialEventType, trial: TrialRecord): void;
  publishMetricPoints(studyId: string, trialId: string, points: MetricTuple[]): void;
  publishStudyUpdate(studyId: string, change: StudyUpdatePayload['change']): void;
  /** `hold` runs when the stream starts; what it returns runs once the stream ends, however it ends. */
  subscribe<T extends Topic>(topic: T, studyId: string, hold?: () => () => void): AsyncIterable<Topics[T][1]>;
  publishAuthChanged(revoked?: readonly string[]): void;
  onAuthChanged(listener: (change: AuthChange) => void): void;
  publishMembershipChanged(change: MembershipChange): void;
  onMembershipChanged(listener: (change: MembershipChange) => void): void;
  whenListening(): Promise<void>;
  /** Every event published anywhere before the call has been handed to this process's streams. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The one pubsub of a server: yoga's typed PubSub over a PostgreSQL LISTEN/NOTIFY event target.
 * Resolvers and services see only this interface, so the transport can change without them.
 */
export function createApiPubSub(options: {
  clientConfig: pg.ClientConfig;
  notify: (channel: string, payloads: readonly string[]) => Promise<unknown>;
  logger: Logger;
  /** Numbers trial events before they go out (event-log.ts `sequenceTrialEvents`). */
  sequence?: Sequence;
}): ApiPubSub {
  const target = new PgEventTarget(
    options.clientConfig,
    options.notify,
    options.logger,
    options.sequence ?? null,
  );
  const pubsub: PubSub<Topics> = createPubSub<Topics>({
    eventTarget: target as unknown as NonNullable<Parameters<typeof createPubSub<Topics>>[0]>['eventTarget'],
  });
  // Room for the envelope ({"t":"METRIC_POINTS:<uuid>","d":{"trialId":...,"points":[...]}}).
  const budget = MAX_NOTIFY_BYTES - 200;

  return {
    publishTrialEvent(studyId, type, trial) {
      const full = JSON.stringify(trial);
      const payload: TrialEventPayload = {
        type,
        trialId: trial.id,
        trial: full.length < budget ? trial : null,
      };
      pubsub.publish(Topic.TrialEvents, studyId, payload);
    },
    publishMetricPoints(studyId, trialId, points) {
      let chunk: MetricTuple[] = [];
      let bytes = 0;
      for (const point of points) {
        // Names are ASCII (validated); step, value and time print in at most 60 characters together.
        const size = point[0].length + 64;
        if (bytes + size > budget && chunk.length > 0) {
          pubsub.publish(Topic.MetricPoints, studyId, { trialId, points: chunk });
          chunk = [];
          bytes = 0;
        }
        chunk.push(point);
        bytes += size;
      }
      if (chunk.length > 0) pubsub.publish(Topic.MetricPoints, studyId, { trialId, points: chunk });
    },
    publishStudyUpdate(studyId, change) {
      pubsub.publish(Topic.StudyUpdates, studyId, { change });
    },
    subscribe<T extends Topic>(
      topic: T,
      studyId: string,
      hold?: () => () => void,
    ): AsyncIterable<Topics[T][1]> {
      // Not yoga's subscribe: its unbuffered Repeater throws inside the event listener once a slow
      // client lags 1024 events behind. Each subscription gets its own sliding buffer instead; a
      // client that far behind loses its oldest events, and the server never throws.
      const type = `${topic}:${studyId}`;
      return new Repeater<Topics[T][1]>((push, stop) => {
        const listener = (event: Event): void => {
          void push((event as CustomEvent<Topics[T][1]>).detail);
        };
        target.addEventListener(type, listener);
        const release = hold?.();
        void stop.then(() => {
          target.removeEventListener(type, listener);
          release?.();
        });
      }, new SlidingBuffer(SUBSCRIBER_BUFFER));
    },
    publishAuthChanged(revoked = []) {
      // 64 hex characters a hash: a NOTIFY carries about a hundred; more only happens when
      // many sessions end at once, and the periodic live check catches any left out.
      const change: AuthChange = { revoked: revoked.slice(0, 100) };
      target.dispatchEvent(new CustomEvent(AUTH_CHANGED, { detail: change }));
    },
    onAuthChanged(listener) {
      target.addEventListener(AUTH_CHANGED, (event) => {
        const detail = (event as CustomEvent<Partial<AuthChange> | null>).detail;
        const revoked = Array.isArray(detail?.revoked)
          ? detail.revoked.filter((h): h is string => typeof h === 'string')
          : [];
        listener({ revoked });
      });
    },
    publishMembershipChanged(change) {
      target.dispatchEvent(new CustomEvent(MEMBERSHIP_CHANGED, { detail: change }));
    },
    onMembershipChanged(listener) {
      target.addEventListener(MEMBERSHIP_CHANGED, (event) => {
        const detail = (event as CustomEvent<Partial<MembershipChange> | null>).detail;
        if (typeof detail?.teamId === 'string' && typeof detail.userId === 'string')
          listener({ teamId: detail.teamId, userId: detail.userId });
      });
    },
    whenListening: () => target.whenListening(),
    flush: () => target.flush(),
    close: () => target.close(),
  };
}
