/**
 * A partition of the region that a set of points (minimization rows) does NOT dominate, below a
 * reference point, into disjoint axis-aligned boxes [lower, upper]; lower bounds may be -Infinity.
 * The hypervolume improvement of a new point y is then sum over boxes of prod_j (u_j - max(l_j,
 * y_j))_+, which is what EHVI integrates box by box.
 *
 * 1 objective: one box below the best point. 2 objectives: the staircase, one box per step.
 * d >= 3: a sweep over the last objective: between consecutive values of it, the region is the
 * (d-1)-dimensional non-dominated region of the points already passed, times that slab. A box of the
 * (d-1)-dimensional partition that stays unchanged across slabs is extended instead of repeated, so
 * 3 objectives give at most 3n + 1 boxes (each new point closes and opens only the steps it
 * changes).
 */
export interface Box {
  lower: number[];
  upper: number[];
}

export function nonDominatedBoxes(points: ReadonlyArray<readonly number[]>, ref: readonly number[]): Box[] {
  const d = ref.length;
  const rows = points.filter((p) => p.length === d && p.every((v, j) => v < (ref[j] as number)));
  return decompose(rows, ref);
}

function decompose(rows: ReadonlyArray<readonly number[]>, ref: readonly number[]): Box[] {
  const d = ref.length;
  if (d === 1) {
    let best = ref[0] as number;
    for (const p of rows) best = Math.min(best, p[0] as number);
    return [{ lower: [Number.NEGATIVE_INFINITY], upper: [best] }];
  }
  if (d === 2) return staircase(rows, ref);
  const last = d - 1;
  const sorted = [...rows].sort((a, b) => (a[last] as number) - (b[last] as number));
  const subRef = ref.slice(0, last);
  const out: Box[] = [];
  let open = new Map<string, { box: Box; start: number }>();
  const openAll = (boxes: Box[], start: number, previous: Map<string, { box: Box; start: number }>) => {
    const next = new Map<string, { box: Box; start: number }>();
    for (const box of boxes) {
      const key = `${box.lower.join(',')}|${box.upper.join(',')}`;
      next.set(key, previous.get(key) ?? { box, start });
    }
    return next;
  };
  const close = (entry: { box: Box; start: number }, end: number): void => {
    if (end > entry.start) {
      out.push({ lower: [...entry.box.lower, entry.start], upper: [...entry.box.upper, end] });
    }
  };
  open = openAll(decompose([], subRef), Number.NEGATIVE_INFINITY, open);
  const prefix: number[][] = [];
  for (let k = 0; k < sorted.length; k++) {
    const p = sorted[k] as readonly number[];
    prefix.push(p.slice(0, last));
    const level = p[last] as number;
    // Points tied on the last objective enter together.
    const nextLevel = k + 1 < sorted.length ? ((sorted[k + 1] as readonly number[])[last] as number) : null;
    if (nextLevel === level) continue;
    const next = openAll(decompose(prefix, subRef), level, open);
    for (const [key, entry] of open) if (next.get(key) !== entry) close(entry, level);
    open = next;
  }
  for (const entry of open.values()) close(entry, ref[last] as number);
  return out;
}

function staircase(rows: ReadonlyArray<readonly number[]>, ref: readonly number[]): Box[] {
  const sorted = [...rows].sort(
    (a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number),
  );
  const steps: Array<readonly number[]> = [];
  let floor = ref[1] as number;
  for (const p of sorted) {
    if ((p[1] as number) < floor) {
      steps.push(p);
      floor = p[1] as number;
    }
  }
  const boxes: Box[] = [];
  let left = Number.NEGATIVE_INFINITY;
  let top = ref[1] as number;
  for (const s of steps) {
    const right = s[0] as number;
    if (right > left) boxes.push({ lower: [left, Number.NEGATIVE_INFINITY], upper: [right, top] });
    left = right;
    top = s[1] as number;
  }
  if ((ref[0] as number) > left) {
    boxes.push({ lower: [left, Number.NEGATIVE_INFINITY], upper: [ref[0] as number, top] });
  }
  return boxes;
}

/** Hypervolume improvement of y over the boxes: the volume y adds to the dominated region. */
export function hypervolumeImprovement(boxes: readonly Box[], y: readonly number[]): number {
  let total = 0;
  for (const box of boxes) {
    let v = 1;
    for (let j = 0; j < y.length && v > 0; j++) {
      const u = box.upper[j] as number;
      const l = box.lower[j] as number;
      v *= Math.max(0, u - Math.max(l, y[j] as number));
    }
    total += v;
  }
  return total;
}
