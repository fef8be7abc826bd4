/**
 * Bound-constrained limited-memory quasi-Newton minimization (an L-BFGS-B variant).
 *
 * Each iteration fixes the variables that sit on a bound with the gradient pushing outward (the
 * active set), takes the L-BFGS two-loop direction on the remaining free variables, and runs a
 * backtracking Armijo search along the projected path P(x + t d). Compared with the reference
 * L-BFGS-B this replaces the generalized Cauchy point by that active-set rule: simpler, and for the
 * small smooth problems here (GP hyperparameters, acquisition maxima) it converges equally well.
 */
export type ObjectiveWithGradient = (x: Float64Array, grad: Float64Array) => number;

/**
 * An objective whose gradient can be asked for after its value: gradient(grad) writes the gradient
 * at the point of the latest value() call. The line search rejects about a quarter of its trial
 * points and the last accepted point of a run that stops on ftol is never moved from, so their
 * gradients are never needed; for the acquisition search, the gradient is half the cost of a point
 * (the second triangular solve of the GP posterior).
 */
export interface SplitObjective {
  value(x: Float64Array): number;
  gradient(grad: Float64Array): void;
}

export interface LbfgsbOptions {
  lower: ArrayLike<number>;
  upper: ArrayLike<number>;
  maxIterations?: number;
  memory?: number;
  /** Stop when the largest projected-gradient component is below this. */
  pgtol?: number;
  /** Stop when the relative decrease of f in one iteration is below this. */
  ftol?: number;
  /**
   * Give up a line search once its trial step moves no coordinate by more than this (default 0):
   * on a plateau where rounding hides any decrease, backtracking further only burns evaluations.
   */
  xtol?: number;
}

export interface LbfgsbResult {
  x: Float64Array;
  f: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
}

/** A combined value-and-gradient callback as a SplitObjective (the gradient comes with every value). */
function splitOf(fg: ObjectiveWithGradient, n: number): SplitObjective {
  const last = new Float64Array(n);
  return {
    value: (x) => fg(x, last),
    gradient: (grad) => grad.set(last),
  };
}

