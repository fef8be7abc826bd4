import { acquisitionOf } from '../acquisition.js';
import { fitSpaceModel, type SpaceModel } from '../conditional-fit.js';
import type { Direction, GpOptions } from '../config.js';
import { ConfigError, ModelFittingError } from '../errors.js';
import { collectObservations, predictObjective } from '../model.js';
import type { ModelCache } from '../model-cache.js';
import { optimizeAcquisition } from '../optimize-acquisition.js';
import type { Rng } from '../rng.js';
import type { Params, ParsedSearchSpace } from '../search-space.js';
import { ConstrainedAcquisition, type ConstraintTerm, type MainTerm } from './acquisition.js';
import { nonDominatedBoxes } from './box-decomposition.js';
import { logProbabilityOfFeasibilityValue } from './constraints.js';
import { LogEhvi } from './ehvi.js';
import { paretoFrontIndices } from './pareto.js';

/**
 * The GP sampler's path for studies with several objectives or with outcome constraints.
 *
 * Models: one GP per objective and one per constraint, each fitted exactly as the single-objective
 * GP (conditional-fit.ts's fitSpaceModel: same hyperparameter fitting, standardization and output
 * warping, same fit cache; on a conditional space the same embedding, each GP with its own fitted
 * inactive pads), each in its own model space where larger is better. The acquisition combines
 * their posteriors on the space's coordinates, so the search, like the single-objective one, runs
 * on the tree (inactive coordinates canonical). A monotone transform per objective keeps Pareto
 * dominance, so the front and the hypervolume improvement are computed in model space, and a
 * constraint c <= 0 becomes y >= the transform of 0.
 *
 * Feasible trials: every objective value finite and every constraint value known and <= 0. A trial
 * with a missing or NaN constraint value counts as infeasible (its constraint GP just lacks the
 * point).
 *
 * Reference point: the study's (`referencePoint`, in the objectives' own units) or, when it gives
 * none, inferred: the nadir of the feasible Pareto front (the worst value of each objective among
 * the non-dominated feasible trials) plus 1/H of the range of that objective over all feasible
 * trials (of |nadir|, or 1, when the range is 0), H from referenceDivisions: with two objectives
 * the front's size - 1 capped at 10, so a young front's reference is far and EHVI still rewards
 * extending it, settling at 10%; with three or more, 10%. The suggestion says which in
 * `info.referencePoint.source`. Measured on the benchmark (bench/multiobjective.ts, 5 seeds): the
 * fixed 10% made 2-objective fronts grow by small steps early (zdt1 @30: 0.52 against -0.89 with
 * this rule; srn and the disconnected zdt3 also gained), while a far reference on 3 objectives
 * (this rule, Ishibuchi's H for m objectives, or Optuna's worst feasible value + 10%) spends trials
 * on the front's extremes and held back dtlz2 and dtlz1 at 30 and 60 trials. The front's nadir + 10%
 * of the front's range (BoTorch's) is closer still and grew the front more slowly.
 * With two objectives the nadir is also taken over the front the models predict past the observed
 * one (predictedFront: each front member with one coordinate at either bound, two standard
 * deviations pessimistic): the observed front's nadir sits far inside the true one while the front
 * has not reached its extremes, and EHVI then earns nothing for reaching them (bnh @30 2.42 -> 2.00,
 * @60 1.71 -> 1.63, 10 seeds; zdt1, zdt2 unchanged). Predictions only push the reference out. A
 * Sobol set of predicted points as well, or mean predictions, moved it on model ripple and cost zdt1
 * and zdt2 (zdt1 @100 -1.81 -> -1.75); with three objectives the projections land on dtlz2's
 * degenerate corners and push a reference that is already too far further out. The exported
 * `referencePoint` without predictions (what the API shows as the study's) is the observed rule.
 *
 * Pending trials (kriging believer): every GP is conditioned on the pending points at its own
 * posterior mean there, and a pending point believed feasible (every constraint's mean on the
 * feasible side) joins the front at its believed objective values, so the acquisition near it drops
 * to about what improving on it would add; a ParEGO step counts it among the trials that serve a
 * direction of the front when it picks its weights.
 *
 * Acquisition (acquisition.ts): LogEHVI (several objectives) or log EI over the best feasible value
 * (one objective), plus the log probability of feasibility of each constraint. Before any feasible
 * trial, the log probability of feasibility alone.
 *
 * ParEGO steps (three or more objectives, every other suggestion, pending ones counted, up to 60
 * trials: isScalarisedStep): log EI of a GP
 * fitted to an augmented Chebyshev scalarisation of the objectives, normalised by their observed
 * range, with the weights, of several drawn from the simplex by the suggestion's rng (Knowles 2006),
 * that the trials so far serve worst (leastServedWeights), plus the
 * constraints' log PoF; its local search starts from the trial best in that scalarisation. On
 * dtlz2 the trials on the axes (g > 0 yet on the front) push the inferred reference far out and
 * LogEHVI keeps returning to axes and corners; the scalarisation does not see the reference point
 * and fills the front's interior. Two objectives never take this path (bit-identical to before).
 * One GP on the scalarised values, not the scalarisation of the objectives' own posteriors
 * (qNParEGO-style log EI over joint samples): with 30 trials of dtlz2 the per-objective GPs treat
 * the distance variables as irrelevant (their predicted Chebyshev value ranks held-out points by
 * distance to the front with Spearman 0.05, the scalarised GP's 0.33), and that variant lost at 30
 * and 60 trials (20 seeds: -0.233 -> -0.191, -0.424 -> -0.338, p = 0.05 and < 0.001).
 */
