/**
 * Domain types: what SDK users see. Where a type mirrors a GraphQL selection it derives from the
 * types generated from the schema (generated/graphql.ts, via src/operations): a field added to a
 * fragment appears here with the schema's type; only timestamps (Date) and JSON scalars (typed
 * here) differ from the wire. Wire data is converted in wire.ts only.
 */
import type * as G from './generated/graphql.js';

/** A wire selection with its DateTimeISO fields as Dates (nullable ones stay nullable). */
export type WithDates<T, K extends keyof T> = Omit<T, K> & {
  readonly [P in K]: null extends T[P] ? Date | null : Date;
};

import type { TerminalTrialState } from '@posterior/core';

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

export type {
  Direction,
  InvitationState,
  Role,
  StudySort,
  StudyState,
  TrialEventType,
  TrialSort,
  TrialState,
} from './generated/graphql.js';

import type { Direction, StudyState, TrialEventType, TrialState } from './generated/graphql.js';

// The state sets are domain rules: one home in @posterior/core, re-exported for SDK users.
export { isTerminal, TERMINAL_TRIAL_STATES, type TerminalTrialState } from '@posterior/core';

/** docs/DESIGN.md section 3. */
export type ParamValue = number | string | boolean;
export type Params = Readonly<Record<string, ParamValue>>;

/**
 * docs/DESIGN.md section 3, conditional parameters: active only while `parent` (a categorical or int
 * parameter, itself active) takes one of `values`; trial params then omit it.
 */
export interface ActiveWhen {
  readonly parent: string;
  readonly values: readonly ParamValue[];
}

export interface FloatParamSpec {
  readonly name: string;
  readonly when?: ActiveWhen;
  readonly type: 'float';
  readonly low: number;
  readonly high: number;
  readonly log?: boolean;
  readonly step?: number;
}
export interface IntParamSpec {
  readonly name: string;
  readonly when?: ActiveWhen;
  readonly type: 'int';
  readonly low: number;
  readonly high: number;
  readonly log?: boolean;
  readonly step?: number;
}
export interface CategoricalParamSpec {
  readonly name: string;
  readonly when?: ActiveWhen;
  readonly type: 'categorical';
  readonly choices: readonly ParamValue[];
}
export type ParamSpec = FloatParamSpec | IntParamSpec | CategoricalParamSpec;
export type SearchSpace = readonly ParamSpec[];

/** docs/DESIGN.md section 4: `{"type": "gp"|"random"|..., "seed"?, ...options}`. */
export interface SamplerConfig {
  readonly type: string;
  readonly seed?: number;
  readonly [option: string]: JsonValue | undefined;
}
export interface PrunerConfig {
  readonly type: string;
  readonly [option: string]: JsonValue | undefined;
}

export type User = G.UserFieldsFragment;

/** A team with `role`, the caller's role in it. */
export type Team = WithDates<G.TeamFieldsFragment, 'createdAt'>;

export type Membership = WithDates<G.MembershipFieldsFragment, 'createdAt'>;

/**
 * An offer to join a team, addressed to an email (lower case); the person who logs in with it
 * accepts or declines, getting `role`. `invitedBy` is null once that account is gone.
 */
export type Invitation = WithDates<G.InvitationFieldsFragment, 'createdAt' | 'expiresAt' | 'respondedAt'>;

export interface AuthPayload {
  readonly token: string;
  readonly user: User;
  readonly expiresAt: Date;
}

export interface ApiTokenSecret {
  readonly id: string;
  /** Shown once: the server stores only a hash. */
  readonly token: string;
}

/** What the sampler predicted when it proposed a trial. */
export type Suggestion = G.SuggestionFieldsFragment;

export type Trial = WithDates<
  Omit<G.TrialFieldsFragment, 'params' | 'suggestion'>,
  'createdAt' | 'startedAt' | 'heartbeatAt' | 'finishedAt'
> & {
  readonly params: Params;
  readonly suggestion: Suggestion | null;
};

export type MetricPoint = WithDates<G.MetricFieldsFragment, 'time'>;

