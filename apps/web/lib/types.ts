// Domain types of the dashboard. Wire types (from @posterior/sdk / GraphQL) are converted to these in
// one place (lib/api/convert.ts); charts and data shaping only ever see these.
import type { TrialFieldsFragment as WireTrial } from '@posterior/sdk';

export type Direction = 'MINIMIZE' | 'MAXIMIZE';
export type StudyState = 'RUNNING' | 'PAUSED' | 'DONE' | 'ARCHIVED';
export type TrialState = 'WAITING' | 'RUNNING' | 'COMPLETE' | 'PRUNED' | 'FAILED';
export type Role = 'OWNER' | 'ADMIN' | 'MEMBER' | 'VIEWER';

export { STUDY_STATES, TRIAL_STATES } from '@posterior/core';
export const ROLES: readonly Role[] = ['OWNER', 'ADMIN', 'MEMBER', 'VIEWER'];

export type ParamValue = number | string | boolean;
export type Params = Record<string, ParamValue>;

/** A conditional parameter's condition (docs/DESIGN.md section 3); inactive ones are absent from params. */
export interface ActiveWhen {
  parent: string;
  values: ParamValue[];
}

export interface FloatParam {
  name: string;
  when?: ActiveWhen;
  type: 'float';
  low: number;
  high: number;
  log?: boolean;
  step?: number;
}
export interface IntParam {
  name: string;
  when?: ActiveWhen;
  type: 'int';
  low: number;
  high: number;
  log?: boolean;
  step?: number;
}
export interface CategoricalParam {
  name: string;
  when?: ActiveWhen;
  type: 'categorical';
  choices: ParamValue[];
}
export type ParamSpec = FloatParam | IntParam | CategoricalParam;
export type SearchSpace = ParamSpec[];

export interface SamplerConfig {
  type: string;
  seed?: number;
  [option: string]: unknown;
}
export interface PrunerConfig {
  type: string;
  [option: string]: unknown;
}

/** What the sampler predicted when it proposed the trial. */
type WireSuggestion = NonNullable<WireTrial['suggestion']>;
export type Suggestion = Pick<WireSuggestion, 'sampler' | 'mean' | 'std' | 'acquisition'> &
  Partial<Omit<WireSuggestion, 'sampler' | 'mean' | 'std' | 'acquisition'>>;

/** Fields every source of trials fills (the trial table, pages of trials, live events). */
type TrialCore = 'id' | 'number' | 'state' | 'value' | 'startedAt' | 'finishedAt' | 'workerId' | 'error';

/**
 * A trial as the dashboard shows it: the schema's TrialFields (generated, dates as ISO strings),
 * params and suggestion as the charts read them; any other field of TrialFields when its source
 * carries it (live events and pages of trials do, the compact trial table does not).
 */
export type Trial = Pick<WireTrial, TrialCore> & {
  params: Params;
  suggestion: Suggestion | null;
} & Partial<Omit<WireTrial, TrialCore | 'params' | 'suggestion'>> &
  MultiObjectiveTrialFields;

/**
 * Multi-objective and constrained trials (issue 17, docs/DESIGN.md): one value per objective and per
 * constraint in the study's order, null until told; `feasible` is null until COMPLETE (true when the
 * study has no constraints). Absent from older APIs and fixtures: read them through lib/pareto.ts.
 */
export interface MultiObjectiveTrialFields {
  values?: readonly number[] | null;
  constraints?: readonly number[] | null;
  feasible?: boolean | null;
}

export interface MetricPoint {
  trialId: string;
  name: string;
  step: number;
  value: number;
  /** ISO time the point was recorded. */
  time: string;
}

export interface TrialCounts {
  waiting: number;
  running: number;
  complete: number;
  pruned: number;
  failed: number;
}

/** One objective of a study (a single-objective study has exactly one: its objective and direction). */
export interface Objective {
  name: string;
  direction: Direction;
}

/** An outcome constraint: a trial is feasible when every constraint value is <= 0. */
export interface Constraint {
  name: string;
}

/** The hypervolume reference point: the study's own, or inferred from its trials by the API. */
export interface ReferencePoint {
  values: number[];
  source: 'STUDY' | 'INFERRED';
}

/** The hypervolume of the feasible front after a COMPLETE trial (trial-number order). */
export interface HypervolumePoint {
  trialNumber: number;
  hypervolume: number;
}

export interface StudySummary {
  id: string;
  name: string;
  state: StudyState;
  direction: Direction;
  objective: string;
  maxTrials: number | null;
  createdAt: string;
  trialCounts: TrialCounts;
  bestValue: number | null;
  /** Objective value of each finished trial in trial order (the sparkline). */
  history: number[];
}