export interface ObjectiveSpec {
  name: string;
  direction: Direction;
}

export interface ConstraintSpec {
  name: string;
}

export interface CompletedTrial {
  params: Params;
  /** The objective value of a single-objective study. */
  value: number;
  /**
   * A pruned trial: `value` is the last value it reported before it was stopped early, an upper
   * bound of its result rather than a result; the GP caps it at the worst completed value (model.ts).
   */
  pruned?: boolean;
  /** One value per objective of a multi-objective study, in the order of `objectives`. */
  values?: readonly number[];
  /** One value per constraint, in the order of `constraints`; feasible when every one is <= 0. */
  constraints?: readonly number[];
}

export interface ReferencePointInfo {
  /** In the objectives' own units and directions. */
  values: number[];
  source: 'study' | 'inferred';
}

export interface ExtendedRequest {
  direction: Direction;
  objectives?: ReadonlyArray<ObjectiveSpec>;
  constraints?: ReadonlyArray<ConstraintSpec>;
  referencePoint?: readonly number[];
  completed: ReadonlyArray<CompletedTrial>;
}

export interface ExtendedInfo {
  phase: 'initial' | 'model' | 'fallback';
  mean: number | null;
  std: number | null;
  means?: number[];
  stds?: number[];
  feasibility?: number;
  acquisition: number | null;
  acquisitionName: string | null;
  referencePoint?: ReferencePointInfo;
  warnings: string[];
}

/** Whether a request needs this path: two or more objectives, or at least one constraint. */
export function isExtendedRequest(request: {
  objectives?: ReadonlyArray<ObjectiveSpec>;
  constraints?: ReadonlyArray<ConstraintSpec>;
}): boolean {
  return (request.objectives?.length ?? 0) >= 2 || (request.constraints?.length ?? 0) >= 1;
}

/** The objectives; with fewer than two, the single `value` in the request's `direction` (as samplers.ts). */
export function studyObjectives(request: ExtendedRequest): ObjectiveSpec[] {
  const list = request.objectives ?? [];
  if (list.length >= 2) return [...list];
  return [{ name: list[0]?.name ?? 'value', direction: request.direction }];
}

/** Objective j of a trial (NaN when missing). */
export function objectiveValue(trial: CompletedTrial, j: number, m: number): number {
  if (m === 1) return trial.values?.[0] ?? trial.value;
  const v = trial.values?.[j];
  return typeof v === 'number' ? v : Number.NaN;
}

export function constraintValue(trial: CompletedTrial, k: number): number {
  const v = trial.constraints?.[k];
  return typeof v === 'number' ? v : Number.NaN;
}

