import { Arg, ID, Int, Resolver, Root, type SubscribeResolverData, Subscription } from 'type-graphql';
import { BadUserInputError, isCodedError } from '../common/errors.js';
import type { TrialRecord } from '../common/trial-record.js';
import { Role } from '../db/index.js';
import { TrialEventKind } from '../graphql/enums.js';
import { toTrial } from '../graphql/mapping.js';
import { MetricPoint, StudyUpdate, TrialEvent } from '../graphql/types.js';
import { opsMetrics } from '../ops/index.js';
import type { Context } from '../server/context.js';
import { coalesce, mapStream, withReplay } from './batch.js';
import { replayTrialEvents } from './event-log.js';
import { Topic, type TrialEventPayload } from './pubsub.js';

/** Metric points reach subscribers at most every this often, however fast a trainer reports. */
export const METRIC_FLUSH_MS = 100;
const METRIC_FLUSH_MAX = 5000;

/**
 * The subscribe-time access check. A denial ends this subscription with its error; a check that
 * could not run (database unreachable) closes the socket with 1013 so the client reconnects and
 * subscribes again, instead of losing the stream over a hiccup.
 */
async function authorize(context: Context, studyId: string): Promise<void> {
  try {
    await context.services.studies.access(context.caller, studyId, Role.VIEWER);
  } catch (error) {
    if (!isCodedError(error)) {
      context.services.logger.warn(
        { err: error },
        'subscription access check failed; asking the client to reconnect',
      );
      context.live?.tryAgainLater('access check unavailable; reconnect');
    }
    throw error;
  }
}

/**
 * Admits one subscription against the caller's cap (throws RATE_LIMITED over it) and returns the
 * stream's hold: it records the study the socket streams, and releases both when the stream ends.
 */
function admit(context: Context, studyId: string): () => () => void {
  const release = context.live?.admitSubscription() ?? (() => undefined);
  return () => {
    const unwatch = context.live?.watch(studyId) ?? (() => undefined);
    return () => {
      unwatch();
      release();
    };
  };
}

interface ResolvedTrialEvent {
  type: TrialEventKind;
  trial: TrialRecord;
  seq: number | null;
  annotated: boolean;
}

/** The wire type of an ANNOTATED event: the event of the trial's current state. */
const STATE_EVENT: Record<TrialRecord['state'], TrialEventKind> = {
  WAITING: TrialEventKind.CREATED,
  RUNNING: TrialEventKind.CLAIMED,
  COMPLETE: TrialEventKind.COMPLETE,
  PRUNED: TrialEventKind.PRUNED,
  FAILED: TrialEventKind.FAILED,
};

@Resolver()
export class SubscriptionResolver {
  @Subscription(() => TrialEvent, {
    description:
      'Trials of a study as they are created, claimed and finished, numbered by `seq`. With `afterSeq` ' +
      'the logged events after that number are replayed first (EVENTS_EXPIRED when no longer kept)',
    subscribe: async ({
      args,
      context,
    }: SubscribeResolverData<unknown, { studyId: string; afterSeq?: number | null }, Context>) => {
      await authorize(context, args.studyId);
      const afterSeq = args.afterSeq ?? null;
      if (afterSeq !== null && (!Number.isInteger(afterSeq) || afterSeq < 0)) {
        throw new BadUserInputError('afterSeq', 'must be a non-negative integer');
      }
      // Watched so that losing access to the study (a membership change) closes this socket.
      const live = context.services.pubsub.subscribe(
        Topic.TrialEvents,
        args.studyId,
        admit(context, args.studyId),
      );
      const source =
        afterSeq === null
          ? live
          : await withReplay(
              live,
              (): Promise<TrialEventPayload[]> =>
                replayTrialEvents(context.services.db, args.studyId, afterSeq),
            );
      return mapStream(
        source,
        async (payload: TrialEventPayload): Promise<ResolvedTrialEvent | null> => {
          const trial = payload.trial ?? (await context.services.trials.byId(payload.trialId));
          if (!trial) return null;
          const annotated = payload.type === 'ANNOTATED';
          const type = annotated ? STATE_EVENT[trial.state] : (payload.type as TrialEventKind);
          return { type, trial, seq: payload.seq ?? null, annotated };
        },
        opsMetrics.trackSubscription('trialEvents'),
      );
    },
  })
  trialEvents(
    @Root() event: ResolvedTrialEvent,
    @Arg('studyId', () => ID) _studyId: string,
    @Arg('afterSeq', () => Int, {
      nullable: true,
      description: 'Replay the logged events numbered after this one first (the last `seq` this client saw)',
    })
    _afterSeq: number | null,
  ): TrialEvent {
    return Object.assign(new TrialEvent(), {
      type: event.type,
      trial: toTrial(event.trial),
      seq: event.seq,
      annotated: event.annotated,
    });
  }

  @Subscription(() => [MetricPoint], {
    description: `New metric points of a study (or one trial), in batches at most every ${METRIC_FLUSH_MS} ms`,
    subscribe: async ({
      args,
      context,
    }: SubscribeResolverData<unknown, { studyId: string; trialId?: string | null }, Context>) => {
      await authorize(context, args.studyId);
      const only = args.trialId ?? null;
      const source = context.services.pubsub.subscribe(
        Topic.MetricPoints,
        args.studyId,
        admit(context, args.studyId),
      );
      const points = mapStream(
        source,
        (payload) =>
          only !== null && payload.trialId !== only
            ? null
            : payload.points.map(([name, step, value, ms]) =>
                Object.assign(new MetricPoint(), {
                  trialId: payload.trialId,
                  name,
                  step,
                  value,
                  time: new Date(ms),
                }),
              ),
        opsMetrics.trackSubscription('metricPoints'),
      );
      return coalesce(points, METRIC_FLUSH_MS, METRIC_FLUSH_MAX);
    },
  })
  metricPoints(
    @Root() batch: MetricPoint[],
    @Arg('studyId', () => ID) _studyId: string,
    @Arg('trialId', () => ID, { nullable: true }) _trialId: string | null,
  ): MetricPoint[] {
    return batch;
  }

  @Subscription(() => StudyUpdate, {
    description:
      'Changes of a study that no trial event carries (its description), unnumbered: a client rereads the study',
    subscribe: async ({ args, context }: SubscribeResolverData<unknown, { studyId: string }, Context>) => {
      await authorize(context, args.studyId);
      const source = context.services.pubsub.subscribe(
        Topic.StudyUpdates,
        args.studyId,
        admit(context, args.studyId),
      );
      return mapStream(
        source,
        (payload) => Object.assign(new StudyUpdate(), { studyId: args.studyId, change: payload.change }),
        opsMetrics.trackSubscription('studyUpdates'),
      );
    },
  })
  studyUpdates(@Root() update: StudyUpdate, @Arg('studyId', () => ID) _studyId: string): StudyUpdate {
    return update;
  }
}
