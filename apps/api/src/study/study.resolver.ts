import { GraphQLJSON } from 'graphql-scalars';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ExportFormat, StudyState, TrialSort, TrialState } from '../graphql/enums.js';
import { CreateStudyInput } from '../graphql/inputs.js';
import { toTrial } from '../graphql/mapping.js';
import {
  HistoryPoint,
  HypervolumePoint,
  ParamImportance,
  RecommendedTrial,
  ReferencePoint,
  Study,
  StudyConnection,
  SurrogateSlice,
  Team,
  Trial,
  TrialConnection,
  TrialCounts,
} from '../graphql/types.js';
import type { Context } from '../server/context.js';
import { StudySort } from './study-list.js';
import { studyFieldLoaders } from './study-loaders.js';
import { loadTrialTable, MAX_TRIAL_TABLE, type TrialTable } from './trial-table.js';
import { exportTrialsCsv } from './trials-export.js';

/** The search space's parameter names, in the study's order. */
function searchSpaceNames(study: Study): string[] {
  return Array.isArray(study.searchSpace)
    ? study.searchSpace.flatMap((p: unknown) =>
        p && typeof p === 'object' && 'name' in p && typeof p.name === 'string' ? [p.name] : [],
      )
    : [];
}

/** The insights' `objective` argument (docs/DESIGN.md): which objective of the study the GP models. */
const OBJECTIVE_ARG = "The objective's name to model (multi-objective studies); default the first";

@Resolver(() => Study)
export class StudyResolver {
  @Query(() => StudyConnection, { description: "A team's studies, newest first unless sort says otherwise" })
  studies(
    @Arg('teamId', () => ID) teamId: string,
    @Arg('first', () => Int, { nullable: true, description: 'Default 20, at most 100' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'A cursor of the same sort' }) after:
      | string
      | null,
    @Arg('states', () => [StudyState], { nullable: true, description: 'Only studies in one of these states' })
    states: StudyState[] | null,
    @Arg('nameContains', () => String, {
      nullable: true,
      description: 'Only studies whose name contains this text (case-insensitive)',
    })
    nameContains: string | null,
    @Arg('sort', () => StudySort, { nullable: true, defaultValue: StudySort.CREATED_DESC }) sort: StudySort,
    @Ctx() ctx: Context,
  ): Promise<StudyConnection> {
    return ctx.services.studies.list(ctx.caller, teamId, first, after, { states, nameContains, sort });
  }

