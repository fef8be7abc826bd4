import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import argon2 from 'argon2';

/**
 * Bearer secrets carry a prefix naming their kind so one lookup goes to the right table, and 32
 * random bytes. Only the sha256 of a secret is stored: a leaked database does not leak live
 * credentials, and sha256 (not argon2) is enough because the secret has 256 bits of entropy.
 */
export type SecretKind = 'session' | 'token';

const PREFIX: Record<SecretKind, string> = { session: 'pss_', token: 'pst_' };

export function newSecret(kind: SecretKind): string {
  return PREFIX[kind] + randomBytes(32).toString('base64url');
}

export function secretKind(secret: string): SecretKind | null {
  if (secret.startsWith(PREFIX.session)) return 'session';
  if (secret.startsWith(PREFIX.token)) return 'token';
  return null;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

// OWASP's argon2id baseline (19 MiB, 2 passes); about 30 ms here, which keeps log-in cheap for
// users and expensive for guessing.
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/**
 * A valid hash to verify against when the email is unknown, so a failed log-in takes the same time
 * whether or not the account exists.
 */
let dummyHash: Promise<string> | null = null;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return dummyHash;
}
