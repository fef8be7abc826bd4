import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type GqlResult,
  type Harness,
  joinTeam,
  newStudy,
  newTeam,
  newUser,
  startHarness,
} from '../test-support/harness.js';

const INVITE =
  'mutation($t: ID!, $e: String!, $r: Role!) { inviteMember(teamId: $t, email: $e, role: $r) { id teamId teamName email role state invitedBy { id email } expiresAt respondedAt } }';
const ACCEPT = 'mutation($id: ID!) { acceptInvitation(id: $id) { id teamId role user { id } } }';
const DECLINE = 'mutation($id: ID!) { declineInvitation(id: $id) }';
const REVOKE = 'mutation($id: ID!) { revokeInvitation(id: $id) }';
const MINE = '{ myInvitations { id teamId teamName email role state invitedBy { email } } }';
const TEAM_INVITATIONS = 'query($t: ID!) { team(id: $t) { invitations { id email role state } } }';
const TEAM = 'query($t: ID!) { team(id: $t) { id role } }';
const ADD =
  'mutation($t: ID!, $e: String!, $r: Role!) { addMember(teamId: $t, email: $e, role: $r) { role user { id } } }';

interface InvitationOut {
  id: string;
  teamId: string;
  teamName: string;
  email: string;
  role: string;
  state: string;
  invitedBy: { id: string; email: string } | null;
}

type User = Awaited<ReturnType<typeof newUser>>;

const code = (r: GqlResult): string => r.errors?.[0]?.extensions?.code ?? 'OK';

