import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { ApiServer } from '../server/server.js';
import {
  ASK,
  gqlAt,
  type Harness,
  joinTeam,
  newStudy,
  newTeam,
  newUser,
  startHarness,
  TELL,
} from '../test-support/harness.js';
import { streaming } from '../test-support/ws.js';

const EVENTS = 'subscription($s: ID!) { trialEvents(studyId: $s) { type trial { id } } }';

interface Watched {
  events: string[];
  errors: unknown[];
  /** Resolves with the close code once the server closes the socket. */
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves once the server acknowledged the connection. */
  connected: Promise<void>;
  client: Client;
}

/** One subscriber to a study's trial events, recording what it gets and how its socket closes. */
function watch(url: string, secret: string, studyId: string): Watched {
  let onClosed: (value: { code: number; reason: string }) => void = () => undefined;
  let onConnected: () => void = () => undefined;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    onClosed = resolve;
  });
  const connected = new Promise<void>((resolve) => {
    onConnected = resolve;
  });
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${secret}` },
    retryAttempts: 0,
    lazy: true,
    on: {
      connected: () => onConnected(),
      closed: (event) => {
        const e = event as { code: number; reason: string };
        onClosed({ code: e.code, reason: String(e.reason) });
      },
    },
  });
  const events: string[] = [];
  const errors: unknown[] = [];
  client.subscribe<{ trialEvents: { type: string } }>(
    { query: EVENTS, variables: { s: studyId } },
    {
      next: (value) => {
        if (value.errors) errors.push(...value.errors);
        if (value.data) events.push(value.data.trialEvents.type);
      },
      error: (error) => errors.push(error),
      complete: () => undefined,
    },
  );
  return { events, errors, closed, connected, client };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    sleep(ms).then(() => {
      throw new Error(`${what}: not within ${ms} ms`);
    }),
  ]);
}

describe('live subscriptions end when their credential or access does (across API processes)', () => {
  let a: Harness;
  let b: ApiServer;
  let owner: { token: string; id: string; email: string };
  let teamId: string;
  let studyId: string;

  /** Causes two trial events (CLAIMED, COMPLETE) through server A. */
  async function bump(): Promise<void> {
    const asked = await a.gql<{ askTrials: Array<{ id: string }> }>(ASK, { s: studyId, n: 1 }, owner.token);
    const id = asked.data?.askTrials[0]?.id;
    assert.ok(id, JSON.stringify(asked.errors));
    await a.gql(TELL, { t: id, st: 'COMPLETE', v: 1 }, owner.token);
  }

  /** Proves the subscriber is live: it sees events caused on the other process. */
  async function assertStreaming(w: Watched, streams = 1): Promise<void> {
    await w.connected;
    // The subscription is set up just after the connection ack: wait until B streams it.
    await streaming(b, studyId, streams);
    const before = w.events.length;
    await bump();
    for (let waited = 0; w.events.length < before + 2 && waited < 3000; waited += 25) await sleep(25);
    assert.equal(w.events.length, before + 2, `live before the change: ${JSON.stringify(w.errors)}`);
  }

  /** After the close: new events reach nobody on that socket. */
  async function assertSilent(w: Watched): Promise<void> {
    const before = w.events.length;
    await bump();
    await sleep(400);
    assert.equal(w.events.length, before, 'no events after the socket closed');
  }

  before(async () => {
    a = await startHarness();
    // A short re-check interval on B only: the test of the backstop below relies on it.
    b = await a.peer({ liveRecheckMs: 300 });
    owner = await newUser(a, 'owner');
    teamId = await newTeam(a, owner.token);
    studyId = await newStudy(a, owner.token, teamId, { maxTrials: 200, parallelism: 10 });
  });
  after(async () => {
    await a.close();
  });

  test('an API token revoked through server A closes its socket on server B (4401)', async () => {
    const created = await a.gql<{ createApiToken: { id: string; token: string } }>(
      'mutation($t: ID!) { createApiToken(teamId: $t, name: "viewer", role: VIEWER) { id token } }',
      { t: teamId },
      owner.token,
    );
    const token = created.data?.createApiToken;
    assert.ok(token);
    const w = watch(b.wsUrl, token.token, studyId);
    await assertStreaming(w);
    const started = Date.now();
    const revoked = await a.gql(
      'mutation($id: ID!) { revokeApiToken(id: $id) }',
      { id: token.id },
      owner.token,
    );
    assert.equal(revoked.errors, undefined);
    const close = await within(w.closed, 2000, 'socket closed after revocation');
    assert.equal(close.code, 4401);
    assert.match(close.reason, /revoked/);
    assert.ok(Date.now() - started < 2000);
    await assertSilent(w);
    await w.client.dispose();
  });

  test('HTTP: a token revoked through server A stops working on B at once, despite B caching it', async () => {
    const created = await a.gql<{ createApiToken: { id: string; token: string } }>(
      'mutation($t: ID!) { createApiToken(teamId: $t, name: "cached", role: VIEWER) { id token } }',
      { t: teamId },
      owner.token,
    );
    const token = created.data?.createApiToken;
    assert.ok(token);
    const read = (url: string) =>
      gqlAt<{ study: { id: string } | null }>(
        url,
        'query($s: ID!) { study(id: $s) { id } }',
        { s: studyId },
        token.token,
      );
    // Both servers now hold the token in their few-seconds cache.
    for (const url of [a.server.url, b.url]) assert.equal((await read(url)).data?.study?.id, studyId);
    const revoked = await a.gql(
      'mutation($id: ID!) { revokeApiToken(id: $id) }',
      { id: token.id },
      owner.token,
    );
    assert.equal(revoked.errors, undefined);
    // Server A dropped it before answering the revocation.
    assert.equal((await read(a.server.url)).errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    // Server B hears it through NOTIFY: well within the cache lifetime (5 s), not by expiry.
    const started = Date.now();
    let code: string | undefined;
    while (Date.now() - started < 1500) {
      code = (await read(b.url)).errors?.[0]?.extensions?.code;
      if (code === 'UNAUTHENTICATED') break;
      await sleep(10);
    }
    assert.equal(code, 'UNAUTHENTICATED');
  });

  test('a session logged out through server A closes its socket on server B (4401)', async () => {
    const login = await a.gql<{ logIn: { token: string } }>(
      'mutation($e: String!) { logIn(email: $e, password: "correct horse battery") { token } }',
      { e: owner.email },
    );
    const session = login.data?.logIn.token;
    assert.ok(session);
    const w = watch(b.wsUrl, session, studyId);
    const other = watch(b.wsUrl, owner.token, studyId);
    await assertStreaming(w, 2);
    const out = await a.gql<{ logOut: boolean }>('mutation { logOut }', {}, session);
    assert.equal(out.data?.logOut, true);
    const close = await within(w.closed, 2000, 'socket closed after log-out');
    assert.equal(close.code, 4401);
    await assertSilent(w);
    // The same user's other session is untouched.
    await assertStreaming(other);
    await Promise.all([w.client.dispose(), other.client.dispose()]);
  });

  test('a session that expires while connected is closed at expiry', async () => {
    const user = await newUser(a, 'expiring');
    await joinTeam(a, owner.token, teamId, user, 'VIEWER');
    await a.db.dataSource.query(
      "UPDATE sessions SET expires_at = now() + interval '1500 milliseconds' WHERE user_id = $1",
      [user.id],
    );
    const w = watch(a.server.wsUrl, user.token, studyId);
    await w.connected;
    const close = await within(w.closed, 3000, 'socket closed at session expiry');
    assert.equal(close.code, 4401);
    assert.match(close.reason, /expired/);
    await assertSilent(w);
    await w.client.dispose();
  });

  test('a session deleted outside the API is caught by the periodic re-check', async () => {
    const user = await newUser(a, 'deleted');
    await joinTeam(a, owner.token, teamId, user, 'VIEWER');
    const w = watch(b.wsUrl, user.token, studyId);
    await assertStreaming(w);
    // No notification: only B's re-check (every 300 ms here) can notice.
    await a.db.dataSource.query('DELETE FROM sessions WHERE user_id = $1', [user.id]);
    const close = await within(w.closed, 2000, 'socket closed by the re-check');
    assert.equal(close.code, 4401);
    await w.client.dispose();
  });

  test('a member removed from the team through server A stops streaming on server B (4403)', async () => {
    const user = await newUser(a, 'member');
    const add =
      'mutation($t: ID!, $e: String!, $r: Role!) { addMember(teamId: $t, email: $e, role: $r) { id } }';
    await joinTeam(a, owner.token, teamId, user, 'MEMBER');
    const w = watch(b.wsUrl, user.token, studyId);
    await assertStreaming(w);
    // A role change that still allows reading keeps the subscription.
    assert.equal(
      (await a.gql(add, { t: teamId, e: user.email, r: 'VIEWER' }, owner.token)).errors,
      undefined,
    );
    await assertStreaming(w);
    const removed = await a.gql(
      'mutation($t: ID!, $u: ID!) { removeMember(teamId: $t, userId: $u) }',
      { t: teamId, u: user.id },
      owner.token,
    );
    assert.equal(removed.errors, undefined);
    const close = await within(w.closed, 2000, 'socket closed after removal');
    assert.equal(close.code, 4403);
    assert.match(close.reason, new RegExp(studyId));
    await assertSilent(w);
    // Reconnecting does not help: the study is now invisible to them.
    const again = await a.gql<{ study: unknown }>(
      'query($s: ID!) { study(id: $s) { id } }',
      { s: studyId },
      user.token,
    );
    assert.equal(again.data?.study ?? null, null);
    await w.client.dispose();
  });

  test('removeMember: admins only, owners for owners, never the last owner', async () => {
    const admin = await newUser(a, 'admin');
    const other = await newUser(a, 'other');
    const team = await newTeam(a, owner.token);
    const remove = 'mutation($t: ID!, $u: ID!) { removeMember(teamId: $t, userId: $u) }';
    await joinTeam(a, owner.token, team, admin, 'ADMIN');
    await joinTeam(a, owner.token, team, other, 'MEMBER');
    const code = async (token: string, userId: string) =>
      (await a.gql(remove, { t: team, u: userId }, token)).errors?.[0]?.extensions?.code ?? 'OK';
    assert.equal(await code(other.token, admin.id), 'FORBIDDEN');
    assert.equal(await code(admin.token, owner.id), 'FORBIDDEN');
    assert.equal(await code(owner.token, owner.id), 'FORBIDDEN', 'the last owner stays');
    assert.equal(await code(admin.token, other.id), 'OK');
    assert.equal(await code(admin.token, other.id), 'NOT_FOUND');
    assert.equal(await code(admin.token, admin.id), 'OK', 'anyone may leave');
  });
});
