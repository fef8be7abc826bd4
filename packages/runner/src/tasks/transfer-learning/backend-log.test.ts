import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tempCacheDir } from './fixtures.test-support.js';
import { createTransferLearningObjective } from './index.js';

describe('transfer-learning backend choice', () => {
  it('is made and logged when the objective is created, before any trial runs', async () => {
    const lines: string[] = [];
    createTransferLearningObjective({ cacheDir: await tempCacheDir(), log: (l) => lines.push(l) });
    const deadline = Date.now() + 30_000;
    while (!lines.some((l) => /^tfjs: using the \w+ backend/.test(l)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const choices = lines.filter((l) => l.startsWith('tfjs:'));
    assert.equal(choices.length, 1, lines.join('\n'));
    assert.match(choices[0] ?? '', /using the (tensorflow|wasm|cpu) backend/);
  });
});
