import type { Rng } from './rng.js';

/**
 * Scrambled Sobol points: Joe and Kuo's direction numbers (new-joe-kuo-6.21201) for the first 32
 * dimensions, then further primitive polynomials with pseudo-random odd initial numbers; randomized
 * with a linear matrix scramble plus a digital shift (as scipy's default), which keeps the net
 * property and makes every seed an unbiased design.
 */

/** [s, a, m_1..m_s] for dimensions 2..32 (dimension 1 is the van der Corput sequence). */
const JOE_KUO: ReadonlyArray<readonly number[]> = [
  [1, 0, 1],
  [2, 1, 1, 3],
  [3, 1, 1, 3, 1],
  [3, 2, 1, 1, 1],
  [4, 1, 1, 1, 3, 3],
  [4, 4, 1, 3, 5, 13],
  [5, 2, 1, 1, 5, 5, 17],
  [5, 4, 1, 1, 5, 5, 5],
  [5, 7, 1, 1, 7, 11, 19],
  [5, 11, 1, 1, 5, 1, 1],
  [5, 13, 1, 1, 1, 3, 11],
  [5, 14, 1, 3, 5, 5, 31],
  [6, 1, 1, 3, 3, 9, 7, 49],
  [6, 13, 1, 1, 1, 15, 21, 21],
  [6, 16, 1, 3, 1, 13, 27, 49],
  [6, 19, 1, 1, 1, 15, 7, 5],
  [6, 22, 1, 3, 1, 15, 13, 25],
  [6, 25, 1, 1, 5, 5, 19, 61],
  [7, 1, 1, 3, 7, 11, 23, 15, 103],
  [7, 4, 1, 3, 7, 13, 13, 15, 69],
  [7, 7, 1, 1, 3, 13, 7, 35, 63],
  [7, 8, 1, 3, 5, 9, 1, 25, 53],
  [7, 14, 1, 3, 1, 13, 9, 35, 107],
  [7, 19, 1, 3, 1, 5, 27, 61, 31],
  [7, 21, 1, 1, 5, 11, 19, 41, 61],
  [7, 28, 1, 3, 5, 3, 3, 13, 69],
  [7, 31, 1, 1, 7, 13, 1, 19, 1],
  [7, 32, 1, 3, 7, 5, 13, 19, 59],
  [7, 37, 1, 1, 3, 9, 25, 29, 41],
  [7, 41, 1, 3, 5, 13, 23, 1, 55],
  [7, 42, 1, 3, 7, 3, 13, 59, 17],
];

const BITS = 32;
const directionCache: Uint32Array[] = [];

/** Whether the GF(2) polynomial with bit pattern `poly` (degree s) is primitive. */
function isPrimitive(poly: number, s: number): boolean {
  const period = (1 << s) - 1;
  let r = 1;
  for (let k = 1; k <= period; k++) {
    r <<= 1;
    if (r & (1 << s)) r ^= poly;
    if (r === 1) return k === period;
  }
  return false;
}

/** Primitive polynomials beyond those of the Joe-Kuo table, as [s, a], by degree then a. */
function* extraPolynomials(): Generator<[number, number]> {
  let skipped = 0;
  for (let s = 1; s <= 16; s++) {
    for (let a = 0; a < 1 << (s - 1); a++) {
      if (!isPrimitive((1 << s) | (a << 1) | 1, s)) continue;
      if (skipped < JOE_KUO.length) {
        skipped++;
        continue;
      }
      yield [s, a];
    }
  }
}

function directions(dim: number): Uint32Array {
  while (directionCache.length <= dim) {
    const d = directionCache.length;
    const v = new Uint32Array(BITS);
    if (d === 0) {
      for (let i = 0; i < BITS; i++) v[i] = 2 ** (BITS - 1 - i);
    } else {
      let s: number;
      let a: number;
      let m: number[];
      const row = JOE_KUO[d - 1];
      if (row) {
        s = row[0] ?? 1;
        a = row[1] ?? 0;
        m = row.slice(2);
      } else {
        const extra = extraPolynomials();
        let pick: [number, number] = [1, 0];
        for (let i = 0; i <= d - 1 - JOE_KUO.length; i++) {
          const next = extra.next();
          if (next.done) throw new Error('too many QMC dimensions');
          pick = next.value;
        }
        [s, a] = pick;
        // Any odd m_i < 2^i gives a valid Sobol sequence; derive them deterministically from d.
        let h = (d * 2654435761) >>> 0;
        m = [];
        for (let i = 1; i <= s; i++) {
          h = (Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) + i) >>> 0;
          m.push(((h % (1 << i)) | 1) >>> 0);
        }
      }
      for (let i = 0; i < BITS; i++) {
        if (i < s) {
          v[i] = ((m[i] ?? 1) * 2 ** (BITS - 1 - i)) >>> 0;
        } else {
          let x = (v[i - s] ?? 0) ^ ((v[i - s] ?? 0) >>> s);
          for (let k = 1; k < s; k++) if ((a >>> (s - 1 - k)) & 1) x ^= v[i - k] ?? 0;
          v[i] = x >>> 0;
        }
      }
    }
    directionCache.push(v);
  }
  const out = directionCache[dim];
  if (!out) throw new Error('unreachable: direction numbers missing');
  return out;
}

function parity(x: number): number {
  let v = x ^ (x >>> 16);
  v ^= v >>> 8;
  v ^= v >>> 4;
  v ^= v >>> 2;
  v ^= v >>> 1;
  return v & 1;
}

/** A scrambled Sobol sequence in [0, 1)^dim with random access by index. */
export class SobolSequence {
  /** Scrambled direction numbers, shape: dim x 32. */
  private readonly v: Uint32Array;
  private readonly shift: Uint32Array;
  constructor(
    readonly dim: number,
    rng: Rng,
  ) {
    this.v = new Uint32Array(dim * BITS);
    this.shift = new Uint32Array(dim);
    for (let d = 0; d < dim; d++) {
      const base = directions(d);
      // Lower-triangular scramble: output digit j mixes input digits 0..j (0 = most significant).
      const rows = new Uint32Array(BITS);
      for (let j = 0; j < BITS; j++) {
        const allowed = j === 31 ? 0xffffffff : ~((1 << (31 - j)) - 1) >>> 0;
        rows[j] = ((rng.nextUint32() & allowed) | (1 << (31 - j))) >>> 0;
      }
      for (let k = 0; k < BITS; k++) {
        const src = base[k] ?? 0;
        let out = 0;
        for (let j = 0; j < BITS; j++) if (parity((rows[j] ?? 0) & src)) out |= 1 << (31 - j);
        this.v[d * BITS + k] = out >>> 0;
      }
      this.shift[d] = rng.nextUint32();
    }
  }

  /** Writes point `index` (0-based) into out (shape: dim). */
  point(index: number, out: Float64Array = new Float64Array(this.dim)): Float64Array {
    const gray = (index ^ (index >>> 1)) >>> 0;
    for (let d = 0; d < this.dim; d++) {
      let x = this.shift[d] ?? 0;
      let g = gray;
      for (let k = 0; g !== 0; k++, g >>>= 1) if (g & 1) x ^= this.v[d * BITS + k] ?? 0;
      out[d] = (x >>> 0) / 4294967296;
    }
    return out;
  }

  /** Points start..start+n-1, shape: n x dim row-major. */
  points(n: number, start = 0): Float64Array {
    const out = new Float64Array(n * this.dim);
    const row = new Float64Array(this.dim);
    for (let i = 0; i < n; i++) {
      this.point(start + i, row);
      out.set(row, i * this.dim);
    }
    return out;
  }
}
