import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Caller } from '../authz/caller.js';
import { createLogger } from '../common/logger.js';
import { Role } from '../db/index.js';
import { CLOSE_TRY_AGAIN, LiveConnections } from './live-connections.js';

const user = (userId: string): Caller => ({ kind: 'user', userId, sessionId: `s-${userId}` });
const token: Caller = { kind: 'token', tokenId: 't', teamId: 'team', role: Role.VIEWER, createdBy: null };

function registry(
  options: { valid?: Set<string> | (() => never); readable?: (studyId: string) => boolean } = {},
) {
  const closed: Array<{ socket: string; code: number; reason: string }> = [];
  const live = new LiveConnections({
    stillValid: async () =>
      typeof options.valid === 'function' ? options.valid() : (options.valid ?? new Set()),
    canRead: async (_caller, studyId) => options.readable?.(studyId) ?? true,
    logger: createLogger('silent'),
    recheckMs: 0,
  });
  const sockets = new Map<string, object>();
  const add = (name: string, caller: Caller, hash: string, expiresAt = Number.POSITIVE_INFINITY) => {
    const socket = {};
    sockets.set(name, socket);
    live.add(socket, { caller, hash, expiresAt }, (code, reason) =>
      closed.push({ socket: name, code, reason }),
    );
    return socket;
  };
  return { live, closed, add, sockets };
}

test('revoke closes exactly the sockets that used those credentials, once', () => {
  const { live, closed, add } = registry();
  add('a1', user('u1'), 'h1');
  add('a2', user('u1'), 'h1');
  add('b', token, 'h2');
  assert.equal(live.revoke(['h1', 'unknown']), 2);
  assert.deepEqual(
    closed.map((c) => [c.socket, c.code]),
    [
      ['a1', 4401],
      ['a2', 4401],
    ],
  );
  assert.equal(live.revoke(['h1']), 0, 'already gone');
  assert.equal(live.size, 1);
  live.close();
});

test('membership changes close only sockets of that user that stream a study they lost', async () => {
  const { live, closed, add } = registry({ readable: (studyId) => studyId !== 'lost' });
  const keeps = add('keeps', user('u1'), 'h1');
  const loses = add('loses', user('u1'), 'h2');
  const other = add('other', user('u2'), 'h3');
  live.scope(keeps).watch('kept');
  const release = live.scope(loses).watch('lost');
  live.scope(other).watch('lost');
  await live.membershipChanged('u1');
  assert.deepEqual(closed, [{ socket: 'loses', code: 4403, reason: 'no longer allowed to read study lost' }]);

  // A stream that ended no longer counts: its socket stays open.
  const again = add('again', user('u2'), 'h4');
  live.scope(again).watch('lost')();
  release(); // releasing twice, or after the socket closed, is harmless
  release();
  await live.membershipChanged('u2');
  assert.deepEqual(
    closed.map((c) => c.socket),
    ['loses', 'other'],
  );
  live.close();
});

test('a session is closed when it expires, and the periodic re-check closes lapsed credentials', async () => {
  const { live, closed, add } = registry({ valid: new Set(['alive']) });
  add('soon', user('u1'), 'h-soon', Date.now() + 50);
  add('past', user('u1'), 'h-past', Date.now() - 1);
  add('alive', user('u2'), 'alive');
  add('gone', user('u3'), 'gone');
  assert.deepEqual(closed, [{ socket: 'past', code: 4401, reason: 'session expired' }]);
  await new Promise((resolve) => setTimeout(resolve, 120));
  assert.deepEqual(
    closed.map((c) => c.socket),
    ['past', 'soon'],
  );
  await live.recheck();
  assert.deepEqual(
    closed.map((c) => c.socket),
    ['past', 'soon', 'gone'],
  );
  assert.equal(live.size, 1);
  live.close();
});

test('a failed lookup is no verdict: no socket is closed as unauthorized or forbidden', async () => {
  const down = () => {
    throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
  };
  // The periodic re-check cannot reach the database: every socket stays open.
  const recheck = registry({ valid: down });
  recheck.add('a', user('u1'), 'h1');
  recheck.add('b', token, 'h2');
  await recheck.live.recheck();
  assert.deepEqual(recheck.closed, []);
  assert.equal(recheck.live.size, 2);
  recheck.live.close();

  // A membership change whose access check fails: the socket is asked to reconnect (1013, which
  // clients retry; its subscribe-time check then decides), never closed with 4403.
  const member = registry({ readable: down });
  const s = member.add('s', user('u1'), 'h1');
  member.live.scope(s).watch('study');
  await member.live.membershipChanged('u1');
  assert.deepEqual(
    member.closed.map((c) => c.code),
    [CLOSE_TRY_AGAIN],
  );
  assert.equal(CLOSE_TRY_AGAIN, 1013);
  member.live.close();
});
