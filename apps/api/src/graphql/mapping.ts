import { encodeCursor } from '../common/cursor.js';
import { type Direction, InvitationState, type Role, type StudyState, type TrialState } from '../db/index.js';
import type { SuggestionRecord, TrialRecord } from '../trial/trial.record.js';
import {
  ApiToken,
  Artifact,
  Invitation,
  Membership,
  MetricPoint,
  PageInfo,
  Study,
  Suggestion,
  Team,
  Trial,
  User,
} from './types.js';

/**
 * Rows as the services select them (snake_case, as in the migrations) and the one place they turn
 * into GraphQL objects and records. Column lists live beside the row types so a query and its
 * mapping cannot drift apart.
 */
export interface UserRow {
  id: string;
  email: string;
  name: string | null;
  created_at: Date;
}
export const USER_COLUMNS = 'u.id, u.email, u.name, u.created_at';

export function toUser(row: UserRow): User {
  return Object.assign(new User(), {
    id: row.id,
    email: row.email,
    name: row.name,
    createdAt: row.created_at,
  });
}

export interface TeamRow {
  id: string;
  name: string;
  created_at: Date;
  role: Role;
}

export function toTeam(row: TeamRow): Team {
  return Object.assign(new Team(), { id: row.id, name: row.name, createdAt: row.created_at, role: row.role });
}

export interface MembershipRow extends UserRow {
  membership_id: string;
  team_id: string;
  role: Role;
  membership_created_at: Date;
}

export function toMembership(row: MembershipRow): Membership {
  return Object.assign(new Membership(), {
    id: row.membership_id,
    teamId: row.team_id,
    role: row.role,
    user: toUser(row),
    createdAt: row.membership_created_at,
  });
}

export interface InvitationRow {
  id: string;
  team_id: string;
  team_name: string;
  email: string;
  role: Role;
  state: InvitationState;
  created_at: Date;
  expires_at: Date;
  responded_at: Date | null;
  invited_by: string | null;
  inviter_id: string | null;
  inviter_email: string | null;
  inviter_name: string | null;
  inviter_created_at: Date | null;
}

/** Selects an InvitationRow from `invitations i` joined to its team `t` and inviter `u` (left join). */
export const INVITATION_SELECT = `SELECT i.id, i.team_id, t.name AS team_name, i.email, i.role, i.state,
  i.created_at, i.expires_at, i.responded_at, i.invited_by, u.id AS inviter_id, u.email AS inviter_email,
  u.name AS inviter_name, u.created_at AS inviter_created_at
  FROM invitations i JOIN teams t ON t.id = i.team_id LEFT JOIN users u ON u.id = i.invited_by`;

export function toInvitation(row: InvitationRow, now = new Date()): Invitation {
  const expired = row.state === InvitationState.PENDING && row.expires_at.getTime() <= now.getTime();
  return Object.assign(new Invitation(), {
    id: row.id,
    teamId: row.team_id,
    teamName: row.team_name,
    email: row.email,
    role: row.role,
    state: expired ? InvitationState.EXPIRED : row.state,
    invitedBy:
      row.inviter_id !== null && row.inviter_email !== null && row.inviter_created_at !== null
        ? toUser({
            id: row.inviter_id,
            email: row.inviter_email,
            name: row.inviter_name,
            created_at: row.inviter_created_at,
          })
        : null,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    respondedAt: row.responded_at,
  });
}

export interface ApiTokenRow {
  id: string;
  team_id: string;
  name: string;
  role: Role;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}
export const API_TOKEN_COLUMNS = 'id, team_id, name, role, created_at, last_used_at, revoked_at';

export function toApiToken(row: ApiTokenRow): ApiToken {
  return Object.assign(new ApiToken(), {
    id: row.id,
    teamId: row.team_id,
    name: row.name,
    role: row.role,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  });
}

export interface StudyRow {
  id: string;
  team_id: string;
  name: string;
  state: StudyState;
  direction: Direction;
  objective: string;
  search_space: unknown[];
  sampler: Record<string, unknown>;
  pruner: Record<string, unknown>;
  max_trials: number;
  parallelism: number;
  heartbeat_timeout_s: number;
  retry_failed: number;
  next_trial_number: number;
  warm_start_from: string[];
  created_at: Date;
  updated_at: Date;
}
export const STUDY_COLUMNS =
  's.id, s.team_id, s.name, s.state, s.direction, s.objective, s.search_space, s.sampler, s.pruner, s.max_trials, ' +
  's.parallelism, s.heartbeat_timeout_s, s.retry_failed, s.next_trial_number, s.warm_start_from, s.created_at, ' +
  's.updated_at';

