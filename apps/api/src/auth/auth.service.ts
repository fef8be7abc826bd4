import { atLeast } from '../authz/authorization.js';
import type { Caller } from '../authz/caller.js';
import type { Db, Sql } from '../common/db.js';
import { isUniqueViolation } from '../common/db.js';
import {
  BadUserInputError,
  ConflictError,
  RateLimitedError,
  UnauthenticatedError,
} from '../common/errors.js';
import { optionalText } from '../common/validate.js';
import type { Role } from '../db/index.js';
import type { User } from '../graphql/types.js';
import { isCommonPassword } from './common-passwords.js';
import { type AuthLimits, type Bucket, DEFAULT_AUTH_LIMITS, LoginRateLimiter } from './rate-limit.js';
import {
  dummyPasswordHash,
  hashPassword,
  hashSecret,
  newSecret,
  secretKind,
  verifyPassword,
} from './secrets.js';
import { toUser, USER_COLUMNS, type UserRow } from './user-row.js';

export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

export interface Session {
  token: string;
  user: User;
  expiresAt: Date;
}

/** Accounts, sessions and bearer-secret authentication. */
export class AuthService {
  private readonly limiter: LoginRateLimiter;
  private readonly limits: AuthLimits;
  /** Token id -> last time last_used_at was written, so a busy worker costs one write a minute. */
  private readonly touched = new Map<string, number>();
  /**
   * Secret hash -> caller, for a few seconds: a worker's ask/tell/report loop would otherwise pay
   * one lookup per request. Revocation and log-out clear it here at once and, through the pubsub,
   * in every other API process (the TTL bounds staleness should a notification be lost).
   */
  private readonly cache = new Map<string, { caller: Caller; until: number }>();

  constructor(
    private readonly db: Db,
    private readonly announceChange: (revoked: readonly string[]) => void = () => undefined,
    private readonly cacheMs = 5000,
    limits: Partial<AuthLimits> = {},
  ) {
    this.limits = { ...DEFAULT_AUTH_LIMITS, ...limits };
    this.limiter = new LoginRateLimiter(db, Math.max(...Object.values(this.limits).map((l) => l.windowMs)));
  }

  /** Forget every cached credential (called when any credential changes anywhere). */
  invalidate(): void {
    this.cache.clear();
  }

  /**
   * After revoking a token or ending a session: drop caches here and in every other process, and
   * close the WebSockets that authenticated with `revoked` (secret hashes) wherever they are open.
   */
  credentialsChanged(revoked: readonly string[] = []): void {
    this.invalidate();
    this.announceChange(revoked);
  }

  /** `clientAddress`: the end client's address (see client-address.ts), for the sign-up budget. */
  async signUp(
    emailInput: string,
    password: string,
    nameInput: string | null | undefined,
    clientAddress = 'unknown',
  ): Promise<Session> {
    const email = emailInput.trim();
    if (!EMAIL.test(email) || email.length > 320)
      throw new BadUserInputError('email', 'must be an email address');
    checkPassword(password);
    const name = optionalText('name', nameInput, 200);
    const wait = await this.limiter.take([
      { key: `signup:${clientAddress}`, limit: this.limits.signUpAddress },
    ]);
    if (wait > 0) throw new RateLimitedError(wait);
    const hash = await hashPassword(password);
    try {
      return await this.db.tx(async (sql) => {
        const user = await sql.one<UserRow>(
          `INSERT INTO users AS u (email, password_hash, name) VALUES ($1, $2, $3) RETURNING ${USER_COLUMNS}`,
          [email, hash, name],
        );
        if (user === null) throw new Error('insert returned nothing');
        return this.startSession(sql, user);
      });
    } catch (error) {
      // Without a verification mail, sign-up necessarily tells whether an email is free; the
      // sign-up budget per address bounds how fast that can be asked (docs/DEVELOPING.md).
      if (isUniqueViolation(error))
        throw new ConflictError('email: an account with this email already exists');
      throw error;
    }
  }

