import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { trialsCsv } from '@posterior/core';
import { csvCell, csvColumns, filterTrials, toCsv, trialResolver } from './trial-fields.ts';
import { evaluate, parseQuery, QueryError, queryNames } from './trial-query.ts';
import type { Trial } from './types.ts';

const trial = (
  number: number,
  params: Trial['params'],
  value: number | null,
  state: Trial['state'] = 'COMPLETE',
): Trial => ({
  id: `t${number}`,
  number,
  state,
  value,
  params,
  startedAt: '2026-01-01T00:00:00Z',
  finishedAt: '2026-01-01T00:00:10Z',
  workerId: `w${number % 2}`,
  error: state === 'FAILED' ? 'out of memory' : null,
  suggestion: null,
});

const trials = [
  trial(0, { lr: 1e-4, act: 'relu', layers: 2 }, 0.5),
  trial(1, { lr: 5e-4, act: 'gelu', layers: 4 }, 0.2),
  trial(2, { lr: 1e-2, act: 'gelu', layers: 4 }, 0.9),
  trial(3, { lr: 1e-3, act: 'relu', layers: 8 }, null, 'FAILED'),
];
const metrics: Record<string, Record<string, number>> = {
  t0: { val_acc: 0.97 },
  t1: { val_acc: 0.985 },
  t2: { val_acc: 0.99 },
};
const last = (id: string, m: string) => metrics[id]?.[m] ?? null;
const numbers = (q: string) => filterTrials(trials, q, 'loss', last).trials.map((t) => t.number);

