import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Router } from 'express';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { artifactRouter } from '../artifacts/artifact.router.js';
import type { ArtifactService } from '../artifacts/artifact.service.js';
import { createLogger } from '../common/logger.js';
import { getSchema } from '../server/schema.js';
import {
  ASK,
  type GqlResult,
  type Harness,
  joinTeam,
  newStudy,
  newTeam,
  newUser,
  SPACE,
  startHarness,
} from '../test-support/harness.js';

/**
 * The authorization table (issue 12): every query, mutation, subscription and artifact route,
 * as every kind of caller. The operations are read from the schema and the artifact router, so a
 * new operation without a row here fails `every operation has a row`.
 */

type Role = 'VIEWER' | 'MEMBER' | 'ADMIN' | 'OWNER';
const RANK: Record<Role, number> = { VIEWER: 1, MEMBER: 2, ADMIN: 3, OWNER: 4 };

const WHO = [
  'owner',
  'admin',
  'member',
  'viewer',
  'outsider',
  "removed member's token",
  "demoted member's token",
  'revoked token',
  'no credential',
] as const;
type Who = (typeof WHO)[number];

/** What the caller is to the fixture team: a role, an outsider, or no valid credential at all. */
interface CallerKind {
  secret: string | null;
  /** Role in the fixture team (a token's effective role), null for an outsider. */
  role: Role | null;
  token: boolean;
  /** No valid credential (none, revoked, or its creator left the team). */
  invalid: boolean;
  /** A user's email, to open a throwaway session for operations that end the caller's own. */
  email?: string;
}

/** 'OK': succeeds; 'NULL': answers null (not visible) without an error; else the error code. */
type Outcome = 'OK' | 'NULL' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND';

interface Fixture {
  teamId: string;
  studyId: string;
  trialId: string;
  tokenId: string;
  artifactId: string;
  victimId: string;
  victimEmail: string;
  loginEmail: string;
  /** A pending invitation of the fixture team, to someone who is none of the callers. */
  invitationId: string;
}

/** The least role a team-scoped operation needs; tokens refused for account operations. */
function teamScoped(min: Role, usersOnly = false): (c: CallerKind) => Outcome {
  return (c) => {
    if (c.invalid) return 'UNAUTHENTICATED';
    if (c.token && usersOnly) return 'FORBIDDEN';
    if (c.role === null) return 'NOT_FOUND';
    return RANK[c.role] >= RANK[min] ? 'OK' : 'FORBIDDEN';
  };
}

/** An invitation to someone else: NOT_FOUND to every person, FORBIDDEN to tokens. */
function inviteeOnly(c: CallerKind): Outcome {
  if (c.invalid) return 'UNAUTHENTICATED';
  return c.token ? 'FORBIDDEN' : 'NOT_FOUND';
}

interface Row {
  /** GraphQL: the document and its variables; routes use `request` instead. */
  query?: string;
  vars?: (f: Fixture) => Record<string, unknown>;
  request?: (f: Fixture, secret: string | null, baseUrl: string) => Promise<Response>;
  subscription?: boolean;
  /** Puts the fixture in the state the operation needs, as the owner, before the call. */
  prepare?: (
    f: Fixture,
    asOwner: (query: string, vars: Record<string, unknown>) => Promise<void>,
  ) => Promise<void>;
  /** Ends the caller's session: run it on a fresh one of the same user. */
  endsSession?: boolean;
  expect: (c: CallerKind) => Outcome;
}

