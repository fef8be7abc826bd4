/**
 * Exact hypervolume of a set of points (minimization rows) with respect to a reference point: the
 * Lebesgue measure of { z : p <= z <= ref for some point p }. Points that are not strictly better
 * than the reference point in every coordinate add nothing and are ignored.
 *   2 objectives: a sort and a sweep, O(n log n);
 *   3 objectives: a sweep over the third objective of 2-D areas, O(n^2 log n);
 *   more: WFG (While, Bradstreet & Barone 2012), exact, exponential in the worst case, meant for
 *   fronts of tens of points.
 */
export function hypervolume(points: ReadonlyArray<readonly number[]>, ref: readonly number[]): number {
  const d = ref.length;
  const rows = points.filter((p) => p.length === d && p.every((v, j) => v < (ref[j] as number)));
  if (rows.length === 0) return 0;
  if (d === 1) return (ref[0] as number) - Math.min(...rows.map((p) => p[0] as number));
  if (d === 2) return hypervolume2d(rows, ref);
  if (d === 3) return hypervolume3d(rows, ref);
  return wfg(
    rows.map((p) => [...p]),
    ref,
  );
}

function hypervolume2d(rows: ReadonlyArray<readonly number[]>, ref: readonly number[]): number {
  const sorted = [...rows].sort(
    (a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number),
  );
  const r0 = ref[0] as number;
  let floor = ref[1] as number;
  let area = 0;
  for (const p of sorted) {
    const y = p[1] as number;
    if (y < floor) {
      area += (r0 - (p[0] as number)) * (floor - y);
      floor = y;
    }
  }
  return area;
}

function hypervolume3d(rows: ReadonlyArray<readonly number[]>, ref: readonly number[]): number {
  const sorted = [...rows].sort((a, b) => (a[2] as number) - (b[2] as number));
  const ref2 = [ref[0] as number, ref[1] as number];
  let volume = 0;
  const slice: number[][] = [];
  for (let k = 0; k < sorted.length; k++) {
    const p = sorted[k] as readonly number[];
    slice.push([p[0] as number, p[1] as number]);
    const top =
      k + 1 < sorted.length ? ((sorted[k + 1] as readonly number[])[2] as number) : (ref[2] as number);
    const height = top - (p[2] as number);
    if (height > 0) volume += hypervolume2d(slice, ref2) * height;
  }
  return volume;
}

/** Product of (ref - p) over coordinates: the volume p dominates alone. */
function inclusive(p: readonly number[], ref: readonly number[]): number {
  let v = 1;
  for (let j = 0; j < ref.length; j++) v *= (ref[j] as number) - (p[j] as number);
  return v;
}

function nonDominated(rows: number[][]): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < rows.length; i++) {
    const a = rows[i] as number[];
    let dominated = false;
    for (let j = 0; j < rows.length && !dominated; j++) {
      if (j === i) continue;
      const b = rows[j] as number[];
      let le = true;
      let lt = false;
      for (let k = 0; k < a.length; k++) {
        if ((b[k] as number) > (a[k] as number)) le = false;
        else if ((b[k] as number) < (a[k] as number)) lt = true;
      }
      // Equal points: keep the first only.
      if (le && (lt || j < i)) dominated = true;
    }
    if (!dominated) out.push(a);
  }
  return out;
}

/** WFG: sum over points of their exclusive contribution against the points after them. */
function wfg(rows: number[][], ref: readonly number[]): number {
  const d = ref.length;
  if (rows.length === 0) return 0;
  // Sorting by the last objective (worst first) keeps the limited sets small.
  const sorted = [...rows].sort((a, b) => (b[d - 1] as number) - (a[d - 1] as number));
  let total = 0;
  for (let k = 0; k < sorted.length; k++) {
    const p = sorted[k] as number[];
    const limited: number[][] = [];
    for (let j = k + 1; j < sorted.length; j++) {
      const q = sorted[j] as number[];
      limited.push(q.map((v, i) => Math.max(v, p[i] as number)));
    }
    total += inclusive(p, ref) - wfg(nonDominated(limited), ref);
  }
  return total;
}
