/**
 * FNV-1a over the IEEE-754 bytes of a list of numbers: the content key under which fits are
 * cached (model.ts, conditional-fit.ts, transfer.ts), so equal histories hit the same entry.
 */
export function hashFloats(a: ArrayLike<number>, seed: number): number {
  const f = a instanceof Float64Array ? a : Float64Array.from(a);
  const bytes = new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
  let h = seed >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i] ?? 0;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