  /** The budgets one log-in attempt is counted against (see rate-limit.ts). */
  private loginBuckets(email: string, clientAddress: string): { account: Bucket; address: Bucket } {
    return {
      account: { key: `login:${clientAddress}:${email}`, limit: this.limits.accountAddress },
      address: { key: `login:${clientAddress}`, limit: this.limits.address },
    };
  }

  /**
   * `clientAddress` identifies the end client (see client-address.ts) for rate limiting. The
   * attempt is counted before the password is checked, so concurrent guesses cannot outrun the
   * budget; a success hands it back.
   */
  async logIn(emailInput: string, password: string, clientAddress: string): Promise<Session> {
    const email = emailInput.trim().toLowerCase();
    if (email.length > 320 || password.length > MAX_PASSWORD)
      throw new UnauthenticatedError('wrong email or password');
    const { account, address } = this.loginBuckets(email, clientAddress);
    const wait = await this.limiter.take([account, address]);
    if (wait > 0) throw new RateLimitedError(wait);
    const row = await this.db.one<UserRow & { password_hash: string }>(
      `SELECT ${USER_COLUMNS}, u.password_hash FROM users u WHERE lower(u.email) = $1`,
      [email],
    );
    const ok = await verifyPassword(row?.password_hash ?? (await dummyPasswordHash()), password);
    if (row === null || !ok) throw new UnauthenticatedError('wrong email or password');
    // The account's count from this address resets; the address's only gets this attempt back:
    // a client must not clear its own address's budget by logging into an account it controls
    // between guesses at others.
    await this.limiter.reset(account.key);
    await this.limiter.refund(address.key);
    const { password_hash: _hash, ...user } = row;
    return this.startSession(this.db, user);
  }

  async logOut(caller: Caller | null): Promise<boolean> {
    if (caller?.kind !== 'user') return false;
    const ended = await this.db.rows<{ token_hash: string }>(
      'DELETE FROM sessions WHERE id = $1 RETURNING token_hash',
      [caller.sessionId],
    );
    this.credentialsChanged(ended.map((row) => row.token_hash));
    return true;
  }

