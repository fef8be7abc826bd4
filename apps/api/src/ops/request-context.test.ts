import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import express from 'express';
import { pino } from 'pino';
import { listen } from './fixtures.js';
import { createOpsMetrics } from './metrics.js';
import { requestIdFrom, requestLogging } from './request-context.js';

const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const l of chunk.toString().split('\n'))
      if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
    done();
  },
});
const logger = pino({ level: 'info' }, sink);
const metrics = createOpsMetrics({ processMetrics: false });
const app = express();
app.use(requestLogging({ logger, metrics }));
app.get('/whoami', async (_req, res) => {
  await new Promise((r) => setTimeout(r, 5));
  res.json({ id: res.getHeader('x-request-id'), local: res.locals.requestId });
});
app.get('/healthz', (_req, res) => {
  res.send('ok');
});
const server = await listen(app);
after(() => server.close());

const waitForLines = async (n: number) => {
  for (let i = 0; i < 100 && lines.length < n; i++) await new Promise((r) => setTimeout(r, 5));
};

test('each request gets an id, echoed in the response and in its JSON log line', async () => {
  lines.length = 0;
  const res = await fetch(`${server.url}/whoami?x=1`);
  const id = res.headers.get('x-request-id');
  assert.ok(id && /^[0-9a-f-]{36}$/.test(id));
  assert.deepEqual(await res.json(), { id, local: id });
  await waitForLines(1);
  const line = lines.find((l) => l.url === '/whoami?x=1');
  assert.ok(line, 'a log line for the request');
  assert.equal(line.reqId, id);
  assert.equal(line.status, 200);
  assert.equal(line.method, 'GET');
  assert.equal(line.level, 30);
  assert.equal(typeof line.durationMs, 'number');
});

test("a proxy's request id is kept; an unsafe one is replaced", async () => {
  const kept = await fetch(`${server.url}/whoami`, { headers: { 'x-request-id': 'nginx-abc123' } });
  assert.equal(kept.headers.get('x-request-id'), 'nginx-abc123');
  assert.equal(((await kept.json()) as { id: string }).id, 'nginx-abc123');
  const unsafe = 'a"b\\c'.repeat(3);
  assert.notEqual(requestIdFrom(unsafe), unsafe);
  assert.notEqual(requestIdFrom('x'.repeat(129)), 'x'.repeat(129));
  assert.equal(requestIdFrom(['first', 'second']), 'first');
});

test('probe requests log at debug (not shown at info) but are still measured', async () => {
  lines.length = 0;
  await (await fetch(`${server.url}/healthz`)).text();
  await (await fetch(`${server.url}/whoami`)).text();
  await waitForLines(1);
  assert.equal(
    lines.some((l) => l.url === '/healthz'),
    false,
  );
  const text = await metrics.registry.metrics();
  assert.match(
    text,
    /posterior_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="2xx"\} 1/,
  );
  // Unknown paths collapse into one label instead of one series per URL.
  await (await fetch(`${server.url}/nope/123`)).text();
  assert.match(await metrics.registry.metrics(), /route="other",status="4xx"/);
});

test('wraps a plain http handler too: requests outside Express get an id and a log line', async () => {
  lines.length = 0;
  const handle = requestLogging({ logger, metrics });
  const raw = createServer((req, res) =>
    handle(req, res, () => {
      // As /graphql does: answer without Express, after an await.
      void new Promise((r) => setTimeout(r, 5)).then(() => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ id: res.getHeader('x-request-id') }));
      });
    }),
  );
  await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = raw.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', body: '{}' });
    const id = res.headers.get('x-request-id');
    assert.ok(id);
    assert.deepEqual(await res.json(), { id });
    await waitForLines(1);
    const line = lines.find((l) => l.reqId === id);
    assert.ok(line, 'a log line carrying the id');
    assert.equal(line.url, '/graphql');
    assert.equal(line.method, 'POST');
    assert.match(
      await metrics.registry.metrics(),
      /posterior_http_request_duration_seconds_count\{method="POST",route="\/graphql",status="2xx"\} 1/,
    );
  } finally {
    await new Promise((resolve) => raw.close(resolve));
  }
});

test('quiet paths log at debug only while they succeed fast: failures and slow requests at warn', async () => {
  lines.length = 0;
  const SLOW_MS = 250;
  // The request's duration comes from an injected clock, not the wall: the handler moves it on by
  // what `x-wait` says the request took.
  let now = 0;
  const handle = requestLogging({
    logger,
    metrics,
    quietPaths: ['/graphql'],
    slowMs: SLOW_MS,
    clock: () => now,
  });
  const raw = createServer((req, res) =>
    handle(req, res, () => {
      now += req.headers['x-wait'] === undefined ? 0 : Number(req.headers['x-wait']);
      res.statusCode = Number(req.headers['x-status'] ?? 200);
      res.end('{}');
    }),
  );
  await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = raw.address() as AddressInfo;
    const send = async (headers: Record<string, string>) => {
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', body: '{}', headers });
      await res.text();
      return res.headers.get('x-request-id') ?? '';
    };
    const fast = await send({ 'x-wait': String(SLOW_MS - 1) });
    const failed = await send({ 'x-status': '500' });
    const slow = await send({ 'x-wait': String(SLOW_MS + 50) });
    await waitForLines(2);
    assert.equal(
      lines.find((l) => l.reqId === fast),
      undefined,
      'a quiet-path 200 is not logged above debug unless it was slow',
    );
    assert.equal(lines.find((l) => l.reqId === failed)?.level, 40);
    const slowLine = lines.find((l) => l.reqId === slow);
    assert.equal(slowLine?.level, 40);
    assert.equal(slowLine?.durationMs, SLOW_MS + 50, "the duration is the injected clock's");
  } finally {
    await new Promise((resolve) => raw.close(resolve));
  }
});