const TABLE: Record<string, Row> = {
  // Queries
  'Query.me': {
    query: '{ me { id } }',
    expect: (c) => (c.invalid ? 'NULL' : 'OK'),
  },
  'Query.teams': {
    query: '{ teams { id } }',
    expect: (c) => (c.invalid ? 'UNAUTHENTICATED' : 'OK'),
  },
  'Query.team': {
    query: 'query($t: ID!) { team(id: $t) { id } }',
    vars: (f) => ({ t: f.teamId }),
    expect: (c) => (c.invalid ? 'UNAUTHENTICATED' : c.role === null ? 'NULL' : 'OK'),
  },
  'Query.studies': {
    query: 'query($t: ID!) { studies(teamId: $t) { totalCount } }',
    vars: (f) => ({ t: f.teamId }),
    expect: teamScoped('VIEWER'),
  },
  'Query.study': {
    query: 'query($s: ID!) { study(id: $s) { id team { id } } }',
    vars: (f) => ({ s: f.studyId }),
    expect: teamScoped('VIEWER'),
  },
  'Query.trial': {
    query: 'query($id: ID!) { trial(id: $id) { id metrics { step } artifacts { id } } }',
    vars: (f) => ({ id: f.trialId }),
    expect: teamScoped('VIEWER'),
  },
  // Mutations: accounts
  'Mutation.signUp': {
    query: 'mutation($e: String!) { signUp(email: $e, password: "correct horse battery") { token } }',
    vars: () => ({ e: `table-${Date.now()}-${Math.random()}@example.com` }),
    expect: () => 'OK',
  },
  'Mutation.logIn': {
    query: 'mutation($e: String!) { logIn(email: $e, password: "correct horse battery") { token } }',
    vars: (f) => ({ e: f.loginEmail }),
    expect: () => 'OK',
  },
  'Mutation.logOut': {
    query: 'mutation { logOut }',
    endsSession: true,
    expect: () => 'OK',
  },
  'Mutation.createTeam': {
    query: 'mutation { createTeam(name: "t") { id } }',
    expect: (c) => (c.invalid ? 'UNAUTHENTICATED' : c.token ? 'FORBIDDEN' : 'OK'),
  },
  // Mutations: team administration
  'Mutation.addMember': {
    query: 'mutation($t: ID!, $e: String!) { addMember(teamId: $t, email: $e, role: VIEWER) { id } }',
    vars: (f) => ({ t: f.teamId, e: f.victimEmail }),
    expect: teamScoped('ADMIN', true),
  },
  'Mutation.inviteMember': {
    query: 'mutation($t: ID!, $e: String!) { inviteMember(teamId: $t, email: $e, role: VIEWER) { id } }',
    vars: (f) => ({ t: f.teamId, e: `invitee-${Date.now()}-${Math.random()}@example.com` }),
    expect: teamScoped('ADMIN', true),
  },
  'Mutation.revokeInvitation': {
    query: 'mutation($id: ID!) { revokeInvitation(id: $id) }',
    vars: (f) => ({ id: f.invitationId }),
    expect: teamScoped('ADMIN', true),
  },
  // Only the invitee answers an invitation: to anyone else it does not exist.
  'Mutation.acceptInvitation': {
    query: 'mutation($id: ID!) { acceptInvitation(id: $id) { id } }',
    vars: (f) => ({ id: f.invitationId }),
    expect: inviteeOnly,
  },
  'Mutation.declineInvitation': {
    query: 'mutation($id: ID!) { declineInvitation(id: $id) }',
    vars: (f) => ({ id: f.invitationId }),
    expect: inviteeOnly,
  },
  'Query.myInvitations': {
    query: '{ myInvitations { id } }',
    expect: (c) => (c.invalid ? 'UNAUTHENTICATED' : c.token ? 'FORBIDDEN' : 'OK'),
  },
  'Mutation.setMemberRole': {
    query: 'mutation($t: ID!, $u: ID!) { setMemberRole(teamId: $t, userId: $u, role: VIEWER) { id } }',
    vars: (f) => ({ t: f.teamId, u: f.victimId }),
    expect: teamScoped('ADMIN', true),
  },
  'Mutation.removeMember': {
    query: 'mutation($t: ID!, $u: ID!) { removeMember(teamId: $t, userId: $u) }',
    vars: (f) => ({ t: f.teamId, u: f.victimId }),
    expect: teamScoped('ADMIN', true),
  },
  'Mutation.createApiToken': {
    query: 'mutation($t: ID!) { createApiToken(teamId: $t, name: "w", role: VIEWER) { id } }',
    vars: (f) => ({ t: f.teamId }),
    expect: teamScoped('ADMIN', true),
  },
  'Mutation.revokeApiToken': {
    query: 'mutation($id: ID!) { revokeApiToken(id: $id) }',
    vars: (f) => ({ id: f.tokenId }),
    expect: teamScoped('ADMIN', true),
  },
  // Mutations: studies and trials
  'Mutation.createStudy': {
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
    expect: teamScoped('MEMBER'),
  },
  'Mutation.setStudyState': {
    query: 'mutation($s: ID!) { setStudyState(id: $s, state: PAUSED) { id } }',
    vars: (f) => ({ s: f.studyId }),
    expect: teamScoped('MEMBER'),
  },
  'Mutation.setStudyBudget': {
    query: 'mutation($s: ID!) { setStudyBudget(id: $s, maxTrials: 50) { id } }',
    vars: (f) => ({ s: f.studyId }),
    expect: teamScoped('MEMBER'),
  },
  // A RUNNING study cannot be deleted (CONFLICT): the row pauses it first.
  'Mutation.deleteStudy': {
    query: 'mutation($s: ID!) { deleteStudy(id: $s) }',
    vars: (f) => ({ s: f.studyId }),
    prepare: (f, asOwner) =>
      asOwner('mutation($s: ID!) { setStudyState(id: $s, state: PAUSED) { id } }', { s: f.studyId }),
    expect: teamScoped('ADMIN'),
  },
  'Mutation.enqueueTrial': {
    query: 'mutation($s: ID!) { enqueueTrial(studyId: $s, params: {x: 1, y: 1}) { id } }',
    vars: (f) => ({ s: f.studyId }),
    expect: teamScoped('MEMBER'),
  },
  'Mutation.askTrials': { query: ASK, vars: (f) => ({ s: f.studyId, n: 1 }), expect: teamScoped('MEMBER') },
  'Mutation.heartbeat': {
    query: 'mutation($t: ID!) { heartbeat(trialId: $t) { shouldStop } }',
    vars: (f) => ({ t: f.trialId }),
    expect: teamScoped('MEMBER'),
  },
  'Mutation.reportMetrics': {
    query:
      'mutation($t: ID!) { reportMetrics(trialId: $t, points: [{name: "loss", step: 1, value: 1}]) { accepted } }',
    vars: (f) => ({ t: f.trialId }),
    expect: teamScoped('MEMBER'),
  },
  'Mutation.tellTrial': {
    query: 'mutation($t: ID!) { tellTrial(trialId: $t, state: COMPLETE, value: 1) { id } }',
    vars: (f) => ({ t: f.trialId }),
    expect: teamScoped('MEMBER'),
  },
  'Mutation.releaseTrial': {
    query: 'mutation($t: ID!) { releaseTrial(trialId: $t) { id } }',
    vars: (f) => ({ t: f.trialId }),
    expect: teamScoped('MEMBER'),
  },
  'Mutation.setTrialNote': {
    query: 'mutation($t: ID!) { setTrialNote(trialId: $t, note: "n") { id note } }',
    vars: (f) => ({ t: f.trialId }),
    expect: teamScoped('MEMBER'),
  },
  'Mutation.setTrialTags': {
    query: 'mutation($t: ID!) { setTrialTags(trialId: $t, tags: ["a"]) { id tags } }',
    vars: (f) => ({ t: f.trialId }),
    expect: teamScoped('MEMBER'),
  },
  'Mutation.setTrialAttributes': {
    query:
      'mutation($t: ID!) { setTrialAttributes(trialId: $t, attributes: [{key: "batch", value: 3}]) { id attributes { key value } } }',
    vars: (f) => ({ t: f.trialId }),
    expect: teamScoped('MEMBER'),
  },
  'Mutation.setStudyDescription': {
    query: 'mutation($s: ID!) { setStudyDescription(studyId: $s, description: "d") { id description } }',
    vars: (f) => ({ s: f.studyId }),
    expect: teamScoped('MEMBER'),
  },
  // Subscriptions (over WebSocket)
  'Subscription.trialEvents': {
    subscription: true,
    query: 'subscription($s: ID!) { trialEvents(studyId: $s) { type } }',
    vars: (f) => ({ s: f.studyId }),
    expect: teamScoped('VIEWER'),
  },
  'Subscription.studyUpdates': {
    subscription: true,
    query: 'subscription($s: ID!) { studyUpdates(studyId: $s) { change } }',
    vars: (f) => ({ s: f.studyId }),
    expect: teamScoped('VIEWER'),
  },
  'Subscription.metricPoints': {
    subscription: true,
    query: 'subscription($s: ID!) { metricPoints(studyId: $s) { step } }',
    vars: (f) => ({ s: f.studyId }),
    expect: teamScoped('VIEWER'),
  },
  // Artifact routes
  'POST /artifacts': {
    request: (f, secret, baseUrl) =>
      fetch(`${baseUrl}/artifacts?trialId=${f.trialId}`, {
        method: 'POST',
        headers: { 'x-filename': 'a.bin', ...(secret ? { authorization: `Bearer ${secret}` } : {}) },
        body: new Uint8Array(8),
      }),
    expect: teamScoped('MEMBER'),
  },
  'GET /artifacts/:id': {
    request: (f, secret, baseUrl) =>
      fetch(`${baseUrl}/artifacts/${f.artifactId}`, {
        headers: secret ? { authorization: `Bearer ${secret}` } : {},
      }),
    expect: teamScoped('VIEWER'),
  },
};