describe('trials query', () => {
  it('filters by params and metrics with and/or/not and parentheses', () => {
    assert.deepEqual(numbers('lr < 1e-3 and val_acc > 0.98'), [1]);
    assert.deepEqual(numbers('lr < 1e-3 or val_acc > 0.98'), [0, 1, 2]);
    assert.deepEqual(numbers('not (act = "gelu")'), [0, 3]);
    assert.deepEqual(numbers("act == 'GELU' and layers >= 4"), [1, 2]);
    assert.deepEqual(numbers('layers != 4'), [0, 3]);
    assert.deepEqual(numbers('lr<=1e-3&&!(layers>4)'), [0, 1]);
  });

  it('reads the objective under its name or `value`, fields, and explicit params./metrics. names', () => {
    assert.deepEqual(numbers('loss < 0.6'), [0, 1]);
    assert.deepEqual(numbers('value >= 0.5'), [0, 2]);
    assert.deepEqual(numbers('state = failed'.replace('failed', '"FAILED"')), [3]);
    assert.deepEqual(numbers('error ~ "memory"'), [3]);
    assert.deepEqual(numbers('error == null'), [0, 1, 2]);
    assert.deepEqual(numbers('worker = "w1" and number > 1'), [3]);
    assert.deepEqual(numbers('params.layers = 8'), [3]);
    assert.deepEqual(numbers('m.val_acc > 0.98'), [1, 2]);
    assert.deepEqual(numbers('duration_s = 10 and number < 1'), [0]);
  });

  it('a comparison with a missing value is false; a bare name tests presence', () => {
    assert.deepEqual(numbers('val_acc < 1'), [0, 1, 2], 'the failed trial reported nothing');
    assert.deepEqual(numbers('not val_acc'), [3]);
    assert.deepEqual(numbers('nosuch > 0'), []);
    assert.deepEqual(numbers('`layers` > 3'), [1, 2, 3]);
  });

  it('tags and notes (issue 15 item 8): tag = "x" matches an element, ~ contains, != none; bare tags means any', () => {
    const annotated: Trial[] = [
      { ...trial(0, { x: 1 }, 1), tags: ['baseline', 'gpu'], note: 'LR too high' },
      { ...trial(1, { x: 2 }, 2), tags: ['gpu-a100'], note: null },
      { ...trial(2, { x: 3 }, 3), tags: [] },
      trial(3, { x: 4 }, 4), // from a server without annotations
    ];
    const n = (q: string) => filterTrials(annotated, q, 'loss', () => null).trials.map((t) => t.number);
    assert.deepEqual(n('tag = "GPU"'), [0]);
    assert.deepEqual(n('tags == "gpu-a100"'), [1]);
    assert.deepEqual(n('"baseline" = tag'), [0]);
    assert.deepEqual(n('tag ~ "gpu"'), [0, 1]);
    assert.deepEqual(n('tag != "gpu"'), [1, 2, 3]);
    assert.deepEqual(n('tags'), [0, 1]);
    assert.deepEqual(n('not tags'), [2, 3]);
    assert.deepEqual(n('tags > "a"'), [], 'no ordering on a list');
    assert.deepEqual(n('note ~ "lr"'), [0]);
    assert.deepEqual(n('note == null'), [1, 2, 3]);
    assert.deepEqual(n('tag = "gpu" and x < 2'), [0]);
  });

  it('attributes (issue 15 item 8): attr.x / a.x, or a bare name nothing else claims; prune fields', () => {
    const attributed: Trial[] = [
      {
        ...trial(0, { x: 1 }, 1),
        attributes: [
          { key: 'batch', value: 64 },
          { key: 'name', value: 'resnet' },
        ],
      },
      {
        ...trial(1, { x: 2 }, 2),
        attributes: [
          { key: 'batch', value: 8 },
          { key: 'aug', value: true },
        ],
      },
      { ...trial(2, { x: 3 }, 3, 'PRUNED'), attributes: [], pruneStep: 3, pruneReason: 'median was 0.41' },
      trial(3, { x: 4 }, 4), // from a server without attributes
    ];
    const n = (q: string) => filterTrials(attributed, q, 'loss', () => null).trials.map((t) => t.number);
    assert.deepEqual(n('attr.batch > 32'), [0]);
    assert.deepEqual(n('a.batch <= 8'), [1]);
    assert.deepEqual(n('attr.name = "RESNET"'), [0]);
    assert.deepEqual(n('batch >= 8'), [0, 1], 'a bare name reaches the attribute');
    assert.deepEqual(n('aug'), [1]);
    assert.deepEqual(n('attr.batch == null'), [2, 3]);
    assert.deepEqual(n('attrs.`name` ~ "res"'.replace('attrs.`name`', 'attrs.name')), [0]);
    // a param of the same name wins over an attribute; attr. reaches the attribute
    const shadow: Trial[] = [{ ...trial(0, { batch: 1 }, 1), attributes: [{ key: 'batch', value: 99 }] }];
    assert.deepEqual(filterTrials(shadow, 'batch = 1', 'loss', () => null).trials.length, 1);
    assert.deepEqual(filterTrials(shadow, 'attr.batch = 99', 'loss', () => null).trials.length, 1);
    assert.deepEqual(n('prune_step = 3'), [2]);
    assert.deepEqual(n('prune_reason ~ "median"'), [2]);
  });

  it('negative numbers and exponents', () => {
    const t = [trial(0, { x: -2.5 }, -1e-3), trial(1, { x: 3 }, 2)];
    const got = filterTrials(t, 'x > -3 and value < -1e-4', 'loss', () => null).trials;
    assert.deepEqual(
      got.map((x) => x.number),
      [0],
    );
  });

  it('refuses bad queries with a position, and keeps every trial then', () => {
    for (const [q, at] of [
      ['lr <', 4],
      ['(lr < 1', 7],
      ['lr < 1 val', 7],
      ['lr # 3', 3],
      ['"open', 0],
      ['3 and lr', 2],
    ] as const) {
      assert.throws(
        () => parseQuery(q),
        (e: unknown) => e instanceof QueryError && e.at === at,
        q,
      );
      const r = filterTrials(trials, q, 'loss', last);
      assert.equal(r.trials.length, trials.length);
      assert.equal(r.error?.at, at);
    }
    assert.equal(parseQuery('   '), null);
    assert.throws(() => parseQuery('a'.repeat(3000)), QueryError);
  });

  it('never runs code: a query naming globals only looks them up as names', () => {
    const tree = parseQuery('constructor or __proto__ or toString');
    assert.ok(tree);
    assert.equal(
      evaluate(
        tree,
        trialResolver(trial(9, {}, 1), 'loss', () => null),
      ),
      false,
      'no param, field or metric of these names',
    );
    assert.deepEqual(queryNames(parseQuery('a < 1 and not (b ~ "x" or c)')).sort(), ['a', 'b', 'c']);
  });
});

