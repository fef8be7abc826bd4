import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Harness, joinTeam, newTeam, newUser, startHarness } from '../test-support/harness.js';
import { hashSecret } from './secrets.js';

describe('accounts, sessions and tokens', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  test('sign up, log in, me, log out', async () => {
    const u = await newUser(h, 'Mixed.Case');
    const me = await h.gql<{ me: { id: string } }>('{ me { id email } }', {}, u.token);
    assert.equal(me.data?.me.id, u.id);
    const login = await h.gql<{ logIn: { token: string } }>(
      'mutation($e: String!) { logIn(email: $e, password: "correct horse battery") { token user { id } } }',
      { e: u.email.toUpperCase() },
    );
    const session = login.data?.logIn.token;
    assert.ok(session);
    assert.notEqual(session, u.token);
    const out = await h.gql<{ logOut: boolean }>('mutation { logOut }', {}, session);
    assert.equal(out.data?.logOut, true);
    assert.equal(
      (await h.gql('{ teams { id } }', {}, session)).errors?.[0]?.extensions?.code,
      'UNAUTHENTICATED',
    );
    assert.equal((await h.gql('{ teams { id } }', {}, u.token)).errors, undefined);
    const dup = await h.gql(
      'mutation($e: String!) { signUp(email: $e, password: "another password") { token } }',
      { e: u.email },
    );
    assert.equal(dup.errors?.[0]?.extensions?.code, 'CONFLICT');
  });

  test('passwords are argon2id hashes and secrets are stored only as sha256', async () => {
    const u = await newUser(h);
    const [user] = await h.db.dataSource.query('SELECT password_hash FROM users WHERE id = $1', [u.id]);
    assert.match(user.password_hash, /^\$argon2id\$/);
    const sessions = await h.db.dataSource.query(
      'SELECT token_hash, expires_at FROM sessions WHERE user_id = $1',
      [u.id],
    );
    assert.deepEqual(
      sessions.map((s: { token_hash: string }) => s.token_hash),
      [hashSecret(u.token)],
    );
    assert.ok(new Date(sessions[0].expires_at).getTime() > Date.now());
  });

  test('expired sessions no longer authenticate', async () => {
    const u = await newUser(h);
    await h.db.dataSource.query(
      "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1",
      [u.id],
    );
    assert.equal(
      (await h.gql('{ teams { id } }', {}, u.token)).errors?.[0]?.extensions?.code,
      'UNAUTHENTICATED',
    );
  });

  test('an API token is shown once, listed without its secret, and revocable', async () => {
    const u = await newUser(h);
    const team = await newTeam(h, u.token);
    const created = await h.gql<{ createApiToken: { id: string; token: string } }>(
      'mutation($t: ID!) { createApiToken(teamId: $t, name: "worker", role: MEMBER) { id token apiToken { role } } }',
      { t: team },
      u.token,
    );
    const secret = created.data?.createApiToken.token ?? '';
    assert.ok(secret.startsWith('pst_'));
    const rows = await h.db.dataSource.query('SELECT token_hash FROM api_tokens WHERE team_id = $1', [team]);
    assert.deepEqual(rows, [{ token_hash: hashSecret(secret) }]);
    const listed = await h.gql<{
      teams: Array<{ apiTokens: Array<Record<string, unknown>>; members: unknown[] }>;
    }>('{ teams { members { role user { email } } apiTokens { id name role revokedAt } } }', {}, u.token);
    assert.equal(JSON.stringify(listed).includes(secret), false);
    assert.equal(listed.data?.teams[0]?.apiTokens.length, 1);
    const asToken = await h.gql<{ teams: Array<{ id: string; role: string }> }>(
      '{ teams { id role } }',
      {},
      secret,
    );
    assert.deepEqual(asToken.data?.teams, [{ id: team, role: 'MEMBER' }]);
    await h.gql(
      'mutation($id: ID!) { revokeApiToken(id: $id) }',
      { id: created.data?.createApiToken.id },
      u.token,
    );
    assert.equal(
      (await h.gql('{ teams { id } }', {}, secret)).errors?.[0]?.extensions?.code,
      'UNAUTHENTICATED',
    );
  });

  test('the dashboard can use an httpOnly session cookie', async () => {
    const u = await newUser(h);
    const res = await fetch(h.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query:
          'mutation($e: String!) { logIn(email: $e, password: "correct horse battery", cookie: true) { user { id } } }',
        variables: { e: u.email },
      }),
    });
    const cookie = res.headers.get('set-cookie') ?? '';
    assert.match(cookie, /posterior_session=pss_/);
    assert.match(cookie, /HttpOnly/i);
    const me = await fetch(h.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: cookie.split(';')[0] ?? '' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    assert.deepEqual(await me.json(), { data: { me: { id: u.id } } });
  });

  test('roles: admins invite members, only owners grant OWNER', async () => {
    const owner = await newUser(h, 'owner');
    const admin = await newUser(h, 'admin');
    const other = await newUser(h, 'other');
    const team = await newTeam(h, owner.token);
    await joinTeam(h, owner.token, team, admin, 'ADMIN');
    await joinTeam(h, admin.token, team, other, 'MEMBER');
    const add =
      'mutation($t: ID!, $e: String!, $r: Role!) { addMember(teamId: $t, email: $e, role: $r) { role user { id } } }';
    const escalate = await h.gql(add, { t: team, e: other.email, r: 'OWNER' }, admin.token);
    assert.equal(escalate.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const demoteOwner = await h.gql(add, { t: team, e: owner.email, r: 'MEMBER' }, admin.token);
    assert.equal(demoteOwner.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const lastOwner = await h.gql(add, { t: team, e: owner.email, r: 'ADMIN' }, owner.token);
    assert.equal(lastOwner.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const demote = await h.gql<{ addMember: { role: string } }>(
      add,
      { t: team, e: other.email, r: 'VIEWER' },
      admin.token,
    );
    assert.equal(demote.data?.addMember.role, 'VIEWER', 'addMember still changes a member role');
  });
});
