import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ASK,
  type Harness,
  joinTeam,
  newStudy,
  newTeam,
  newUser,
  SPACE,
  startHarness,
} from '../test-support/harness.js';

type Role = 'VIEWER' | 'MEMBER' | 'ADMIN';
type Who = 'outsider' | 'viewer' | 'member' | 'foreign token' | 'viewer token' | 'member token';

interface Fixture {
  teamId: string;
  studyId: string;
  trialId: string;
  tokenId: string;
}

interface Operation {
  name: string;
  /** Least role that may do it. */
  min: Role;
  query: string;
  vars: (f: Fixture) => Record<string, unknown>;
  /** Account operations refuse API tokens whatever their role. */
  usersOnly?: boolean;
}

const RANK: Record<Role, number> = { VIEWER: 1, MEMBER: 2, ADMIN: 3 };

const OPERATIONS: Operation[] = [
  {
    name: 'study',
    min: 'VIEWER',
    query: 'query($s: ID!) { study(id: $s) { id } }',
    vars: (f) => ({ s: f.studyId }),
  },
  {
    name: 'studies',
    min: 'VIEWER',
    query: 'query($t: ID!) { studies(teamId: $t) { totalCount } }',
    vars: (f) => ({ t: f.teamId }),
  },
  {
    name: 'trial',
    min: 'VIEWER',
    query: 'query($id: ID!) { trial(id: $id) { id } }',
    vars: (f) => ({ id: f.trialId }),
  },
  {
    name: 'createStudy',
    min: 'MEMBER',
    query: 'mutation($i: CreateStudyInput!) { createStudy(input: $i) { id } }',
    vars: (f) => ({
      i: {
        teamId: f.teamId,
        name: 'n',
        direction: 'MINIMIZE',
        objective: 'loss',
        searchSpace: SPACE,
        maxTrials: 3,
      },
    }),
  },
  {
    name: 'setStudyState',
    min: 'MEMBER',
    query: 'mutation($s: ID!) { setStudyState(id: $s, state: PAUSED) { id } }',
    vars: (f) => ({ s: f.studyId }),
  },
  {
    name: 'enqueueTrial',
    min: 'MEMBER',
    query: 'mutation($s: ID!) { enqueueTrial(studyId: $s, params: {x: 1, y: 1}) { id } }',
    vars: (f) => ({ s: f.studyId }),
  },
  { name: 'askTrials', min: 'MEMBER', query: ASK, vars: (f) => ({ s: f.studyId, n: 1 }) },
  {
    name: 'heartbeat',
    min: 'MEMBER',
    query: 'mutation($t: ID!) { heartbeat(trialId: $t) { shouldStop } }',
    vars: (f) => ({ t: f.trialId }),
  },
  {
    name: 'reportMetrics',
    min: 'MEMBER',
    query:
      'mutation($t: ID!) { reportMetrics(trialId: $t, points: [{name: "loss", step: 1, value: 1}]) { accepted } }',
    vars: (f) => ({ t: f.trialId }),
  },
  {
    name: 'tellTrial',
    min: 'MEMBER',
    query: 'mutation($t: ID!) { tellTrial(trialId: $t, state: COMPLETE, value: 1) { id } }',
    vars: (f) => ({ t: f.trialId }),
  },
  {
    name: 'addMember',
    min: 'ADMIN',
    usersOnly: true,
    query: 'mutation($t: ID!) { addMember(teamId: $t, email: "nobody@example.com", role: VIEWER) { id } }',
    vars: (f) => ({ t: f.teamId }),
  },
  {
    name: 'inviteMember',
    min: 'ADMIN',
    usersOnly: true,
    query:
      'mutation($t: ID!) { inviteMember(teamId: $t, email: "invitee@example.com", role: VIEWER) { id } }',
    vars: (f) => ({ t: f.teamId }),
  },
  {
    name: 'createApiToken',
    min: 'ADMIN',
    usersOnly: true,
    query: 'mutation($t: ID!) { createApiToken(teamId: $t, name: "w") { id } }',
    vars: (f) => ({ t: f.teamId }),
  },
  {
    name: 'revokeApiToken',
    min: 'ADMIN',
    usersOnly: true,
    query: 'mutation($id: ID!) { revokeApiToken(id: $id) }',
    vars: (f) => ({ id: f.tokenId }),
  },
  {
    name: 'subscription auth: trial metrics field',
    min: 'VIEWER',
    query: 'query($id: ID!) { trial(id: $id) { metrics { step } artifacts { id } } }',
    vars: (f) => ({ id: f.trialId }),
  },
];