export function toStudy(row: StudyRow): Study {
  return Object.assign(new Study(), {
    id: row.id,
    teamId: row.team_id,
    name: row.name,
    state: row.state,
    direction: row.direction,
    objective: row.objective,
    searchSpace: row.search_space,
    sampler: row.sampler,
    pruner: row.pruner,
    maxTrials: row.max_trials,
    parallelism: row.parallelism,
    heartbeatTimeoutS: row.heartbeat_timeout_s,
    retryFailed: row.retry_failed,
    warmStartFrom: row.warm_start_from ?? [],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}

export interface TrialRow {
  id: string;
  study_id: string;
  number: number;
  state: TrialState;
  params: Record<string, number | string | boolean>;
  value: number | null;
  suggestion: Record<string, unknown> | null;
  worker_id: string | null;
  error: string | null;
  retry_of: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  heartbeat_at: Date | null;
}
export const TRIAL_COLUMNS =
  't.id, t.study_id, t.number, t.state, t.params, t.value, t.suggestion, t.worker_id, t.error, t.retry_of, ' +
  't.created_at, t.started_at, t.finished_at, t.heartbeat_at';
/** The same columns for RETURNING clauses, where the table alias is not in scope. */
export const TRIAL_RETURNING = TRIAL_COLUMNS.replaceAll('t.', '');

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

function suggestionRecord(raw: Record<string, unknown> | null): SuggestionRecord | null {
  if (raw === null) return null;
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return {
    sampler: str(raw.sampler) ?? 'unknown',
    phase: str(raw.phase) ?? 'model',
    mean: num(raw.mean),
    std: num(raw.std),
    acquisition: num(raw.acquisition),
    acquisitionName: str(raw.acquisitionName),
  };
}

export function trialRecord(row: TrialRow): TrialRecord {
  return {
    id: row.id,
    studyId: row.study_id,
    number: row.number,
    state: row.state,
    params: row.params,
    value: row.value,
    suggestion: suggestionRecord(row.suggestion),
    workerId: row.worker_id,
    error: row.error,
    retryOf: row.retry_of,
    createdAt: row.created_at.toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    heartbeatAt: iso(row.heartbeat_at),
  };
}

const date = (s: string | null): Date | null => (s === null ? null : new Date(s));

export function toTrial(record: TrialRecord): Trial {
  const suggestion = record.suggestion === null ? null : Object.assign(new Suggestion(), record.suggestion);
  return Object.assign(new Trial(), {
    id: record.id,
    studyId: record.studyId,
    number: record.number,
    state: record.state as TrialState,
    params: record.params,
    value: record.value,
    suggestion,
    workerId: record.workerId,
    error: record.error,
    retryOf: record.retryOf,
    createdAt: new Date(record.createdAt),
    startedAt: date(record.startedAt),
    finishedAt: date(record.finishedAt),
    heartbeatAt: date(record.heartbeatAt),
  });
}

export interface MetricRow {
  trial_id: string;
  name: string;
  step: number;
  value: number;
  time: Date;
}

export function toMetricPoint(row: MetricRow): MetricPoint {
  return Object.assign(new MetricPoint(), {
    trialId: row.trial_id,
    name: row.name,
    step: row.step,
    value: row.value,
    time: row.time,
  });
}

export interface ArtifactRow {
  id: string;
  trial_id: string;
  display_name: string;
  content_type: string;
  size_bytes: string | number;
  sha256: string;
  created_at: Date;
}
export const ARTIFACT_COLUMNS =
  'a.id, a.trial_id, a.display_name, a.content_type, a.size_bytes, a.sha256, a.created_at';

export function toArtifact(row: ArtifactRow): Artifact {
  return Object.assign(new Artifact(), {
    id: row.id,
    trialId: row.trial_id,
    name: row.display_name,
    contentType: row.content_type,
    sizeBytes: Number(row.size_bytes),
    sha256: row.sha256,
    createdAt: row.created_at,
    url: `/artifacts/${row.id}`,
  });
}

/**
 * One page of a keyset-paginated list as a GraphQL connection. `hasNextPage` comes from the caller,
 * which fetches one row more than the page to learn it without a second query.
 */
export function toConnection<
  N extends { id: string },
  E extends { cursor: string; node: N },
  C extends { edges: E[]; nodes: N[]; pageInfo: PageInfo; totalCount: number },
>(
  Connection: new () => C,
  Edge: new () => E,
  /** The parent the list was read under (the study of its trials); its cursors open only there. */
  parentId: string,
  nodes: readonly N[],
  hasNextPage: boolean,
  totalCount: number,
): C {
  const edges: E[] = nodes.map((node) =>
    Object.assign(new Edge(), { cursor: encodeCursor(parentId, node.id), node }),
  );
  const connection = new Connection();
  connection.edges = edges;
  connection.nodes = edges.map((e) => e.node);
  connection.pageInfo = Object.assign(new PageInfo(), {
    hasNextPage,
    endCursor: edges.at(-1)?.cursor ?? null,
  });
  connection.totalCount = totalCount;
  return connection;
}