/** Objective values as minimization rows (maximized objectives negated); null when not all finite. */
function minimizationRow(trial: CompletedTrial, objectives: readonly ObjectiveSpec[]): number[] | null {
  const m = objectives.length;
  const row: number[] = [];
  for (let j = 0; j < m; j++) {
    const v = objectiveValue(trial, j, m);
    if (!Number.isFinite(v)) return null;
    row.push(objectives[j]?.direction === 'MAXIMIZE' ? -v : v);
  }
  return row;
}

export function isFeasible(trial: CompletedTrial, constraintCount: number): boolean {
  for (let k = 0; k < constraintCount; k++) {
    const c = constraintValue(trial, k);
    if (!(c <= 0)) return false;
  }
  return true;
}

/** Reference point in minimization form, and where it came from. */
export function referencePoint(
  rows: ReadonlyArray<readonly number[]>,
  objectives: readonly ObjectiveSpec[],
  given: readonly number[] | undefined,
  predicted: ReadonlyArray<readonly number[]> = [],
): { min: number[]; info: ReferencePointInfo } | null {
  const m = objectives.length;
  const sign = objectives.map((o) => (o.direction === 'MAXIMIZE' ? -1 : 1));
  if (given) {
    if (given.length !== m || !given.every((v) => Number.isFinite(v))) {
      throw new ConfigError('referencePoint', `must hold ${m} finite numbers, one per objective`);
    }
    return {
      min: given.map((v, j) => (sign[j] as number) * v),
      info: { values: [...given], source: 'study' },
    };
  }
  if (rows.length === 0) return null;
  const front = paretoFrontIndices(rows, []).map((i) => rows[i] as readonly number[]);
  const divisions = referenceDivisions(front.length, m);
  // Predicted points extend the front only where nothing observed or predicted dominates them; the
  // observed front stays, so predictions can push the nadir out but never pull it in.
  if (predicted.length > 0) {
    const all = [...front, ...predicted];
    for (const i of paretoFrontIndices(all, []))
      if (i >= front.length) front.push(all[i] as readonly number[]);
  }
  const min: number[] = [];
  for (let j = 0; j < m; j++) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const r of rows) {
      lo = Math.min(lo, r[j] as number);
      hi = Math.max(hi, r[j] as number);
    }
    let nadir = Number.NEGATIVE_INFINITY;
    for (const r of front) nadir = Math.max(nadir, r[j] as number);
    const range = hi - lo;
    min.push(nadir + (range > 0 ? range : Math.abs(nadir) > 0 ? Math.abs(nadir) : 1) / divisions);
  }
  return { min, info: { values: min.map((v, j) => (sign[j] as number) * v), source: 'inferred' } };
}

/**
 * How many parts of each objective's feasible range the inferred reference point sits beyond the
 * front's nadir. Two objectives: one part per gap between the front's points, H = size - 1, from 1
 * (a lone point: a whole range beyond) up to 10 (10%). Ishibuchi et al. 2018 ("How to specify a
 * reference point in hypervolume calculation for fair performance comparison") show that an offset
 * of 1/H of the front's range, H + 1 being the number of points, weights a 2-objective front's
 * extremes like its interior; a small front gets a far reference, so EHVI keeps rewarding extending
 * it, and the reference settles at 10% as the front fills in. Three or more objectives: 10%. Their
 * rule for m objectives (C(H + m - 1, m - 1) points) and the per-gap rule both keep the reference
 * far for longer there, and both held back the 3-objective benchmark problems at 30 and 60 trials
 * (bench/multiobjective.ts: dtlz2 and the private dtlz1; 5 seeds).
 */
export function referenceDivisions(frontSize: number, m: number): number {
  if (m !== 2) return 10;
  return Math.min(10, Math.max(1, frontSize - 1));
}

export interface ExtendedEnv {
  space: ParsedSearchSpace;
  options: GpOptions;
  rng: Rng;
  taken: ReadonlySet<string>;
  pending: readonly Float64Array[];
  warnings: string[];
  /** Fits and factors shared with the caller's other suggestions. */
  cache: ModelCache;
}