describe('team invitations', () => {
  let h: Harness;
  let owner: User;
  let teamId: string;

  before(async () => {
    h = await startHarness();
    owner = await newUser(h, 'owner');
    teamId = await newTeam(h, owner.token);
  });
  after(() => h.close());

  async function invite(
    email: string,
    role = 'MEMBER',
    as = owner.token,
    team = teamId,
  ): Promise<InvitationOut> {
    const r = await h.gql<{ inviteMember: InvitationOut }>(INVITE, { t: team, e: email, r: role }, as);
    assert.ok(r.data?.inviteMember, JSON.stringify(r.errors));
    return r.data.inviteMember;
  }

  async function roleIn(token: string, team = teamId): Promise<string | null> {
    const r = await h.gql<{ team: { role: string } | null }>(TEAM, { t: team }, token);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    return r.data?.team?.role ?? null;
  }

  test('addMember no longer adds anyone: a non-member email is BAD_USER_INPUT, registered or not', async () => {
    const victim = await newUser(h, 'victim');
    const registered = await h.gql(ADD, { t: teamId, e: victim.email, r: 'VIEWER' }, owner.token);
    const unregistered = await h.gql(
      ADD,
      { t: teamId, e: 'nobody-here@example.com', r: 'VIEWER' },
      owner.token,
    );
    assert.equal(code(registered), 'BAD_USER_INPUT');
    assert.equal(registered.errors?.[0]?.extensions?.field, 'email');
    // The same answer either way: it does not tell whether the email has an account.
    assert.deepEqual(
      registered.errors?.map((e) => [e.message, e.extensions]),
      unregistered.errors?.map((e) => [e.message, e.extensions]),
    );
    assert.equal(await roleIn(victim.token), null, 'the victim was not added to the team');
    const mine = await h.gql<{ myInvitations: InvitationOut[] }>(MINE, {}, victim.token);
    assert.deepEqual(mine.data?.myInvitations, [], 'nor invited');
  });

  test('invite, see it on both sides, accept: the invitee joins only then, with the role', async () => {
    const bob = await newUser(h, 'bob');
    const carol = await newUser(h, 'carol');
    const studyId = await newStudy(h, owner.token, teamId);
    const inv = await invite(bob.email.toUpperCase(), 'MEMBER');
    assert.equal(inv.state, 'PENDING');
    assert.equal(inv.email, bob.email, 'stored in lower case');
    assert.equal(inv.teamName, 'team');
    assert.equal(inv.invitedBy?.id, owner.id);

    assert.equal(await roleIn(bob.token), null, 'not a member before accepting');
    const hidden = await h.gql<{ study: unknown }>(
      'query($s: ID!) { study(id: $s) { id } }',
      { s: studyId },
      bob.token,
    );
    assert.equal(hidden.data?.study ?? null, null);

    const listed = await h.gql<{ team: { invitations: InvitationOut[] } }>(
      TEAM_INVITATIONS,
      { t: teamId },
      owner.token,
    );
    assert.deepEqual(
      listed.data?.team.invitations.map((i) => [i.id, i.email, i.role, i.state]),
      [[inv.id, bob.email, 'MEMBER', 'PENDING']],
    );
    const bobs = await h.gql<{ myInvitations: InvitationOut[] }>(MINE, {}, bob.token);
    assert.deepEqual(
      bobs.data?.myInvitations.map((i) => [i.id, i.teamId, i.teamName, i.invitedBy?.email]),
      [[inv.id, teamId, 'team', owner.email]],
    );
    const carols = await h.gql<{ myInvitations: InvitationOut[] }>(MINE, {}, carol.token);
    assert.deepEqual(carols.data?.myInvitations, []);

    // Someone else's invitation does not exist for them.
    assert.equal(code(await h.gql(ACCEPT, { id: inv.id }, carol.token)), 'NOT_FOUND');
    assert.equal(code(await h.gql(DECLINE, { id: inv.id }, carol.token)), 'NOT_FOUND');
    assert.equal(code(await h.gql(ACCEPT, { id: 'not-a-uuid' }, bob.token)), 'NOT_FOUND');
    assert.equal(await roleIn(carol.token), null);

    const accepted = await h.gql<{
      acceptInvitation: { teamId: string; role: string; user: { id: string } };
    }>(ACCEPT, { id: inv.id }, bob.token);
    assert.deepEqual(
      accepted.data?.acceptInvitation && { ...accepted.data.acceptInvitation, id: undefined },
      {
        id: undefined,
        teamId,
        role: 'MEMBER',
        user: { id: bob.id },
      },
    );
    assert.equal(await roleIn(bob.token), 'MEMBER');
    const visible = await h.gql<{ study: { id: string } }>(
      'query($s: ID!) { study(id: $s) { id } }',
      { s: studyId },
      bob.token,
    );
    assert.equal(visible.data?.study.id, studyId);

    assert.equal(code(await h.gql(ACCEPT, { id: inv.id }, bob.token)), 'CONFLICT', 'answered once');
    const after = await h.gql<{ team: { invitations: InvitationOut[] } }>(
      TEAM_INVITATIONS,
      { t: teamId },
      owner.token,
    );
    assert.deepEqual(after.data?.team.invitations, []);
    // Inviting a member is a conflict (admins see the member list anyway).
    assert.equal(
      code(await h.gql(INVITE, { t: teamId, e: bob.email, r: 'VIEWER' }, owner.token)),
      'CONFLICT',
    );
  });

  test('decline: the invitee stays out and the invitation cannot be accepted later', async () => {
    const dan = await newUser(h, 'dan');
    const inv = await invite(dan.email, 'VIEWER');
    assert.deepEqual((await h.gql(DECLINE, { id: inv.id }, dan.token)).data, { declineInvitation: true });
    assert.equal(code(await h.gql(ACCEPT, { id: inv.id }, dan.token)), 'CONFLICT');
    assert.equal(await roleIn(dan.token), null);
    const mine = await h.gql<{ myInvitations: InvitationOut[] }>(MINE, {}, dan.token);
    assert.deepEqual(mine.data?.myInvitations, []);
  });

  test('role checks: ADMIN or higher invites and revokes, up to their own role; tokens cannot', async () => {
    const admin = await newUser(h, 'admin');
    const member = await newUser(h, 'member');
    const viewer = await newUser(h, 'viewer');
    const outsider = await newUser(h, 'outsider');
    await joinTeam(h, owner.token, teamId, admin, 'ADMIN');
    await joinTeam(h, owner.token, teamId, member, 'MEMBER');
    await joinTeam(h, owner.token, teamId, viewer, 'VIEWER');
    const tokenR = await h.gql<{ createApiToken: { token: string } }>(
      'mutation($t: ID!) { createApiToken(teamId: $t, name: "w", role: ADMIN) { token } }',
      { t: teamId },
      owner.token,
    );
    const adminToken = tokenR.data?.createApiToken.token;
    assert.ok(adminToken);
    const target = 'target@example.com';
    const tryInvite = async (token: string, role = 'VIEWER') =>
      code(await h.gql(INVITE, { t: teamId, e: target, r: role }, token));
    assert.equal(await tryInvite(member.token), 'FORBIDDEN');
    assert.equal(await tryInvite(viewer.token), 'FORBIDDEN');
    assert.equal(await tryInvite(outsider.token), 'NOT_FOUND');
    assert.equal(await tryInvite(adminToken), 'FORBIDDEN', 'account operations need a person');
    assert.equal(await tryInvite(admin.token, 'OWNER'), 'FORBIDDEN', 'an admin cannot invite an owner');
    assert.equal(await tryInvite(admin.token, 'ADMIN'), 'OK');

    const ownerInv = await invite('future-owner@example.com', 'OWNER');
    const pending = await invite('pending@example.com', 'VIEWER', admin.token);
    assert.equal(code(await h.gql(REVOKE, { id: pending.id }, member.token)), 'FORBIDDEN');
    assert.equal(code(await h.gql(REVOKE, { id: pending.id }, outsider.token)), 'NOT_FOUND');
    assert.equal(code(await h.gql(REVOKE, { id: pending.id }, adminToken)), 'FORBIDDEN');
    assert.equal(
      code(await h.gql(REVOKE, { id: ownerInv.id }, admin.token)),
      'FORBIDDEN',
      "an owner's invitation",
    );
    assert.deepEqual((await h.gql(REVOKE, { id: pending.id }, admin.token)).data, { revokeInvitation: true });
    assert.equal(code(await h.gql(REVOKE, { id: pending.id }, admin.token)), 'CONFLICT');
    // The invitee signs up later: a revoked invitation is not theirs to accept.
    const late = await h.gql<{ signUp: { token: string } }>(
      'mutation { signUp(email: "pending@example.com", password: "correct horse battery") { token } }',
    );
    const lateToken = late.data?.signUp.token;
    assert.ok(lateToken);
    assert.equal(code(await h.gql(ACCEPT, { id: pending.id }, lateToken)), 'CONFLICT');
    assert.equal(code(await h.gql(TEAM_INVITATIONS, { t: teamId }, member.token)), 'FORBIDDEN');
  });

  test('an unregistered email is invited like a registered one; the person accepts after signing up', async () => {
    const registered = await newUser(h, 'registered');
    const a = await invite(registered.email, 'VIEWER');
    const b = await invite('signs-up-later@example.com', 'VIEWER');
    assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort());
    assert.deepEqual([a.state, a.role, a.teamName], [b.state, b.role, b.teamName]);
    const signUp = await h.gql<{ signUp: { token: string; user: { id: string } } }>(
      'mutation { signUp(email: "Signs-Up-Later@example.com", password: "correct horse battery") { token user { id } } }',
    );
    const token = signUp.data?.signUp.token;
    assert.ok(token);
    const mine = await h.gql<{ myInvitations: InvitationOut[] }>(MINE, {}, token);
    assert.deepEqual(
      mine.data?.myInvitations.map((i) => i.id),
      [b.id],
    );
    assert.equal(code(await h.gql(ACCEPT, { id: b.id }, token)), 'OK');
    assert.equal(await roleIn(token), 'VIEWER');
  });

  test('inviting a pending email again renews the same invitation with the new role', async () => {
    const erin = await newUser(h, 'erin');
    const first = await invite(erin.email, 'VIEWER');
    const second = await invite(erin.email, 'MEMBER');
    assert.equal(second.id, first.id);
    assert.equal(second.role, 'MEMBER');
    assert.equal(code(await h.gql(ACCEPT, { id: first.id }, erin.token)), 'OK');
    assert.equal(await roleIn(erin.token), 'MEMBER');
  });

  test('an invitation is worth no more than its sender: a demoted inviter’s invitation cannot be accepted', async () => {
    const admin = await newUser(h, 'admin2');
    const frank = await newUser(h, 'frank');
    await joinTeam(h, owner.token, teamId, admin, 'ADMIN');
    const inv = await invite(frank.email, 'ADMIN', admin.token);
    const demoted = await h.gql(
      'mutation($t: ID!, $u: ID!) { setMemberRole(teamId: $t, userId: $u, role: MEMBER) { role } }',
      { t: teamId, u: admin.id },
      owner.token,
    );
    assert.equal(code(demoted), 'OK');
    assert.equal(code(await h.gql(ACCEPT, { id: inv.id }, frank.token)), 'CONFLICT');
    assert.equal(await roleIn(frank.token), null);
    // ...and it is revoked for good (the refusal does not roll the revocation back)
    const rows: Array<{ state: string }> = await h.db.dataSource.query(
      'SELECT state FROM invitations WHERE id = $1',
      [inv.id],
    );
    assert.deepEqual(
      rows.map((r) => r.state),
      ['REVOKED'],
    );
    const mine = await h.gql<{ myInvitations: Array<{ id: string }> }>(MINE, {}, frank.token);
    assert.ok(!mine.data?.myInvitations.some((i) => i.id === inv.id));
  });

  test('an expired invitation reads EXPIRED and cannot be accepted', async () => {
    const gina = await newUser(h, 'gina');
    const inv = await invite(gina.email, 'VIEWER');
    await h.db.dataSource.query(
      "UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = $1",
      [inv.id],
    );
    const listed = await h.gql<{ team: { invitations: InvitationOut[] } }>(
      TEAM_INVITATIONS,
      { t: teamId },
      owner.token,
    );
    assert.equal(listed.data?.team.invitations.find((i) => i.id === inv.id)?.state, 'EXPIRED');
    const mine = await h.gql<{ myInvitations: InvitationOut[] }>(MINE, {}, gina.token);
    assert.deepEqual(mine.data?.myInvitations, []);
    assert.equal(code(await h.gql(ACCEPT, { id: inv.id }, gina.token)), 'CONFLICT');
    // A new invitation replaces the expired one.
    const again = await invite(gina.email, 'VIEWER');
    assert.notEqual(again.id, inv.id);
    assert.equal(code(await h.gql(ACCEPT, { id: again.id }, gina.token)), 'OK');
  });

  test('bad input is typed: not an email, no credentials', async () => {
    for (const e of ['not-an-email', ' ', 'a b@example.com', `${'x'.repeat(320)}@example.com`]) {
      const r = await h.gql(INVITE, { t: teamId, e, r: 'VIEWER' }, owner.token);
      assert.equal(code(r), 'BAD_USER_INPUT', e);
      assert.equal(r.errors?.[0]?.extensions?.field, 'email');
    }
    assert.equal(code(await h.gql(MINE, {}, null)), 'UNAUTHENTICATED');
    assert.equal(
      code(await h.gql(INVITE, { t: teamId, e: 'x@example.com', r: 'VIEWER' }, null)),
      'UNAUTHENTICATED',
    );
  });

  test('setMemberRole: admins change roles, never above their own, never the last owner', async () => {
    const team = await newTeam(h, owner.token);
    const admin = await newUser(h, 'admin3');
    const member = await newUser(h, 'member3');
    await joinTeam(h, owner.token, team, admin, 'ADMIN');
    await joinTeam(h, owner.token, team, member, 'MEMBER');
    const set = (as: string, u: string, role: string) =>
      h.gql(
        'mutation($t: ID!, $u: ID!, $r: Role!) { setMemberRole(teamId: $t, userId: $u, role: $r) { role } }',
        {
          t: team,
          u,
          r: role,
        },
        as,
      );
    assert.equal(code(await set(admin.token, member.id, 'VIEWER')), 'OK');
    assert.equal(code(await set(admin.token, member.id, 'OWNER')), 'FORBIDDEN');
    assert.equal(code(await set(admin.token, owner.id, 'MEMBER')), 'FORBIDDEN');
    assert.equal(code(await set(owner.token, owner.id, 'ADMIN')), 'FORBIDDEN', 'the last owner');
    assert.equal(code(await set(member.token, admin.id, 'VIEWER')), 'FORBIDDEN');
    assert.equal(code(await set(owner.token, '00000000-0000-0000-0000-000000000000', 'VIEWER')), 'NOT_FOUND');
    assert.equal(await roleIn(member.token, team), 'VIEWER');
  });
});
