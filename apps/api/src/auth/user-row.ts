import { User } from '../graphql/types.js';

/** A user as the services select it (snake_case, as in the migrations), and its GraphQL object. */
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
