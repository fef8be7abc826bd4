import { type Authorizer, atLeast, requireUser } from '../authz/authorization.js';
import type { Caller } from '../authz/caller.js';
import type { Db, Sql } from '../common/db.js';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../common/errors.js';
import { isUuid, requireText } from '../common/validate.js';
import { InvitationState, Role } from '../db/index.js';
import type { Invitation, Membership } from '../graphql/types.js';
import {
  INVITATION_SELECT,
  type InvitationRow,
  type MembershipRow,
  toInvitation,
  toMembership,
} from './team-rows.js';

/** How long an invitation can be accepted. */
export const INVITATION_TTL_MS = 14 * 24 * 60 * 60 * 1000;
/** Pending invitations per team: enough for any real team, too few to spam strangers with. */
export const MAX_PENDING_INVITATIONS = 100;

/** Something@something, no spaces: the address is only ever compared with a login email. */
const EMAIL = /^[^\s@]+@[^\s@]+$/;

const MEMBER_SELECT = `SELECT m.id AS membership_id, m.team_id, m.role, m.created_at AS membership_created_at,
  u.id, u.email, u.name, u.created_at FROM memberships m JOIN users u ON u.id = m.user_id`;

export function normalizeEmail(input: string): string {
  const email = requireText('email', input, 320).toLowerCase();
  if (!EMAIL.test(email)) throw new BadUserInputError('email', 'is not an email address');
  return email;
}

/**
 * Team invitations: an ADMIN (or higher) invites an email with a role no higher than their own;
 * nobody joins a team until the person who logs in with that email accepts. The answer to an
 * invitation is the same whether or not the email has an account (no enumeration of users), and
 * an invitation addressed to someone else reads as NOT_FOUND.
 */
export class Invitations {
  constructor(
    private readonly db: Db,
    private readonly authz: Authorizer,
    private readonly membershipChanged: (teamId: string, userId: string) => void,
  ) {}

  private async read(sql: Sql, id: string): Promise<InvitationRow | null> {
    return sql.one<InvitationRow>(`${INVITATION_SELECT} WHERE i.id = $1`, [id]);
  }

  private async emailOf(sql: Sql, userId: string): Promise<string> {
    const row = await sql.one<{ email: string }>('SELECT lower(email) AS email FROM users WHERE id = $1', [
      userId,
    ]);
    if (row === null) throw new NotFoundError('user');
    return row.email;
  }

