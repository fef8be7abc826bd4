import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { permutation, seededRandom } from './random.js';

/** MNIST images are 28x28 grey levels in [0, 1]. */
export const IMAGE_SIZE = 28;
export const PIXELS = IMAGE_SIZE * IMAGE_SIZE;

/** The half of the classes the conv base is pre-trained on, and the half the head is tuned on. */
export const BASE_DIGITS: readonly number[] = [0, 1, 2, 3, 4];
export const HEAD_DIGITS: readonly number[] = [5, 6, 7, 8, 9];

/** How much of the data to use; tests take a small slice. */
export interface DataSlice {
  /** Samples per digit before the train/val split (the package has about 1,000 per digit). */
  readonly perClass?: number;
  /** Fraction of each digit held out for validation. */
  readonly valFraction?: number;
}

/** Images and class indices (position of the digit in the requested list, so labels start at 0). */
export interface DigitSet {
  readonly x: Float32Array;
  readonly labels: Uint8Array;
  readonly count: number;
}

export interface DigitSplit {
  readonly train: DigitSet;
  readonly val: DigitSet;
}

const DEFAULT_VAL_FRACTION = 0.2;
const require = createRequire(import.meta.url);

function mnistDir(): string {
  return dirname(require.resolve('mnist/package.json'));
}

/** Identifies the digits on disk: part of the cache key, so a new package version rebuilds the cache. */
export async function dataVersion(): Promise<string> {
  const pkg: unknown = JSON.parse(await readFile(join(mnistDir(), 'package.json'), 'utf8'));
  const version = typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : '?';
  return `mnist@${version}`;
}

const digitCache = new Map<number, Promise<Float32Array>>();

/**
 * One digit's images, read straight from the package's JSON: its own loader samples with Math.random,
 * and reading only the needed digits halves the 41 MB parse.
 */
export function loadDigit(digit: number): Promise<Float32Array> {
  let pending = digitCache.get(digit);
  if (!pending) {
    pending = (async () => {
      const text = await readFile(join(mnistDir(), 'src', 'digits', `${digit}.json`), 'utf8');
      const parsed: unknown = JSON.parse(text);
      if (
        typeof parsed !== 'object' ||
        parsed === null ||
        !('data' in parsed) ||
        !Array.isArray(parsed.data)
      ) {
        throw new Error(`mnist: digit ${digit} has no data array`);
      }
      const data = Float32Array.from(parsed.data as number[]);
      if (data.length % PIXELS !== 0)
        throw new Error(`mnist: digit ${digit} is not a whole number of images`);
      return data;
    })();
    pending.catch(() => digitCache.delete(digit));
    digitCache.set(digit, pending);
  }
  return pending;
}

/**
 * A stratified, seeded train/val split of the given digits: each digit's first `perClass` images are
 * shuffled and split by `valFraction`, then each side is shuffled as a whole.
 */
export async function loadDigitSplit(
  digits: readonly number[],
  slice: DataSlice = {},
  seed = 0,
): Promise<DigitSplit> {
  const valFraction = slice.valFraction ?? DEFAULT_VAL_FRACTION;
  if (!(valFraction > 0 && valFraction < 1))
    throw new Error(`valFraction must be in (0, 1), got ${valFraction}`);
  const random = seededRandom(seed);
  const train: { image: Float32Array; label: number }[] = [];
  const val: { image: Float32Array; label: number }[] = [];
  for (const [label, digit] of digits.entries()) {
    const data = await loadDigit(digit);
    const available = data.length / PIXELS;
    const count = Math.min(available, slice.perClass ?? available);
    const nVal = Math.max(1, Math.round(count * valFraction));
    const order = permutation(available, random).subarray(0, count);
    for (const [i, index] of order.entries()) {
      const image = data.subarray(index * PIXELS, (index + 1) * PIXELS);
      (i < nVal ? val : train).push({ image, label });
    }
  }
  return { train: pack(train, random), val: pack(val, random) };
}

function pack(samples: readonly { image: Float32Array; label: number }[], random: () => number): DigitSet {
  const order = permutation(samples.length, random);
  const x = new Float32Array(samples.length * PIXELS);
  const labels = new Uint8Array(samples.length);
  for (const [i, index] of order.entries()) {
    const sample = samples[index];
    if (!sample) continue;
    x.set(sample.image, i * PIXELS);
    labels[i] = sample.label;
  }
  return { x, labels, count: samples.length };
}