/** `name` is the display name (sanitized by the server), never a path; `url` is relative to the API base. */
export type Artifact = WithDates<G.ArtifactFieldsFragment, 'createdAt'>;

export type TrialDetail = Trial &
  TrialRun & {
    readonly metrics: readonly MetricPoint[];
    readonly artifacts: readonly Artifact[];
  };

export type TrialCounts = Readonly<Record<TrialState | 'total', number>> & {
  /** Trials that retry a FAILED one: finished trials less these are the budget done. */
  readonly retries: number;
};

/** A finished trial with `bestSoFar`, the best COMPLETE value up to and including it. */
export type HistoryPoint = NonNullable<G.StudyHistoryQuery['study']>['history'][number];

/** The trial to keep by the model (Study.recommendedTrial): lowest posterior mean among COMPLETE trials. */
export interface RecommendedTrial {
  readonly trial: Trial;
  /** Posterior mean and standard deviation of the objective at the trial. */
  readonly mean: number | null;
  readonly std: number | null;
  /** The fitted observation noise's standard deviation there, in objective units. */
  readonly noiseStd: number | null;
  /** `model`, or `observed` (the best value) while the study has too few trials for a model. */
  readonly source: 'model' | 'observed';
}

/** `importance` is a share: it sums to 1 over the parameters. */
export type ParamImportance = NonNullable<G.StudyImportanceQuery['study']>['importance'][number];

export interface SurrogatePoint {
  readonly x: ParamValue;
  readonly mean: number;
  readonly std: number;
  readonly acquisition: number;
}

/** A warm-start source study's observed trial, at its value of the sliced parameter. */
export interface SourcePoint {
  readonly studyId: string;
  readonly x: ParamValue;
  readonly value: number;
}

export interface SurrogateSlice {
  readonly param: string;
  readonly fixed: Params;
  readonly points: readonly SurrogatePoint[];
  /** The warm-start sources' trials (empty for a cold study). */
  readonly sourcePoints: readonly SourcePoint[];
}

/** One objective of a study: the metric it optimizes and which way. */
export interface Objective {
  readonly name: string;
  readonly direction: Direction;
}

/** An outcome constraint: a trial is feasible when every constraint value is <= 0. */
export interface Constraint {
  readonly name: string;
}

/** The hypervolume reference point, in the objectives' units: the study's, or inferred. */
export interface ReferencePoint {
  readonly values: readonly number[];
  readonly source: 'STUDY' | 'INFERRED';
}

/** The hypervolume of the feasible front after a COMPLETE trial. */
export interface HypervolumePoint {
  readonly trialNumber: number;
  readonly hypervolume: number;
}

export interface Study {
  readonly id: string;
  readonly teamId: string;
  readonly name: string;
  readonly state: StudyState;
  /** The first objective's direction and name (every study has at least one). */
  readonly direction: Direction;
  readonly objective: string;
  /** Every objective in study order; single-objective studies: `[{ name: objective, direction }]`. */
  readonly objectives: readonly Objective[];
  /** Outcome constraints in study order; [] when none. */
  readonly constraints: readonly Constraint[];
  /** Two or more objectives. */
  readonly isMultiObjective: boolean;
  /** Null for single-objective studies, and before any feasible trial when it is inferred. */
  readonly referencePoint: ReferencePoint | null;
  readonly searchSpace: SearchSpace;
  readonly sampler: SamplerConfig;
  readonly pruner: PrunerConfig;
  readonly maxTrials: number;
  readonly parallelism: number;
  readonly heartbeatTimeoutS: number;
  readonly retryFailed: number;
  /** Earlier studies of the team whose completed trials warm-start this one's model. */
  readonly warmStartFrom: readonly string[];
  /** Free text shown on the study page; null when unset. */
  readonly description: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly trialCounts: TrialCounts;
  /** The best (feasible) COMPLETE trial; null for multi-objective studies (see paretoFront). */
  readonly bestTrial: Trial | null;
  /** COMPLETE, feasible, non-dominated trials; single-objective: the best trial (0 or 1). */
  readonly paretoFront: readonly Trial[];
  /** Multi-objective studies: the feasible front's hypervolume after each COMPLETE trial; [] otherwise. */
  readonly hypervolumeHistory: readonly HypervolumePoint[];
}