export interface ExtendedResult {
  /** The model point to suggest, or null to let the caller take its space-filling point. */
  x: Float64Array | null;
  info: ExtendedInfo;
}

/** The models and acquisition of one suggestion, or the reason to take a space-filling point. */
export type PreparedAcquisition =
  | { ready: false; result: ExtendedResult }
  | {
      ready: true;
      acquisition: ConstrainedAcquisition;
      name: string;
      objModels: SpaceModel[];
      constraintTerms: ConstraintTerm[];
      constraintModels: SpaceModel[];
      ref: { min: number[]; info: ReferencePointInfo } | null;
      incumbents: Float64Array[];
      n: number;
      /** A ParEGO step's scalarisation weights (null on other steps). */
      weights: number[] | null;
    };

export function prepareAcquisition(request: ExtendedRequest, env: ExtendedEnv): PreparedAcquisition {
  const { space, options, pending, cache } = env;
  const objectives = studyObjectives(request);
  const constraints = request.constraints ?? [];
  const m = objectives.length;
  const nc = constraints.length;
  const warnings = env.warnings;
  const initial = (phase: 'initial' | 'fallback', extra: string[] = []): PreparedAcquisition => ({
    ready: false,
    result: {
      x: null,
      info: {
        phase,
        mean: null,
        std: null,
        acquisition: null,
        acquisitionName: null,
        warnings: [...warnings, ...extra],
      },
    },
  });
  // A bad study reference point is an error from the first trial on, not only once a model runs.
  if (request.referencePoint) referencePoint([], objectives, request.referencePoint);
  const completed = request.completed;
  const objObs = objectives.map((o, j) =>
    collectObservations(
      space,
      o.direction,
      completed.map((t) => ({ params: t.params, value: objectiveValue(t, j, m) })),
    ),
  );
  const conObs = constraints.map((_, k) =>
    collectObservations(
      space,
      'MINIMIZE',
      completed.map((t) => ({ params: t.params, value: constraintValue(t, k) })),
    ),
  );
  const n = Math.min(...objObs.map((o) => o.n));
  if (n < Math.max(options.nStartupTrials, 2)) return initial('initial');

  // Feasible trials, as minimization rows with their model points.
  const rows: number[][] = [];
  const rowX: Float64Array[] = [];
  for (const t of completed) {
    if (!isFeasible(t, nc)) continue;
    const row = minimizationRow(t, objectives);
    if (!row) continue;
    let x: Float64Array;
    try {
      x = space.snap(space.encode(t.params));
    } catch {
      continue;
    }
    rows.push(row);
    rowX.push(x);
  }
  let ref = referencePoint(rows, objectives, request.referencePoint);
  if (rows.length === 0 && nc === 0)
    return initial('fallback', ['no trial with every objective value finite']);

  let objModels: SpaceModel[];
  const conModels: Array<SpaceModel | null> = [];
  try {
    objModels = objObs.map((o, j) =>
      fitSpaceModel(space, (objectives[j] as ObjectiveSpec).direction, o, pending, options, cache),
    );
    for (const o of conObs)
      conModels.push(o.n >= 2 ? fitSpaceModel(space, 'MINIMIZE', o, pending, options, cache) : null);
  } catch (error) {
    if (!(error instanceof ModelFittingError)) throw error;
    return initial('fallback', [error.message]);
  }
  if (m === 2 && !request.referencePoint && rows.length > 0) {
    ref = referencePoint(
      rows,
      objectives,
      undefined,
      predictedFront(space, objModels, conModels, rows, rowX),
    );
  }
  const constraintTerms: ConstraintTerm[] = [];
  const usedConstraints: SpaceModel[] = [];
  conModels.forEach((model, k) => {
    if (!model) {
      warnings.push(`constraint "${constraints[k]?.name}" has fewer than 2 values; not modelled yet`);
      return;
    }
    usedConstraints.push(model);
    constraintTerms.push({ posterior: model.withPending, threshold: model.model.target.fromTarget(0) });
  });
  // Model space of objective j, to minimize: -y.
  const toModel = (row: readonly number[]): number[] =>
    row.map((v, j) => -(objModels[j] as SpaceModel).model.target.fromTarget(-v));

  let scalarModel: SpaceModel | null = null;
  let scalarIncumbent: Float64Array | null = null;
  const believedFeasible = (p: Float64Array): boolean =>
    usedConstraints.every((c) => c.posterior.predict(p).mean >= c.model.target.fromTarget(0));
  let scalarWeights: number[] | null = null;
  // The scalarisation's values of the feasible rows and its GP over every trial with all objectives
  // finite (infeasible ones too: the constraint GPs carry feasibility), or null when it cannot fit.
  const scalarisedModel = (): { model: SpaceModel; values: number[] } | null => {
    const scale = observedRange(rows);
    // Pending points believed feasible serve their directions too, at their believed (posterior
    // mean) values, so concurrent suggestions spread over the front instead of aiming at one gap
    // (simulated rounds of 4, 10 seeds: dtlz2 @30 -0.267 -> -0.292, @100 -0.877 -> -0.900; private
    // dtlz1 @30 5.48 -> 5.13; 7 or 8 of 10 seeds better, p 0.08 to 0.38, none worse).
    const believed = pending
      .filter(believedFeasible)
      .map((p) =>
        objModels.map((model) => -model.model.target.toTarget(model.posterior.predict(p).mean, 0).mean),
      );
    const weights = leastServedWeights([...rows, ...believed], scale, m, env.rng);
    scalarWeights = weights;
    const values = rows.map((r) => augmentedChebyshev(r, weights, scale));
    const obs = collectObservations(
      space,
      'MINIMIZE',
      completed.map((t) => {
        const row = minimizationRow(t, objectives);
        return { params: t.params, value: row ? augmentedChebyshev(row, weights, scale) : Number.NaN };
      }),
    );
    try {
      return { model: fitSpaceModel(space, 'MINIMIZE', obs, pending, options, cache), values };
    } catch (error) {
      if (!(error instanceof ModelFittingError)) throw error;
      return null;
    }
  };

  let main: MainTerm;
  let name: string;
  if (rows.length === 0) {
    if (constraintTerms.length === 0) {
      return initial('fallback', ['no feasible trial and no constraint with values to model yet']);
    }
    main = { kind: 'none' };
    name = 'logpof';
  } else {
    const front = paretoFrontIndices(rows, []).map((i) => toModel(rows[i] as number[]));
    // Pending points believed feasible join the front at their believed (posterior mean) values.
    for (const p of pending) {
      if (believedFeasible(p)) front.push(objModels.map((model) => -model.posterior.predict(p).mean));
    }
    const scalarised = m >= 3 && isScalarisedStep(n + pending.length) ? scalarisedModel() : null;
    if (scalarised) {
      // ParEGO step: log EI of the scalarisation's own GP over its best feasible value.
      const { model, values } = scalarised;
      let best = Number.NEGATIVE_INFINITY;
      for (const s of values) best = Math.max(best, model.model.target.fromTarget(-s));
      for (const p of pending) {
        if (believedFeasible(p)) best = Math.max(best, model.posterior.predict(p).mean);
      }
      scalarModel = model;
      let at = 0;
      for (let i = 1; i < values.length; i++) if ((values[i] as number) < (values[at] as number)) at = i;
      scalarIncumbent = rowX[at] ?? null;
      main = {
        kind: 'single',
        acquisition: acquisitionOf({ name: 'logei', best, xi: options.xi, beta: options.beta }),
      };
      name = 'logei-chebyshev';
    } else if (m === 1) {
      let best = Number.NEGATIVE_INFINITY;
      for (const f of front) best = Math.max(best, -(f[0] as number));
      main = {
        kind: 'single',
        acquisition: acquisitionOf({ name: 'logei', best, xi: options.xi, beta: options.beta }),
      };
      name = 'logei';
    } else {
      const refModel = toModel((ref as { min: number[] }).min);
      main = { kind: 'ehvi', ehvi: new LogEhvi(nonDominatedBoxes(front, refModel), m) };
      name = 'logehvi';
    }
    if (constraintTerms.length > 0) name += '+logpof';
  }
  const acquisition = new ConstrainedAcquisition(
    scalarModel ? [scalarModel.withPending] : objModels.map((model) => model.withPending),
    main,
    constraintTerms,
  );
  // A ParEGO step starts its local search from the trial best in its scalarisation, not from the
  // trials best in each objective (on dtlz2, points on the axes).
  const incumbents = scalarIncumbent
    ? [scalarIncumbent]
    : pickIncumbents(rows, rowX, m, completed, nc, space);
  return {
    ready: true,
    acquisition,
    name,
    objModels,
    constraintTerms,
    constraintModels: usedConstraints,
    ref,
    incumbents,
    n,
    weights: scalarWeights,
  };
}

