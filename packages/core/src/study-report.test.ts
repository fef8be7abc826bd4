import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bestTrial } from './best-trial.js';
import { formatReportNumber, formatStudyReport } from './study-report.js';

const study = {
  id: 's1',
  name: 'transfer',
  state: 'DONE',
  direction: 'MINIMIZE' as const,
  objective: 'val_loss',
  searchSpace: [
    { name: 'lr', type: 'float', low: 1e-5, high: 0.1, log: true },
    { name: 'dropout', type: 'float', low: 0, high: 0.7, step: 0.05 },
    { name: 'act', type: 'categorical', choices: ['relu', 'gelu'] },
  ],
  sampler: { type: 'gp', seed: 0 },
  maxTrials: 3,
};
const trials = [
  { number: 1, state: 'COMPLETE', params: { lr: 0.001, dropout: 0.1, act: 'gelu' }, value: 0.2 },
  { number: 0, state: 'COMPLETE', params: { lr: 0.01, dropout: 0.3, act: 'relu' }, value: 0.35 },
  { number: 2, state: 'FAILED', params: { lr: 0.05, dropout: 0.5, act: 'relu' }, value: null },
];

test('the report lists the study, the space, every trial and the best trial', () => {
  const text = formatStudyReport(study, trials);
  assert.match(text, /Study: {6}transfer \(s1\)/);
  assert.match(text, /Objective: {2}minimize val_loss/);
  assert.match(text, /lr {7}float \[1\.0000e-5, 0\.1\] log/);
  assert.match(text, /dropout {2}float \[0, 0\.7\] step 0\.05/);
  assert.match(text, /act {6}categorical \{relu, gelu\}/);
  const rows = text.split('\n').filter((l) => /^ {2}\d /.test(l));
  assert.deepEqual(
    rows.map((r) => r.trim().split(/\s+/).slice(0, 3)),
    [
      ['0', 'COMPLETE', '0.35'],
      ['1', 'COMPLETE', '0.2'],
      ['2', 'FAILED', '-'],
    ],
  );
  assert.match(text, /trial #1: val_loss = 0\.2\n/);
  assert.match(text, /Trials: {5}3 of 3 \(2 complete, 1 failed\)/);
});

test('the recommended trial (model) follows the best trial, with the posterior belief', () => {
  const text = formatStudyReport(study, trials, {
    number: 0,
    value: 0.35,
    mean: 0.25,
    std: 0.02,
    noiseStd: 0.1,
  });
  assert.match(
    text,
    /Recommended trial \(model\)\n-+\n {2}trial #0: val_loss = 0\.35; posterior mean 0\.25 \+- 0\.02, fitted noise sd 0\.1\n {4}lr {6}= 0\.01\n/,
  );
  assert.doesNotMatch(formatStudyReport(study, trials), /Recommended/);
});

test('no completed trial yet', () => {
  assert.match(formatStudyReport(study, []), /none \(no completed trial yet\)/);
});

test('bestTrial honours the direction and formatReportNumber keeps numbers short', () => {
  assert.equal(bestTrial('MAXIMIZE', trials)?.number, 0);
  assert.equal(formatReportNumber(0.000012345), '1.2345e-5');
  assert.equal(formatReportNumber(3), '3');
  assert.equal(formatReportNumber(0.123456789), '0.123457');
});

// The whole file, byte for byte: bayes_opt.txt is a contract (docs/DESIGN.md section 2) shared by
// the API's Study.report, `posterior report` and the dashboard's download.
test('bayes_opt.txt, byte for byte', () => {
  const text = formatStudyReport(
    { ...study, createdAt: new Date('2026-01-02T03:04:05.000Z'), pruner: { type: 'none' } },
    trials,
    { number: 1, value: 0.2, mean: 0.21, std: 0.01, noiseStd: 0.05 },
  );
  assert.equal(
    text,
    [
      'Posterior study report',
      '======================',
      '',
      'Study:      transfer (s1)',
      'State:      DONE',
      'Created:    2026-01-02T03:04:05.000Z',
      'Objective:  minimize val_loss',
      'Sampler:    {"type":"gp","seed":0}',
      'Pruner:     {"type":"none"}',
      'Trials:     3 of 3 (2 complete, 1 failed)',
      '',
      'Search space',
      '------------',
      '  lr       float [1.0000e-5, 0.1] log',
      '  dropout  float [0, 0.7] step 0.05',
      '  act      categorical {relu, gelu}',
      '',
      'Trials',
      '------',
      '  #  state     val_loss  lr     dropout  act',
      '  -  --------  --------  -----  -------  ----',
      '  0  COMPLETE  0.35      0.01   0.3      relu',
      '  1  COMPLETE  0.2       0.001  0.1      gelu',
      '  2  FAILED    -         0.05   0.5      relu',
      '',
      'Best trial',
      '----------',
      '  trial #1: val_loss = 0.2',
      '    lr      = 0.001',
      '    dropout = 0.1',
      '    act     = gelu',
      '',
      'Recommended trial (model)',
      '-------------------------',
      '  trial #1: val_loss = 0.2; posterior mean 0.21 +- 0.01, fitted noise sd 0.05',
      '    lr      = 0.001',
      '    dropout = 0.1',
      '    act     = gelu',
      '  (the completed trial with the best posterior mean of the GP: with a noisy objective the best',
      '  observed value is biased towards a lucky draw, the posterior mean is not)',
      '',
    ].join('\n'),
  );
});
