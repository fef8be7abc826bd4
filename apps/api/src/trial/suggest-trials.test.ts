import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { builtinObjectives, type Params, runBenchmark } from '@posterior/optimizer';
import { createLogger } from '../common/logger.js';
import type { Observation } from '../suggest/compute.js';
import { Suggester } from '../suggest/suggester.js';
import { type SuggestionStudy, suggestFor } from './suggest-trials.js';

const suggester = new Suggester(createLogger('silent'), 1);
after(() => suggester.close());

const branin = builtinObjectives.branin;
const study = (id: string, sampler: Record<string, unknown>): SuggestionStudy => ({
  id,
  searchSpace: branin?.space,
  sampler,
  direction: 'MINIMIZE',
  objective: 'value',
});

describe('suggestion seeds: every study has its own stream, and the bench measures the server', () => {
  test('two unseeded studies get different first trials', async () => {
    const empty = { observed: [], pending: [] };
    for (const type of ['gp', 'qmc']) {
      const a = await suggestFor(
        suggester,
        study('0b6f1a52-5b1c-4f0e-9a57-1d2c3e4f5a60', { type }),
        empty,
        0,
        3,
      );
      const b = await suggestFor(
        suggester,
        study('7d3e9c10-2a4b-4c6d-8e0f-a1b2c3d4e5f6', { type }),
        empty,
        0,
        3,
      );
      assert.equal(a.length, 3);
      for (let i = 0; i < 3; i++) assert.notDeepEqual(a[i]?.params, b[i]?.params, `${type} trial ${i}`);
    }
  });

  test('a seeded study gets the same trials whatever its id', async () => {
    const empty = { observed: [], pending: [] };
    const a = await suggestFor(
      suggester,
      study('0b6f1a52-5b1c-4f0e-9a57-1d2c3e4f5a60', { seed: 5 }),
      empty,
      0,
      2,
    );
    const b = await suggestFor(
      suggester,
      study('7d3e9c10-2a4b-4c6d-8e0f-a1b2c3d4e5f6', { seed: 5 }),
      empty,
      0,
      2,
    );
    assert.deepEqual(
      a.map((s) => s.params),
      b.map((s) => s.params),
    );
  });

  test('the server suggests what the benchmark harness suggests for the same study seed and history', async () => {
    assert.ok(branin);
    const seed = 3;
    const asked: Params[] = [];
    const values: number[] = [];
    const objective = {
      ...branin,
      evaluate: (p: Params) => {
        asked.push(p);
        const v = Number(branin.evaluate(p));
        values.push(v);
        return v;
      },
    };
    // 12 trials: the initial design (8) and four model-based suggestions.
    await runBenchmark({ objective, sampler: { type: 'gp' }, trials: 12, seeds: 1, firstSeed: seed });
    for (let t = 0; t < 12; t++) {
      const observed: Observation[] = asked
        .slice(0, t)
        .map((params, i) => ({ params, value: values[i] ?? 0 }));
      const [server] = await suggestFor(
        suggester,
        study('any-id', { type: 'gp', seed }),
        { observed, pending: [] },
        t,
        1,
      );
      assert.deepEqual(server?.params, asked[t], `trial ${t}`);
    }
  });
});
