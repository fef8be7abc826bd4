import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { type Harness, newStudy, startTeamHarness, TELL } from '../test-support/harness.js';

const LIST = `query($t: ID!, $first: Int) { studies(teamId: $t, first: $first) { nodes {
  id trialCounts { complete running total } bestTrial { value } history { value bestSoFar } } } }`;

interface Node {
  id: string;
  trialCounts: { complete: number; running: number; total: number };
  bestTrial: { value: number } | null;
  history: Array<{ value: number | null; bestSoFar: number | null }>;
}

/** Counts the statements every pg client in this process sends that read the trials table. */
function countTrialReads(): { readonly n: number; stop(): void } {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const counter = {
    n: 0,
    stop: () => {
      proto.query = original;
    },
  };
  proto.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === 'string' ? first : (first as { text?: unknown } | null)?.text;
    if (typeof text === 'string' && /\bFROM trials\b/i.test(text)) counter.n += 1;
    return original.apply(this, args);
  };
  return counter;
}

describe('studies list: per-study fields are batched per request', () => {
  let h: Harness;
  let token: string;
  let teamId: string;
  /** id -> the values told, in order, and the study's direction */
  const studies = new Map<string, { values: number[]; direction: 'MINIMIZE' | 'MAXIMIZE' }>();

  before(async () => {
    ({ h, token, teamId } = await startTeamHarness());
    const plans: Array<['MINIMIZE' | 'MAXIMIZE', number[]]> = [
      ['MINIMIZE', [0.5, 0.2, 0.9]],
      ['MAXIMIZE', [0.5, 0.2, 0.9]],
      ['MINIMIZE', [3]],
      ['MAXIMIZE', []],
      ['MINIMIZE', [1, 1]],
      ['MAXIMIZE', [-1, -2]],
    ];
    for (const [direction, values] of plans) {
      const id = await newStudy(h, token, teamId, { direction, maxTrials: 10 });
      studies.set(id, { values, direction });
      for (const value of values) {
        const asked = await h.gql<{ askTrials: Array<{ id: string }> }>(
          'mutation($s: ID!) { askTrials(studyId: $s, count: 1) { id } }',
          { s: id },
          token,
        );
        const trial = asked.data?.askTrials[0];
        assert.ok(trial, JSON.stringify(asked.errors));
        assert.equal((await h.gql(TELL, { t: trial.id, st: 'COMPLETE', v: value }, token)).errors, undefined);
      }
    }
  });
  after(async () => h.close());

  const list = async (first: number): Promise<{ nodes: Node[]; trialReads: number }> => {
    const counter = countTrialReads();
    try {
      const r = await h.gql<{ studies: { nodes: Node[] } }>(LIST, { t: teamId, first }, token);
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      return { nodes: r.data?.studies.nodes ?? [], trialReads: counter.n };
    } finally {
      counter.stop();
    }
  };

  test('one trials query per field, however many studies the page holds', async () => {
    const one = await list(1);
    const all = await list(studies.size);
    assert.equal(one.nodes.length, 1);
    assert.equal(all.nodes.length, studies.size);
    // trialCounts, bestTrial, history: one statement each, for 1 study and for 6.
    assert.equal(one.trialReads, 3);
    assert.equal(all.trialReads, 3);
  });

  test('each study still gets its own counts, best trial and history', async () => {
    const { nodes } = await list(studies.size);
    for (const node of nodes) {
      const study = studies.get(node.id);
      assert.ok(study);
      const better = (a: number, b: number) => (study.direction === 'MINIMIZE' ? a < b : a > b);
      const best = study.values.reduce<number | null>((m, v) => (m === null || better(v, m) ? v : m), null);
      assert.deepEqual(node.trialCounts, {
        complete: study.values.length,
        running: 0,
        total: study.values.length,
      });
      assert.equal(node.bestTrial?.value ?? null, best);
      let so: number | null = null;
      assert.deepEqual(
        node.history,
        study.values.map((value) => {
          so = so === null || better(value, so) ? value : so;
          return { value, bestSoFar: so };
        }),
      );
    }
  });
});
