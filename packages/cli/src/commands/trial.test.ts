import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin.js', import.meta.url));

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [bin, 'trial', ...args], {
    encoding: 'utf8',
    env: { ...process.env, POSTERIOR_TOKEN: 'tok', POSTERIOR_API_URL: 'http://127.0.0.1:9' },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('posterior trial note / tag: bad usage exits 2 with one line, before any request', () => {
  const cases: Array<[string[], RegExp]> = [
    [['note'], /missing required argument 'trial'/],
    [['note', 't1'], /missing note text/],
    [['note', 't1', 'x', '--clear'], /not both/],
    [['note', 't1', 'n'.repeat(10_001)], /at most 10000 characters/],
    [['tag', 't1'], /missing tags/],
    [['tag', 't1', 'a', '  '], /must not be empty/],
    [['tag', 't1', 'x'.repeat(65)], /at most 64 characters/],
    [['tag', 't1', ...Array.from({ length: 21 }, (_, i) => `t${i}`)], /at most 20 tags/],
    [['tag', 't1', 'a', '--clear'], /not both/],
    [['attr', 't1'], /missing key=value/],
    [['attr', 't1', 'batch'], /expected key=value/],
    [['attr', 't1', '=1'], /expected key=value/],
    [['attr', 't1', `${'k'.repeat(65)}=1`], /at most 64 characters/],
    [['attr', 't1', `s=${'v'.repeat(1001)}`], /at most 1000 characters/],
    [['attr', 't1', 'a=1', '--unset', 'a'], /both set and unset/],
  ];
  for (const [args, message] of cases) {
    it(args.join(' ').slice(0, 60), () => {
      const r = cli(args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.equal(r.stdout, '');
    });
  }
});

describe('posterior trial tag / note against an API', () => {
  let server: Server;
  let url = '';
  const bodies: Array<{ query: string; variables: Record<string, unknown> }> = [];
  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        bodies.push(body);
        const v = body.variables as {
          trialId: string;
          tags?: string[];
          note?: string | null;
          attributes?: Array<{ key: string; value: unknown }>;
        };
        const trial = {
          id: v.trialId,
          studyId: 's',
          number: 4,
          state: 'COMPLETE',
          params: { x: 1 },
          value: 1,
          workerId: null,
          createdAt: '2026-01-01T00:00:00Z',
          startedAt: null,
          heartbeatAt: null,
          finishedAt: '2026-01-01T00:00:01Z',
          error: null,
          retryOf: null,
          suggestion: null,
          note: v.note ?? null,
          tags: v.tags ?? [],
          attributes: (v.attributes ?? []).filter((a) => a.value !== null),
          pruneStep: null,
          pruneReason: null,
        };
        const field = body.query.includes('setTrialAttributes')
          ? 'setTrialAttributes'
          : body.query.includes('setTrialTags')
            ? 'setTrialTags'
            : 'setTrialNote';
        const data =
          v.note === 'too long for the server'
            ? {
                errors: [
                  { message: 'note: must be shorter', extensions: { code: 'BAD_USER_INPUT', field: 'note' } },
                ],
              }
            : { data: { [field]: trial } };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(data));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [bin, 'trial', ...args, '--api', url, '--token', 'tok'],
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      );
    });

  it('tag sends the trimmed tags and prints the trial as JSON', async () => {
    const r = await run(['tag', 'abc', ' best', 'gpu', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(bodies.at(-1)?.variables, { trialId: 'abc', tags: ['best', 'gpu'] });
    assert.deepEqual(JSON.parse(r.stdout), {
      id: 'abc',
      number: 4,
      state: 'COMPLETE',
      note: null,
      tags: ['best', 'gpu'],
      attributes: {},
    });
  });

  it('attr types numbers and booleans (not with --string), unsets keys and replaces with --clear', async () => {
    const r = await run([
      'attr',
      'abc',
      'batch=64',
      'lr=1e-3',
      'aug=true',
      'name=resnet',
      '--unset',
      'old',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(bodies.at(-1)?.variables, {
      trialId: 'abc',
      attributes: [
        { key: 'batch', value: 64 },
        { key: 'lr', value: 0.001 },
        { key: 'aug', value: true },
        { key: 'name', value: 'resnet' },
        { key: 'old', value: null },
      ],
      replace: false,
    });
    assert.deepEqual(JSON.parse(r.stdout).attributes, { batch: 64, lr: 0.001, aug: true, name: 'resnet' });
    const s = await run(['attr', 'abc', 'id=007', '--string', '--clear']);
    assert.equal(s.code, 0, s.stderr);
    assert.deepEqual(bodies.at(-1)?.variables, {
      trialId: 'abc',
      attributes: [{ key: 'id', value: '007' }],
      replace: true,
    });
    assert.match(s.stdout, /attributes \{id="007"\}/);
  });

  it('note --clear sends null; a note the server refuses exits 2', async () => {
    const cleared = await run(['note', 'abc', '--clear']);
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.deepEqual(bodies.at(-1)?.variables, { trialId: 'abc', note: null });
    assert.match(cleared.stdout, /trial #4 \(abc\): tags \[\]; note \(none\)/);
    const refused = await run(['note', 'abc', 'too long for the server']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /^posterior: .*note: must be shorter\n$/);
  });
});
