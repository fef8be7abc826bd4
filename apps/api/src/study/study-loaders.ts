import { BatchLoader } from '../common/batch-loader.js';
import type { TrialRecord } from '../common/trial-record.js';
import type { HistoryPoint, TrialCounts } from '../graphql/types.js';
import type { Context } from '../server/context.js';
import { trialCountsOf } from './study.service.js';

/**
 * Per-request loaders for the Study fields a list of studies asks for once per study
 * (`trialCounts`, `bestTrial`, `history`, the front views): a page of N studies costs one statement per field,
 * not N. The same BatchLoader as the trial fields' loaders (one batching mechanism for field
 * resolvers); they live beside the study resolver and are made on a request's first use, keyed by
 * its context, so they are dropped with it.
 */
export interface StudyFieldLoaders {
  trialCounts: BatchLoader<string, TrialCounts>;
  bestTrial: BatchLoader<string, TrialRecord | null>;
  history: BatchLoader<string, HistoryPoint[]>;
  /** A multi-objective study's referencePoint, paretoFront and hypervolumeHistory, read together. */
  front: BatchLoader<string, FrontViews>;
}

/** InsightsService's FrontViews, named through the context (study/ does not import insights/). */
type FrontViews =
  Awaited<ReturnType<Context['services']['insights']['frontViewsMany']>> extends Map<string, infer V>
    ? V
    : never;

const byContext = new WeakMap<Context, StudyFieldLoaders>();

export function studyFieldLoaders(ctx: Context): StudyFieldLoaders {
  let loaders = byContext.get(ctx);
  if (loaders === undefined) {
    const { studies, insights } = ctx.services;
    loaders = {
      trialCounts: new BatchLoader((ids) => studies.trialCountsMany(ids), trialCountsOf([])),
      bestTrial: new BatchLoader((ids) => insights.bestTrialMany(ids), null),
      history: new BatchLoader((ids) => insights.historyMany(ids), []),
      front: new BatchLoader((ids) => insights.frontViewsMany(ids), {
        referencePoint: null,
        paretoFront: [],
        hypervolumeHistory: [],
      }),
    };
    byContext.set(ctx, loaders);
  }
  return loaders;
}
