import { hashSecret, newSecret } from '../auth/secrets.js';
import { Authorizer, atLeast, decide, requireCaller, requireUser } from '../authz/authorization.js';
import type { Caller } from '../authz/caller.js';
import type { Db } from '../common/db.js';
import { isUniqueViolation } from '../common/db.js';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../common/errors.js';
import { isUuid, requireText } from '../common/validate.js';
import { Role } from '../db/index.js';
import type { ApiToken, ApiTokenSecret, Membership, Team } from '../graphql/types.js';
import { ApiTokenSecret as ApiTokenSecretType } from '../graphql/types.js';
import { Invitations, normalizeEmail } from './invitations.js';
import {
  API_TOKEN_COLUMNS,
  type ApiTokenRow,
  type MembershipRow,
  type TeamRow,
  toApiToken,
  toMembership,
  toTeam,
} from './team-rows.js';

const MEMBER_SELECT = `SELECT m.id AS membership_id, m.team_id, m.role, m.created_at AS membership_created_at,
  u.id, u.email, u.name, u.created_at FROM memberships m JOIN users u ON u.id = m.user_id`;

/** Teams, memberships and API tokens. */
export class TeamService {
  private readonly authz: Authorizer;
  /** Invitations: how people join a team (see invitations.ts). */
  readonly invitations: Invitations;

  constructor(
    private readonly db: Db,
    private readonly credentialsChanged: (revoked: readonly string[]) => void = () => undefined,
    private readonly membershipChanged: (teamId: string, userId: string) => void = () => undefined,
  ) {
    this.authz = new Authorizer(db);
    this.invitations = new Invitations(db, this.authz, membershipChanged);
  }

  async createTeam(caller: Caller | null, nameInput: string): Promise<Team> {
    const user = requireUser(caller);
    const name = requireText('name', nameInput, 200);
    return this.db.tx(async (sql) => {
      const team = await sql.one<Omit<TeamRow, 'role'>>(
        'INSERT INTO teams (name) VALUES ($1) RETURNING id, name, created_at',
        [name],
      );
      if (team === null) throw new Error('insert returned nothing');
      await sql.one('INSERT INTO memberships (team_id, user_id, role) VALUES ($1, $2, $3)', [
        team.id,
        user.userId,
        Role.OWNER,
      ]);
      return toTeam({ ...team, role: Role.OWNER });
    });
  }

  async teams(caller: Caller | null): Promise<Team[]> {
    const c = requireCaller(caller);
    if (c.kind === 'token') {
      const row = await this.db.one<Omit<TeamRow, 'role'>>(
        'SELECT id, name, created_at FROM teams WHERE id = $1',
        [c.teamId],
      );
      return row ? [toTeam({ ...row, role: c.role })] : [];
    }
    const rows = await this.db.rows<TeamRow>(
      `SELECT t.id, t.name, t.created_at, m.role FROM memberships m JOIN teams t ON t.id = m.team_id
       WHERE m.user_id = $1 ORDER BY t.created_at, t.id`,
      [c.userId],
    );
    return rows.map(toTeam);
  }

  async team(caller: Caller | null, teamId: string): Promise<Team> {
    const role = await this.authz.requireTeam(caller, teamId, Role.VIEWER);
    const row = await this.db.one<Omit<TeamRow, 'role'>>(
      'SELECT id, name, created_at FROM teams WHERE id = $1',
      [teamId],
    );
    if (row === null) throw new NotFoundError('team');
    return toTeam({ ...row, role });
  }

  async members(caller: Caller | null, teamId: string): Promise<Membership[]> {
    await this.authz.requireTeam(caller, teamId, Role.VIEWER);
    const rows = await this.db.rows<MembershipRow>(
      `${MEMBER_SELECT} WHERE m.team_id = $1 ORDER BY m.created_at, m.id`,
      [teamId],
    );
    return rows.map(toMembership);
  }

  /**
   * Before invitations (issue 12) this added any registered user by email, without their consent.
   * Now it only changes the role of someone who is already a member; anyone else is BAD_USER_INPUT
   * with the same message whether or not the email has an account. People join with inviteMember.
   */
  async addMember(
    caller: Caller | null,
    teamId: string,
    emailInput: string,
    role: Role,
  ): Promise<Membership> {
    requireUser(caller);
    await this.authz.requireTeam(caller, teamId, Role.ADMIN);
    const email = normalizeEmail(emailInput);
    const member = await this.db.one<{ user_id: string }>(
      `SELECT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id
       WHERE m.team_id = $1 AND lower(u.email) = $2`,
      [teamId, email],
    );
    if (member === null) {
      throw new BadUserInputError(
        'email',
        'is not a member of this team: addMember no longer adds people; invite them with inviteMember and they join when they accept',
      );
    }
    return this.setMemberRole(caller, teamId, member.user_id, role);
  }

