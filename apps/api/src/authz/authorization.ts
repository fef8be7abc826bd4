import type { Sql } from '../common/db.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../common/errors.js';
import { isUuid } from '../common/validate.js';
import { Role } from '../db/index.js';
import type { Caller } from './caller.js';

/**
 * The one place that decides reads and writes: every service call names the least role it needs
 * in the team that owns the object, and this module answers from the caller's membership (a user)
 * or the token's team and role (an API token). Outsiders get NOT_FOUND, never FORBIDDEN, so ids
 * of other teams' objects do not leak.
 *
 *   VIEWER  read studies, trials, metrics, artifacts; subscribe
 *   MEMBER  create and run studies: ask, tell, heartbeat, report, enqueue, upload artifacts
 *   ADMIN   manage members and API tokens
 *   OWNER   grant OWNER
 */
const RANK: Record<Role, number> = { [Role.VIEWER]: 1, [Role.MEMBER]: 2, [Role.ADMIN]: 3, [Role.OWNER]: 4 };

export function atLeast(role: Role, min: Role): boolean {
  return RANK[role] >= RANK[min];
}

export function requireCaller(caller: Caller | null): Caller {
  if (caller === null) throw new UnauthenticatedError();
  return caller;
}

/** Account-level operations (teams, members, tokens) need a person, not a worker token. */
export function requireUser(caller: Caller | null): Extract<Caller, { kind: 'user' }> {
  const c = requireCaller(caller);
  if (c.kind !== 'user')
    throw new ForbiddenError('API tokens cannot manage teams, members or tokens; log in');
  return c;
}

/** The caller's role given the team of the object and the caller's membership role (if a user). */
export function roleFor(caller: Caller, teamId: string, memberRole: Role | null): Role | null {
  if (caller.kind === 'token') return caller.teamId === teamId ? caller.role : null;
  return memberRole;
}

/**
 * Throws NOT_FOUND when the caller has no role in the team (or the object does not exist),
 * FORBIDDEN when the role is below `min`; returns the role otherwise.
 */
export function decide(role: Role | null, min: Role, what: string): Role {
  if (role === null) throw new NotFoundError(what);
  if (!atLeast(role, min)) throw new ForbiddenError(`${what}: requires role ${min} or higher`);
  return role;
}

export class Authorizer {
  constructor(private readonly sql: Sql) {}

  async teamRole(caller: Caller, teamId: string): Promise<Role | null> {
    if (!isUuid(teamId)) return null;
    if (caller.kind === 'token') return caller.teamId === teamId ? caller.role : null;
    const row = await this.sql.one<{ role: Role }>(
      'SELECT role FROM memberships WHERE team_id = $1 AND user_id = $2',
      [teamId, caller.userId],
    );
    return row?.role ?? null;
  }

  async requireTeam(caller: Caller | null, teamId: string, min: Role): Promise<Role> {
    const c = requireCaller(caller);
    return decide(await this.teamRole(c, teamId), min, 'team');
  }
}

/** The membership join every object query uses: `$n` is the caller's user id (or null for tokens). */
export function memberRoleSql(teamColumn: string, userParam: string): string {
  return `(SELECT m.role FROM memberships m WHERE m.team_id = ${teamColumn} AND m.user_id = ${userParam})`;
}

export function callerUserId(caller: Caller): string | null {
  return caller.kind === 'user' ? caller.userId : null;
}

/**
 * A SQL condition that holds exactly when the caller has at least `min` in the team named by
 * `teamColumn`, for single-statement fast paths (tell, heartbeat, report) that authorize and act
 * in one round trip. `param` is the placeholder the returned value binds to. Null when the
 * caller cannot have `min` anywhere (a token with a lower role): take the slow path, which
 * answers with the right error.
 */
export function scopeSql(
  caller: Caller,
  teamColumn: string,
  param: string,
  min: Role,
): { sql: string; value: string } | null {
  const allowed = Object.values(Role).filter((r) => atLeast(r, min));
  if (caller.kind === 'token') {
    return allowed.includes(caller.role)
      ? { sql: `${teamColumn} = ${param}::uuid`, value: caller.teamId }
      : null;
  }
  const roles = allowed.map((r) => `'${r}'`).join(', ');
  return {
    sql: `EXISTS (SELECT 1 FROM memberships m WHERE m.team_id = ${teamColumn} AND m.user_id = ${param}::uuid AND m.role IN (${roles}))`,
    value: caller.userId,
  };
}
