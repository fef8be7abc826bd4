import { toUser, type UserRow } from '../auth/user-row.js';
import { InvitationState, type Role } from '../db/index.js';
import { ApiToken, Invitation, Membership, Team } from '../graphql/types.js';

/**
 * Team rows as the team services select them (snake_case, as in the migrations) and their GraphQL
 * objects. Column lists live beside the row types so a query and its mapping cannot drift apart.
 */
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
