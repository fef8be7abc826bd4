import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { parseCookie } from 'cookie';
import { SESSION_COOKIE } from './context.js';

/**
 * The credential a request carries: `Authorization: Bearer <secret>` (or the bare secret) first,
 * then the dashboard's httpOnly session cookie. Over WebSocket the bearer comes from the
 * connection params instead of the header.
 */
export function credentialOf(authorization: unknown, cookieHeader: string | undefined): string | null {
  if (typeof authorization === 'string' && authorization.trim() !== '') {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    return m?.[1] ?? authorization.trim();
  }
  if (cookieHeader === undefined) return null;
  // cookie's parser keeps a value it cannot percent-decode as is; that is no session secret either
  // way, and the lookup simply finds nothing.
  return parseCookie(cookieHeader)[SESSION_COOKIE] ?? null;
}

export function credentialOfHeaders(headers: IncomingHttpHeaders): string | null {
  return credentialOf(headers.authorization, headers.cookie);
}

/** A request straight from this machine (no proxy in between that could be relaying anyone). */
export function isLoopbackPeer(req: IncomingMessage): boolean {
  const peer = req.socket.remoteAddress ?? '';
  const loopback = peer === '::1' || peer.startsWith('127.') || peer.startsWith('::ffff:127.');
  return loopback && req.headers['x-forwarded-for'] === undefined && req.headers.forwarded === undefined;
}

/** Whether `Authorization: Bearer <token>` names `token`, compared in constant time. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(header?.trim() ?? '');
  const given = createHash('sha256')
    .update(m?.[1] ?? '')
    .digest();
  return timingSafeEqual(given, createHash('sha256').update(token).digest());
}
