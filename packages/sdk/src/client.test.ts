import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createClient } from './client.js';
import { isPosteriorError, PosteriorError } from './errors.js';
import { backoffDelay } from './retry.js';

type Handler = (
  body: { query: string; variables: Record<string, unknown> },
  req: IncomingMessage,
) => {
  status?: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
  raw?: Buffer;
};

let server: Server;
let url = '';
let handler: Handler = () => ({ json: {} });
const seen: { path: string; auth: string | undefined; body: string; headers: IncomingMessage['headers'] }[] =
  [];

before(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      seen.push({ path: req.url ?? '', auth: req.headers.authorization, body: raw, headers: req.headers });
      let parsed = { query: '', variables: {} };
      if (req.headers['content-type'] === 'application/json') parsed = JSON.parse(raw);
      const out = handler(parsed, req);
      res.writeHead(out.status ?? 200, { 'content-type': 'application/json', ...out.headers });
      res.end(out.raw ?? out.text ?? JSON.stringify(out.json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const fast = { retries: 3, minDelayMs: 1, maxDelayMs: 5 };

const wireTrial = {
  id: '7',
  studyId: 's1',
  number: 3,
  createdAt: '2026-01-02T03:04:00.000Z',
  heartbeatAt: null,
  retryOf: null,
  state: 'RUNNING',
  params: { lr: 0.01, act: 'relu', flag: true },
  value: null,
  workerId: 'w1',
  startedAt: '2026-01-02T03:04:05.000Z',
  finishedAt: null,
  error: null,
  suggestion: {
    sampler: 'gp',
    phase: 'model',
    mean: 0.5,
    std: 0.1,
    acquisition: 1.2,
    acquisitionName: 'logei',
  },
};

describe('PosteriorClient over HTTP', () => {
  it('sends the bearer token and converts wire trials to domain trials', async () => {
    handler = () => ({ json: { data: { askTrials: [wireTrial] } } });
    const client = createClient({ url: `${url}/graphql`, token: 'secret', retry: fast });
    const trials = await client.askTrials('s1', 1, 'w1');
    assert.equal(trials.length, 1);
    const trial = trials[0];
    assert.ok(trial);
    assert.equal(trial.id, '7');
    assert.deepEqual(trial.params, { lr: 0.01, act: 'relu', flag: true });
    assert.ok(trial.startedAt instanceof Date);
    assert.equal(trial.startedAt.toISOString(), '2026-01-02T03:04:05.000Z');
    assert.equal(trial.suggestion?.sampler, 'gp');
    const last = seen.at(-1);
    assert.equal(last?.path, '/graphql');
    assert.equal(last?.auth, 'Bearer secret');
    const { requestKey, ...rest } = JSON.parse(last?.body ?? '{}').variables;
    assert.deepEqual(rest, { studyId: 's1', count: 1, workerId: 'w1' });
    assert.match(requestKey, /^[0-9a-f-]{36}$/);
  });

  it('setTrialNote, setTrialTags, setStudyDescription send their variables and read the annotations', async () => {
    const client = createClient({ url, retry: fast });
    handler = ({ variables }) => ({
      json: { data: { setTrialNote: { ...wireTrial, note: variables.note, tags: [] } } },
    });
    const noted = await client.setTrialNote('7', 'lr too high');
    assert.equal(noted.note, 'lr too high');
    assert.match(
      JSON.parse(seen.at(-1)?.body ?? '{}').query,
      /setTrialNote\(trialId: \$trialId, note: \$note\)/,
    );
    handler = ({ variables }) => ({
      json: { data: { setTrialTags: { ...wireTrial, note: null, tags: variables.tags } } },
    });
    const tagged = await client.setTrialTags('7', ['a', 'b']);
    assert.deepEqual(tagged.tags, ['a', 'b']);
    assert.deepEqual(JSON.parse(seen.at(-1)?.body ?? '{}').variables, { trialId: '7', tags: ['a', 'b'] });
    handler = () => ({ json: { errors: [{ message: 'no', extensions: { code: 'FORBIDDEN' } }] } });
    await assert.rejects(
      client.setStudyDescription('s1', 'x'),
      (e: unknown) => isPosteriorError(e) && e.code === 'FORBIDDEN',
    );
    assert.deepEqual(JSON.parse(seen.at(-1)?.body ?? '{}').variables, { studyId: 's1', description: 'x' });
  });

  it('passes the studies filter and sort to the server', async () => {
    handler = () => ({
      json: { data: { studies: { edges: [], pageInfo: { endCursor: null, hasNextPage: false } } } },
    });
    const client = createClient({ url, retry: fast });
    const page = await client.studies('t1', {
      first: 5,
      states: ['RUNNING', 'PAUSED'],
      nameContains: 'resnet',
      sort: 'BEST_VALUE_ASC',
    });
    assert.deepEqual(page.items, []);
    const body = JSON.parse(seen.at(-1)?.body ?? '{}');
    // The generated document prints long argument lists one per line.
    assert.match(body.query, /states: \$states,?\s+nameContains: \$nameContains,?\s+sort: \$sort/);
    assert.deepEqual(body.variables, {
      teamId: 't1',
      first: 5,
      states: ['RUNNING', 'PAUSED'],
      nameContains: 'resnet',
      sort: 'BEST_VALUE_ASC',
    });
  });

  it('surfaces GraphQL error codes as PosteriorError without retrying user errors', async () => {
    let calls = 0;
    handler = () => {
      calls++;
      return { json: { errors: [{ message: 'trial already finished', extensions: { code: 'CONFLICT' } }] } };
    };
    const client = createClient({ url, retry: fast });
    await assert.rejects(client.tellTrial('7', { state: 'COMPLETE', value: 1 }), (error: unknown) => {
      assert.ok(isPosteriorError(error, 'CONFLICT'));
      assert.equal(error.message, 'trial already finished');
      assert.equal(error.retryable, false);
      return true;
    });
    assert.equal(calls, 1);
  });

  it('tellAndAsk: one request that tells and claims, in that order', async () => {
    const told = { ...wireTrial, state: 'COMPLETE', value: 0.5, finishedAt: '2026-01-02T03:05:00.000Z' };
    const next = { ...wireTrial, id: '8', number: 4 };
    handler = () => ({ json: { data: { tellTrial: told, askTrials: [next] } } });
    const before = seen.length;
    const client = createClient({ url, token: 'secret', retry: fast });
    const r = await client.tellAndAsk(
      '7',
      { state: 'COMPLETE', value: 0.5 },
      { studyId: 's1', workerId: 'w1' },
    );
    assert.equal(seen.length, before + 1);
    const body = JSON.parse(seen.at(-1)?.body ?? '{}');
    assert.ok(body.query.indexOf('tellTrial(') < body.query.indexOf('askTrials('), 'tell runs first');
    const { requestKey, ...variables } = body.variables;
    assert.deepEqual(variables, {
      trialId: '7',
      state: 'COMPLETE',
      value: 0.5,
      error: null,
      logTail: null,
      environment: null,
      studyId: 's1',
      count: 1,
      workerId: 'w1',
    });
    assert.match(requestKey, /^[0-9a-f-]{36}$/);
    assert.equal(r.told?.state, 'COMPLETE');
    assert.equal(r.told?.value, 0.5);
    assert.ok('trials' in r.asked);
    assert.deepEqual(
      r.asked.trials.map((t) => t.id),
      ['8'],
    );
  });

  it('tellAndAsk: a refused tell throws (nothing was claimed); a failed ask after it is returned', async () => {
    let calls = 0;
    handler = () => {
      calls++;
      return {
        json: {
          data: null,
          errors: [
            { message: 'trial #3 is already FAILED', path: ['tellTrial'], extensions: { code: 'CONFLICT' } },
          ],
        },
      };
    };
    const client = createClient({ url, retry: fast });
    await assert.rejects(
      client.tellAndAsk('7', { state: 'COMPLETE', value: 1 }, { studyId: 's1' }),
      (error: unknown) => isPosteriorError(error, 'CONFLICT'),
    );
    assert.equal(calls, 1);

    handler = () => ({
      json: {
        data: null,
        errors: [{ message: 'study is ARCHIVED', path: ['askTrials'], extensions: { code: 'CONFLICT' } }],
      },
    });
    const r = await client.tellAndAsk('7', { state: 'COMPLETE', value: 1 }, { studyId: 's1' });
    // The tell ran first and succeeded; the failed non-null ask took the response's data with it.
    assert.equal(r.told, null);
    assert.ok('error' in r.asked && isPosteriorError(r.asked.error, 'CONFLICT'));
  });

  it('retries 5xx answers with backoff and then succeeds', async () => {
    let calls = 0;
    handler = () => {
      calls++;
      if (calls < 3) return { status: 503, text: 'upstream restarting' };
      return { json: { data: { heartbeat: { shouldStop: true } } } };
    };
    const retries: number[] = [];
    const client = createClient({ url, retry: fast, onRetry: (_e, attempt) => retries.push(attempt) });
    assert.deepEqual(await client.heartbeat('7'), { shouldStop: true });
    assert.equal(calls, 3);
    assert.deepEqual(retries, [1, 2]);
  });

  it('gives up after the configured retries with a retryable error', async () => {
    let calls = 0;
    handler = () => {
      calls++;
      return { status: 502, text: 'bad gateway' };
    };
    const client = createClient({ url, retry: fast });
    await assert.rejects(client.heartbeat('7'), (error: unknown) => {
      assert.ok(isPosteriorError(error, 'INTERNAL_SERVER_ERROR'));
      assert.equal(error.retryable, true);
      return true;
    });
    assert.equal(calls, 4);
  });

  it('reports an unreachable server as a retryable NETWORK_ERROR', async () => {
    const client = createClient({
      url: 'http://127.0.0.1:9',
      retry: { retries: 1, minDelayMs: 1, maxDelayMs: 2 },
    });
    await assert.rejects(client.me(), (error: unknown) => {
      assert.ok(isPosteriorError(error, 'NETWORK_ERROR'));
      assert.equal(error.retryable, true);
      return true;
    });
  });

  it('askTrials sends one request key per call, the same on each of its retries', async () => {
    const keys: unknown[] = [];
    let calls = 0;
    handler = (body, req) => {
      calls++;
      keys.push(body.variables.requestKey);
      // The answer is lost after the server got the request (a dropped connection).
      if (calls % 3 !== 0) req.socket.destroy();
      return { json: { data: { askTrials: [wireTrial] } } };
    };
    const client = createClient({ url, retry: fast });
    await client.askTrials('s1', 1, 'w1');
    await client.askTrials('s1', 1, 'w1');
    assert.equal(keys.length, 6);
    assert.equal(typeof keys[0], 'string');
    assert.deepEqual(keys.slice(0, 3), [keys[0], keys[0], keys[0]]);
    assert.deepEqual(keys.slice(3), [keys[3], keys[3], keys[3]]);
    assert.notEqual(keys[0], keys[3]);
    // A caller-chosen key (to span its own retries of the call) is sent as given.
    await client.askTrials('s1', 1, 'w1', { requestKey: 'ask-42' });
    assert.equal(keys.at(-1), 'ask-42');
  });

  it('tellAndAsk carries one request key for its ask across retries', async () => {
    const keys: unknown[] = [];
    handler = (body, req) => {
      keys.push(body.variables.requestKey);
      if (keys.length === 1) req.socket.destroy();
      return { json: { data: { tellTrial: wireTrial, askTrials: [wireTrial] } } };
    };
    const client = createClient({ url, retry: fast });
    await client.tellAndAsk('7', { state: 'COMPLETE', value: 1 }, { studyId: 's1' });
    assert.equal(keys.length, 2);
    assert.equal(typeof keys[0], 'string');
    assert.equal(keys[0], keys[1]);
  });

  for (const [name, call] of [
    [
      'createStudy',
      (c: ReturnType<typeof createClient>) => c.createStudy({ teamId: 't', name: 's' } as never),
    ],
    ['createTeam', (c: ReturnType<typeof createClient>) => c.createTeam('team')],
    ['createApiToken', (c: ReturnType<typeof createClient>) => c.createApiToken('t', 'worker')],
    ['enqueueTrial', (c: ReturnType<typeof createClient>) => c.enqueueTrial('s1', { lr: 0.1 })],
  ] as const) {
    it(`${name} is not retried once the request may have reached the server (no duplicates)`, async () => {
      let calls = 0;
      handler = (_body, req) => {
        calls++;
        req.socket.destroy();
        return { json: {} };
      };
      const client = createClient({ url, retry: fast });
      await assert.rejects(call(client), (error: unknown) => isPosteriorError(error, 'NETWORK_ERROR'));
      assert.equal(calls, 1);
    });
  }

  it('a non-idempotent mutation is retried when the connection was refused (never delivered)', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const closed = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const retries: number[] = [];
    const client = createClient({
      url: `http://127.0.0.1:${closed}`,
      retry: { retries: 2, minDelayMs: 1, maxDelayMs: 2 },
      onRetry: (_e, attempt) => retries.push(attempt),
    });
    await assert.rejects(client.createTeam('team'), (error: unknown) =>
      isPosteriorError(error, 'NETWORK_ERROR'),
    );
    assert.deepEqual(retries, [1, 2]);
  });

  it('retries a dropped connection (no HTTP answer) and then succeeds', async () => {
    let calls = 0;
    handler = (_body, req) => {
      calls++;
      // The socket dies before any response: what a restarting API or a reset proxy looks like.
      if (calls < 3) req.socket.destroy();
      return { json: { data: { heartbeat: { shouldStop: false } } } };
    };
    const retried: string[] = [];
    const client = createClient({ url, retry: fast, onRetry: (e) => retried.push(e.code) });
    assert.deepEqual(await client.heartbeat('7'), { shouldStop: false });
    assert.equal(calls, 3);
    assert.deepEqual(retried, ['NETWORK_ERROR', 'NETWORK_ERROR']);
  });

  for (const code of ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'BAD_USER_INPUT', 'CONFLICT']) {
    it(`never retries a ${code} user error, even on a 5xx status`, async () => {
      let calls = 0;
      handler = () => {
        calls++;
        return { status: 500, json: { errors: [{ message: 'no', extensions: { code } }] } };
      };
      const client = createClient({ url, retry: fast });
      await assert.rejects(client.askTrials('s1'), (error: unknown) => isPosteriorError(error, code));
      assert.equal(calls, 1);
    });
  }

  it('keeps the input a BAD_USER_INPUT names (extensions.field)', async () => {
    handler = () => ({
      json: {
        errors: [
          {
            message: 'input.searchSpace[2].low: must be > 0',
            extensions: { code: 'BAD_USER_INPUT', field: 'input.searchSpace[2].low' },
          },
        ],
      },
    });
    const client = createClient({ url, retry: fast });
    await assert.rejects(client.study('s1'), (error: unknown) => {
      assert.ok(isPosteriorError(error, 'BAD_USER_INPUT'));
      assert.equal(error.field, 'input.searchSpace[2].low');
      return true;
    });
  });

  it('reports a rate limit as RATE_LIMITED, which a caller waits out (not retried at once)', async () => {
    let calls = 0;
    handler = () => {
      calls++;
      return {
        status: 429,
        json: {
          errors: [{ message: 'too many attempts', extensions: { code: 'RATE_LIMITED', retryAfterS: 30 } }],
        },
      };
    };
    const client = createClient({ url, retry: fast });
    await assert.rejects(client.logIn('a@b.c', 'pw'), (error: unknown) => {
      assert.ok(isPosteriorError(error, 'RATE_LIMITED'));
      assert.equal(error.field, undefined);
      return true;
    });
    assert.equal(calls, 1);
  });

  it('does not retry validation failures', async () => {
    let calls = 0;
    handler = () => {
      calls++;
      return {
        status: 400,
        json: {
          errors: [{ message: 'Cannot query field', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }],
        },
      };
    };
    const client = createClient({ url, retry: fast });
    await assert.rejects(client.me(), (error: unknown) => isPosteriorError(error) && !error.retryable);
    assert.equal(calls, 1);
  });

  it('rejects a malformed answer with BAD_RESPONSE naming the field', async () => {
    handler = () => ({ json: { data: { heartbeat: { shouldStop: 'yes' } } } });
    const client = createClient({ url, retry: fast });
    await assert.rejects(client.heartbeat('7'), (error: unknown) => {
      assert.ok(isPosteriorError(error, 'BAD_RESPONSE'));
      assert.match(error.message, /shouldStop/);
      return true;
    });
  });

  it('uploads artifacts with the file name header and downloads them back', async () => {
    handler = (_body, req) => {
      if (req.method === 'POST') {
        return {
          status: 201,
          json: {
            id: 'a1',
            trialId: '7',
            name: 'trial-1_lr=0.1.json',
            contentType: 'application/json',
            sizeBytes: 2,
            sha256: 'x',
            url: '/artifacts/a1',
            createdAt: '2026-01-01T00:00:00Z',
          },
        };
      }
      return {
        raw: Buffer.from('{}'),
        headers: {
          'content-type': 'application/json',
          'content-disposition': 'attachment; filename="x.json"',
        },
      };
    };
    const client = createClient({ url, token: 't', retry: fast });
    const data = new TextEncoder().encode('{}');
    const artifact = await client.uploadArtifact('7', {
      fileName: 'trial-1_lr=0.1.json',
      contentType: 'application/json',
      data,
    });
    assert.equal(artifact.id, 'a1');
    const upload = seen.at(-1);
    assert.equal(upload?.path, '/artifacts?trialId=7');
    assert.equal(upload?.headers['x-filename'], 'trial-1_lr=0.1.json');
    assert.equal(upload?.body, '{}');
    const file = await client.downloadArtifact('a1');
    assert.equal(seen.at(-1)?.path, '/artifacts/a1');
    assert.equal(file.fileName, 'x.json');
    assert.equal(new TextDecoder().decode(file.data), '{}');
  });

  it('maps artifact HTTP statuses to codes', async () => {
    handler = () => ({ status: 404, json: { error: { code: 'NOT_FOUND', message: 'no such artifact' } } });
    const client = createClient({ url, retry: fast });
    await assert.rejects(client.downloadArtifact('zzz'), (error: unknown) => {
      assert.ok(isPosteriorError(error, 'NOT_FOUND'));
      assert.match(error.message, /no such artifact/);
      return true;
    });
  });

  it('honours an abort signal while backing off', async () => {
    handler = () => ({ status: 503, text: 'down' });
    const client = createClient({ url, retry: { retries: 50, minDelayMs: 50, maxDelayMs: 100 } });
    const controller = new AbortController();
    const pending = client.heartbeat('7', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('shutting down')), 20);
    await assert.rejects(pending, (error: unknown) => isPosteriorError(error, 'ABORTED'));
  });
});

