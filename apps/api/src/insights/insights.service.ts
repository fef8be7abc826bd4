import type { Db } from '../common/db.js';
import { BadUserInputError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { TrialState } from '../db/index.js';
import { TRIAL_COLUMNS, type TrialRow, trialRecord } from '../graphql/mapping.js';
import type { Study } from '../graphql/types.js';
import {
  HistoryPoint,
  ParamImportance,
  SourcePoint,
  SurrogatePoint,
  SurrogateSlice,
} from '../graphql/types.js';
import { bestOf, formatStudyReport } from '../report/report.js';
import type { Observation, RecommendResult } from '../suggest/compute.js';
import type { Suggester } from '../suggest/suggester.js';
import { loadStudyHistory } from '../trial/observations.js';
import { loadWarmStartSources } from '../trial/suggest-trials.js';
import type { Params, TrialRecord } from '../trial/trial.record.js';

export const MAX_SLICE_POINTS = 200;

/**
 * Read-only views over a study's trials: best trial, convergence history, parameter importance
 * and surrogate slices (both from a GP fitted in the worker pool), and the text report. Callers
 * have already authorized the study (these hang off a Study the caller can read).
 */
export class InsightsService {
  constructor(
    private readonly db: Db,
    private readonly suggester: Suggester,
    private readonly logger: Logger,
  ) {}

  async bestTrial(study: Study): Promise<TrialRecord | null> {
    const order = study.direction === 'MINIMIZE' ? 'ASC' : 'DESC';
    const row = await this.db.one<TrialRow>(
      `SELECT ${TRIAL_COLUMNS} FROM trials t WHERE t.study_id = $1 AND t.state = 'COMPLETE' AND t.value IS NOT NULL
       ORDER BY t.value ${order}, t.number LIMIT 1`,
      [study.id],
    );
    return row && trialRecord(row);
  }

  /**
   * The model's recommended trial (optimizer `recommend`): the study's GP learns from the history
   * the sampler sees (pruned trials by their last reported value, failed ones as tried), and only
   * COMPLETE trials can be recommended. Read in one statement so the rows and the values line up.
   */
  async recommendedTrial(study: Study): Promise<{ trial: TrialRecord; result: RecommendResult } | null> {
    const rows = await this.db.rows<TrialRow & { model_value: number | null }>(
      `SELECT ${TRIAL_COLUMNS},
              CASE WHEN t.state = 'PRUNED' THEN COALESCE(t.value,
                (SELECT m.value FROM metric_points m WHERE m.trial_id = t.id AND m.name = $2
                 ORDER BY m.step DESC LIMIT 1))
              ELSE t.value END AS model_value
       FROM trials t WHERE t.study_id = $1 AND t.state IN ('COMPLETE', 'PRUNED', 'FAILED')
       ORDER BY t.number`,
      [study.id, study.objective],
    );
    if (!rows.some((r) => r.state === 'COMPLETE' && r.value !== null)) return null;
    const result = await this.suggester
      .recommend(
        {
          searchSpace: study.searchSpace,
          sampler: study.sampler,
          direction: study.direction,
          completed: rows.map((r) => ({ params: r.params, value: r.model_value ?? Number.NaN })),
          eligible: rows.map((r) => r.state === 'COMPLETE' && r.value !== null),
        },
        study.id,
      )
      .catch((error: unknown) => this.unavailable(study, 'recommendedTrial', error));
    const row = result ? rows[result.index] : undefined;
    return result && row ? { trial: trialRecord(row), result } : null;
  }

  async history(study: Study): Promise<HistoryPoint[]> {
    const rows = await this.db.rows<{ id: string; number: number; state: TrialState; value: number | null }>(
      `SELECT id, number, state, value FROM trials WHERE study_id = $1 AND state IN ('COMPLETE', 'PRUNED', 'FAILED')
       ORDER BY number`,
      [study.id],
    );
    let best: number | null = null;
    return rows.map((r) => {
      if (r.state === 'COMPLETE' && r.value !== null) {
        if (best === null || (study.direction === 'MINIMIZE' ? r.value < best : r.value > best))
          best = r.value;
      }
      return Object.assign(new HistoryPoint(), {
        trialId: r.id,
        number: r.number,
        state: r.state,
        value: r.value,
        bestSoFar: best,
      });
    });
  }

  async importance(study: Study): Promise<ParamImportance[]> {
    const result = await this.suggester
      .importance(
        {
          searchSpace: study.searchSpace,
          sampler: study.sampler,
          direction: study.direction,
          completed: await this.observed(study),
        },
        study.id,
        study.teamId,
      )
      .catch((error: unknown) => this.unavailable(study, 'importance', error));
    return (result ?? []).map((r) => Object.assign(new ParamImportance(), r));
  }

  async surrogate(
    study: Study,
    param: string,
    pointsInput: number | null | undefined,
  ): Promise<SurrogateSlice | null> {
    const points = pointsInput ?? 50;
    if (!Number.isInteger(points) || points < 2 || points > MAX_SLICE_POINTS) {
      throw new BadUserInputError('points', `must be an integer between 2 and ${MAX_SLICE_POINTS}`);
    }
    const space = Array.isArray(study.searchSpace) ? (study.searchSpace as Array<{ name?: unknown }>) : [];
    if (!space.some((entry) => entry.name === param)) {
      throw new BadUserInputError('param', `"${param}" is not a parameter of this study`);
    }
    const completed = await this.completed(study.id);
    const best = bestOf(
      study.direction,
      completed.map((c, i) => ({ number: i, state: 'COMPLETE', params: c.params, value: c.value })),
    );
    if (best === null) return null;
    const fixed = { ...best.params } as Params;
    delete fixed[param];
    const sources = await loadWarmStartSources(this.db, {
      team_id: study.teamId,
      warm_start_from: study.warmStartFrom ?? [],
      sampler: (study.sampler ?? {}) as Record<string, unknown>,
    });
    const result = await this.suggester
      .slice(
        {
          searchSpace: study.searchSpace,
          sampler: study.sampler,
          direction: study.direction,
          completed: await this.observed(study),
          param,
          fixed,
          points,
          ...(sources.length > 0 ? { sources } : {}),
        },
        study.id,
        study.teamId,
      )
      .catch((error: unknown) => this.unavailable(study, 'surrogate', error));
    if (result === null) return null;
    return Object.assign(new SurrogateSlice(), {
      param,
      fixed,
      points: result.map((p) => Object.assign(new SurrogatePoint(), p)),
      sourcePoints: sources.flatMap((s) =>
        s.completed
          .filter((c) => Number.isFinite(c.value) && c.params[param] !== undefined)
          .map((c) =>
            Object.assign(new SourcePoint(), { studyId: s.studyId, x: c.params[param], value: c.value }),
          ),
      ),
    });
  }

  async report(study: Study): Promise<string> {
    const found = await this.recommendedTrial(study);
    const recommended =
      found && found.result.source === 'model'
        ? {
            number: found.trial.number,
            value: found.trial.value,
            mean: found.result.mean,
            std: found.result.std,
            noiseStd: found.result.noiseStd,
          }
        : null;
    const rows = await this.db.rows<{
      number: number;
      state: string;
      params: Params;
      value: number | null;
      error: string | null;
    }>('SELECT number, state, params, value, error FROM trials WHERE study_id = $1 ORDER BY number', [
      study.id,
    ]);
    return formatStudyReport(
      {
        id: study.id,
        name: study.name,
        state: study.state,
        direction: study.direction,
        objective: study.objective,
        searchSpace: study.searchSpace,
        sampler: study.sampler,
        pruner: study.pruner,
        maxTrials: study.maxTrials,
        createdAt: study.createdAt,
      },
      rows,
      recommended,
    );
  }

  /** A failed fit degrades the insight to "not available", never the whole study query. */
  private unavailable(study: Study, what: string, error: unknown): null {
    this.logger.warn({ err: error, studyId: study.id }, `${what}: GP fit failed`);
    return null;
  }

  /** The model's data is the sampler's (COMPLETE and PRUNED trials), so these views explain its choices. */
  private async observed(study: Study): Promise<Observation[]> {
    return (await loadStudyHistory(this.db, study.id, study.objective)).observed;
  }

  private async completed(studyId: string): Promise<Array<{ params: Params; value: number }>> {
    return this.db.rows<{ params: Params; value: number }>(
      `SELECT params, value FROM trials WHERE study_id = $1 AND state = 'COMPLETE' AND value IS NOT NULL ORDER BY number`,
      [studyId],
    );
  }
}
