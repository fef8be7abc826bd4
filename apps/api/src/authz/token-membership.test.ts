import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import {
  type Harness,
  joinTeam,
  newStudy,
  newTeam,
  newUser,
  SPACE,
  startHarness,
} from '../test-support/harness.js';

const SET_ROLE =
  'mutation($t: ID!, $u: ID!, $r: Role!) { setMemberRole(teamId: $t, userId: $u, role: $r) { id } }';
const REMOVE = 'mutation($t: ID!, $u: ID!) { removeMember(teamId: $t, userId: $u) }';
const TOKEN = 'mutation($t: ID!, $r: Role) { createApiToken(teamId: $t, name: "w", role: $r) { token } }';
const CREATE = 'mutation($i: CreateStudyInput!) { createStudy(input: $i) { id } }';
const EVENTS = 'subscription($s: ID!) { trialEvents(studyId: $s) { type } }';

function studyInput(teamId: string) {
  return { teamId, name: 'n', direction: 'MINIMIZE', objective: 'loss', searchSpace: SPACE, maxTrials: 3 };
}

describe("a token's power never exceeds its creator's current membership (issue 12, items 6 and 7)", () => {
  let h: Harness;
  let owner: string;
  let teamId: string;
  let studyId: string;

  before(async () => {
    // The cache would hide nothing here either (membership changes clear it); the default is kept.
    h = await startHarness({ liveRecheckMs: 0 });
    owner = (await newUser(h, 'owner')).token;
    teamId = await newTeam(h, owner);
    studyId = await newStudy(h, owner, teamId);
  });
  after(() => h.close());

  async function adminWithToken(): Promise<{ userId: string; email: string; token: string }> {
    const u = await newUser(h, 'admin');
    await joinTeam(h, owner, teamId, u, 'ADMIN');
    const r = await h.gql<{ createApiToken: { token: string } }>(TOKEN, { t: teamId, r: 'ADMIN' }, u.token);
    const token = r.data?.createApiToken.token;
    assert.ok(token, JSON.stringify(r));
    // Works before the change (and is now in the authentication cache).
    assert.equal((await h.gql(CREATE, { i: studyInput(teamId) }, token)).errors, undefined);
    return { userId: u.id, email: u.email, token };
  }

  test("a removed member's token stops working at once", async () => {
    const admin = await adminWithToken();
    assert.equal((await h.gql(REMOVE, { t: teamId, u: admin.userId }, owner)).errors, undefined);
    const write = await h.gql(CREATE, { i: studyInput(teamId) }, admin.token);
    assert.equal(write.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED', JSON.stringify(write));
    const read = await h.gql('query($s: ID!) { study(id: $s) { id } }', { s: studyId }, admin.token);
    assert.equal(read.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED', JSON.stringify(read));
  });

  test("a demoted member's ADMIN token is capped at the new role", async () => {
    const admin = await adminWithToken();
    assert.equal(
      (await h.gql(SET_ROLE, { t: teamId, u: admin.userId, r: 'VIEWER' }, owner)).errors,
      undefined,
    );
    const write = await h.gql(CREATE, { i: studyInput(teamId) }, admin.token);
    assert.equal(write.errors?.[0]?.extensions?.code, 'FORBIDDEN', JSON.stringify(write));
    const read = await h.gql<{ teams: Array<{ role: string }> }>('{ teams { role } }', {}, admin.token);
    assert.deepEqual(
      read.data?.teams.map((t) => t.role),
      ['VIEWER'],
    );
    // Promoted back: the token's own role is the ceiling again.
    assert.equal(
      (await h.gql(SET_ROLE, { t: teamId, u: admin.userId, r: 'OWNER' }, owner)).errors,
      undefined,
    );
    const again = await h.gql<{ teams: Array<{ role: string }> }>('{ teams { role } }', {}, admin.token);
    assert.deepEqual(
      again.data?.teams.map((t) => t.role),
      ['ADMIN'],
    );
  });

  test("an open WebSocket of a removed member's token is closed with 4401, on another replica too", async () => {
    const admin = await adminWithToken();
    const peer = await h.peer({ liveRecheckMs: 0 });
    const closed = new Promise<number>((resolve) => {
      const client = createClient({
        url: peer.wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${admin.token}` },
        retryAttempts: 0,
        lazy: true,
        on: { closed: (event) => resolve((event as { code: number }).code) },
      });
      client.subscribe(
        { query: EVENTS, variables: { s: studyId } },
        {
          next: () => undefined,
          error: () => undefined,
          complete: () => undefined,
        },
      );
    });
    // Wait until the peer has registered the socket before the change.
    for (let i = 0; i < 100 && peer.services.live.size === 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    assert.equal(peer.services.live.size, 1);
    assert.equal((await h.gql(REMOVE, { t: teamId, u: admin.userId }, owner)).errors, undefined);
    const code = await Promise.race([
      closed,
      new Promise<number>((_, reject) => setTimeout(() => reject(new Error('socket stayed open')), 5000)),
    ]);
    assert.equal(code, 4401);
  });

  test('the periodic re-check also drops a removed creator’s token', async () => {
    const admin = await adminWithToken();
    const { hashSecret } = await import('../auth/secrets.js');
    const hash = hashSecret(admin.token);
    assert.ok((await h.server.services.auth.stillValid([hash])).has(hash));
    assert.equal((await h.gql(REMOVE, { t: teamId, u: admin.userId }, owner)).errors, undefined);
    assert.equal((await h.server.services.auth.stillValid([hash])).has(hash), false);
  });
});
