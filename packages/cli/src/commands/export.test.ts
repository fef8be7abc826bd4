import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Trial } from '@posterior/sdk';
import { trialsCsv } from './export.js';

const bin = fileURLToPath(new URL('../bin.js', import.meta.url));

const trial = (
  number: number,
  params: Trial['params'],
  value: number | null,
  state: Trial['state'],
): Trial => ({
  id: `t${number}`,
  studyId: 's',
  number,
  state,
  params,
  value,
  values: value === null ? null : [value],
  constraints: null,
  feasible: state === 'COMPLETE' ? true : null,
  suggestion: null,
  workerId: 'w1',
  createdAt: new Date('2026-01-01T00:00:00Z'),
  startedAt: new Date('2026-01-01T00:00:00Z'),
  heartbeatAt: null,
  finishedAt: new Date('2026-01-01T00:00:02.5Z'),
  error: state === 'FAILED' ? 'boom, "oom"' : null,
  retryOf: null,
  note: null,
  tags: [],
  attributes: [],
  pruneStep: null,
  pruneReason: null,
});

describe('posterior export', () => {
  it('writes fields, params and the last value of each metric, in trial order', () => {
    const csv = trialsCsv(
      [
        trial(1, { lr: 0.01, act: '=relu' }, null, 'FAILED'),
        trial(0, { lr: 0.001, act: 'gelu' }, 0.25, 'COMPLETE'),
      ],
      ['lr', 'act'],
      { names: ['acc'], byTrial: new Map([['t0', new Map([['acc', { value: 0.9 }]])]]) },
    );
    assert.equal(
      csv,
      [
        'number,state,value,worker,error,duration_s,started_at,finished_at,params.lr,params.act,metrics.acc',
        '0,COMPLETE,0.25,w1,,2.5,2026-01-01T00:00:00.000Z,2026-01-01T00:00:02.500Z,0.001,gelu,0.9',
        `1,FAILED,,w1,"boom, ""oom""",2.5,2026-01-01T00:00:00.000Z,2026-01-01T00:00:02.500Z,0.01,'=relu,`,
        '',
      ].join('\r\n'),
    );
  });

  it('adds value_<objective>, constraint_<name> and feasible for multi-objective and constrained studies', () => {
    const mo = {
      ...trial(0, { lr: 0.1 }, 0.5, 'COMPLETE'),
      values: [0.5, 1200],
      constraints: [0.25],
      feasible: false,
    };
    const csv = trialsCsv([mo, trial(1, { lr: 0.2 }, null, 'FAILED')], ['lr'], undefined, {
      objectives: [{ name: 'val_loss' }, { name: 'trainable_params' }],
      constraints: [{ name: 'latency' }],
    });
    const [header, first, second] = csv.split('\r\n');
    assert.equal(
      header,
      'number,state,value,worker,error,duration_s,started_at,finished_at,value_val_loss,value_trainable_params,constraint_latency,feasible,params.lr',
    );
    assert.match(first ?? '', /,0\.5,1200,0\.25,false,0\.1$/);
    assert.match(second ?? '', /,,,,,0\.2$/);
    // A single-objective study without constraints: no outcome columns.
    assert.doesNotMatch(
      trialsCsv([mo], ['lr'], undefined, { objectives: [{ name: 'loss' }] }),
      /value_|feasible/,
    );
  });

  it('exits 2 with one line on bad usage', () => {
    for (const args of [
      ['export'],
      ['export', 's1', '--state', 'DONE'],
      ['export', 's1', '-o', '', '--token', 't'],
    ]) {
      const run = spawnSync(process.execPath, [bin, ...args], {
        encoding: 'utf8',
        env: { ...process.env, POSTERIOR_TOKEN: '' },
      });
      assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
      assert.match(run.stderr, /^posterior: /);
    }
  });

  it('asks the server for the CSV (Study.trialsExport) in one request and writes it as is', async () => {
    const csv = 'number,state,value\r\n0,COMPLETE,1\r\n1,FAILED,"a\r\nb"\r\n';
    const bodies: Array<{ query: string; variables: Record<string, unknown> }> = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: { study: { id: 's1', trialsExport: csv } } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const out = join(mkdtempSync(join(tmpdir(), 'export-')), 'trials.csv');
    try {
      const r = await new Promise<{ code: number; stderr: string }>((resolve) =>
        execFile(
          process.execPath,
          [bin, 'export', 's1', '--state', 'COMPLETE', '--metrics', '-o', out, '--api', url, '--token', 't'],
          (error, _stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stderr }),
        ),
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(readFileSync(out, 'utf8'), csv);
      assert.match(r.stderr, /wrote 2 trials to /);
      assert.equal(bodies.length, 1);
      assert.match(bodies[0]?.query ?? '', /trialsExport/);
      assert.deepEqual(bodies[0]?.variables, { id: 's1', format: 'CSV', state: 'COMPLETE', metrics: true });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