  /** Resolves a bearer secret (session or API token) to a caller; null when unknown, expired or revoked. */
  async authenticate(secret: string): Promise<Caller | null> {
    const kind = secretKind(secret);
    if (kind === null || secret.length > 200) return null;
    const hash = hashSecret(secret);
    const now = Date.now();
    const hit = this.cache.get(hash);
    if (hit && hit.until > now) {
      if (hit.caller.kind === 'token') this.touch(hit.caller.tokenId);
      return hit.caller;
    }
    const caller = await this.lookup(kind, hash);
    if (caller) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(hash, { caller: caller.caller, until: Math.min(now + this.cacheMs, caller.expiresAt) });
    }
    return caller?.caller ?? null;
  }

  /**
   * For a WebSocket, which outlives any cache: the caller, the secret's hash (to find the socket
   * again when the credential is revoked) and when a session expires. Always asks the database.
   */
  async authenticateLive(
    secret: string,
  ): Promise<{ caller: Caller; hash: string; expiresAt: number } | null> {
    const kind = secretKind(secret);
    if (kind === null || secret.length > 200) return null;
    const hash = hashSecret(secret);
    const found = await this.lookup(kind, hash);
    return found && { caller: found.caller, hash, expiresAt: found.expiresAt };
  }

  /**
   * Who an open WebSocket's credential authenticates as now (after a membership change: a token's
   * role follows its creator's), or null when it no longer authenticates. Always asks the database.
   */
  async reauthenticate(kind: Caller['kind'], hash: string): Promise<Caller | null> {
    return (await this.lookup(kind === 'user' ? 'session' : 'token', hash))?.caller ?? null;
  }

  /**
   * Which of these secret hashes still authenticate (an unexpired session, or an unrevoked token
   * whose creator is still in its team).
   */
  async stillValid(hashes: readonly string[]): Promise<Set<string>> {
    if (hashes.length === 0) return new Set();
    const rows = await this.db.rows<{ token_hash: string }>(
      `SELECT token_hash FROM sessions WHERE token_hash = ANY($1) AND expires_at > now()
       UNION ALL
       SELECT t.token_hash FROM api_tokens t
       WHERE t.token_hash = ANY($1) AND t.revoked_at IS NULL
         AND (t.created_by IS NULL
              OR EXISTS (SELECT 1 FROM memberships m WHERE m.team_id = t.team_id AND m.user_id = t.created_by))`,
      [hashes],
    );
    return new Set(rows.map((row) => row.token_hash));
  }

  private async lookup(
    kind: 'session' | 'token',
    hash: string,
  ): Promise<{ caller: Caller; expiresAt: number } | null> {
    if (kind === 'session') {
      const row = await this.db.one<{ id: string; user_id: string; expires_at: Date }>(
        'SELECT id, user_id, expires_at FROM sessions WHERE token_hash = $1 AND expires_at > now()',
        [hash],
      );
      return (
        row && {
          caller: { kind: 'user', userId: row.user_id, sessionId: row.id },
          expiresAt: row.expires_at.getTime(),
        }
      );
    }
    // A token never does more than its creator may do today (issue 12, items 6 and 7): its role is
    // capped at the creator's current membership, and a creator who left the team takes the
    // token's access along. Read here, on every lookup; the few-second cache above is cleared on
    // every replica when a membership changes (see server.ts). Tokens without a creator
    // (`posterior token create`, run by whoever holds the database) keep their own role.
    const row = await this.db.one<{
      id: string;
      team_id: string;
      role: Role;
      created_by: string | null;
      creator_role: Role | null;
    }>(
      `SELECT t.id, t.team_id, t.role, t.created_by, m.role AS creator_role
       FROM api_tokens t LEFT JOIN memberships m ON m.team_id = t.team_id AND m.user_id = t.created_by
       WHERE t.token_hash = $1 AND t.revoked_at IS NULL`,
      [hash],
    );
    if (row === null) return null;
    const role = effectiveTokenRole(row.role, row.created_by, row.creator_role);
    if (role === null) return null;
    this.touch(row.id);
    return {
      caller: {
        kind: 'token',
        tokenId: row.id,
        teamId: row.team_id,
        role,
        createdBy: row.created_by,
      },
      expiresAt: Number.POSITIVE_INFINITY,
    };
  }

  async me(caller: Caller | null): Promise<User | null> {
    const userId = caller?.kind === 'user' ? caller.userId : caller?.createdBy;
    if (!userId) return null;
    const row = await this.db.one<UserRow>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.id = $1`, [userId]);
    return row && toUser(row);
  }

  private async startSession(sql: Sql, user: UserRow): Promise<Session> {
    const token = newSecret('session');
    const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
    await sql.one('INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)', [
      hashSecret(token),
      user.id,
      expiresAt,
    ]);
    return { token, user: toUser(user), expiresAt };
  }

  private touch(tokenId: string): void {
    const now = Date.now();
    if (now - (this.touched.get(tokenId) ?? 0) < 60_000) return;
    this.touched.set(tokenId, now);
    this.db
      .rows('UPDATE api_tokens SET last_used_at = now() WHERE id = $1', [tokenId])
      .catch(() => undefined);
  }
}

/**
 * A token's role today: its own, capped at its creator's current role in the team; null when the
 * creator is no longer a member (the token then authenticates nothing).
 */
export function effectiveTokenRole(
  tokenRole: Role,
  createdBy: string | null,
  creatorRole: Role | null,
): Role | null {
  if (createdBy === null) return tokenRole;
  if (creatorRole === null) return null;
  return atLeast(creatorRole, tokenRole) ? tokenRole : creatorRole;
}

const MAX_PASSWORD = 256;

function checkPassword(password: string): void {
  if (password.length < 8) throw new BadUserInputError('password', 'must be at least 8 characters');
  if (password.length > MAX_PASSWORD)
    throw new BadUserInputError('password', `must be at most ${MAX_PASSWORD} characters`);
  if (isCommonPassword(password))
    throw new BadUserInputError('password', 'is one of the most common passwords; choose another');
}