export function suggestExtended(request: ExtendedRequest, env: ExtendedEnv): ExtendedResult {
  const prepared = prepareAcquisition(request, env);
  if (!prepared.ready) return prepared.result;
  const { acquisition, name, objModels, constraintTerms, ref, incumbents, n } = prepared;
  const { space, options, pending } = env;
  const m = objModels.length;
  const nc = request.constraints?.length ?? 0;
  const models =
    (acquisition.main.kind === 'none' ? 0 : acquisition.objectives.length) + constraintTerms.length;
  const total = n + pending.length;
  const base = Math.floor(options.candidates * Math.min(1, (96 / total) ** 2));
  const result = optimizeAcquisition(space, acquisition, env.rng, env.taken, incumbents, {
    candidates: Math.max(128, Math.floor(base / Math.max(1, models))),
    localStarts: total > 100 ? 4 : 8,
    maxIterations: total > 100 ? 25 : 40,
    screening: false,
  });
  if (!result) {
    return {
      x: null,
      info: {
        phase: 'fallback',
        mean: null,
        std: null,
        acquisition: null,
        acquisitionName: null,
        warnings: [...env.warnings, 'the acquisition search found no untried point'],
      },
    };
  }
  const preds = objModels.map((model) => predictObjective(model.model, model.toModel(result.x)));
  let logFeasible = 0;
  for (const c of constraintTerms) {
    const p = usedConstraintPosterior(c, prepared.constraintModels).predict(result.x);
    logFeasible += logProbabilityOfFeasibilityValue(p.mean, p.variance, c.threshold);
  }
  const info: ExtendedInfo = {
    phase: 'model',
    mean: m === 1 ? (preds[0]?.mean ?? null) : null,
    std: m === 1 ? (preds[0]?.std ?? null) : null,
    means: preds.map((p) => p.mean),
    stds: preds.map((p) => p.std),
    acquisition: result.value,
    acquisitionName: name,
    warnings: env.warnings,
  };
  if (nc > 0) info.feasibility = Math.exp(logFeasible);
  if (m >= 2 && ref) info.referencePoint = ref.info;
  // As the single-objective path: a canonical point on the tree (a no-op off conditional spaces).
  return { x: space.conditional ? space.snap(result.x) : result.x, info };
}

