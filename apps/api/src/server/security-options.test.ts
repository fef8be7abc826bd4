import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { loadConfig, serverSecurityOptions } from '../config/index.js';
import {
  askTrials,
  type Harness,
  newStudy,
  newTeam,
  newUser,
  startHarness,
} from '../test-support/harness.js';
import { streaming } from '../test-support/ws.js';

const EVENTS = 'subscription($s: ID!) { trialEvents(studyId: $s) { type } }';

/** Opens a graphql-ws client and resolves how its connection ends: 'connected' or the close code. */
function connect(
  url: string,
  options: { bearer?: string; cookie?: string; origin?: string },
): { client: Client; outcome: Promise<'connected' | number> } {
  let settle: (v: 'connected' | number) => void = () => undefined;
  const outcome = new Promise<'connected' | number>((resolve) => {
    settle = resolve;
  });
  const headers: Record<string, string> = {};
  if (options.cookie) headers.cookie = options.cookie;
  if (options.origin) headers.origin = options.origin;
  class HeaderSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  const client = createClient({
    url,
    webSocketImpl: HeaderSocket,
    connectionParams: options.bearer ? { authorization: `Bearer ${options.bearer}` } : {},
    retryAttempts: 0,
    lazy: false,
    // Refusals are the point here: graphql-ws would print each one to the console.
    onNonLazyError: () => undefined,
    on: {
      connected: () => settle('connected'),
      closed: (event) => settle((event as { code: number }).code),
    },
  });
  return { client, outcome };
}

