import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
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

describe('multi-objective and constrained reports (docs/DESIGN.md 6f)', () => {
  const base = {
    id: 's1',
    name: 'mo',
    state: 'RUNNING',
    direction: 'MINIMIZE' as const,
    objective: 'loss',
    searchSpace: [{ name: 'lr', type: 'float', low: 0.001, high: 0.1, log: true }],
    sampler: { type: 'gp' },
    maxTrials: 10,
  };
  const trials = [
    {
      number: 0,
      state: 'COMPLETE',
      params: { lr: 0.01 },
      value: 0.4,
      values: [0.4, 1200],
      constraints: [-1],
    },
    {
      number: 1,
      state: 'COMPLETE',
      params: { lr: 0.02 },
      value: 0.2,
      values: [0.2, 5000],
      constraints: [0.5],
    },
    { number: 2, state: 'COMPLETE', params: { lr: 0.05 }, value: 0.3, values: [0.3, 3000], constraints: [0] },
    { number: 3, state: 'RUNNING', params: { lr: 0.03 }, value: null },
  ];

  test('lists the objectives, the reference point, the hypervolume and the front', () => {
    const text = formatStudyReport(
      {
        ...base,
        objectives: [
          { name: 'loss', direction: 'MINIMIZE' },
          { name: 'params', direction: 'MINIMIZE' },
        ],
        constraints: [{ name: 'latency' }],
      },
      trials,
      null,
      { trialNumbers: [0, 2], hypervolume: 123.5, referencePoint: { values: [1, 6000], source: 'INFERRED' } },
    );
    assert.equal(
      text,
      [
        'Posterior study report',
        '======================',
        '',
        'Study:      mo (s1)',
        'State:      RUNNING',
        'Objectives: minimize loss, minimize params',
        'Constraints: latency (feasible when every one is <= 0)',
        'Reference:  (1, 6000) inferred from the feasible trials',
        'Sampler:    {"type":"gp"}',
        'Trials:     4 of 10 (3 complete, 1 running)',
        '',
        'Search space',
        '------------',
        '  lr    float [0.001, 0.1] log',
        '',
        'Trials',
        '------',
        '  #  state     loss  params  latency  feasible  lr',
        '  -  --------  ----  ------  -------  --------  ----',
        '  0  COMPLETE  0.4   1200    -1       yes       0.01',
        '  1  COMPLETE  0.2   5000    0.5      no        0.02',
        '  2  COMPLETE  0.3   3000    0        yes       0.05',
        '  3  RUNNING   -     -       -        -         0.03',
        '',
        'Pareto front',
        '------------',
        '  hypervolume 123.5 against (1, 6000)',
        '  #  loss  params  latency  lr',
        '  -  ----  ------  -------  ----',
        '  0  0.4   1200    -1       0.01',
        '  2  0.3   3000    0        0.05',
        '',
      ].join('\n'),
    );
    assert.doesNotMatch(text, /Best trial/);
  });

  test('a study-given reference point says so; an empty front says why', () => {
    const text = formatStudyReport(
      {
        ...base,
        objectives: [
          { name: 'loss', direction: 'MINIMIZE' },
          { name: 'acc', direction: 'MAXIMIZE' },
        ],
      },
      [],
      null,
      { trialNumbers: [], hypervolume: 0, referencePoint: { values: [1, 0], source: 'STUDY' } },
    );
    assert.match(text, /^Objectives: minimize loss, maximize acc$/m);
    assert.match(text, /^Reference: {2}\(1, 0\) given by the study$/m);
    assert.match(text, /none \(no feasible completed trial yet\)/);
  });

  test('a constrained single-objective report marks infeasible trials; the best is the best feasible', () => {
    const text = formatStudyReport(
      { ...base, constraints: [{ name: 'latency' }] },
      trials.map(({ values: _, ...t }) => t),
    );
    assert.match(text, /^ {2}1 {2}COMPLETE {2}0\.2 {3}0\.5 {6}no {8}0\.02$/m);
    assert.match(text, /^Best feasible trial$/m);
    // #1 has the lowest loss but is infeasible.
    assert.match(text, /^ {2}trial #2: loss = 0\.3$/m);
    assert.match(text, /^ {4}latency = 0$/m);
  });
});
