import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { type Harness, newUser, startHarness } from '../test-support/harness.js';

// The real server, not the middleware alone: every request (GraphQL with or without a bearer
// token, Express routes, probes) gets an id in X-Request-Id and in its JSON log line, and is
// counted in the HTTP histogram that /metrics serves (infra/README.md, "Logs").

const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const l of chunk.toString().split('\n'))
      if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
    done();
  },
});
let h: Harness;
let token: string;

before(async () => {
  // A stopped clock: every request takes 0 ms, so no level here depends on the machine's load.
  h = await startHarness({ logger: pino({ level: 'debug' }, sink), clock: () => 0 });
  token = (await newUser(h)).token;
});
after(async () => {
  await h?.close();
});

const lineFor = async (reqId: string) => {
  for (let i = 0; i < 100; i++) {
    const line = lines.find((l) => l.reqId === reqId && l.msg === 'request');
    if (line) return line;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`no request log line with reqId ${reqId}`);
};

const countOf = async (series: string): Promise<number> => {
  const text = await (await fetch(`${h.server.baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
};

const GRAPHQL_2XX =
  'posterior_http_request_duration_seconds_count{method="POST",route="/graphql",status="2xx"}';

test('a GraphQL POST with a bearer token: its id is echoed, logged (at debug) and counted', async () => {
  const before = await countOf(GRAPHQL_2XX);
  const res = await fetch(h.server.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      'x-request-id': 'client-req-42',
    },
    body: JSON.stringify({ query: '{ me { id } }' }),
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-request-id'), 'client-req-42', 'an incoming id is echoed');
  const body = (await res.json()) as { data?: { me: { id: string } | null } };
  assert.ok(body.data?.me?.id);
  const line = await lineFor('client-req-42');
  assert.equal(line.method, 'POST');
  assert.equal(line.url, '/graphql');
  assert.equal(line.status, 200);
  assert.equal(typeof line.durationMs, 'number');
  assert.equal(line.level, 20, 'GraphQL POSTs log at debug: a worker fleet makes hundreds a second');
  assert.equal(await countOf(GRAPHQL_2XX), before + 1);
});

test('GraphQL without credentials, Express routes and probes get a generated id too, and are counted per route', async () => {
  // No Authorization header: an anonymous operation.
  const viaExpress = await fetch(h.server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ me { id } }' }),
  });
  const id = viaExpress.headers.get('x-request-id');
  assert.match(id ?? '', /^[0-9a-f-]{36}$/);
  await viaExpress.text();
  assert.equal((await lineFor(id ?? '')).url, '/graphql');

  const healthBefore = await countOf(
    'posterior_http_request_duration_seconds_count{method="GET",route="/healthz",status="2xx"}',
  );
  const probe = await fetch(`${h.server.baseUrl}/healthz`, { headers: { 'x-request-id': 'kubelet-1' } });
  assert.equal(probe.headers.get('x-request-id'), 'kubelet-1');
  await probe.text();
  assert.equal((await lineFor('kubelet-1')).level, 20);
  assert.equal(
    await countOf(
      'posterior_http_request_duration_seconds_count{method="GET",route="/healthz",status="2xx"}',
    ),
    healthBefore + 1,
  );

  // A client error is worth a line at info even on a quiet path.
  const bad = await fetch(h.server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: '{not json',
  });
  assert.equal(bad.status, 400);
  const badLine = await lineFor(bad.headers.get('x-request-id') ?? '');
  assert.equal(badLine.level, 30);
  assert.equal(badLine.status, 400);
});