/** Standard deviations by which predictedFront's values are pessimistic. */
const PREDICTED_PESSIMISM = 2;

/**
 * Where the models expect the front to extend past the observed one (minimization rows, in the
 * objectives' units): each observed front member with one coordinate moved to either end of its
 * range (extremes of a front often sit on a bound: the box corner of bnh's low-f2 end, x0 = 1 of
 * zdt1), predicted two posterior standard deviations on the pessimistic side, kept where every
 * modelled constraint's mean is feasible; the non-dominated ones. Pessimistic values keep a
 * model's ripple near an observed extreme (a predicted f1 of -0.003 beside an observed 0) from
 * moving the reference point; confident predictions of a longer front still do. No random numbers.
 */
function predictedFront(
  space: ParsedSearchSpace,
  objModels: readonly SpaceModel[],
  conModels: ReadonlyArray<SpaceModel | null>,
  rows: readonly number[][],
  rowX: readonly Float64Array[],
): number[][] {
  const dim = space.dimension;
  const frontX = paretoFrontIndices(rows, []).map((i) => rowX[i] as Float64Array);
  const count = frontX.length * dim * 2;
  const xs = new Float64Array(count * dim);
  let at = 0;
  for (const f of frontX) {
    for (let d = 0; d < dim; d++) {
      for (const end of [0, 1 - 1e-12]) {
        xs.set(f, at * dim);
        xs[at * dim + d] = (space.dims[d] as (typeof space.dims)[number]).fromUnit(end);
        at++;
      }
    }
  }
  const mean = new Float64Array(count);
  const variance = new Float64Array(count);
  const feasible = new Uint8Array(count).fill(1);
  for (const c of conModels) {
    if (!c) continue;
    c.posterior.predictBatch(xs, count, mean, variance);
    const threshold = c.model.target.fromTarget(0);
    for (let i = 0; i < count; i++) if (!((mean[i] as number) >= threshold)) feasible[i] = 0;
  }
  const out: number[][] = [];
  for (let i = 0; i < count; i++) if (feasible[i]) out.push([]);
  for (const model of objModels) {
    model.posterior.predictBatch(xs, count, mean, variance);
    let k = 0;
    for (let i = 0; i < count; i++) {
      if (!feasible[i]) continue;
      // Model space is larger-is-better; the transform's inverse gives the value to maximize, g,
      // and -g is the minimization row's value (as minimizationRow).
      const pessimistic = (mean[i] as number) - PREDICTED_PESSIMISM * Math.sqrt(variance[i] as number);
      (out[k++] as number[]).push(-model.model.target.toTarget(pessimistic, 0).mean);
    }
  }
  return paretoFrontIndices(out, []).map((i) => out[i] as number[]);
}

