/** Domain types: what SDK users see. Wire shapes live in wire.ts and are converted there only. */

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

export type Direction = 'MINIMIZE' | 'MAXIMIZE';
export type StudyState = 'RUNNING' | 'PAUSED' | 'DONE' | 'ARCHIVED';
export type TrialState = 'WAITING' | 'RUNNING' | 'COMPLETE' | 'PRUNED' | 'FAILED';
export type TerminalTrialState = 'COMPLETE' | 'PRUNED' | 'FAILED';
export type Role = 'OWNER' | 'ADMIN' | 'MEMBER' | 'VIEWER';
export type TrialEventType = 'CREATED' | 'CLAIMED' | 'COMPLETE' | 'PRUNED' | 'FAILED';

export const TERMINAL_TRIAL_STATES: readonly TerminalTrialState[] = ['COMPLETE', 'PRUNED', 'FAILED'];

export function isTerminal(state: TrialState): state is TerminalTrialState {
  return state === 'COMPLETE' || state === 'PRUNED' || state === 'FAILED';
}

/** docs/DESIGN.md section 3. */
export type ParamValue = number | string | boolean;
export type Params = Readonly<Record<string, ParamValue>>;

export interface FloatParamSpec {
  readonly name: string;
  readonly type: 'float';
  readonly low: number;
  readonly high: number;
  readonly log?: boolean;
  readonly step?: number;
}
export interface IntParamSpec {
  readonly name: string;
  readonly type: 'int';
  readonly low: number;
  readonly high: number;
  readonly log?: boolean;
  readonly step?: number;
}
export interface CategoricalParamSpec {
  readonly name: string;
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

export interface User {
  readonly id: string;
  readonly email: string;
  readonly name: string | null;
}

export interface Team {
  readonly id: string;
  readonly name: string;
  /** The caller's role in the team. */
  readonly role: Role;
  readonly createdAt: Date;
}

export interface Membership {
  readonly id: string;
  readonly teamId: string;
  readonly role: Role;
  readonly user: User;
  readonly createdAt: Date;
}

export type InvitationState = 'PENDING' | 'ACCEPTED' | 'DECLINED' | 'REVOKED' | 'EXPIRED';

/** An offer to join a team, addressed to an email; the person who logs in with it accepts or declines. */
export interface Invitation {
  readonly id: string;
  readonly teamId: string;
  readonly teamName: string;
  /** The invitee, lower case. */
  readonly email: string;
  /** The role the invitee gets on accepting. */
  readonly role: Role;
  readonly state: InvitationState;
  /** Who sent it (null once that account is gone). */
  readonly invitedBy: User | null;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly respondedAt: Date | null;
}

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
export interface Suggestion {
  readonly sampler: string;
  /** `initial` | `model` | `fallback` */
  readonly phase: string | null;
  readonly mean: number | null;
  readonly std: number | null;
  readonly acquisition: number | null;
  readonly acquisitionName: string | null;
}

export interface Trial {
  readonly id: string;
  readonly studyId: string;
  readonly number: number;
  readonly state: TrialState;
  readonly params: Params;
  readonly value: number | null;
  readonly suggestion: Suggestion | null;
  readonly workerId: string | null;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly heartbeatAt: Date | null;
  readonly finishedAt: Date | null;
  readonly error: string | null;
  /** The FAILED trial this one retries. */
  readonly retryOf: string | null;
}

export interface MetricPoint {
  readonly trialId: string;
  readonly name: string;
  readonly step: number;
  readonly value: number;
  readonly time: Date;
}

export interface Artifact {
  readonly id: string;
  readonly trialId: string;
  /** Display name (sanitized by the server); never a path. */
  readonly name: string;
  readonly contentType: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  /** Download URL relative to the API base. */
  readonly url: string;
  readonly createdAt: Date;
}

export interface TrialDetail extends Trial {
  readonly metrics: readonly MetricPoint[];
  readonly artifacts: readonly Artifact[];
}

export type TrialCounts = Readonly<Record<TrialState | 'total', number>> & {
  /** Trials that retry a FAILED one: finished trials less these are the budget done. */
  readonly retries: number;
};

export interface HistoryPoint {
  readonly trialId: string;
  readonly number: number;
  readonly state: TrialState;
  readonly value: number | null;
  /** Best COMPLETE value up to and including this trial. */
  readonly bestSoFar: number | null;
}

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

export interface ParamImportance {
  readonly param: string;
  /** Share of importance; sums to 1 over the parameters. */
  readonly importance: number;
  readonly lengthscale: number | null;
}

export interface SurrogatePoint {
  readonly x: ParamValue;
  readonly mean: number;
  readonly std: number;
  readonly acquisition: number;
}

export interface SurrogateSlice {
  readonly param: string;
  readonly fixed: Params;
  readonly points: readonly SurrogatePoint[];
}

export interface Study {
  readonly id: string;
  readonly teamId: string;
  readonly name: string;
  readonly state: StudyState;
  readonly direction: Direction;
  readonly objective: string;
  readonly searchSpace: SearchSpace;
  readonly sampler: SamplerConfig;
  readonly pruner: PrunerConfig;
  readonly maxTrials: number;
  readonly parallelism: number;
  readonly heartbeatTimeoutS: number;
  readonly retryFailed: number;
  /** Earlier studies of the team whose completed trials warm-start this one's model. */
  readonly warmStartFrom: readonly string[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly trialCounts: TrialCounts;
  readonly bestTrial: Trial | null;
}

export interface TrialEvent {
  readonly type: TrialEventType;
  readonly trial: Trial;
  /**
   * The event's number in its study (1, 2, 3, ...). The SDK's trialEvents helpers use it to notice
   * missed events and have them replayed; null only from a server without an event log.
   */
  readonly seq: number | null;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly endCursor: string | null;
  readonly hasNextPage: boolean;
}

export interface CreateStudyInput {
  readonly teamId: string;
  readonly name: string;
  readonly direction: Direction;
  readonly objective: string;
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

export interface HeartbeatResult {
  readonly shouldStop: boolean;
}

export interface ReportResult {
  /** Points accepted, already-stored duplicates included. */
  readonly accepted: number;
  /** Points newly stored by this call. */
  readonly inserted: number;
  readonly shouldPrune: boolean;
}

export interface TellInput {
  readonly state: TerminalTrialState;
  readonly value?: number | null;
  readonly error?: string | null;
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
