import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createClient } from './client.js';
import * as G from './generated/graphql.js';

/**
 * The SDK side of multi-objective and constrained studies (MO-CONTRACT.md): what createStudy and
 * tellTrial send, what study and trial reads parse, and that an older server's answers (without
 * the new fields) read as a single-objective study.
 */

type Body = { query: string; variables: Record<string, unknown> };
let server: Server;
let url = '';
let reply: (body: Body) => unknown = () => ({});
const sent: Body[] = [];

before(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Body;
      sent.push(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: reply(body) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const trial = (extra: Record<string, unknown> = {}) => ({
  id: 't1',
  studyId: 's1',
  number: 0,
  state: 'COMPLETE',
  params: { lr: 0.1 },
  value: 0.5,
  workerId: 'w',
  createdAt: '2026-01-01T00:00:00.000Z',
  startedAt: '2026-01-01T00:00:00.000Z',
  heartbeatAt: null,
  finishedAt: '2026-01-01T00:00:01.000Z',
  error: null,
  retryOf: null,
  note: null,
  tags: [],
  suggestion: null,
  ...extra,
});

const study = (extra: Record<string, unknown> = {}) => ({
  id: 's1',
  teamId: 'team',
  name: 'mo',
  state: 'RUNNING',
  direction: 'MINIMIZE',
  objective: 'val_loss',
  searchSpace: [{ name: 'lr', type: 'float', low: 0.001, high: 1 }],
  sampler: { type: 'gp' },
  pruner: { type: 'none' },
  maxTrials: 10,
  parallelism: 1,
  heartbeatTimeoutS: 60,
  retryFailed: 0,
  warmStartFrom: [],
  description: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  trialCounts: { waiting: 0, running: 0, complete: 1, pruned: 0, failed: 0, total: 1, retries: 0 },
  bestTrial: null,
  ...extra,
});

describe('multi-objective and constrained studies in the SDK', () => {
  it('the operations select the new fields and send values and constraints', () => {
    const tell = String(G.TellTrialDocument);
    assert.match(tell, /values: \$values/);
    assert.match(tell, /constraints: \$constraints/);
    assert.match(String(G.TellAndAskDocument), /values: \$values/);
    const fields = String(G.StudyDocument);
    for (const f of ['objectives', 'isMultiObjective', 'referencePoint', 'paretoFront', 'hypervolumeHistory'])
      assert.match(fields, new RegExp(`\\b${f}\\b`));
    for (const f of ['values', 'constraints', 'feasible', 'means', 'stds', 'feasibility'])
      assert.match(fields, new RegExp(`\\b${f}\\b`));
  });

  it('createStudy sends objectives, constraints and the reference point; the study reads them back', async () => {
    const front = trial({ values: [0.5, 1200], constraints: [-1], feasible: true });
    reply = () => ({
      createStudy: study({
        objectives: [
          { name: 'val_loss', direction: 'MINIMIZE' },
          { name: 'trainable_params', direction: 'MINIMIZE' },
        ],
        constraints: [{ name: 'latency_ms' }],
        isMultiObjective: true,
        referencePoint: { values: [1, 5000], source: 'STUDY' },
        paretoFront: [front],
        hypervolumeHistory: [{ trialNumber: 0, hypervolume: 1900 }],
      }),
    });
    const client = createClient({ url });
    const input = {
      teamId: 'team',
      name: 'mo',
      objectives: [
        { name: 'val_loss', direction: 'MINIMIZE' as const },
        { name: 'trainable_params', direction: 'MINIMIZE' as const },
      ],
      constraints: [{ name: 'latency_ms' }],
      referencePoint: [1, 5000],
      searchSpace: [{ name: 'lr', type: 'float' as const, low: 0.001, high: 1 }],
      maxTrials: 10,
    };
    const s = await client.createStudy(input);
    assert.deepEqual(sent.at(-1)?.variables.input, input);
    assert.equal(s.isMultiObjective, true);
    assert.deepEqual(
      s.objectives.map((o) => o.name),
      ['val_loss', 'trainable_params'],
    );
    assert.deepEqual(s.constraints, [{ name: 'latency_ms' }]);
    assert.deepEqual(s.referencePoint, { values: [1, 5000], source: 'STUDY' });
    assert.deepEqual(
      s.paretoFront.map((t) => [t.number, t.values, t.constraints, t.feasible]),
      [[0, [0.5, 1200], [-1], true]],
    );
    assert.deepEqual(s.hypervolumeHistory, [{ trialNumber: 0, hypervolume: 1900 }]);
    await client.close();
  });

  it('tellTrial sends values and constraints only when given', async () => {
    reply = () => ({
      tellTrial: trial({
        values: [0.5, 1200],
        constraints: [0.25],
        feasible: false,
        suggestion: {
          sampler: 'gp',
          phase: 'model',
          mean: 0.4,
          std: 0.1,
          acquisition: -1,
          acquisitionName: 'logEHVI',
          means: [0.4, 1000],
          stds: [0.1, 50],
          feasibility: 0.7,
        },
      }),
    });
    const client = createClient({ url });
    const t = await client.tellTrial('t1', { state: 'COMPLETE', values: [0.5, 1200], constraints: [0.25] });
    assert.deepEqual(sent.at(-1)?.variables, {
      trialId: 't1',
      state: 'COMPLETE',
      value: null,
      values: [0.5, 1200],
      constraints: [0.25],
      error: null,
      // dashtrack's run info: always named, null when not given
      logTail: null,
      environment: null,
    });
    assert.deepEqual([t.values, t.constraints, t.feasible], [[0.5, 1200], [0.25], false]);
    assert.deepEqual(
      [t.suggestion?.means, t.suggestion?.stds, t.suggestion?.feasibility],
      [[0.4, 1000], [0.1, 50], 0.7],
    );
    await client.tellTrial('t1', { state: 'COMPLETE', value: 0.5 });
    const vars = sent.at(-1)?.variables ?? {};
    assert.equal('values' in vars || 'constraints' in vars, false, JSON.stringify(vars));
    await client.close();
  });

  it("an older server's study and trials read as single-objective", async () => {
    reply = () => ({ study: study({ bestTrial: trial() }) });
    const client = createClient({ url });
    const s = await client.study('s1');
    assert.ok(s);
    assert.deepEqual(s.objectives, [{ name: 'val_loss', direction: 'MINIMIZE' }]);
    assert.deepEqual(s.constraints, []);
    assert.equal(s.isMultiObjective, false);
    assert.equal(s.referencePoint, null);
    assert.deepEqual(
      s.paretoFront.map((t) => t.number),
      [0],
    );
    assert.deepEqual(s.hypervolumeHistory, []);
    assert.deepEqual(
      [s.bestTrial?.values, s.bestTrial?.constraints, s.bestTrial?.feasible],
      [[0.5], null, true],
    );
    await client.close();
  });
});
