import type { Role } from '../db/index.js';

/** Who is making a request, as established by authentication (a session or an API token). */
export type Caller =
  | { kind: 'user'; userId: string; sessionId: string }
  | { kind: 'token'; tokenId: string; teamId: string; role: Role; createdBy: string | null };
