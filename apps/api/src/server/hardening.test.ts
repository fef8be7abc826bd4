import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type Harness, newUser, startTeamHarness } from '../test-support/harness.js';
import { printSchemaText, schemaFilePath } from './schema-file.js';

describe('hardening', () => {
  let h: Harness;
  let token: string;
  let teamId: string;

  before(async () => {
    ({ h, token, teamId } = await startTeamHarness({ maxBodyBytes: 64 * 1024 }));
  });
  after(() => h.close());

  test('queries nested deeper than the limit are refused', async () => {
    let selection = 'id';
    for (let i = 0; i < 8; i++) selection = `study { trials { nodes { ${selection} } } }`;
    const r = await h.gql(
      `query { trial(id: "00000000-0000-4000-8000-000000000000") { ${selection} } }`,
      {},
      token,
    );
    assert.equal(r.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(r.errors?.[0]?.message ?? '', /depth/);
  });

  test('queries costing more than the limit are refused before running', async () => {
    const r = await h.gql(
      'query($t: ID!) { studies(teamId: $t, first: 100) { nodes { trials(first: 500) { nodes { metrics { step value } } } } } }',
      { t: teamId },
      token,
    );
    assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.match(r.errors?.[0]?.message ?? '', /cost/);
  });

  test('request bodies over the limit get 413 with a JSON error, no stack', async () => {
    const res = await fetch(h.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ me { id } }`, variables: { pad: 'x'.repeat(100_000) } }),
    });
    assert.equal(res.status, 413);
    const text = await res.text();
    assert.doesNotMatch(text, /at .*\.js/);
    assert.match(text, /too large/);
  });

  test('malformed JSON gets 400 without a stack trace', async () => {
    const res = await fetch(h.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":',
    });
    assert.equal(res.status, 400);
    assert.doesNotMatch(await res.text(), /at .*\.js/);
  });

  // Bearer clients (SDK, workers) take the same path as browsers: same guarantees.
  test('bearer clients: oversized bodies get 413 and malformed JSON 400, as JSON without stacks', async () => {
    const post = (body: string) =>
      fetch(h.server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body,
      });
    const big = await post(
      JSON.stringify({ query: '{ me { id } }', variables: { pad: 'x'.repeat(100_000) } }),
    );
    assert.equal(big.status, 413);
    const bigBody = (await big.json()) as { errors: { message: string; extensions: { code: string } }[] };
    assert.equal(bigBody.errors[0]?.message, 'request body too large');
    const bad = await post('{"query":');
    assert.equal(bad.status, 400);
    const badText = await bad.text();
    assert.doesNotMatch(badText, /at .*\.js/);
    assert.match(badText, /malformed request/);
    // And an ordinary one still works, with its limits: depth is checked on this path too.
    const ok = await post(JSON.stringify({ query: '{ me { id } }' }));
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { data: { me: { id: string } | null } }).data.me !== null, true);
  });

  test('bearer clients logging in with cookie: true still get the session cookie', async () => {
    const user = await newUser(h, 'cookie');
    const res = await fetch(h.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query:
          'mutation($e: String!) { logIn(email: $e, password: "correct horse battery", cookie: true) { token } }',
        variables: { e: user.email },
      }),
    });
    const body = (await res.json()) as { data?: { logIn: { token: string } }; errors?: unknown };
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    assert.match(res.headers.get('set-cookie') ?? '', /^posterior_session=.+HttpOnly/i);
  });

  test('internal failures reach clients masked, without stack traces', async () => {
    // A broken row (not valid JSON for the search space) stands in for any unexpected failure.
    await h.db.dataSource.query('ALTER TABLE studies DROP CONSTRAINT "CHK_studies_search_space"');
    const ids = await h.db.dataSource.query(
      `INSERT INTO studies (team_id, name, direction, objective, search_space, sampler, pruner, max_trials)
       VALUES ($1, 'broken', 'MINIMIZE', 'loss', '"oops"', '{"type":"nope"}', '{"type":"none"}', 3) RETURNING id`,
      [teamId],
    );
    const r = await h.gql('mutation($s: ID!) { askTrials(studyId: $s) { id } }', { s: ids[0].id }, token);
    assert.equal(r.errors?.[0]?.extensions?.code, 'INTERNAL_SERVER_ERROR');
    assert.equal(r.errors?.[0]?.message, 'internal server error');
    assert.equal(JSON.stringify(r).includes('stacktrace'), false);
  });

  test('log-in attempts are rate limited', async () => {
    const user = await newUser(h, 'victim');
    const codes: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await h.gql(
        'mutation($e: String!) { logIn(email: $e, password: "wrong password") { token } }',
        { e: user.email },
      );
      codes.push(r.errors?.[0]?.extensions?.code ?? 'OK');
    }
    assert.deepEqual(codes.slice(0, 10), Array(10).fill('UNAUTHENTICATED'));
    assert.equal(codes[10], 'RATE_LIMITED');
    const right = await h.gql(
      'mutation($e: String!) { logIn(email: $e, password: "correct horse battery") { token } }',
      {
        e: user.email,
      },
    );
    assert.equal(right.errors?.[0]?.extensions?.code, 'RATE_LIMITED');
  });

  test('probes answer without credentials', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const res = await fetch(`${h.server.baseUrl}${path}`);
      assert.equal(res.status, 200, path);
    }
  });

  test('the committed schema.graphql matches the built schema', async () => {
    const same = readFileSync(schemaFilePath(), 'utf8') === (await printSchemaText());
    assert.ok(same, 'schema.graphql is stale: run `npm run schema -w @posterior/api`');
  });
});