export interface TrialEvent {
  readonly type: TrialEventType;
  readonly trial: Trial;
  /**
   * The event's number in its study (1, 2, 3, ...). The SDK's trialEvents helpers use it to notice
   * missed events and have them replayed; null only from a server without an event log.
   */
  readonly seq: number | null;
  /**
   * True when the trial's note, tags or attributes changed rather than its state: `type` then repeats
   * the event of its current state. Counting state changes? Skip these.
   */
  readonly annotated: boolean;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly endCursor: string | null;
  readonly hasNextPage: boolean;
}

export interface CreateStudyInput {
  readonly teamId: string;
  readonly name: string;
  /** Required without `objectives`; with them, omitted or the first objective's. */
  readonly direction?: Direction;
  readonly objective?: string;
  /** Every objective in order (at most 4); the first becomes `objective`/`direction`. */
  readonly objectives?: readonly Objective[];
  /** Outcome constraints (at most 8): feasible when every constraint value is <= 0. */
  readonly constraints?: readonly Constraint[];
  /** Hypervolume reference point, one finite value per objective (two or more objectives). */
  readonly referencePoint?: readonly number[];
  readonly searchSpace: SearchSpace;
  readonly sampler?: SamplerConfig;
  readonly pruner?: PrunerConfig;
  readonly maxTrials: number;
  readonly parallelism?: number;
  readonly heartbeatTimeoutS?: number;
  readonly retryFailed?: number;
  /** Ids of earlier studies of the same team to warm-start from (at most 5). */
  readonly warmStartFrom?: readonly string[];
  /** Queue this many of the sources' best configurations (at most 20) as the first trials. */
  readonly warmStartEnqueue?: number;
}

export interface MetricPointInput {
  readonly name: string;
  readonly step: number;
  readonly value: number;
}

export type HeartbeatResult = G.HeartbeatMutation['heartbeat'];

/** `accepted`: points accepted, already-stored duplicates included; `inserted`: newly stored. */
export type ReportResult = G.ReportMetricsMutation['reportMetrics'];

export interface TellInput {
  readonly state: TerminalTrialState;
  /** Single-objective studies: the objective's value. */
  readonly value?: number | null;
  /** One finite value per objective in study order (multi-objective studies, on COMPLETE). */
  readonly values?: readonly number[] | null;
  /** One finite value per constraint in study order (constrained studies, on COMPLETE). */
  readonly constraints?: readonly number[] | null;
  readonly error?: string | null;
  /** The last lines of the objective's output (a FAILED trial's); the server keeps 64 lines / 8 KB. */
  readonly logTail?: string | null;
  /** What the trial ran on. */
  readonly environment?: TrialEnvironmentInput | null;
}

/** What a trial ran on, as a worker tells it (each text at most 200 chars, at most 20 packages). */
export interface TrialEnvironmentInput {
  readonly backend?: string | null;
  readonly host?: string | null;
  readonly platform?: string | null;
  readonly nodeVersion?: string | null;
  readonly workerId?: string | null;
  readonly packages?: ReadonlyArray<{ readonly name: string; readonly version: string }> | null;
}

/** A trial attribute's value. */
export type AttributeValue = string | number | boolean;

/** What the trial page reads beside a trial: a failed trial's log tail, what it ran on. */
export interface TrialRun {
  readonly logTail: string | null;
  readonly environment: {
    readonly backend: string | null;
    readonly host: string | null;
    readonly platform: string | null;
    readonly nodeVersion: string | null;
    readonly workerId: string | null;
    readonly packages: ReadonlyArray<{ readonly name: string; readonly version: string }>;
  } | null;
}

export interface FileUpload {
  readonly fileName: string;
  readonly contentType: string;
  readonly data: Uint8Array;
}

export interface DownloadedFile {
  readonly fileName: string | null;
  readonly contentType: string;
  readonly data: Uint8Array;
}
