// Domain types of the dashboard. Wire types (from @posterior/sdk / GraphQL) are converted to these in
// one place (lib/api/convert.ts); charts and data shaping only ever see these.

export type Direction = 'MINIMIZE' | 'MAXIMIZE';
export type StudyState = 'RUNNING' | 'PAUSED' | 'DONE' | 'ARCHIVED';
export type TrialState = 'WAITING' | 'RUNNING' | 'COMPLETE' | 'PRUNED' | 'FAILED';
export type Role = 'OWNER' | 'ADMIN' | 'MEMBER' | 'VIEWER';

export const STUDY_STATES: readonly StudyState[] = ['RUNNING', 'PAUSED', 'DONE', 'ARCHIVED'];
export const TRIAL_STATES: readonly TrialState[] = ['WAITING', 'RUNNING', 'COMPLETE', 'PRUNED', 'FAILED'];
export const ROLES: readonly Role[] = ['OWNER', 'ADMIN', 'MEMBER', 'VIEWER'];

export type ParamValue = number | string | boolean;
export type Params = Record<string, ParamValue>;

export interface FloatParam {
  name: string;
  type: 'float';
  low: number;
  high: number;
  log?: boolean;
  step?: number;
}
export interface IntParam {
  name: string;
  type: 'int';
  low: number;
  high: number;
  log?: boolean;
  step?: number;
}
export interface CategoricalParam {
  name: string;
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

export interface Suggestion {
  sampler: string;
  mean: number | null;
  std: number | null;
  acquisition: number | null;
}

export interface Trial {
  id: string;
  number: number;
  state: TrialState;
  params: Params;
  value: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  workerId: string | null;
  error: string | null;
  suggestion: Suggestion | null;
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
  bestTrialId: string | null;
  /** Earlier studies of the team whose completed trials warm-start this one's model (issue 18). */
  warmStartFrom: string[];
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