/** The completed-trial posterior of a constraint (feasibility is reported without believers). */
function usedConstraintPosterior(term: ConstraintTerm, models: readonly SpaceModel[]) {
  const model = models.find((c) => c.withPending === term.posterior);
  return model ? model.posterior : term.posterior;
}

/**
 * Starting points for the local search beside the QMC candidates: the feasible trials best in each
 * objective or, with no feasible trial, the least infeasible ones.
 */
function pickIncumbents(
  rows: readonly number[][],
  rowX: readonly Float64Array[],
  m: number,
  completed: ReadonlyArray<CompletedTrial>,
  nc: number,
  space: ParsedSearchSpace,
): Float64Array[] {
  const out: Float64Array[] = [];
  if (rows.length > 0) {
    for (let j = 0; j < m && out.length < 3; j++) {
      let best = 0;
      for (let i = 1; i < rows.length; i++) {
        if (((rows[i] as number[])[j] as number) < ((rows[best] as number[])[j] as number)) best = i;
      }
      const x = rowX[best];
      if (x && !out.some((o) => o.every((v, d) => v === x[d]))) out.push(x);
    }
    return out;
  }
  const scored: Array<{ x: Float64Array; worst: number }> = [];
  for (const t of completed) {
    let worst = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < nc; k++) worst = Math.max(worst, constraintValue(t, k));
    if (Number.isNaN(worst)) continue;
    try {
      scored.push({ x: space.snap(space.encode(t.params)), worst });
    } catch {
      // A trial outside the space cannot seed the search.
    }
  }
  scored.sort((a, b) => a.worst - b.worst);
  return scored.slice(0, 3).map((s) => s.x);
}

/**
 * Whether a suggestion of a study with three or more objectives is a ParEGO step, n being the count
 * of completed plus pending trials (the suggestions made before it): every other one while n < 60;
 * between them and after, LogEHVI. Counting the pending trials alternates the steps within a batch
 * of concurrent suggestions too: by completed trials alone, rounds of 4 workers always ask at an
 * even count and never scalarised (simulated rounds of 4, 10 seeds: dtlz2 @30/@60/@100
 * -0.171/-0.305/-0.628 -> -0.267/-0.526/-0.877, 10/10 seeds better at each; private dtlz1 unchanged). The scalarised steps fill a young front's interior; run on past 60 they held back the
 * held-out disconnected dtlz7 at 100 trials (-0.503 -> -0.415, 14/20 seeds worse, signed-rank
 * p = 0.09) for no gain on dtlz2 (-0.676 -> -0.679). Every third step, every step, or only from 20
 * or 30 trials on gained less on dtlz2 at 30 and 60 (5 seeds).
 */