describe('CSV export', () => {
  it('writes fields, params and chosen metrics; quotes what needs it; defuses formulas', () => {
    const t = [
      trial(0, { act: 'say "hi", ok', lr: 0.001 }, 0.5),
      trial(1, { act: '=cmd()', lr: 0.01 }, null, 'FAILED'),
    ];
    const csv = toCsv(
      t,
      csvColumns(['act', 'lr'], ['val_acc'], (id) => (id === 't0' ? 0.97 : null), 0),
    );
    const lines = csv.split('\r\n');
    assert.equal(
      lines[0],
      'number,state,value,worker,error,duration_s,started_at,finished_at,params.act,params.lr,metrics.val_acc',
    );
    assert.equal(
      lines[1],
      '0,COMPLETE,0.5,w0,,10,2026-01-01T00:00:00Z,2026-01-01T00:00:10Z,"say ""hi"", ok",0.001,0.97',
    );
    assert.equal(
      lines[2],
      "1,FAILED,,w1,out of memory,10,2026-01-01T00:00:00Z,2026-01-01T00:00:10Z,'=cmd(),0.01,",
    );
    assert.equal(lines[3], '');
    assert.equal(csvCell(-1.5), '-1.5', 'numbers stay numbers');
    assert.equal(csvCell('-1.5'), "'-1.5");
    assert.equal(csvCell('a\nb'), '"a\nb"');
    assert.equal(csvCell(Number.NaN), '');
  });

  it("a multi-objective constrained study's export has core's outcome columns, as posterior export writes them", () => {
    const study = { objectives: [{ name: 'loss' }, { name: 'size' }], constraints: [{ name: 'lat' }] };
    const told = { ...trial(0, { lr: 0.1 }, 0.5), values: [0.5, 12], constraints: [-1], feasible: true };
    const failed = trial(1, { lr: 0.2 }, null, 'FAILED');
    const web = toCsv(
      [told, failed],
      csvColumns(['lr'], [], () => null, 0, study),
    ).split('\r\n');
    const cli = trialsCsv(
      [told, failed].map((t) => ({
        ...t,
        startedAt: t.startedAt ? new Date(t.startedAt) : null,
        finishedAt: t.finishedAt ? new Date(t.finishedAt) : null,
      })),
      ['lr'],
      undefined,
      study,
    ).split('\r\n');
    assert.equal(web[0], cli[0], 'the same header');
    assert.equal(
      web[0],
      'number,state,value,worker,error,duration_s,started_at,finished_at,value_loss,value_size,constraint_lat,feasible,params.lr',
    );
    assert.match(web[1] ?? '', /,0\.5,12,-1,true,0\.1$/);
    assert.match(web[2] ?? '', /,,,,,0\.2$/);
  });
});

describe('queries over a multi-objective, constrained study', () => {
  it('names each objective and constraint, and feasible', () => {
    const t = (n: number, values: number[], constraints: number[]) => ({
      ...trial(n, {}, values[0] ?? null),
      values,
      constraints,
      feasible: constraints.every((c) => c <= 0),
    });
    const mo = [t(0, [0.5, 30], [-1]), t(1, [0.2, 80], [2]), t(2, [0.9, 10], [0])];
    const names = { objectives: ['loss', 'latency'], constraints: ['mem'] };
    const n = (q: string) =>
      filterTrials(mo, q, 'loss', () => null, undefined, names).trials.map((x) => x.number);
    assert.deepEqual(n('latency < 50'), [0, 2]);
    assert.deepEqual(n('loss < 0.6 and mem <= 0'), [0]);
    assert.deepEqual(n('feasible'), [0, 2]);
    assert.deepEqual(n('not feasible'), [1]);
  });
});