  /**
   * Invites `email` to the team as `role`. Inviting an email that already has a pending invitation
   * renews it (new role and expiry); inviting a current member is CONFLICT (admins see the members).
   */
  async invite(caller: Caller | null, teamId: string, emailInput: string, role: Role): Promise<Invitation> {
    const user = requireUser(caller);
    const own = await this.authz.requireTeam(caller, teamId, Role.ADMIN);
    if (!atLeast(own, role))
      throw new ForbiddenError(`role: only an ${role} or higher may invite an ${role}`);
    const email = normalizeEmail(emailInput);
    const id = await this.db.tx(async (sql) => {
      // One inviter at a time per team: the pending count and the renew-or-insert stay consistent.
      await sql.one('SELECT id FROM teams WHERE id = $1 FOR UPDATE', [teamId]);
      const member = await sql.one<{ id: string }>(
        `SELECT m.id FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.team_id = $1 AND lower(u.email) = $2`,
        [teamId, email],
      );
      if (member !== null) throw new ConflictError('email: already a member of this team');
      const expiresAt = new Date(Date.now() + INVITATION_TTL_MS);
      const renewed = await sql.one<{ id: string }>(
        `UPDATE invitations SET role = $3, invited_by = $4, expires_at = $5, created_at = now()
         WHERE team_id = $1 AND email = $2 AND state = 'PENDING' AND expires_at > now() RETURNING id`,
        [teamId, email, role, user.userId, expiresAt],
      );
      if (renewed !== null) return renewed.id;
      const pending = await sql.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM invitations WHERE team_id = $1 AND state = 'PENDING' AND expires_at > now()`,
        [teamId],
      );
      if ((pending?.n ?? 0) >= MAX_PENDING_INVITATIONS) {
        throw new BadUserInputError(
          'email',
          `the team has ${MAX_PENDING_INVITATIONS} pending invitations; revoke some first`,
        );
      }
      // An expired pending row would block the partial unique index: it is closed as EXPIRED first.
      await sql.rows(
        `UPDATE invitations SET state = 'EXPIRED'
         WHERE team_id = $1 AND email = $2 AND state = 'PENDING' AND expires_at <= now()`,
        [teamId, email],
      );
      const row = await sql.one<{ id: string }>(
        `INSERT INTO invitations (team_id, email, role, invited_by, expires_at) VALUES ($1, $2, $3, $4, $5)
         RETURNING id`,
        [teamId, email, role, user.userId, expiresAt],
      );
      if (row === null) throw new Error('insert returned nothing');
      return row.id;
    });
    const row = await this.read(this.db, id);
    if (row === null) throw new NotFoundError('invitation');
    return toInvitation(row);
  }

  /** The team's pending invitations (ADMIN or higher), newest first; expired ones included as EXPIRED. */
  async forTeam(caller: Caller | null, teamId: string): Promise<Invitation[]> {
    await this.authz.requireTeam(caller, teamId, Role.ADMIN);
    const rows = await this.db.rows<InvitationRow>(
      `${INVITATION_SELECT} WHERE i.team_id = $1 AND i.state = 'PENDING' ORDER BY i.created_at DESC, i.id`,
      [teamId],
    );
    return rows.map((r) => toInvitation(r));
  }

  /** The caller's pending, unexpired invitations (addressed to their login email). */
  async mine(caller: Caller | null): Promise<Invitation[]> {
    const user = requireUser(caller);
    const email = await this.emailOf(this.db, user.userId);
    const rows = await this.db.rows<InvitationRow>(
      `${INVITATION_SELECT} WHERE i.email = $1 AND i.state = 'PENDING' AND i.expires_at > now()
       ORDER BY i.created_at DESC, i.id`,
      [email],
    );
    return rows.map((r) => toInvitation(r));
  }

  /**
   * The invitation addressed to the caller, locked for an answer: NOT_FOUND when it is someone
   * else's (or does not exist), CONFLICT when it was already answered, revoked or has expired.
   */
  private async ownPending(sql: Sql, caller: Caller | null, id: string): Promise<InvitationRow> {
    const user = requireUser(caller);
    if (!isUuid(id)) throw new NotFoundError('invitation');
    const email = await this.emailOf(sql, user.userId);
    const row = await sql.one<InvitationRow>(
      `${INVITATION_SELECT} WHERE i.id = $1 AND i.email = $2 FOR UPDATE OF i`,
      [id, email],
    );
    if (row === null) throw new NotFoundError('invitation');
    const state = toInvitation(row).state;
    if (state !== InvitationState.PENDING) {
      throw new ConflictError(`invitation: no longer pending (${state})`);
    }
    return row;
  }

  /**
   * Joins the team with the invitation's role. The inviter must still be allowed to grant it (an
   * ADMIN or higher in the team, at or above the role), as an API token never outranks its creator.
   * A caller who is already a member keeps their role.
   */
  async accept(caller: Caller | null, id: string): Promise<Membership> {
    const user = requireUser(caller);
    const membership = await this.db.tx(async (sql): Promise<Membership | 'revoked'> => {
      const inv = await this.ownPending(sql, caller, id);
      const inviterRole =
        inv.invited_by === null
          ? null
          : ((
              await sql.one<{ role: Role }>(
                'SELECT role FROM memberships WHERE team_id = $1 AND user_id = $2',
                [inv.team_id, inv.invited_by],
              )
            )?.role ?? null);
      if (inviterRole === null || !atLeast(inviterRole, Role.ADMIN) || !atLeast(inviterRole, inv.role)) {
        // Committed, then refused: throwing here would roll the revocation back with the rest.
        await sql.rows(`UPDATE invitations SET state = 'REVOKED', responded_at = now() WHERE id = $1`, [id]);
        return 'revoked';
      }
      await sql.rows(
        `INSERT INTO memberships (team_id, user_id, role) VALUES ($1, $2, $3)
         ON CONFLICT ON CONSTRAINT "UQ_memberships_team_user" DO NOTHING`,
        [inv.team_id, user.userId, inv.role],
      );
      await sql.rows(`UPDATE invitations SET state = 'ACCEPTED', responded_at = now() WHERE id = $1`, [id]);
      const row = await sql.one<MembershipRow>(`${MEMBER_SELECT} WHERE m.team_id = $1 AND m.user_id = $2`, [
        inv.team_id,
        user.userId,
      ]);
      if (row === null) throw new Error('membership vanished');
      return toMembership(row);
    });
    if (membership === 'revoked')
      throw new ConflictError('invitation: the person who sent it can no longer grant this role');
    this.membershipChanged(membership.teamId, user.userId);
    return membership;
  }

  async decline(caller: Caller | null, id: string): Promise<boolean> {
    await this.db.tx(async (sql) => {
      await this.ownPending(sql, caller, id);
      await sql.rows(`UPDATE invitations SET state = 'DECLINED', responded_at = now() WHERE id = $1`, [id]);
    });
    return true;
  }

  /** Withdraws a pending invitation (ADMIN or higher; an OWNER invitation only by an OWNER). */
  async revoke(caller: Caller | null, id: string): Promise<boolean> {
    requireUser(caller);
    if (!isUuid(id)) throw new NotFoundError('invitation');
    const found = await this.db.one<{ team_id: string }>('SELECT team_id FROM invitations WHERE id = $1', [
      id,
    ]);
    if (found === null) throw new NotFoundError('invitation');
    let own: Role;
    try {
      own = await this.authz.requireTeam(caller, found.team_id, Role.ADMIN);
    } catch (error) {
      // Outsiders learn nothing about other teams' invitations.
      if (error instanceof NotFoundError) throw new NotFoundError('invitation');
      throw error;
    }
    await this.db.tx(async (sql) => {
      const row = await sql.one<{ role: Role; state: InvitationState }>(
        'SELECT role, state FROM invitations WHERE id = $1 FOR UPDATE',
        [id],
      );
      if (row === null) throw new NotFoundError('invitation');
      if (!atLeast(own, row.role)) {
        throw new ForbiddenError(
          `invitation: only an ${row.role} or higher may revoke an ${row.role} invitation`,
        );
      }
      if (row.state !== InvitationState.PENDING) {
        throw new ConflictError(`invitation: no longer pending (${row.state})`);
      }
      await sql.rows(`UPDATE invitations SET state = 'REVOKED', responded_at = now() WHERE id = $1`, [id]);
    });
    return true;
  }
}
