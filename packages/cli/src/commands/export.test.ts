import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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
});
