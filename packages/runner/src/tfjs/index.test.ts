import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { loadTfjs } from './index.js';

describe('loadTfjs', () => {
  it('chooses wasm when tfjs-node is not installed, and logs the choice', async () => {
    const lines: string[] = [];
    const { tf: loaded, backend } = await loadTfjs({ log: (line) => lines.push(line) });
    assert.equal(backend, 'wasm');
    assert.equal(loaded.getBackend(), 'wasm');
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', /using the wasm backend/);
    assert.match(lines[0] ?? '', /tensorflow: not installed/);
    // Same process, same order: the choice is made once.
    assert.equal((await loadTfjs({ log: (line) => lines.push(line) })).backend, 'wasm');
    assert.equal(lines.length, 1);
  });

  it('falls back along the given order', async () => {
    const lines: string[] = [];
    const { backend } = await loadTfjs({ order: ['tensorflow', 'cpu'], log: (line) => lines.push(line) });
    assert.equal(backend, 'cpu');
    assert.equal(tf.getBackend(), 'cpu');
    assert.match(lines[0] ?? '', /using the cpu backend/);
    await loadTfjs({ log: () => {} });
    assert.equal(tf.getBackend(), 'wasm');
  });

  it('trains a conv layer on wasm: the registered Conv2DBackpropFilter matches the cpu kernel', async () => {
    await loadTfjs({ log: () => {} });
    const xShape: [number, number, number, number] = [3, 9, 8, 2];
    const wShape: [number, number, number, number] = [3, 3, 2, 4];
    const x = tf.randomNormal(xShape, 0, 1, 'float32', 1).dataSync();
    const w = tf.randomNormal(wShape, 0, 1, 'float32', 2).dataSync();
    const cases: { strides: number; pad: 'same' | 'valid' }[] = [
      { strides: 1, pad: 'valid' },
      { strides: 2, pad: 'same' },
    ];
    for (const { strides, pad } of cases) {
      const gradOn = async (backend: string) => {
        await tf.setBackend(backend);
        return tf.tidy(() => {
          const xs = tf.tensor4d(x, xShape);
          const loss = (filter: tf.Tensor) =>
            tf
              .conv2d(xs, filter as tf.Tensor4D, strides, pad)
              .square()
              .sum();
          return tf.grad(loss)(tf.tensor4d(w, wShape)).dataSync();
        });
      };
      const onCpu = await gradOn('cpu');
      const onWasm = await gradOn('wasm');
      assert.equal(onWasm.length, onCpu.length);
      const diff = Math.max(...Array.from(onCpu, (v, i) => Math.abs(v - (onWasm[i] ?? Number.NaN))));
      assert.ok(diff < 1e-3, `strides ${strides} pad ${pad}: max difference ${diff}`);
    }
  });
});
