import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import type { WorkerEvent } from '@posterior/runner';
import { WorkerProgress } from './progress.js';

/** Collects what is written; `tty` makes cli-progress draw bars as on a terminal. */
function sink(tty: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  let out = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out += chunk.toString();
      done();
    },
  }) as unknown as NodeJS.WriteStream & { isTTY: boolean; columns: number };
  stream.isTTY = tty;
  stream.columns = 160;
  // Escape sequences (cursor moves, line clears) removed: what a person would read.
  return { stream, text: () => stripVTControlCharacters(out) };
}

const study = {
  id: 's1',
  name: 'demo',
  objective: 'val_loss',
  direction: 'MINIMIZE' as const,
  objectives: ['val_loss'],
  maxTrials: 30,
};
const started: WorkerEvent = { type: 'started', slot: 0, workerId: 'host-1', study };
const trialStarted: WorkerEvent = { type: 'trial-started', slot: 0, trialId: 't4', number: 4, params: {} };
const epoch: WorkerEvent = {
  type: 'metrics',
  slot: 0,
  trialId: 't4',
  number: 4,
  step: 2,
  metrics: { loss: 0.7, val_loss: 0.5 },
  shouldPrune: false,
};
const finished: WorkerEvent = {
  type: 'trial-finished',
  slot: 0,
  trialId: 't4',
  number: 4,
  state: 'COMPLETE',
  value: 0.25,
  values: null,
  error: null,
  checkpointError: null,
  progress: { done: 5, total: 30, best: 0.125, front: null, retries: 0 },
};

describe('worker progress display', () => {
  it("on a terminal: the current trial's epoch, then trials done of total and the best so far", () => {
    const during = sink(true);
    const a = new WorkerProgress({ tty: true, stream: during.stream });
    for (const e of [started, trialStarted, epoch]) a.handle(e);
    a.stop();
    assert.match(during.text(), /worker 0: trial #4 epoch 3 val_loss 0\.5000/);
    assert.match(during.text(), /0\/30 trials \| best val_loss -/);

    const after = sink(true);
    const b = new WorkerProgress({ tty: true, stream: after.stream });
    for (const e of [started, trialStarted, epoch, finished]) b.handle(e);
    b.stop();
    assert.match(after.text(), /study demo \|[^|]+\| 5\/30 trials \| best val_loss 0\.1250/);
    assert.match(after.text(), /trial #4 COMPLETE val_loss=0\.2500 \[5\/30 done, best 0\.1250\]/);
  });

  it('in a log: one plain line per trial, no bars; quiet prints nothing', () => {
    const log = sink(false);
    const p = new WorkerProgress({ tty: false, stream: log.stream });
    for (const e of [started, trialStarted, epoch, finished]) p.handle(e);
    p.stop();
    assert.deepEqual(log.text().trim().split('\n'), [
      'worker host-1 on study demo (s1)',
      '[0] trial #4 started {}',
      '[0] trial #4 COMPLETE val_loss=0.2500 [5/30 done, best 0.1250]',
    ]);
    const quiet = sink(false);
    const q = new WorkerProgress({ tty: true, quiet: true, stream: quiet.stream });
    for (const e of [started, trialStarted, epoch, finished]) q.handle(e);
    q.stop();
    assert.equal(quiet.text(), '');
  });

  it('a multi-objective study: each trial shows its values and the tally the size of the front', () => {
    const mo: WorkerEvent = {
      type: 'started',
      slot: 0,
      workerId: 'host-1',
      study: { ...study, objectives: ['val_loss', 'trainable_params'] },
    };
    const done: WorkerEvent = {
      ...(finished as Extract<WorkerEvent, { type: 'trial-finished' }>),
      values: [0.25, 1234],
      progress: { done: 5, total: 30, best: null, front: 3, retries: 0 },
    };
    const log = sink(false);
    const p = new WorkerProgress({ tty: false, stream: log.stream });
    for (const e of [mo, done]) p.handle(e);
    p.stop();
    assert.deepEqual(log.text().trim().split('\n'), [
      'worker host-1 on study demo (s1)',
      '[0] trial #4 COMPLETE val_loss=0.2500 trainable_params=1234 [5/30 done, 3 on the Pareto front]',
    ]);
    const bars = sink(true);
    const b = new WorkerProgress({ tty: true, stream: bars.stream });
    for (const e of [mo, done]) b.handle(e);
    b.stop();
    assert.match(bars.text(), /5\/30 trials \| Pareto front 3/);
  });
});