  /** Changes a member's role (ADMIN or higher; OWNER to grant or change an OWNER; a team keeps one OWNER). */
  async setMemberRole(
    caller: Caller | null,
    teamId: string,
    userId: string,
    role: Role,
  ): Promise<Membership> {
    requireUser(caller);
    const own = await this.authz.requireTeam(caller, teamId, Role.ADMIN);
    if (!atLeast(own, role)) throw new ForbiddenError(`role: only an ${role} or higher may grant ${role}`);
    if (!isUuid(userId)) throw new NotFoundError('member');
    const membership = await this.db.tx(async (sql) => {
      const existing = await sql.one<{ role: Role }>(
        'SELECT role FROM memberships WHERE team_id = $1 AND user_id = $2 FOR UPDATE',
        [teamId, userId],
      );
      if (existing === null) throw new NotFoundError('member');
      if (!atLeast(own, existing.role)) {
        throw new ForbiddenError(
          `role: only an ${existing.role} or higher may change an ${existing.role}'s role`,
        );
      }
      if (existing.role === Role.OWNER && role !== Role.OWNER) {
        const owners = await sql.rows<{ user_id: string }>(
          "SELECT user_id FROM memberships WHERE team_id = $1 AND role = 'OWNER' FOR UPDATE",
          [teamId],
        );
        if (owners.length <= 1) throw new ForbiddenError('role: a team keeps at least one OWNER');
      }
      await sql.rows('UPDATE memberships SET role = $3 WHERE team_id = $1 AND user_id = $2', [
        teamId,
        userId,
        role,
      ]);
      const row = await sql.one<MembershipRow>(`${MEMBER_SELECT} WHERE m.team_id = $1 AND m.user_id = $2`, [
        teamId,
        userId,
      ]);
      if (row === null) throw new Error('membership vanished');
      return toMembership(row);
    });
    this.membershipChanged(teamId, userId);
    return membership;
  }

  /**
   * Removes a member (admins; only owners remove owners; anyone may leave). A team keeps at least one
   * OWNER. The removed user's open subscriptions to the team's studies are closed on every replica.
   */
  async removeMember(caller: Caller | null, teamId: string, userId: string): Promise<boolean> {
    const self = requireUser(caller).userId === userId;
    const own = await this.authz.requireTeam(caller, teamId, self ? Role.VIEWER : Role.ADMIN);
    if (!isUuid(userId)) throw new NotFoundError('member');
    await this.db.tx(async (sql) => {
      const existing = await sql.one<{ role: Role }>(
        'SELECT role FROM memberships WHERE team_id = $1 AND user_id = $2 FOR UPDATE',
        [teamId, userId],
      );
      if (existing === null) throw new NotFoundError('member');
      if (!self && !atLeast(own, existing.role)) {
        throw new ForbiddenError(`userId: only an ${existing.role} or higher may remove an ${existing.role}`);
      }
      if (existing.role === Role.OWNER) {
        // Lock the team's owner rows so two owners removing each other cannot both succeed.
        const owners = await sql.rows<{ user_id: string }>(
          "SELECT user_id FROM memberships WHERE team_id = $1 AND role = 'OWNER' FOR UPDATE",
          [teamId],
        );
        if (owners.length <= 1) throw new ForbiddenError('userId: a team keeps at least one OWNER');
      }
      await sql.rows('DELETE FROM memberships WHERE team_id = $1 AND user_id = $2', [teamId, userId]);
    });
    this.membershipChanged(teamId, userId);
    return true;
  }

  async apiTokens(caller: Caller | null, teamId: string): Promise<ApiToken[]> {
    await this.authz.requireTeam(caller, teamId, Role.ADMIN);
    const rows = await this.db.rows<ApiTokenRow>(
      `SELECT ${API_TOKEN_COLUMNS} FROM api_tokens WHERE team_id = $1 ORDER BY created_at DESC, id`,
      [teamId],
    );
    return rows.map(toApiToken);
  }

  async createApiToken(
    caller: Caller | null,
    teamId: string,
    nameInput: string,
    roleInput: Role | null | undefined,
  ): Promise<ApiTokenSecret> {
    const user = requireUser(caller);
    const own = await this.authz.requireTeam(caller, teamId, Role.ADMIN);
    const name = requireText('name', nameInput, 200);
    const role = roleInput ?? Role.MEMBER;
    if (!atLeast(own, role))
      throw new ForbiddenError(`role: cannot create a token above your own role (${own})`);
    const token = newSecret('token');
    try {
      const row = await this.db.one<ApiTokenRow>(
        `INSERT INTO api_tokens (team_id, name, token_hash, role, created_by) VALUES ($1, $2, $3, $4, $5)
         RETURNING ${API_TOKEN_COLUMNS}`,
        [teamId, name, hashSecret(token), role, user.userId],
      );
      if (row === null) throw new Error('insert returned nothing');
      return Object.assign(new ApiTokenSecretType(), { id: row.id, token, apiToken: toApiToken(row) });
    } catch (error) {
      if (isUniqueViolation(error)) throw new Error('token collision');
      throw error;
    }
  }

  async revokeApiToken(caller: Caller | null, tokenId: string): Promise<boolean> {
    const user = requireUser(caller);
    if (!isUuid(tokenId)) throw new NotFoundError('API token');
    const row = await this.db.one<{ team_id: string; role: Role | null }>(
      `SELECT t.team_id, (SELECT m.role FROM memberships m WHERE m.team_id = t.team_id AND m.user_id = $2) AS role
       FROM api_tokens t WHERE t.id = $1`,
      [tokenId, user.userId],
    );
    decide(row?.role ?? null, Role.ADMIN, 'API token');
    const revoked = await this.db.rows<{ token_hash: string }>(
      'UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING token_hash',
      [tokenId],
    );
    this.credentialsChanged(revoked.map((row) => row.token_hash));
    return true;
  }
}
