import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

const KERNEL = 'Conv2DBackpropFilter';

interface FilterGradAttrs {
  readonly strides: number | [number, number];
  readonly pad: 'valid' | 'same' | number;
  readonly dataFormat: 'NHWC' | 'NCHW';
  readonly dimRoundingMode?: 'floor' | 'round' | 'ceil';
  readonly filterShape: [number, number, number, number];
}

/**
 * The wasm backend ships no Conv2DBackpropFilter kernel, so a conv layer cannot train on it. This adds
 * one in JavaScript: a direct NHWC loop over the output positions that skips zero activations (the
 * inputs are ReLU outputs or mostly-black digits). It is tens of times faster than the cpu backend's
 * generic version and lets the whole conv base train on wasm. Idempotent.
 */
export function registerWasmConvFilterGrad(): void {
  if (tf.getKernel(KERNEL, 'wasm')) return;
  tf.registerKernel({
    kernelName: KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs;
      if (!x || !dy) throw new Error(`${KERNEL}: missing inputs`);
      return conv2dBackpropFilter(x, dy, backend as BackendWasm, attrs as unknown as FilterGradAttrs);
    },
  });
}

function conv2dBackpropFilter(
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  backend: BackendWasm,
  attrs: FilterGradAttrs,
): tf.TensorInfo {
  const dataFormat = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat);
  if (dataFormat !== 'channelsLast') throw new Error(`${KERNEL} on wasm: only NHWC is supported`);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    dataFormat,
  );
  const xs = backend.readSync(x.dataId);
  const dys = backend.readSync(dy.dataId);
  if (!(xs instanceof Float32Array) || !(dys instanceof Float32Array)) {
    throw new Error(`${KERNEL} on wasm: float32 inputs expected`);
  }
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const acc = new Float64Array(filterHeight * filterWidth * inChannels * outChannels);
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      for (let yC = 0; yC < outWidth; yC++) {
        const dyOff = ((b * outHeight + yR) * outWidth + yC) * outChannels;
        for (let wR = 0; wR < filterHeight; wR++) {
          const xR = yR * strideHeight + wR - top;
          if (xR < 0 || xR >= inHeight) continue;
          for (let wC = 0; wC < filterWidth; wC++) {
            const xC = yC * strideWidth + wC - left;
            if (xC < 0 || xC >= inWidth) continue;
            const xOff = ((b * inHeight + xR) * inWidth + xC) * inChannels;
            const wOff = (wR * filterWidth + wC) * inChannels * outChannels;
            for (let d1 = 0; d1 < inChannels; d1++) {
              const xv = xs[xOff + d1] ?? 0;
              if (xv === 0) continue;
              const o = wOff + d1 * outChannels;
              for (let d2 = 0; d2 < outChannels; d2++) {
                acc[o + d2] = (acc[o + d2] ?? 0) + xv * (dys[dyOff + d2] ?? 0);
              }
            }
          }
        }
      }
    }
  }
  const out = backend.makeOutput([...info.filterShape], 'float32');
  backend.typedArrayFromHeap(out).set(acc);
  return out;
}