export function isScalarisedStep(n: number): boolean {
  return n < 60 && n % 2 === 1;
}

/** Weight vectors drawn by leastServedWeights, of which it keeps the one the trials serve worst. */
const WEIGHT_DRAWS = 32;

/**
 * The weights of a ParEGO step: of WEIGHT_DRAWS vectors drawn uniformly from the simplex, the one
 * whose best scalarised value over the feasible rows is the largest, i.e. the direction of the
 * front the trials so far serve worst. Independent draws (Knowles 2006) land beside directions that
 * already have a good point as often as anywhere, and each step then spends its trial refining
 * them; aiming at the worst-served direction spreads the steps over the front the way a weight set
 * fixed in advance would, without fixing the number of steps. Measured (bench/multiobjective.ts,
 * 20 seeds, log10 HV gap): dtlz2 @30 -0.233 -> -0.305, @60 -0.424 -> -0.540, @100 -0.664 -> -0.886,
 * private dtlz1 (10 seeds) @30 5.72 -> 5.32, @60 and @100 unchanged; held-out dtlz7 (20 seeds)
 * @30 0.041 -> -0.047, @60 and @100 unchanged. 8 draws gained less on dtlz2 @30 (-0.272), 128 no
 * more than 32 (-0.301).
 */
export function leastServedWeights(
  rows: ReadonlyArray<readonly number[]>,
  scale: { lo: readonly number[]; range: readonly number[] },
  m: number,
  rng: Rng,
): number[] {
  let chosen = simplexWeights(m, rng);
  let worst = Number.NEGATIVE_INFINITY;
  for (let draw = 0; draw < WEIGHT_DRAWS; draw++) {
    const weights = draw === 0 ? chosen : simplexWeights(m, rng);
    let served = Number.POSITIVE_INFINITY;
    for (const r of rows) served = Math.min(served, augmentedChebyshev(r, weights, scale));
    if (served > worst) {
      worst = served;
      chosen = weights;
    }
  }
  return chosen;
}

/** A weight vector drawn uniformly from the probability simplex (Dirichlet(1, ..., 1)). */
export function simplexWeights(m: number, rng: Rng): number[] {
  const e: number[] = [];
  for (let j = 0; j < m; j++) e.push(-Math.log(1 - rng.next()));
  const total = e.reduce((a, b) => a + b, 0);
  return total > 0 ? e.map((v) => v / total) : e.map(() => 1 / m);
}

/** Each objective's lowest value and range over the rows (range 1 where it is 0). */
export function observedRange(rows: ReadonlyArray<readonly number[]>): { lo: number[]; range: number[] } {
  const m = rows[0]?.length ?? 0;
  const lo: number[] = [];
  const range: number[] = [];
  for (let j = 0; j < m; j++) {
    let a = Number.POSITIVE_INFINITY;
    let b = Number.NEGATIVE_INFINITY;
    for (const r of rows) {
      a = Math.min(a, r[j] as number);
      b = Math.max(b, r[j] as number);
    }
    lo.push(a);
    range.push(b > a ? b - a : 1);
  }
  return { lo, range };
}

/** Weight of the sum in the augmented Chebyshev scalarisation (Knowles 2006, ParEGO). */
const CHEBYSHEV_AUGMENTATION = 0.05;

/**
 * The augmented Chebyshev scalarisation of a minimization row, objectives normalised by the
 * observed range: max_j w_j f_j + 0.05 sum_j w_j f_j. The observed range does not depend on the
 * reference point, which with three objectives sits far out (points on dtlz2's axes), and its
 * minimisers are front points whatever the front's shape.
 */
export function augmentedChebyshev(
  row: readonly number[],
  weights: readonly number[],
  scale: { lo: readonly number[]; range: readonly number[] },
): number {
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (let j = 0; j < row.length; j++) {
    const v =
      (weights[j] as number) * (((row[j] as number) - (scale.lo[j] as number)) / (scale.range[j] as number));
    max = Math.max(max, v);
    sum += v;
  }
  return max + CHEBYSHEV_AUGMENTATION * sum;
}