export function minimizeLbfgsb(
  objective: ObjectiveWithGradient | SplitObjective,
  x0: ArrayLike<number>,
  opts: LbfgsbOptions,
): LbfgsbResult {
  const n = x0.length;
  const fg = typeof objective === 'function' ? splitOf(objective, n) : objective;
  const lo = opts.lower;
  const hi = opts.upper;
  const maxIter = opts.maxIterations ?? 200;
  const m = opts.memory ?? 10;
  const pgtol = opts.pgtol ?? 1e-5;
  const ftol = opts.ftol ?? 1e-9;
  const xtol = opts.xtol ?? 0;
  const project = (v: Float64Array): void => {
    for (let i = 0; i < n; i++) {
      const l = lo[i] ?? Number.NEGATIVE_INFINITY;
      const u = hi[i] ?? Number.POSITIVE_INFINITY;
      const vi = v[i] ?? 0;
      v[i] = vi < l ? l : Math.min(vi, u);
    }
  };

  let x = Float64Array.from(x0);
  project(x);
  let g = new Float64Array(n);
  let f = fg.value(x);
  let evaluations = 1;
  if (!Number.isFinite(f)) return { x, f, iterations: 0, evaluations, converged: false };
  fg.gradient(g);

  const sHist: Float64Array[] = [];
  const yHist: Float64Array[] = [];
  const rhoHist: number[] = [];
  const spare: Float64Array[] = [];
  const forget = (): void => {
    spare.push(...sHist, ...yHist);
    sHist.length = 0;
    yHist.length = 0;
    rhoHist.length = 0;
  };
  const free = new Uint8Array(n);
  const d = new Float64Array(n);
  const alpha = new Float64Array(m);
  let xn = new Float64Array(n);
  let gn = new Float64Array(n);
  let converged = false;
  let iterations = 0;

  const dotFree = (a: Float64Array, b: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < n; i++) if (free[i]) s += (a[i] ?? 0) * (b[i] ?? 0);
    return s;
  };

  for (; iterations < maxIter; iterations++) {
    let pgMax = 0;
    for (let i = 0; i < n; i++) {
      const gi = g[i] ?? 0;
      const xi = x[i] ?? 0;
      const atLo = xi <= (lo[i] ?? Number.NEGATIVE_INFINITY) && gi > 0;
      const atHi = xi >= (hi[i] ?? Number.POSITIVE_INFINITY) && gi < 0;
      free[i] = atLo || atHi ? 0 : 1;
      if (free[i]) pgMax = Math.max(pgMax, Math.abs(gi));
    }
    if (pgMax < pgtol) {
      converged = true;
      break;
    }

    // Two-loop recursion restricted to the free variables.
    for (let i = 0; i < n; i++) d[i] = free[i] ? (g[i] ?? 0) : 0;
    const k = sHist.length;
    for (let j = k - 1; j >= 0; j--) {
      const sj = sHist[j] as Float64Array;
      const yj = yHist[j] as Float64Array;
      const a = (rhoHist[j] ?? 0) * dotFree(sj, d);
      alpha[j] = a;
      for (let i = 0; i < n; i++) if (free[i]) d[i] = (d[i] ?? 0) - a * (yj[i] ?? 0);
    }
    if (k > 0) {
      const sl = sHist[k - 1] as Float64Array;
      const yl = yHist[k - 1] as Float64Array;
      const yy = dotFree(yl, yl);
      const gamma = yy > 0 ? dotFree(sl, yl) / yy : 1;
      if (gamma > 0 && Number.isFinite(gamma)) for (let i = 0; i < n; i++) d[i] = (d[i] ?? 0) * gamma;
    }
    for (let j = 0; j < k; j++) {
      const sj = sHist[j] as Float64Array;
      const yj = yHist[j] as Float64Array;
      const b = (rhoHist[j] ?? 0) * dotFree(yj, d);
      const c = (alpha[j] ?? 0) - b;
      for (let i = 0; i < n; i++) if (free[i]) d[i] = (d[i] ?? 0) + c * (sj[i] ?? 0);
    }
    let slope = 0;
    for (let i = 0; i < n; i++) {
      d[i] = -(d[i] ?? 0);
      slope += (d[i] ?? 0) * (g[i] ?? 0);
    }
    if (!(slope < 0)) {
      // Not a descent direction: forget the curvature pairs and follow the projected gradient.
      forget();
      for (let i = 0; i < n; i++) d[i] = free[i] ? -(g[i] ?? 0) : 0;
    }
    let t = 1;
    if (sHist.length === 0) {
      let dmax = 0;
      for (let i = 0; i < n; i++) dmax = Math.max(dmax, Math.abs(d[i] ?? 0));
      t = dmax > 0 ? Math.min(1, 1 / dmax) : 1;
    }

    let accepted = false;
    let fn = Number.POSITIVE_INFINITY;
    for (let ls = 0; ls < 30; ls++) {
      for (let i = 0; i < n; i++) xn[i] = (x[i] ?? 0) + t * (d[i] ?? 0);
      project(xn);
      let decrease = 0;
      let moved = 0;
      for (let i = 0; i < n; i++) {
        const step = (xn[i] ?? 0) - (x[i] ?? 0);
        decrease += (g[i] ?? 0) * step;
        moved = Math.max(moved, Math.abs(step));
      }
      if (moved <= xtol) break;
      fn = fg.value(xn);
      evaluations++;
      if (Number.isFinite(fn) && fn <= f + 1e-4 * decrease) {
        accepted = true;
        break;
      }
      t *= 0.3;
    }
    if (!accepted) {
      if (sHist.length === 0) break;
      forget();
      continue;
    }

    // The ftol test needs only the values: a run that stops here never needs the gradient at xn.
    if (f - fn <= ftol * Math.max(Math.abs(f), Math.abs(fn), 1)) {
      const xOld = x;
      x = xn;
      xn = xOld;
      f = fn;
      converged = true;
      iterations++;
      break;
    }
    fg.gradient(gn);

    // Curvature pairs that fell out of the history are reused: fewer short-lived arrays.
    const s = spare.pop() ?? new Float64Array(n);
    const y = spare.pop() ?? new Float64Array(n);
    let sy = 0;
    let yy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = (xn[i] ?? 0) - (x[i] ?? 0);
      y[i] = (gn[i] ?? 0) - (g[i] ?? 0);
      sy += (s[i] ?? 0) * (y[i] ?? 0);
      yy += (y[i] ?? 0) * (y[i] ?? 0);
    }
    if (sy > 1e-10 * yy) {
      if (sHist.length === m) {
        spare.push(sHist.shift() as Float64Array, yHist.shift() as Float64Array);
        rhoHist.shift();
      }
      sHist.push(s);
      yHist.push(y);
      rhoHist.push(1 / sy);
    } else {
      spare.push(s, y);
    }
    const xOld = x;
    x = xn;
    xn = xOld;
    const gOld = g;
    g = gn;
    gn = gOld;
    f = fn;
  }
  return { x, f, iterations, evaluations, converged };
}