describe('API listener hardening (issue 12, Low items)', () => {
  let h: Harness;
  let token: string;
  let teamId: string;
  let studyId: string;

  before(async () => {
    h = await startHarness();
    const u = await newUser(h, 'sec');
    token = u.token;
    teamId = await newTeam(h, token);
    studyId = await newStudy(h, token, teamId);
  });
  after(() => h.close());

  test('/metrics is not served to a forwarded (non-local) client on the API listener', async () => {
    const local = await fetch(`${h.server.baseUrl}/metrics`);
    assert.equal(local.status, 200);
    const forwarded = await fetch(`${h.server.baseUrl}/metrics`, {
      headers: { 'x-forwarded-for': '203.0.113.7' },
    });
    assert.equal(forwarded.status, 404);
  });

  test('/metrics with a token: only the bearer of it; with its own port: not on the API port', async () => {
    const secret = 'metrics-secret-0123456789';
    const withToken = await h.peer({ metrics: { token: secret } });
    assert.equal((await fetch(`${withToken.baseUrl}/metrics`)).status, 404);
    assert.equal(
      (await fetch(`${withToken.baseUrl}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status,
      404,
    );
    const ok = await fetch(`${withToken.baseUrl}/metrics`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /posterior_/);

    const port = 40_000 + Math.floor(Math.random() * 9_000);
    const separate = await h.peer({ metrics: { port } });
    assert.equal((await fetch(`${separate.baseUrl}/metrics`)).status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${port}/graphql`)).status, 404);
  });

  test('introspection and field suggestions are off when configured (production default)', async () => {
    assert.equal(serverSecurityOptions(loadConfig({ NODE_ENV: 'production' })).introspection, false);
    assert.equal(serverSecurityOptions(loadConfig({})).introspection, true);
    const prod = await h.peer({ introspection: false });
    const post = (query: string) =>
      fetch(prod.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query }),
      }).then((r) => r.json() as Promise<{ errors?: Array<{ message: string }> }>);
    const schema = await post('{ __schema { types { name } } }');
    assert.ok(schema.errors?.length, JSON.stringify(schema));
    const typo = await post('{ studyy(id: "x") { id } }');
    assert.ok(typo.errors?.length);
    assert.doesNotMatch(JSON.stringify(typo), /Did you mean/);
    // On by default: the suggestion is there.
    const dev = await h.gql('{ studyy(id: "x") { id } }', {}, token);
    assert.match(JSON.stringify(dev), /Did you mean/);
  });

  test('session cookies get Secure when configured (POSTERIOR_SECURE_COOKIES)', async () => {
    assert.equal(serverSecurityOptions(loadConfig({ POSTERIOR_SECURE_COOKIES: 'true' })).secureCookies, true);
    const secure = await h.peer({ secureCookies: true });
    const u = await newUser(h, 'cookie');
    const res = await fetch(secure.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query:
          'mutation($e: String!) { logIn(email: $e, password: "correct horse battery", cookie: true) { token } }',
        variables: { e: u.email },
      }),
    });
    assert.match(res.headers.get('set-cookie') ?? '', /;\s*Secure/i);
    assert.match(res.headers.get('set-cookie') ?? '', /HttpOnly/i);
  });

  test('a WebSocket authenticated by cookie must come from an allowed Origin', async () => {
    const cookie = `posterior_session=${token}`;
    const evil = connect(h.server.wsUrl, { cookie, origin: 'https://evil.example' });
    assert.notEqual(await evil.outcome, 'connected');
    await evil.client.dispose();
    const dashboard = connect(h.server.wsUrl, { cookie, origin: 'http://localhost:3000' });
    assert.equal(await dashboard.outcome, 'connected');
    await dashboard.client.dispose();
    // A bearer secret in the connection params is not ambient: any origin may present it.
    const bearer = connect(h.server.wsUrl, { bearer: token, origin: 'https://elsewhere.example' });
    assert.equal(await bearer.outcome, 'connected');
    await bearer.client.dispose();
  });

  test('per-caller caps on open sockets and subscriptions', async () => {
    const capped = await h.peer({ liveLimits: { socketsPerCaller: 2, subscriptionsPerCaller: 3 } });
    const sockets = [0, 1, 2].map(() => connect(capped.wsUrl, { bearer: token }));
    const outcomes: Array<'connected' | number> = [];
    for (const s of sockets) outcomes.push(await s.outcome);
    assert.deepEqual(outcomes.filter((o) => o === 'connected').length, 2, JSON.stringify(outcomes));
    assert.ok(outcomes.includes(4429), JSON.stringify(outcomes));
    const open = sockets.find((_, i) => outcomes[i] === 'connected');
    assert.ok(open);
    const results: Array<string> = [];
    const answered = Promise.all(
      [0, 1, 2, 3].map(
        (i) =>
          new Promise<void>((resolve) => {
            open.client.subscribe(
              { query: EVENTS, variables: { s: studyId } },
              {
                next: (v) => {
                  const code = (v.errors?.[0] as { extensions?: { code?: string } } | undefined)?.extensions
                    ?.code;
                  if (code) results[i] = code;
                  resolve();
                },
                error: (e) => {
                  results[i] = JSON.stringify(e).includes('RATE_LIMITED') ? 'RATE_LIMITED' : 'ERROR';
                  resolve();
                },
                complete: () => resolve(),
              },
            );
          }),
      ),
    );
    // The three admitted subscriptions get their first event from this ask, once they stream.
    await streaming(capped, studyId, 3);
    await askTrials(h, token, studyId, 1);
    await answered;
    assert.equal(results.filter((r) => r === 'RATE_LIMITED').length, 1, JSON.stringify(results));
    for (const s of sockets) await s.client.dispose();
  });

  test('a team cannot store artifacts past its quota', async () => {
    const small = await h.peer({ teamArtifactQuotaBytes: 1000 });
    const [trial] = await askTrials(h, token, await newStudy(h, token, teamId), 1);
    assert.ok(trial);
    const upload = (bytes: number) =>
      fetch(`${small.baseUrl}/artifacts?trialId=${trial.id}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'x-filename': 'a.bin',
          'content-type': 'application/octet-stream',
        },
        body: new Uint8Array(bytes),
      });
    assert.equal((await upload(600)).status, 201);
    const over = await upload(600);
    assert.equal(over.status, 413);
    assert.match(await over.text(), /quota/);
    assert.equal((await upload(300)).status, 201);
    assert.equal((await upload(200)).status, 413);
  });
});
