import { GraphQLJSON } from 'graphql-scalars';
import { Arg, Ctx, FieldResolver, Float, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { TrialState } from '../graphql/enums.js';
import { MetricPointInput, TrialAttributeInput, TrialEnvironmentInput } from '../graphql/inputs.js';
import { toTrial } from '../graphql/mapping.js';
import { Artifact, HeartbeatResult, MetricPoint, ReportResult, Study, Trial } from '../graphql/types.js';
import type { Context } from '../server/context.js';

@Resolver(() => Trial)
export class TrialResolver {
  @Query(() => Trial, {
    nullable: true,
    description: 'NOT_FOUND for unknown ids and for trials of other teams',
  })
  async trial(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Trial | null> {
    return toTrial(await ctx.services.trials.get(ctx.caller, id));
  }

  @Mutation(() => Trial, { description: 'Queue a trial with chosen params; askTrials hands it out first' })
  async enqueueTrial(
    @Arg('studyId', () => ID) studyId: string,
    @Arg('params', () => GraphQLJSON) params: unknown,
    @Ctx() ctx: Context,
  ): Promise<Trial> {
    return toTrial(await ctx.services.trials.enqueue(ctx.caller, studyId, params));
  }

  @Mutation(() => [Trial], {
    description:
      'Claim up to `count` trials to run (empty when the study is paused or done). With `requestKey` ' +
      'the ask is idempotent: a retry with the same key (the first answer was lost) returns the trials the first attempt claimed',
  })
  async askTrials(
    @Arg('studyId', () => ID) studyId: string,
    @Arg('count', () => Int, { nullable: true, defaultValue: 1 }) count: number | null,
    @Arg('workerId', () => String, { nullable: true }) workerId: string | null,
    @Arg('requestKey', () => String, {
      nullable: true,
      description: 'A client-chosen key, unique per logical ask (e.g. a UUID), reused by its retries',
    })
    requestKey: string | null,
    @Ctx() ctx: Context,
  ): Promise<Trial[]> {
    const trials = await ctx.services.trials.ask(ctx.caller, studyId, count, workerId, requestKey);
    return trials.map(toTrial);
  }

  @Mutation(() => HeartbeatResult)
  async heartbeat(@Arg('trialId', () => ID) trialId: string, @Ctx() ctx: Context): Promise<HeartbeatResult> {
    const shouldStop = await ctx.services.trials.heartbeat(ctx.caller, trialId);
    return Object.assign(new HeartbeatResult(), { shouldStop });
  }

  @Mutation(() => ReportResult)
  reportMetrics(
    @Arg('trialId', () => ID) trialId: string,
    @Arg('points', () => [MetricPointInput]) points: MetricPointInput[],
    @Ctx() ctx: Context,
  ): Promise<ReportResult> {
    return ctx.services.trials.report(ctx.caller, trialId, points);
  }

  @Mutation(() => Trial, {
    description: 'Finish a trial; an identical retry is accepted, a different one is CONFLICT',
  })
  async tellTrial(
    @Arg('trialId', () => ID) trialId: string,
    @Arg('state', () => TrialState) state: TrialState,
    @Arg('value', () => Float, {
      nullable: true,
      description: "Single-objective studies: the objective's value",
    })
    value: number | null,
    @Arg('values', () => [Float], {
      nullable: true,
      description:
        'One finite value per objective in study order (required on COMPLETE for multi-objective studies)',
    })
    values: number[] | null,
    @Arg('constraints', () => [Float], {
      nullable: true,
      description:
        'One finite value per constraint in study order (required on COMPLETE for constrained studies)',
    })
    constraints: number[] | null,
    @Arg('error', () => String, { nullable: true }) error: string | null,
    @Ctx() ctx: Context,
    @Arg('logTail', () => String, {
      nullable: true,
      description:
        "The last lines of the worker's output (a FAILED trial's); its last 64 lines / 8 KB are kept",
    })
    logTail?: string | null,
    @Arg('environment', () => TrialEnvironmentInput, {
      nullable: true,
      description: 'What the trial ran on (backend, host, Node and package versions)',
    })
    environment?: TrialEnvironmentInput | null,
  ): Promise<Trial> {
    return toTrial(
      await ctx.services.trials.tell(
        ctx.caller,
        trialId,
        state,
        value,
        error,
        { values, constraints },
        { logTail, environment },
      ),
    );
  }

  @Mutation(() => Trial, {
    description:
      'Hand back a RUNNING trial the worker will not finish: it becomes FAILED ("interrupted") and a ' +
      'WAITING copy with the same params (retryOf) is queued without using budget. Returns the copy; ' +
      'releasing again returns the same copy',
  })
  async releaseTrial(@Arg('trialId', () => ID) trialId: string, @Ctx() ctx: Context): Promise<Trial> {
    return toTrial(await ctx.services.trials.release(ctx.caller, trialId));
  }

  @Mutation(() => Trial, {
    description:
      'Sets the trial note (null or empty clears it; at most 10,000 chars), in any state. MEMBER or above',
  })
  async setTrialNote(
    @Arg('trialId', () => ID) trialId: string,
    @Arg('note', () => String, { nullable: true }) note: string | null,
    @Ctx() ctx: Context,
  ): Promise<Trial> {
    return toTrial(await ctx.services.trials.setNote(ctx.caller, trialId, note));
  }

  @Mutation(() => Trial, {
    description:
      'Replaces the trial tags (trimmed, duplicates dropped; at most 20 of at most 64 chars), in any state. MEMBER or above',
  })
  async setTrialTags(
    @Arg('trialId', () => ID) trialId: string,
    @Arg('tags', () => [String]) tags: string[],
    @Ctx() ctx: Context,
  ): Promise<Trial> {
    return toTrial(await ctx.services.trials.setTags(ctx.caller, trialId, tags));
  }

  @Mutation(() => Trial, {
    description:
      'Sets trial attributes (key -> string, number or boolean; a null value removes the key; replace: ' +
      'drop the others first), in any state. At most 50, keys of at most 64 chars, strings of at most 1,000. MEMBER or above',
  })
  async setTrialAttributes(
    @Arg('trialId', () => ID) trialId: string,
    @Arg('attributes', () => [TrialAttributeInput]) attributes: TrialAttributeInput[],
    @Arg('replace', () => Boolean, { nullable: true, defaultValue: false }) replace: boolean | null,
    @Ctx() ctx: Context,
  ): Promise<Trial> {
    return toTrial(
      await ctx.services.trials.setAttributes(ctx.caller, trialId, attributes, replace === true),
    );
  }

  @FieldResolver(() => Study)
  study(@Root() trial: Trial, @Ctx() ctx: Context): Promise<Study> {
    return ctx.loaders.once(`study:${trial.studyId}`, () =>
      ctx.services.studies.get(ctx.caller, trial.studyId),
    );
  }

  @FieldResolver(() => [MetricPoint], { description: 'Reported points, by name then step' })
  metrics(
    @Root() trial: Trial,
    @Arg('name', () => String, { nullable: true }) name: string | null,
    @Ctx() ctx: Context,
  ): Promise<MetricPoint[]> {
    return ctx.loaders.metrics.load(name ? `${trial.id}\u0000${name}` : trial.id);
  }

  @FieldResolver(() => [Artifact])
  artifacts(@Root() trial: Trial, @Ctx() ctx: Context): Promise<Artifact[]> {
    return ctx.loaders.artifacts.load(trial.id);
  }
}