/** Every operation the API serves: the schema's root fields and the artifact router's routes. */
async function servedOperations(): Promise<string[]> {
  const schema = await getSchema();
  const ops: string[] = [];
  for (const type of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    if (type) for (const name of Object.keys(type.getFields())) ops.push(`${type.name}.${name}`);
  }
  const router = artifactRouter({} as ArtifactService, async () => null, createLogger('silent')) as Router & {
    stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }>;
  };
  for (const layer of router.stack) {
    if (!layer.route) continue;
    const path = layer.route.path === '/' ? '' : layer.route.path;
    for (const method of Object.keys(layer.route.methods))
      ops.push(`${method.toUpperCase()} /artifacts${path}`);
  }
  return ops;
}

const STATUS_CODE: Record<number, Outcome> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' };

describe('authorization table: every operation x every kind of caller', () => {
  let h: Harness;
  let owner: string;
  let fixtureTeam: string;
  let victim: { id: string; email: string; token: string };
  let loginEmail: string;
  const callers = new Map<Who, CallerKind>();

  before(async () => {
    // Many sign-ups from one address: the table's own set-up, not what it tests.
    h = await startHarness({ authLimits: { signUpAddress: { maxFailures: 10_000, windowMs: 60_000 } } });
    const o = await newUser(h, 'owner');
    owner = o.token;
    const ownerEmail = o.email;
    fixtureTeam = await newTeam(h, owner);
    const add = async (user: { token: string; email: string }, role: Role) => {
      await joinTeam(h, owner, fixtureTeam, user, role);
    };
    const tokenOf = async (as: string, role: Role): Promise<{ id: string; token: string }> => {
      const r = await h.gql<{ createApiToken: { id: string; token: string } }>(
        'mutation($t: ID!, $r: Role) { createApiToken(teamId: $t, name: "w", role: $r) { id token } }',
        { t: fixtureTeam, r: role },
        as,
      );
      const created = r.data?.createApiToken;
      assert.ok(created, JSON.stringify(r.errors));
      return created;
    };
    callers.set('owner', { secret: owner, role: 'OWNER', token: false, invalid: false, email: ownerEmail });
    for (const role of ['ADMIN', 'MEMBER', 'VIEWER'] as const) {
      const u = await newUser(h, role.toLowerCase());
      await add(u, role);
      callers.set(role.toLowerCase() as Who, {
        secret: u.token,
        role,
        token: false,
        invalid: false,
        email: u.email,
      });
    }
    const outsider = await newUser(h, 'outsider');
    await newTeam(h, outsider.token);
    callers.set('outsider', {
      secret: outsider.token,
      role: null,
      token: false,
      invalid: false,
      email: outsider.email,
    });

    const removed = await newUser(h, 'removed');
    await add(removed, 'ADMIN');
    const removedToken = await tokenOf(removed.token, 'ADMIN');
    const gone = await h.gql(
      'mutation($t: ID!, $u: ID!) { removeMember(teamId: $t, userId: $u) }',
      {
        t: fixtureTeam,
        u: removed.id,
      },
      owner,
    );
    assert.equal(gone.errors, undefined);
    callers.set("removed member's token", {
      secret: removedToken.token,
      role: null,
      token: true,
      invalid: true,
    });

    const demoted = await newUser(h, 'demoted');
    await add(demoted, 'ADMIN');
    const demotedToken = await tokenOf(demoted.token, 'ADMIN');
    const demote = await h.gql(
      'mutation($t: ID!, $u: ID!) { setMemberRole(teamId: $t, userId: $u, role: VIEWER) { id } }',
      { t: fixtureTeam, u: demoted.id },
      owner,
    );
    assert.equal(demote.errors, undefined, JSON.stringify(demote.errors));
    callers.set("demoted member's token", {
      secret: demotedToken.token,
      role: 'VIEWER',
      token: true,
      invalid: false,
    });

    const revoked = await tokenOf(owner, 'ADMIN');
    await h.gql('mutation($id: ID!) { revokeApiToken(id: $id) }', { id: revoked.id }, owner);
    callers.set('revoked token', { secret: revoked.token, role: null, token: true, invalid: true });
    callers.set('no credential', { secret: null, role: null, token: false, invalid: true });

    const v = await newUser(h, 'victim');
    victim = { id: v.id, email: v.email, token: v.token };
    loginEmail = (await newUser(h, 'login')).email;
  });
  after(() => h.close());

  test('every operation has a row (a new query, mutation, subscription or route fails here)', async () => {
    const served = await servedOperations();
    const missing = served.filter((op) => !(op in TABLE));
    assert.deepEqual(missing, [], `operations without an authorization table row: ${missing.join(', ')}`);
    const stale = Object.keys(TABLE).filter((op) => !served.includes(op));
    assert.deepEqual(stale, [], `rows for operations the API no longer serves: ${stale.join(', ')}`);
  });

  /** A fresh study with one RUNNING trial, an artifact, a token and a member to act on. */
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
    // The member the team-administration rows act on (a removeMember row may have removed them).
    const victimIn = await h.gql<{ team: { members: Array<{ user: { id: string } }> } | null }>(
      'query($t: ID!) { team(id: $t) { members { user { id } } } }',
      { t: fixtureTeam },
      owner,
    );
    if (!victimIn.data?.team?.members.some((m) => m.user.id === victim.id))
      await joinTeam(h, owner, fixtureTeam, victim, 'VIEWER');
    // Invitations left by earlier rows are withdrawn: a team holds at most 100 pending.
    const pending = await h.gql<{ team: { invitations: Array<{ id: string }> } | null }>(
      'query($t: ID!) { team(id: $t) { invitations { id } } }',
      { t: fixtureTeam },
      owner,
    );
    for (const inv of pending.data?.team?.invitations ?? [])
      await h.gql('mutation($id: ID!) { revokeInvitation(id: $id) }', { id: inv.id }, owner);
    const invited = await h.gql<{ inviteMember: { id: string } }>(
      'mutation($t: ID!, $e: String!) { inviteMember(teamId: $t, email: $e, role: VIEWER) { id } }',
      { t: fixtureTeam, e: `pending-${Date.now()}-${Math.random()}@example.com` },
      owner,
    );
    const invitationId = invited.data?.inviteMember.id;
    assert.ok(invitationId, JSON.stringify(invited.errors));
    const up = await fetch(`${h.server.baseUrl}/artifacts?trialId=${trialId}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner}`, 'x-filename': 'model.bin' },
      body: new Uint8Array(4),
    });
    const artifactId = ((await up.json()) as { id: string }).id;
    return {
      teamId: fixtureTeam,
      studyId,
      trialId,
      tokenId,
      artifactId,
      victimId: victim.id,
      victimEmail: victim.email,
      loginEmail,
      invitationId,
    };
  };

  const graphqlOutcome = (r: GqlResult, field: string): Outcome => {
    const code = r.errors?.[0]?.extensions?.code;
    if (code) return code as Outcome;
    const data = r.data as Record<string, unknown> | null | undefined;
    return data?.[field] === null ? 'NULL' : 'OK';
  };

  /** Subscribes, then makes an event happen: 'OK' once one arrives, else how it was refused. */
  const subscriptionOutcome = (row: Row, f: Fixture, secret: string | null): Promise<Outcome> =>
    new Promise<Outcome>((resolve) => {
      let done = false;
      const finish = (o: Outcome) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        void Promise.resolve(client.dispose()).catch(() => undefined);
        resolve(o);
      };
      const timer = setTimeout(() => finish('NULL'), 8000);
      const client = createClient({
        url: h.server.wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: secret ? { authorization: `Bearer ${secret}` } : {},
        retryAttempts: 0,
        lazy: true,
        onNonLazyError: () => undefined,
        on: {
          // Refused at connect: graphql-ws closes with 4403 Forbidden (no valid credential).
          closed: (e) => {
            const code = (e as { code: number }).code;
            if (code === 4403 || code === 4401) finish('UNAUTHENTICATED');
          },
          connected: () => {
            // The stream is set up right after; then an event it must deliver.
            setTimeout(() => {
              void h.gql(
                'mutation($t: ID!) { reportMetrics(trialId: $t, points: [{name: "loss", step: 7, value: 1}]) { accepted } }',
                { t: f.trialId },
                owner,
              );
              void h.gql(
                'mutation($s: ID!) { enqueueTrial(studyId: $s, params: {x: 2, y: 2}) { id } }',
                { s: f.studyId },
                owner,
              );
              void h.gql(
                'mutation($s: ID!) { setStudyDescription(studyId: $s, description: "seen") { id } }',
                { s: f.studyId },
                owner,
              );
            }, 150);
          },
        },
      });
      client.subscribe(
        { query: row.query ?? '', variables: row.vars?.(f) ?? {} },
        {
          next: (value) => {
            const code = (value.errors?.[0] as { extensions?: { code?: string } } | undefined)?.extensions
              ?.code;
            finish(code ? (code as Outcome) : 'OK');
          },
          error: (error) => {
            const code = (Array.isArray(error) ? error[0] : error) as { extensions?: { code?: string } };
            if (code?.extensions?.code) finish(code.extensions.code as Outcome);
          },
          complete: () => undefined,
        },
      );
    });

  for (const [op, row] of Object.entries(TABLE)) {
    for (const who of WHO) {
      test(`${op} as ${who}`, async () => {
        const caller = callers.get(who);
        assert.ok(caller);
        const expected = row.expect(caller);
        const f = await fixture();
        await row.prepare?.(f, async (query, vars) => {
          const r = await h.gql(query, vars, owner);
          assert.equal(r.errors, undefined, JSON.stringify(r.errors));
        });
        let secret = caller.secret;
        if (row.endsSession && caller.email) {
          const fresh = await h.gql<{ logIn: { token: string } }>(
            'mutation($e: String!) { logIn(email: $e, password: "correct horse battery") { token } }',
            { e: caller.email },
          );
          secret = fresh.data?.logIn.token ?? null;
          assert.ok(secret, JSON.stringify(fresh.errors));
        }
        let got: Outcome;
        let detail = '';
        if (row.request) {
          const res = await row.request(f, secret, h.server.baseUrl);
          detail = `${res.status} ${await res.text()}`;
          got = res.ok ? 'OK' : (STATUS_CODE[res.status] ?? (`HTTP ${res.status}` as Outcome));
        } else if (row.subscription) {
          got = await subscriptionOutcome(row, f, secret);
        } else {
          const r = await h.gql(row.query ?? '', row.vars?.(f) ?? {}, secret);
          detail = JSON.stringify(r);
          got = graphqlOutcome(r, op.split('.')[1] ?? '');
        }
        assert.equal(got, expected, detail);
      });
    }
  }
});