describe('backoffDelay', () => {
  const policy = { retries: 10, minDelayMs: 200, maxDelayMs: 5_000 };

  it('grows exponentially from the minimum and is capped at the maximum', () => {
    const top = (attempt: number) => backoffDelay(attempt, policy, () => 1);
    assert.deepEqual([0, 1, 2, 3, 4].map(top), [200, 400, 800, 1600, 3200]);
    assert.equal(top(5), 5_000);
    assert.equal(top(40), 5_000);
  });

  it('is fully jittered between half the minimum and the ceiling', () => {
    assert.equal(
      backoffDelay(3, policy, () => 0),
      100,
    );
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(6, policy);
      assert.ok(d >= 100 && d <= 5_000, String(d));
    }
  });
});

describe('PosteriorError', () => {
  it('is recognised by the type guard and by code', () => {
    const error = new PosteriorError('NOT_FOUND', 'study 9 not found');
    assert.ok(isPosteriorError(error));
    assert.ok(isPosteriorError(error, 'NOT_FOUND'));
    assert.ok(!isPosteriorError(error, 'CONFLICT'));
    assert.ok(!isPosteriorError(new Error('x')));
    assert.equal(new PosteriorError('HTTP_ERROR', 'x', { status: 429 }).retryable, true);
    assert.equal(new PosteriorError('HTTP_ERROR', 'x', { status: 404 }).retryable, false);
  });
});
