import { GraphQLJSON } from 'graphql-scalars';
import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { BadUserInputError } from '../common/errors.js';
import { Study } from '../graphql/types.js';
import type { Context } from '../server/context.js';

/** The most points one `curves` answer holds (about 12 MB of JSON). */
export const MAX_CURVE_POINTS = 500_000;

interface CurveRow {
  trial_id: string;
  name: string;
  steps: number[];
  values: number[];
}

/**
 * Every trial's metric curves in one compact value, for the dashboard's learning-curve chart
 * (200,000 points of a 10,000-trial study in one query, instead of `metrics` trial by trial).
 * Added by the dashboard (issue 6). Access is the study's: this resolves only on a study the caller
 * could read.
 */
@Resolver(() => Study)
export class StudyCurvesResolver {
  @FieldResolver(() => GraphQLJSON, {
    description:
      'Metric curves of every trial: [{trialId, name, steps: [Int], values: [Float]}], steps ascending; `name` filters one metric',
  })
  async curves(
    @Root() study: Study,
    @Arg('name', () => String, { nullable: true }) name: string | null,
    @Ctx() ctx: Context,
  ): Promise<Array<{ trialId: string; name: string; steps: number[]; values: number[] }>> {
    // Read at most one point past the cap: a study over it is refused, not half-sent.
    const rows = await ctx.services.db.rows<CurveRow>(
      `SELECT trial_id, name, array_agg(step ORDER BY step) AS steps, array_agg(value ORDER BY step) AS values
         FROM (SELECT trial_id, name, step, value FROM metric_points
                WHERE study_id = $1 AND ($2::text IS NULL OR name = $2) LIMIT $3) p
        GROUP BY trial_id, name`,
      [study.id, name, MAX_CURVE_POINTS + 1],
    );
    if (rows.reduce((n, r) => n + r.steps.length, 0) > MAX_CURVE_POINTS)
      throw new BadUserInputError(
        'curves',
        `the study has more than ${MAX_CURVE_POINTS} metric points; ask for one metric (name) or page trials' metrics`,
      );
    return rows.map((r) => ({ trialId: r.trial_id, name: r.name, steps: r.steps, values: r.values }));
  }
}
