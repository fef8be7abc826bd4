// Smoothing of learning curves: the debiased exponential moving average TensorBoard users know
// (weight 0 is off, 0.99 is heavy), restarted at every curve.

/** Smooths one curve's values. */
export function smoothValues(values: readonly number[], weight: number): number[] {
  if (weight <= 0) return [...values];
  const w = Math.min(weight, 0.999);
  const out: number[] = new Array(values.length);
  let last = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? Number.NaN;
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * w + (1 - w) * v;
    n++;
    // debias: the first points are not pulled towards 0
    out[i] = last / (1 - w ** n);
  }
  return out;
}

/** Smooths [step, value] points of one curve. */
export function smoothPoints(
  points: ReadonlyArray<[number, number]>,
  weight: number,
): Array<[number, number]> {
  if (weight <= 0) return points.map((p) => [p[0], p[1]]);
  const ys = smoothValues(
    points.map((p) => p[1]),
    weight,
  );
  return points.map((p, i) => [p[0], ys[i] ?? p[1]]);
}

/**
 * Smooths a flat (x0, y0, x1, y1, …) array of many curves separated by NaN pairs (the learning curves'
 * grey background), each curve on its own. Returns a new array.
 */
export function smoothFlat(data: Float64Array, weight: number): Float64Array {
  const out = new Float64Array(data);
  if (weight <= 0) return out;
  const w = Math.min(weight, 0.999);
  let last = 0;
  let n = 0;
  for (let i = 0; i + 1 < out.length; i += 2) {
    const y = out[i + 1] ?? Number.NaN;
    if (Number.isNaN(out[i] ?? Number.NaN)) {
      last = 0;
      n = 0;
      continue;
    }
    if (!Number.isFinite(y)) continue;
    last = last * w + (1 - w) * y;
    n++;
    out[i + 1] = last / (1 - w ** n);
  }
  return out;
}

/** Whether every value in a flat curve array (and the extra curves) is > 0: a log axis can show it. */
export function allPositive(
  flat: Float64Array,
  extra: ReadonlyArray<ReadonlyArray<[number, number]>> = [],
): boolean {
  let any = false;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const y = flat[i + 1] ?? Number.NaN;
    if (Number.isNaN(y)) continue;
    if (!(y > 0)) return false;
    any = true;
  }
  for (const c of extra)
    for (const p of c) {
      if (!(p[1] > 0)) return false;
      any = true;
    }
  return any;
}
