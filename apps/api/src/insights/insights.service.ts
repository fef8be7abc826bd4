import {
  bestTrial,
  formatStudyReport,
  isBetter,
  type ReportFront,
  TERMINAL_TRIAL_STATES,
} from '@posterior/core';
import * as optimizer from '@posterior/optimizer';
import type { Db } from '../common/db.js';
import { BadUserInputError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { feasibleOf, type Params, type TrialRecord } from '../common/trial-record.js';
import { sqlList, type TrialState } from '../db/index.js';
import { ReferencePointSource } from '../graphql/enums.js';
import type { Study } from '../graphql/types.js';
import {
  HistoryPoint,
  HypervolumePoint,
  ParamImportance,
  ReferencePoint,
  SourcePoint,
  SurrogatePoint,
  SurrogateSlice,
} from '../graphql/types.js';
import type { Observation, RecommendResult } from '../suggest/compute.js';
import { loadStudyHistory } from '../suggest/observations.js';
import type { Suggester } from '../suggest/suggester.js';
import { loadWarmStartSources } from '../suggest/warm-start-sources.js';
import { TRIAL_COLUMNS, type TrialRow, trialRecord } from '../trial/trial-row.js';

export const MAX_SLICE_POINTS = 200;

/** A multi-objective study's front views (docs/DESIGN.md 6f), computed together from its COMPLETE trials. */
export interface FrontViews {
  referencePoint: ReferencePoint | null;
  /** COMPLETE, feasible, non-dominated trials, by number. */
  paretoFront: TrialRecord[];
  hypervolumeHistory: HypervolumePoint[];
}

type ObjectiveSpec = { name: string; direction: 'MINIMIZE' | 'MAXIMIZE' };

/** The objective an insight models: its name, index in study order and direction. */
interface ModeledObjective extends ObjectiveSpec {
  index: number;
}

/**
 * The objective named by an insight's `objective` argument; absent (or null): the first, as
 * single-objective studies and every caller before the argument existed get.
 */
export function modeledObjective(study: Study, name: string | null | undefined): ModeledObjective {
  if (name === null || name === undefined) {
    return { name: study.objective, direction: study.direction, index: 0 };
  }
  const index = study.objectives.findIndex((o) => o.name === name);
  const found = study.objectives[index];
  if (!found) {
    throw new BadUserInputError(
      'objective',
      `"${name}" is not an objective of this study (${study.objectives.map((o) => o.name).join(', ')})`,
    );
  }
  return { name: found.name, direction: found.direction, index };
}

/**
 * The front views of one multi-objective study from its COMPLETE trials in number order. Pareto
 * dominance and hypervolume are the optimizer's (one copy). The reference point is the study's,
 * else inferred as the optimizer's sampler infers it (from the feasible trials' values), so the
 * history and the sampler measure against the same point. The history holds one point per
 * COMPLETE trial: the hypervolume of the feasible front among the trials up to it; without a
 * reference point (none given, no feasible trial yet) it is empty.
 */
export function frontViews(
  objectives: readonly ObjectiveSpec[],
  given: readonly number[] | null,
  trials: readonly TrialRecord[],
): FrontViews {
  const directions = objectives.map((o) => o.direction);
  const m = objectives.length;
  const usable = trials.filter((t) => t.values !== null && t.values.length === m);
  const feasible = usable.filter((t) => t.feasible === true);
  const rows = optimizer.toMinimization(
    feasible.map((t) => t.values as number[]),
    directions,
  );
  const ref = optimizer.referencePoint(rows, objectives, given ?? undefined);
  const paretoFront = optimizer.paretoFrontIndices(rows, []).map((i) => feasible[i] as TrialRecord);
  const referencePoint = ref
    ? Object.assign(new ReferencePoint(), {
        values: ref.info.values,
        source: ref.info.source === 'study' ? ReferencePointSource.STUDY : ReferencePointSource.INFERRED,
      })
    : null;
  const hypervolumeHistory: HypervolumePoint[] = [];
  if (ref) {
    let front: number[][] = [];
    let hv = 0;
    for (const t of usable) {
      if (t.feasible === true) {
        const [row] = optimizer.toMinimization([t.values as number[]], directions);
        if (row && !front.some((f) => optimizer.dominates(f, row) || f.every((v, j) => v === row[j]))) {
          front = [...front.filter((f) => !optimizer.dominates(row, f)), row];
          hv = optimizer.hypervolume(front, ref.min);
        }
      }
      hypervolumeHistory.push(
        Object.assign(new HypervolumePoint(), { trialNumber: t.number, hypervolume: hv }),
      );
    }
  }
  return { referencePoint, paretoFront, hypervolumeHistory };
}

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
    return (await this.bestTrialMany([study.id])).get(study.id) ?? null;
  }

  /**
   * The best COMPLETE trial of each study (by its direction, then number), in one statement. In a
   * constrained study only feasible trials count (every constraint value <= 0); a multi-objective
   * study has none (its front replaces it).
   */
  async bestTrialMany(studyIds: readonly string[]): Promise<Map<string, TrialRecord | null>> {
    const rows = await this.db.rows<TrialRow>(
      `SELECT DISTINCT ON (t.study_id) ${TRIAL_COLUMNS}
       FROM trials t JOIN studies s ON s.id = t.study_id
       WHERE t.study_id = ANY($1::uuid[]) AND t.state = 'COMPLETE' AND t.value IS NOT NULL
         AND jsonb_array_length(s.objectives) = 1
         AND (t.constraint_values IS NULL OR 0 >= ALL(t.constraint_values))
       ORDER BY t.study_id, CASE WHEN s.direction = 'MINIMIZE' THEN t.value ELSE -t.value END, t.number`,
      [studyIds],
    );
    return new Map(rows.map((row) => [row.study_id, trialRecord(row)]));
  }

  /**
   * The front views (reference point, Pareto front, hypervolume history) of each multi-objective
   * study among `studyIds`, from one statement; single-objective studies are left out (their front is
   * the best trial).
   */
  async frontViewsMany(studyIds: readonly string[]): Promise<Map<string, FrontViews>> {
    const rows = await this.db.rows<
      TrialRow & { objectives: ObjectiveSpec[] | null; reference_point: number[] | null }
    >(
      `SELECT ${TRIAL_COLUMNS}, s.objectives, s.reference_point
       FROM studies s JOIN trials t ON t.study_id = s.id
       WHERE s.id = ANY($1::uuid[]) AND jsonb_array_length(s.objectives) >= 2 AND t.state = 'COMPLETE'
       ORDER BY t.study_id, t.number`,
      [studyIds],
    );
    const byStudy = new Map<
      string,
      { objectives: ObjectiveSpec[]; given: number[] | null; trials: TrialRecord[] }
    >();
    for (const row of rows) {
      let entry = byStudy.get(row.study_id);
      if (!entry) {
        entry = { objectives: row.objectives ?? [], given: row.reference_point, trials: [] };
        byStudy.set(row.study_id, entry);
      }
      entry.trials.push(trialRecord(row));
    }
    // A multi-objective study without COMPLETE trials still has its given reference point.
    const missing = studyIds.filter((id) => !byStudy.has(id));
    const empty =
      missing.length === 0
        ? []
        : await this.db.rows<{ id: string; objectives: ObjectiveSpec[]; reference_point: number[] | null }>(
            `SELECT s.id, s.objectives, s.reference_point FROM studies s
             WHERE s.id = ANY($1::uuid[]) AND jsonb_array_length(s.objectives) >= 2`,
            [missing],
          );
    for (const s of empty)
      byStudy.set(s.id, { objectives: s.objectives, given: s.reference_point, trials: [] });
    const out = new Map<string, FrontViews>();
    for (const [id, e] of byStudy) out.set(id, frontViews(e.objectives, e.given, e.trials));
    return out;
  }

  /**
   * The model's recommended trial (optimizer `recommend`): the study's GP learns from the history
   * the sampler sees (pruned trials by their last reported value, failed ones as tried), and only
   * COMPLETE trials can be recommended. Read in one statement so the rows and the values line up.
   */
  async recommendedTrial(study: Study): Promise<{ trial: TrialRecord; result: RecommendResult } | null> {
    // A multi-objective study has no single trial to keep: its Pareto front is the answer.
    if (study.isMultiObjective) return null;
    const rows = await this.db.rows<TrialRow & { model_value: number | null }>(
      `SELECT ${TRIAL_COLUMNS},
              CASE WHEN t.state = 'PRUNED' THEN COALESCE(t.value,
                (SELECT m.value FROM metric_points m WHERE m.trial_id = t.id AND m.name = $2
                 ORDER BY m.step DESC LIMIT 1))
              ELSE t.value END AS model_value
       FROM trials t WHERE t.study_id = $1 AND t.state IN (${sqlList(TERMINAL_TRIAL_STATES)})
       ORDER BY t.number`,
      [study.id, study.objective],
    );
    // In a constrained study only a feasible trial may be kept (the model still learns from all).
    const eligible = rows.map((r) => r.state === 'COMPLETE' && r.value !== null && feasibleOf(r) === true);
    if (!eligible.some(Boolean)) return null;
    const result = await this.suggester
      .recommend(
        {
          searchSpace: study.searchSpace,
          sampler: study.sampler,
          direction: study.direction,
          completed: rows.map((r) => ({ params: r.params, value: r.model_value ?? Number.NaN })),
          eligible,
        },
        study.id,
      )
      .catch((error: unknown) => this.unavailable(study, 'recommendedTrial', error));
    const row = result ? rows[result.index] : undefined;
    return result && row ? { trial: trialRecord(row), result } : null;
  }

  async history(study: Study): Promise<HistoryPoint[]> {
    return (await this.historyMany([study.id])).get(study.id) ?? [];
  }

  /** Each study's finished trials in order with the best (feasible) value so far, in one statement. */
  async historyMany(studyIds: readonly string[]): Promise<Map<string, HistoryPoint[]>> {
    const rows = await this.db.rows<{
      study_id: string;
      direction: 'MINIMIZE' | 'MAXIMIZE';
      id: string;
      number: number;
      state: TrialState;
      value: number | null;
      constraint_values: number[] | null;
    }>(
      `SELECT t.study_id, s.direction, t.id, t.number, t.state, t.value, t.constraint_values
       FROM trials t JOIN studies s ON s.id = t.study_id
       WHERE t.study_id = ANY($1::uuid[]) AND t.state IN (${sqlList(TERMINAL_TRIAL_STATES)})
       ORDER BY t.study_id, t.number`,
      [studyIds],
    );
    const out = new Map<string, HistoryPoint[]>(studyIds.map((id) => [id, []]));
    const best = new Map<string, number>();
    for (const r of rows) {
      let so = best.get(r.study_id) ?? null;
      // Constrained studies: the best so far is the best feasible value (as bestTrial).
      if (r.state === 'COMPLETE' && r.value !== null && feasibleOf(r) === true) {
        if (so === null || isBetter(r.direction, r.value, so)) so = r.value;
        best.set(r.study_id, so);
      }
      out.get(r.study_id)?.push(
        Object.assign(new HistoryPoint(), {
          trialId: r.id,
          number: r.number,
          state: r.state,
          value: r.value,
          bestSoFar: so,
        }),
      );
    }
    return out;
  }

  /** Importance from a GP fitted on one objective's values (`objective`: its name, default the first). */
  async importance(study: Study, objectiveName?: string | null): Promise<ParamImportance[]> {
    const objective = modeledObjective(study, objectiveName);
    const result = await this.suggester
      .importance(
        {
          searchSpace: study.searchSpace,
          sampler: study.sampler,
          direction: objective.direction,
          completed: await this.observed(study, objective),
        },
        study.id,
        study.teamId,
      )
      .catch((error: unknown) => this.unavailable(study, 'importance', error));
    return (result ?? []).map((r) => Object.assign(new ParamImportance(), r));
  }

  /**
   * The GP slice along `param` for one objective (`objective`: its name, default the first), the
   * other parameters held at that objective's best COMPLETE trial.
   */
  async surrogate(
    study: Study,
    param: string,
    pointsInput: number | null | undefined,
    objectiveName?: string | null,
  ): Promise<SurrogateSlice | null> {
    const points = pointsInput ?? 50;
    if (!Number.isInteger(points) || points < 2 || points > MAX_SLICE_POINTS) {
      throw new BadUserInputError('points', `must be an integer between 2 and ${MAX_SLICE_POINTS}`);
    }
    const space = Array.isArray(study.searchSpace) ? (study.searchSpace as Array<{ name?: unknown }>) : [];
    if (!space.some((entry) => entry.name === param)) {
      throw new BadUserInputError('param', `"${param}" is not a parameter of this study`);
    }
    const objective = modeledObjective(study, objectiveName);
    const completed = await this.completed(study.id, objective.index);
    const best = bestTrial(
      objective.direction,
      completed.map((c, i) => ({ number: i, state: 'COMPLETE', params: c.params, value: c.value })),
    );
    if (best === null) return null;
    const fixed = { ...best.params } as Params;
    delete fixed[param];
    // Warm-start sources model their own first objective, the one the study's sampler transfers.
    const sources =
      objective.index === 0
        ? await loadWarmStartSources(this.db, {
            team_id: study.teamId,
            warm_start_from: study.warmStartFrom ?? [],
            sampler: (study.sampler ?? {}) as Record<string, unknown>,
          })
        : [];
    const result = await this.suggester
      .slice(
        {
          searchSpace: study.searchSpace,
          sampler: study.sampler,
          direction: objective.direction,
          completed: await this.observed(study, objective),
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
      values: number[] | null;
      constraints: number[] | null;
      error: string | null;
    }>(
      `SELECT number, state, params, value, "values", constraint_values AS constraints, error
       FROM trials WHERE study_id = $1 ORDER BY number`,
      [study.id],
    );
    let front: ReportFront | null = null;
    if (study.isMultiObjective) {
      const views = (await this.frontViewsMany([study.id])).get(study.id);
      const hv = views?.hypervolumeHistory.at(-1)?.hypervolume ?? null;
      front = {
        trialNumbers: views?.paretoFront.map((t) => t.number) ?? [],
        hypervolume: views?.referencePoint ? (hv ?? 0) : null,
        referencePoint: views?.referencePoint ?? null,
      };
    }
    return formatStudyReport(study, rows, recommended, front);
  }

  /** A failed fit degrades the insight to "not available", never the whole study query. */
  private unavailable(study: Study, what: string, error: unknown): null {
    this.logger.warn({ err: error, studyId: study.id }, `${what}: GP fit failed`);
    return null;
  }

  /**
   * The model's data is the sampler's (COMPLETE and PRUNED trials), so these views explain its
   * choices; another objective's view takes the same trials by that objective's values.
   */
  private async observed(study: Study, objective: ModeledObjective): Promise<Observation[]> {
    return (await loadStudyHistory(this.db, study.id, objective.name, objective.index)).observed;
  }

  private async completed(
    studyId: string,
    objectiveIndex: number,
  ): Promise<Array<{ params: Params; value: number }>> {
    if (objectiveIndex === 0) {
      return this.db.rows<{ params: Params; value: number }>(
        `SELECT params, value FROM trials WHERE study_id = $1 AND state = 'COMPLETE' AND value IS NOT NULL ORDER BY number`,
        [studyId],
      );
    }
    return this.db.rows<{ params: Params; value: number }>(
      `SELECT params, "values"[$2::int] AS value FROM trials
       WHERE study_id = $1 AND state = 'COMPLETE' AND "values"[$2::int] IS NOT NULL ORDER BY number`,
      [studyId, objectiveIndex + 1],
    );
  }
}