  @Query(() => Study, {
    nullable: true,
    description: 'NOT_FOUND for unknown ids and for studies of other teams',
  })
  study(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Study | null> {
    return ctx.loaders.once(`study:${id}`, () => ctx.services.studies.get(ctx.caller, id));
  }

  @Mutation(() => Study)
  createStudy(
    @Arg('input', () => CreateStudyInput) input: CreateStudyInput,
    @Ctx() ctx: Context,
  ): Promise<Study> {
    return ctx.services.studies.create(ctx.caller, input);
  }

  @Mutation(() => Study)
  setStudyState(
    @Arg('id', () => ID) id: string,
    @Arg('state', () => StudyState) state: StudyState,
    @Ctx() ctx: Context,
  ): Promise<Study> {
    return ctx.services.studies.setState(ctx.caller, id, state);
  }

  @Mutation(() => Study, {
    description:
      'Sets the budget (maxTrials): never below the trials already used; CONFLICT on an ARCHIVED study. A DONE study stays DONE until setStudyState(RUNNING). MEMBER or above',
  })
  setStudyBudget(
    @Arg('id', () => ID) id: string,
    @Arg('maxTrials', () => Int) maxTrials: number,
    @Ctx() ctx: Context,
  ): Promise<Study> {
    return ctx.services.studies.setBudget(ctx.caller, id, maxTrials);
  }

  @Mutation(() => Study, {
    description:
      'Sets the study description (null or empty clears it; at most 10,000 chars). MEMBER or above',
  })
  async setStudyDescription(
    @Arg('studyId', () => ID) studyId: string,
    @Arg('description', () => String, { nullable: true }) description: string | null,
    @Ctx() ctx: Context,
  ): Promise<Study> {
    const study = await ctx.services.studies.setDescription(ctx.caller, studyId, description);
    // open study pages reread it (no trial event carries a study's description)
    ctx.services.pubsub.publishStudyUpdate(studyId, 'DESCRIPTION');
    return study;
  }

  @Mutation(() => Boolean, {
    description:
      'Deletes a study with its trials, metrics and artifacts; CONFLICT while RUNNING (pause or archive it first). ADMIN or above',
  })
  deleteStudy(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.studies.delete(ctx.caller, id);
  }

  @FieldResolver(() => Team)
  team(@Root() study: Study, @Ctx() ctx: Context): Promise<Team> {
    return ctx.loaders.once(`team:${study.teamId}`, () => ctx.services.teams.team(ctx.caller, study.teamId));
  }

  @FieldResolver(() => TrialConnection)
  trials(
    @Root() study: Study,
    @Arg('state', () => TrialState, { nullable: true }) state: TrialState | null,
    @Arg('states', () => [TrialState], { nullable: true, description: 'Any of these states' }) states:
      | TrialState[]
      | null,
    @Arg('first', () => Int, { nullable: true, description: 'Default 100, at most 500' }) first:
      | number
      | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('sort', () => TrialSort, { nullable: true, defaultValue: TrialSort.NUMBER_ASC }) sort: TrialSort,
    @Ctx() ctx: Context,
  ): Promise<TrialConnection> {
    const filter = [...(state ? [state] : []), ...(states ?? [])];
    return ctx.services.trials.list(study.id, { states: filter, first, after, sort });
  }

  @FieldResolver(() => GraphQLJSON, {
    description: `Every trial in one compact value, by number (the dashboard's study page): {total, params: [name],
rows: [[id, number, state, value, workerId, startedAtMs, finishedAtMs, error, [param values in params order],
[sampler, mean, std, acquisition] | null]]}. At most ${MAX_TRIAL_TABLE} trials (limit, default the maximum)`,
  })
  trialTable(
    @Root() study: Study,
    @Arg('limit', () => Int, { nullable: true }) limit: number | null,
    @Ctx() ctx: Context,
  ): Promise<TrialTable> {
    return loadTrialTable(ctx.services.db, study.id, searchSpaceNames(study), limit);
  }

  @FieldResolver(() => String, {
    description:
      'The trials as a file, as `posterior export` writes it: CSV of the fields (number, state, value, worker, error, ' +
      'duration_s, started_at, finished_at), for multi-objective or constrained studies value_<objective>, ' +
      'constraint_<name> and feasible, params.<name> and, with metrics (default true), metrics.<name> (each ' +
      "trial's last value); by number",
  })
  trialsExport(
    @Root() study: Study,
    @Arg('format', () => ExportFormat, { nullable: true, defaultValue: ExportFormat.CSV })
    _format: ExportFormat,
    @Arg('state', () => TrialState, { nullable: true, description: 'Only trials in this state' })
    state: TrialState | null,
    @Arg('metrics', () => Boolean, { nullable: true, defaultValue: true }) metrics: boolean | null,
    @Ctx() ctx: Context,
  ): Promise<string> {
    return exportTrialsCsv(ctx.services.db, study.id, searchSpaceNames(study), {
      state: state ?? null,
      metrics: metrics !== false,
      outcomes: { objectives: study.objectives, constraints: study.constraints },
    });
  }

  @FieldResolver(() => TrialCounts)
  trialCounts(@Root() study: Study, @Ctx() ctx: Context): Promise<TrialCounts> {
    return studyFieldLoaders(ctx).trialCounts.load(study.id);
  }

  @FieldResolver(() => Trial, {
    nullable: true,
    description:
      'The best COMPLETE trial (feasible, in a constrained study); null for multi-objective studies (see paretoFront)',
  })
  async bestTrial(@Root() study: Study, @Ctx() ctx: Context): Promise<Trial | null> {
    if (study.isMultiObjective) return null;
    const best = await studyFieldLoaders(ctx).bestTrial.load(study.id);
    return best && toTrial(best);
  }

  @FieldResolver(() => ReferencePoint, {
    nullable: true,
    description:
      "The hypervolume reference point: the study's (STUDY), else INFERRED from the COMPLETE feasible trials (null before any); null for single-objective studies",
  })
  async referencePoint(@Root() study: Study, @Ctx() ctx: Context): Promise<ReferencePoint | null> {
    if (!study.isMultiObjective) return null;
    return (await studyFieldLoaders(ctx).front.load(study.id)).referencePoint;
  }

  @FieldResolver(() => [Trial], {
    description:
      'COMPLETE, feasible, non-dominated trials by number; single-objective studies: the best feasible trial (0 or 1)',
  })
  async paretoFront(@Root() study: Study, @Ctx() ctx: Context): Promise<Trial[]> {
    if (!study.isMultiObjective) {
      const best = await studyFieldLoaders(ctx).bestTrial.load(study.id);
      return best ? [toTrial(best)] : [];
    }
    return (await studyFieldLoaders(ctx).front.load(study.id)).paretoFront.map(toTrial);
  }

  @FieldResolver(() => [HypervolumePoint], {
    description:
      'Multi-objective studies: after each COMPLETE trial by number, the hypervolume of the feasible front so far against referencePoint ([] without one, and for single-objective studies)',
  })
  async hypervolumeHistory(@Root() study: Study, @Ctx() ctx: Context): Promise<HypervolumePoint[]> {
    if (!study.isMultiObjective) return [];
    return (await studyFieldLoaders(ctx).front.load(study.id)).hypervolumeHistory;
  }

  @FieldResolver(() => RecommendedTrial, {
    nullable: true,
    description:
      'The trial to keep by the model (lowest posterior mean among COMPLETE trials, feasible ones in a constrained study), beside bestTrial (best observed value); null for multi-objective studies',
  })
  async recommendedTrial(@Root() study: Study, @Ctx() ctx: Context): Promise<RecommendedTrial | null> {
    const found = await ctx.services.insights.recommendedTrial(study);
    if (!found) return null;
    const { mean, std, noiseStd, source } = found.result;
    return Object.assign(new RecommendedTrial(), {
      trial: toTrial(found.trial),
      mean,
      std,
      noiseStd,
      source,
    });
  }

  @FieldResolver(() => [HistoryPoint], { description: 'Finished trials in order: value and best so far' })
  history(@Root() study: Study, @Ctx() ctx: Context): Promise<HistoryPoint[]> {
    return studyFieldLoaders(ctx).history.load(study.id);
  }

  @FieldResolver(() => [ParamImportance], {
    description: 'Parameter importance from the GP lengthscales (empty with fewer than 3 completed trials)',
  })
  importance(
    @Root() study: Study,
    @Arg('objective', () => String, { nullable: true, description: OBJECTIVE_ARG }) objective: string | null,
    @Ctx() ctx: Context,
  ): Promise<ParamImportance[]> {
    return ctx.services.insights.importance(study, objective);
  }

  @FieldResolver(() => SurrogateSlice, {
    nullable: true,
    description: 'GP mean, std and acquisition along one parameter, the others held at the best trial',
  })
  surrogate(
    @Root() study: Study,
    @Arg('param', () => String) param: string,
    @Arg('points', () => Int, { nullable: true, description: 'Grid size, default 50, at most 200' }) points:
      | number
      | null,
    @Arg('objective', () => String, { nullable: true, description: OBJECTIVE_ARG }) objective: string | null,
    @Ctx() ctx: Context,
  ): Promise<SurrogateSlice | null> {
    return ctx.services.insights.surrogate(study, param, points, objective);
  }

  @FieldResolver(() => String, { description: 'The bayes_opt.txt text report' })
  report(@Root() study: Study, @Ctx() ctx: Context): Promise<string> {
    return ctx.services.insights.report(study);
  }
}
