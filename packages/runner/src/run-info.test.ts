import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeApi } from './fake-api.test-support.js';
import { LOG_TAIL_CHARS, LOG_TAIL_LINES, LogTail } from './run-info.js';
import { runWorker } from './worker.js';

const quick = { pollMs: 5, heartbeatMs: 5, apiRetryWindowMs: 5_000, apiRetryDelayMs: 1, progress: false };

describe('what a worker tells besides a result (issue 15 item 8)', () => {
  it('keeps the last 64 lines and 8 KB of output', () => {
    const tail = new LogTail();
    for (let i = 0; i < 100; i++) tail.write(`line ${i}\n`);
    const text = tail.text() ?? '';
    assert.equal(text.split('\n').length, LOG_TAIL_LINES);
    assert.ok(text.startsWith('line 36\n') && text.endsWith('line 99'), text.slice(0, 40));
    const wide = new LogTail();
    wide.write('x'.repeat(3 * LOG_TAIL_CHARS));
    wide.write('\nlast');
    assert.equal(wide.text()?.length, LOG_TAIL_CHARS);
    assert.ok(wide.text()?.endsWith('\nlast'));
    assert.equal(new LogTail().text(), null);
  });

  it("a failed objective's output and stack are told with FAILED; the environment with every result", async () => {
    const api = new FakeApi({ maxTrials: 2 });
    let n = 0;
    await runWorker({
      api,
      studyId: 's',
      workerId: 'w-test',
      objective: async (trial) => {
        await trial.setAttributes({ batch: 64, dataset: 'v2' });
        if (n++ === 0) return 1;
        console.log('epoch 0: loss 0.9');
        process.stderr.write('warning: lr too high\n');
        await new Promise((r) => setTimeout(r, 1));
        throw new RangeError('loss diverged');
      },
      ...quick,
    });
    const [ok, failed] = api.trials;
    assert.ok(ok && failed);
    assert.equal(ok.state, 'COMPLETE');
    assert.equal(ok.logTail, null);
    assert.deepEqual(ok.attributes, { batch: 64, dataset: 'v2' });
    assert.equal(ok.environment?.workerId, 'w-test');
    assert.equal(ok.environment?.nodeVersion, process.versions.node);
    assert.ok(ok.environment?.packages?.some((p) => p.name === '@posterior/runner'));
    assert.equal(failed.state, 'FAILED');
    const lines = (failed.logTail ?? '').split('\n');
    assert.equal(lines[0], 'epoch 0: loss 0.9');
    assert.equal(lines[1], 'warning: lr too high');
    assert.equal(lines[2], 'RangeError: loss diverged');
    assert.match(lines[3] ?? '', /^\s+at /);
  });

  it("another trial's output in the same process is not mixed in", async () => {
    const a = new FakeApi({ maxTrials: 1 });
    const b = new FakeApi({ maxTrials: 1 });
    const noisy = async () => {
      for (let i = 0; i < 5; i++) {
        process.stdout.write(`noise ${i}\n`);
        await new Promise((r) => setTimeout(r, 1));
      }
      return 1;
    };
    const failing = async () => {
      for (let i = 0; i < 5; i++) {
        process.stdout.write(`mine ${i}\n`);
        await new Promise((r) => setTimeout(r, 1));
      }
      throw new Error('x');
    };
    await Promise.all([
      runWorker({ api: a, studyId: 's', objective: noisy, ...quick }),
      runWorker({ api: b, studyId: 's', objective: failing, ...quick }),
    ]);
    const tail = b.trials[0]?.logTail ?? '';
    assert.match(tail, /mine 4/);
    assert.doesNotMatch(tail, /noise/);
  });
});