export interface Study extends StudySummary {
  teamId: string | null;
  searchSpace: SearchSpace;
  sampler: SamplerConfig;
  pruner: PrunerConfig;
  parallelism: number | null;
  /** A RUNNING trial without a heartbeat for this long is failed by the reaper (absent in fixtures). */
  heartbeatTimeoutS?: number;
  bestTrialId: string | null;
  /** Earlier studies of the team whose completed trials warm-start this one's model (issue 18). */
  warmStartFrom: string[];
  /** Free text shown on the study page (issue 15 item 8); absent from older APIs and fixtures. */
  description?: string | null;
  /** Every objective in order (>= 1; the first is `objective`/`direction`). */
  objectives: Objective[];
  /** Outcome constraints ([] when none). */
  constraints: Constraint[];
  /** Two or more objectives: the Pareto front replaces the best trial. */
  isMultiObjective: boolean;
  /** Multi-objective studies' hypervolume reference point (null otherwise, or while unknown). */
  referencePoint: ReferencePoint | null;
  /** The API's Pareto front (trial ids), as of the last read of the study. */
  paretoFrontIds: string[];
  /** Multi-objective only: the hypervolume after each COMPLETE trial. */
  hypervolumeHistory: HypervolumePoint[];
}

export interface ParamImportance {
  param: string;
  importance: number;
}

/** The GP surrogate along one parameter, the others held at the incumbent. */
export interface SurrogateSlice {
  param: string;
  x: number[];
  mean: number[];
  std: number[];
  acquisition: number[];
  /** Warm-started studies: the source studies' completed trials along this parameter (absent: none). */
  sourcePoints?: Array<{ studyId: string; x: number; value: number }>;
}

export interface Artifact {
  id: string;
  name: string;
  size: number | null;
  url: string | null;
}

export interface User {
  id: string;
  email: string;
  name: string | null;
}

export interface Team {
  id: string;
  name: string;
  role: Role | null;
}

export interface Member {
  userId: string;
  email: string;
  name: string | null;
  role: Role;
}

/** A pending invitation: to a team (as an admin sees it) or to me (as the invitee sees it). */
export interface PendingInvitation {
  id: string;
  teamId: string;
  teamName: string;
  email: string;
  role: Role;
  state: 'PENDING' | 'ACCEPTED' | 'DECLINED' | 'REVOKED' | 'EXPIRED';
  invitedBy: string | null;
  createdAt: string;
  expiresAt: string;
}

export interface ApiToken {
  id: string;
  name: string;
  role: Role | null;
  createdAt: string | null;
  lastUsedAt: string | null;
  revoked: boolean;
}

export interface CreateStudyInput {
  teamId: string;
  name: string;
  direction: Direction;
  objective: string;
  /** Several objectives (the first equals objective/direction); absent for a single objective. */
  objectives?: Objective[];
  constraints?: Constraint[];
  /** Hypervolume reference point (objectives' units, one per objective; >= 2 objectives only). */
  referencePoint?: number[];
  searchSpace: SearchSpace;
  sampler: SamplerConfig;
  pruner: PrunerConfig;
  maxTrials: number;
  parallelism: number;
  heartbeatTimeoutS?: number;
  retryFailed?: number;
}

export const emptyCounts = (): TrialCounts => ({ waiting: 0, running: 0, complete: 0, pruned: 0, failed: 0 });

export const totalTrials = (c: TrialCounts): number =>
  c.waiting + c.running + c.complete + c.pruned + c.failed;
export const finishedTrials = (c: TrialCounts): number => c.complete + c.pruned + c.failed;

/** What the plots over a study's search space (parallel coordinates, contour, EDF, slices) are given. */
export interface TrialsOverSpace {
  space: SearchSpace;
  trials: readonly Trial[];
  objective: string;
  direction: Direction;
  loading?: boolean;
  /** The study has constraints: infeasible trials are drawn apart (hollow, grey). */
  constrained?: boolean;
}

/** The trial the model would keep (Study.recommendedTrial), beside the best observed one. */
export interface Recommended {
  trialId: string;
  number: number;
  /** Its observed value. */
  value: number | null;
  /** The model's posterior mean and std of the objective there (null when `source` is `observed`). */
  mean: number | null;
  std: number | null;
  /** The fitted observation noise (objective units). */
  noiseStd: number | null;
  /** `model`, or `observed` while there are too few trials for a model. */
  source: 'model' | 'observed';
}
