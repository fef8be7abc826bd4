import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { createLogger } from '../common/logger.js';
import { type ApiServer, type ApiServerOptions, createApiServer } from '../server/server.js';
import { createTestDatabase, type TestDatabase } from '../testing/index.js';

/** Test-only helpers: a real server on a fresh database, and a tiny GraphQL client. */

export interface GqlResult<T = Record<string, unknown>> {
  data?: T | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: { code?: string; field?: string } }>;
}

/** The first error's `extensions.code` (undefined when the request succeeded). */
export const errorCode = (r: Pick<GqlResult<unknown>, 'errors'>): string | undefined =>
  r.errors?.[0]?.extensions?.code;

/** The first error's `extensions.field`: which input a BAD_USER_INPUT names. */
export const errorField = (r: Pick<GqlResult<unknown>, 'errors'>): string | undefined =>
  r.errors?.[0]?.extensions?.field;

export interface Harness {
  db: TestDatabase;
  server: ApiServer;
  dataDir: string;
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string | null,
  ): Promise<GqlResult<T>>;
  /** A second API process on the same database (as a replica would be); closed with the harness. */
  peer(options?: Partial<ApiServerOptions>): Promise<ApiServer>;
  close(): Promise<void>;
}

export async function gqlAt<T>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token: string | null = null,
): Promise<GqlResult<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GqlResult<T>;
}

export async function startServer(
  dataSource: DataSource,
  dataDir: string,
  options: Partial<ApiServerOptions> = {},
): Promise<ApiServer> {
  return createApiServer({
    dataSource,
    dataDir,
    port: 0,
    host: '127.0.0.1',
    logger: createLogger('silent'),
    reaperIntervalMs: 0,
    suggestionThreads: 1,
    ...options,
  });
}

export async function startHarness(options: Partial<ApiServerOptions> = {}): Promise<Harness> {
  const db = await createTestDatabase({ poolSize: 20 });
  const dataDir = await mkdtemp(join(tmpdir(), 'posterior-api-'));
  const server = await startServer(db.dataSource, dataDir, options);
  const peers: ApiServer[] = [];
  return {
    db,
    server,
    dataDir,
    gql: (query, variables, token) => gqlAt(server.url, query, variables, token ?? null),
    async peer(peerOptions = {}) {
      const peer = await startServer(db.dataSource, await mkdtemp(join(dataDir, 'peer-')), peerOptions);
      peers.push(peer);
      return peer;
    },
    async close() {
      for (const peer of peers) await peer.close();
      await server.close();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A harness with one signed-up user who owns one team: how most API suites begin. */
export async function startTeamHarness(
  options: Partial<ApiServerOptions> = {},
): Promise<{ h: Harness; token: string; teamId: string }> {
  const h = await startHarness(options);
  const { token } = await newUser(h);
  return { h, token, teamId: await newTeam(h, token) };
}

let counter = 0;

/** Signs up a fresh user; returns the session token and user id. */
export async function newUser(
  h: Pick<Harness, 'gql'>,
  label = 'user',
): Promise<{ token: string; id: string; email: string }> {
  counter += 1;
  const email = `${label}-${process.pid}-${counter}-${Date.now()}@example.com`;
  const r = await h.gql<{ signUp: { token: string; user: { id: string } } }>(
    'mutation($e: String!) { signUp(email: $e, password: "correct horse battery", name: "T") { token user { id } } }',
    { e: email },
  );
  if (!r.data?.signUp) throw new Error(`signUp failed: ${JSON.stringify(r.errors)}`);
  return { token: r.data.signUp.token, id: r.data.signUp.user.id, email };
}

export async function newTeam(h: Pick<Harness, 'gql'>, token: string): Promise<string> {
  const r = await h.gql<{ createTeam: { id: string } }>(
    'mutation { createTeam(name: "team") { id } }',
    {},
    token,
  );
  if (!r.data?.createTeam) throw new Error(`createTeam failed: ${JSON.stringify(r.errors)}`);
  return r.data.createTeam.id;
}

export const SPACE = [
  { name: 'x', type: 'float', low: -5, high: 10 },
  { name: 'y', type: 'float', low: 0, high: 15 },
];

export async function newStudy(
  h: Pick<Harness, 'gql'>,
  token: string,
  teamId: string,
  overrides: Record<string, unknown> = {},
): Promise<string> {
  const r = await h.gql<{ createStudy: { id: string } }>(
    'mutation($input: CreateStudyInput!) { createStudy(input: $input) { id } }',
    {
      input: {
        teamId,
        name: 'study',
        direction: 'MINIMIZE',
        objective: 'loss',
        searchSpace: SPACE,
        sampler: { type: 'random', seed: 1 },
        maxTrials: 20,
        parallelism: 4,
        ...overrides,
      },
    },
    token,
  );
  if (!r.data?.createStudy) throw new Error(`createStudy failed: ${JSON.stringify(r.errors)}`);
  return r.data.createStudy.id;
}

export const ASK =
  'mutation($s: ID!, $n: Int) { askTrials(studyId: $s, count: $n, workerId: "w") { id number state params } }';
export const TELL =
  'mutation($t: ID!, $st: TrialState!, $v: Float, $e: String) { tellTrial(trialId: $t, state: $st, value: $v, error: $e) { id state value } }';

/** `askTrials` as `token`; a GraphQL error fails the test. */
export async function askTrials<T = { id: string }>(
  h: Pick<Harness, 'gql'>,
  token: string,
  studyId: string,
  n = 1,
): Promise<T[]> {
  const r = await h.gql<{ askTrials: T[] }>(ASK, { s: studyId, n }, token);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data?.askTrials ?? [];
}

/**
 * Makes `user` a member of the team with `role` the way people join: an invitation sent by
 * `inviterToken` (ADMIN or higher), accepted by the user. Returns the membership id.
 */
export async function joinTeam(
  h: Pick<Harness, 'gql'>,
  inviterToken: string,
  teamId: string,
  user: { token: string; email: string },
  role: string,
): Promise<string> {
  const invited = await h.gql<{ inviteMember: { id: string } }>(
    'mutation($t: ID!, $e: String!, $r: Role!) { inviteMember(teamId: $t, email: $e, role: $r) { id } }',
    { t: teamId, e: user.email, r: role },
    inviterToken,
  );
  const id = invited.data?.inviteMember.id;
  if (!id) throw new Error(`inviteMember failed: ${JSON.stringify(invited.errors)}`);
  const accepted = await h.gql<{ acceptInvitation: { id: string } }>(
    'mutation($id: ID!) { acceptInvitation(id: $id) { id } }',
    { id },
    user.token,
  );
  if (!accepted.data?.acceptInvitation)
    throw new Error(`acceptInvitation failed: ${JSON.stringify(accepted.errors)}`);
  return accepted.data.acceptInvitation.id;
}

export interface TeamOfRoles {
  teamId: string;
  owner: { token: string; id: string; email: string };
  member: { token: string; id: string; email: string };
  viewer: { token: string; id: string; email: string };
}

/** A fresh team with an owner, a MEMBER and a VIEWER (joined by invitation), for role tests. */
export async function teamOfRoles(h: Pick<Harness, 'gql'>): Promise<TeamOfRoles> {
  const owner = await newUser(h, 'owner');
  const member = await newUser(h, 'member');
  const viewer = await newUser(h, 'viewer');
  const teamId = await newTeam(h, owner.token);
  await joinTeam(h, owner.token, teamId, member, 'MEMBER');
  await joinTeam(h, owner.token, teamId, viewer, 'VIEWER');
  return { teamId, owner, member, viewer };
}
