import type { Role } from './types.ts';

const RANK: Record<Role, number> = { VIEWER: 0, MEMBER: 1, ADMIN: 2, OWNER: 3 };

/**
 * Whether `role` may do what needs `min` (the API's rule: OWNER > ADMIN > MEMBER > VIEWER). An
 * unknown role (teams still loading, an old API) may do nothing: an action hidden for a moment is
 * better than one offered that fails.
 */
export function can(role: Role | null | undefined, min: Role): boolean {
  return role != null && RANK[role] >= RANK[min];
}