describe('authorization matrix', () => {
  let h: Harness;
  let owner: string;
  const callers = new Map<Who, { token: string; role: Role | null; isToken: boolean }>();
  let fixtureTeam: string;

  before(async () => {
    h = await startHarness();
    owner = (await newUser(h, 'owner')).token;
    fixtureTeam = await newTeam(h, owner);
    const outsider = await newUser(h, 'outsider');
    const outsiderTeam = await newTeam(h, outsider.token);
    const viewer = await newUser(h, 'viewer');
    const member = await newUser(h, 'member');
    for (const [u, role] of [
      [viewer, 'VIEWER'],
      [member, 'MEMBER'],
    ] as const) {
      await joinTeam(h, owner, fixtureTeam, u, role);
    }
    const token = async (team: string, as: string, role: string): Promise<string> => {
      const r = await h.gql<{ createApiToken: { token: string } }>(
        'mutation($t: ID!, $r: Role) { createApiToken(teamId: $t, name: "w", role: $r) { token } }',
        { t: team, r: role },
        as,
      );
      const secret = r.data?.createApiToken.token;
      assert.ok(secret, JSON.stringify(r.errors));
      return secret;
    };
    callers.set('outsider', { token: outsider.token, role: null, isToken: false });
    callers.set('viewer', { token: viewer.token, role: 'VIEWER', isToken: false });
    callers.set('member', { token: member.token, role: 'MEMBER', isToken: false });
    callers.set('foreign token', {
      token: await token(outsiderTeam, outsider.token, 'ADMIN'),
      role: null,
      isToken: true,
    });
    callers.set('viewer token', {
      token: await token(fixtureTeam, owner, 'VIEWER'),
      role: 'VIEWER',
      isToken: true,
    });
    callers.set('member token', {
      token: await token(fixtureTeam, owner, 'MEMBER'),
      role: 'MEMBER',
      isToken: true,
    });
  });
  after(() => h.close());

  /** A fresh study with one RUNNING trial and a token to revoke, so each case starts clean. */
  const fixture = async (): Promise<Fixture> => {
    const studyId = await newStudy(h, owner, fixtureTeam);
    const asked = await h.gql<{ askTrials: Array<{ id: string }> }>(ASK, { s: studyId, n: 1 }, owner);
    const trialId = asked.data?.askTrials[0]?.id;
    assert.ok(trialId);
    const tok = await h.gql<{ createApiToken: { id: string } }>(
      'mutation($t: ID!) { createApiToken(teamId: $t, name: "victim") { id } }',
      { t: fixtureTeam },
      owner,
    );
    const tokenId = tok.data?.createApiToken.id;
    assert.ok(tokenId);
    return { teamId: fixtureTeam, studyId, trialId, tokenId };
  };

  for (const op of OPERATIONS) {
    for (const who of [
      'outsider',
      'viewer',
      'member',
      'foreign token',
      'viewer token',
      'member token',
    ] as Who[]) {
      test(`${op.name} as ${who}`, async () => {
        const caller = callers.get(who);
        assert.ok(caller);
        const f = await fixture();
        const r = await h.gql(op.query, op.vars(f), caller.token);
        let expected: string | null;
        if (caller.isToken && op.usersOnly) expected = 'FORBIDDEN';
        else if (caller.role === null) expected = 'NOT_FOUND';
        else expected = RANK[caller.role] >= RANK[op.min] ? null : 'FORBIDDEN';
        if (op.name === 'studies' && caller.role === null) expected = 'NOT_FOUND';
        assert.equal(r.errors?.[0]?.extensions?.code ?? null, expected, JSON.stringify(r));
        if (expected === null) assert.ok(r.data, JSON.stringify(r));
      });
    }
  }

  test('no credentials at all: UNAUTHENTICATED', async () => {
    const f = await fixture();
    for (const op of OPERATIONS) {
      const r = await h.gql(op.query, op.vars(f), null);
      assert.equal(r.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED', `${op.name}: ${JSON.stringify(r)}`);
    }
  });

  test('a revoked token stops working at once', async () => {
    const r = await h.gql<{ createApiToken: { id: string; token: string } }>(
      'mutation($t: ID!) { createApiToken(teamId: $t, name: "short-lived") { id token } }',
      { t: fixtureTeam },
      owner,
    );
    const created = r.data?.createApiToken;
    assert.ok(created);
    assert.equal((await h.gql('{ teams { id } }', {}, created.token)).errors, undefined);
    await h.gql('mutation($id: ID!) { revokeApiToken(id: $id) }', { id: created.id }, owner);
    assert.equal(
      (await h.gql('{ teams { id } }', {}, created.token)).errors?.[0]?.extensions?.code,
      'UNAUTHENTICATED',
    );
  });
});
