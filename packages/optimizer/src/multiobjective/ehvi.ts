import { logH, logHValue, normPdf } from '../normal.js';
import type { Box } from './box-decomposition.js';
import { fastNormCdf, hLowerTail, log1mexp, logNdtr, logPhiPdf, logSumExp } from './log-normal.js';

/**
 * LogEHVI: the log of the expected hypervolume improvement of a point whose objectives (to
 * MINIMIZE) are independent Gaussians N(mu_j, sigma_j^2), over a partition of the non-dominated
 * region into boxes [l, u] (box-decomposition.ts). For one box, with (u - max(l, Y))_+ =
 * (u - Y)_+ - (l - Y)_+ and E(c - Y)_+ = sigma h((c - mu) / sigma), h(z) = phi(z) + z Phi(z):
 *   E prod_j (u_j - max(l_j, Y_j))_+ = prod_j sigma_j (h(zu_j) - h(zl_j)),  z = (bound - mu) / sigma
 * so log EHVI = logsumexp over boxes of sum_j log T_j, with
 *   log T = log sigma + log h(zu) + log(1 - exp(log h(zl) - log h(zu)))   (log h(-inf) = -inf),
 *   dT/dmu = -(Phi(zu) - Phi(zl)),   dT/dsigma = phi(zu) - phi(zl).
 * Everything stays in log space, so a point far from improving gets a very negative but finite
 * value with a useful gradient instead of an EHVI that underflows to 0 (Ament et al. 2023).
 * A box edge narrower than 1e-4 sigma uses the midpoint rule T = (u - l) Phi(z_mid), whose error
 * is far below that of the cancelling difference it replaces.
 */
const NARROW = 1e-4;
const MIN_SIGMA = 1e-10;

export class LogEhvi {
  readonly m: number;
  readonly boxCount: number;
  /** Per objective: the distinct finite box bounds, and per box the index of its l and u (-1: -inf). */
  private readonly bounds: Float64Array[];
  private readonly lowIndex: Int32Array[];
  private readonly highIndex: Int32Array[];
  private readonly logHAt: Float64Array[];
  /** log Phi at each bound, from the same logH call (log Phi = log h + log(Phi / h)). */
  private readonly logCdfAt: Float64Array[];
  /** The normal density at each bound (linear-space derivatives). */
  private readonly pdfAt: Float64Array[];
  private readonly terms: Float64Array;
  private readonly weights: Float64Array;
  private readonly logT: Float64Array;

  constructor(boxes: readonly Box[], m: number) {
    this.m = m;
    this.boxCount = boxes.length;
    this.bounds = [];
    this.lowIndex = [];
    this.highIndex = [];
    this.logHAt = [];
    this.logCdfAt = [];
    this.pdfAt = [];
    for (let j = 0; j < m; j++) {
      const values = new Set<number>();
      for (const b of boxes) {
        for (const v of [b.lower[j] as number, b.upper[j] as number]) if (Number.isFinite(v)) values.add(v);
      }
      const sorted = Float64Array.from([...values].sort((a, b) => a - b));
      const at = new Map<number, number>();
      sorted.forEach((v, i) => {
        at.set(v, i);
      });
      this.bounds.push(sorted);
      this.logHAt.push(new Float64Array(sorted.length));
      this.logCdfAt.push(new Float64Array(sorted.length));
      this.pdfAt.push(new Float64Array(sorted.length));
      this.lowIndex.push(Int32Array.from(boxes, (b) => at.get(b.lower[j] as number) ?? -1));
      this.highIndex.push(Int32Array.from(boxes, (b) => at.get(b.upper[j] as number) ?? -1));
    }
    this.terms = new Float64Array(this.boxCount);
    this.weights = new Float64Array(this.boxCount);
    this.logT = new Float64Array(this.boxCount * m);
  }

  /**
   * log EHVI at means mu and standard deviations sigma (shape: m), without derivatives. The box
   * terms are formed in linear space, T / sigma = h(zu) - h(zl), so the per-box work is a
   * subtraction and a product instead of a log1mexp per box and objective (candidate scoring spends
   * most of its time here); h is phi(z) + z Phi(z) (Phi: fastNormCdf) where that does not cancel
   * (z >= -5), and hLowerTail below. The difference loses at most eps / (1 - h(zl) / h(zu)) relative, under
   * 1e-11 above the narrow-box cutoff. When the sum is too small for the underflow of some terms to
   * be negligible (a point far from improving), the log-space evaluation decides.
   */
  value(mu: ArrayLike<number>, sigma: ArrayLike<number>): number {
    const { m, boxCount } = this;
    if (boxCount === 0) return Number.NEGATIVE_INFINITY;
    const prod = this.weights;
    prod.fill(1);
    let logScale = 0;
    for (let j = 0; j < m; j++) {
      const s = Math.max(sigma[j] as number, MIN_SIGMA);
      const mj = mu[j] as number;
      const bounds = this.bounds[j] as Float64Array;
      // Linear h at each bound, in the log-h buffer (the log path refills it if it runs).
      const h = this.logHAt[j] as Float64Array;
      for (let i = 0; i < bounds.length; i++) {
        const z = ((bounds[i] as number) - mj) / s;
        h[i] = z >= -5 ? normPdf(z) + z * fastNormCdf(z) : hLowerTail(z);
      }
      logScale += Math.log(s);
      const lo = this.lowIndex[j] as Int32Array;
      const hi = this.highIndex[j] as Int32Array;
      for (let k = 0; k < boxCount; k++) {
        const ih = hi[k] as number;
        const il = lo[k] as number;
        let t: number;
        if (ih < 0) t = 0;
        else if (il < 0) t = h[ih] as number;
        else {
          const u = bounds[ih] as number;
          const l = bounds[il] as number;
          if (u - l < NARROW * s) t = ((u - l) / s) * Math.exp(logNdtr((0.5 * (u + l) - mj) / s));
          else t = (h[ih] as number) - (h[il] as number);
        }
        prod[k] = (prod[k] as number) * t;
      }
    }
    let sum = 0;
    for (let k = 0; k < boxCount; k++) sum += prod[k] as number;
    if (!(sum > 1e-250)) return this.evaluateLog(mu, sigma, null, null);
    return Math.log(sum) + logScale;
  }

  /**
   * log EHVI and its derivatives with respect to each mu_j and sigma_j, written into dMu and
   * dSigma (shape: m).
   */
  evaluate(
    mu: ArrayLike<number>,
    sigma: ArrayLike<number>,
    dMu: Float64Array | null,
    dSigma: Float64Array | null,
  ): number {
    if (dMu && dSigma) {
      const fast = this.evaluateLinear(mu, sigma, dMu, dSigma);
      if (fast !== null) return fast;
    }
    return this.evaluateLog(mu, sigma, dMu, dSigma);
  }

  /**
   * log EHVI and its derivatives from linear-space box terms, as value(); null when a box is
   * narrower than the cutoff or the sum is too small (then the log-space evaluation decides).
   * With P_k the product of box k's terms and S their sum, d log EHVI / d mu_j = sum_k (P_k / S)
   * dT_kj / d mu_j / T_kj, and the same for sigma_j.
   */
  private evaluateLinear(
    mu: ArrayLike<number>,
    sigma: ArrayLike<number>,
    dMu: Float64Array,
    dSigma: Float64Array,
  ): number | null {
    const { m, boxCount } = this;
    if (boxCount === 0) return null;
    const prod = this.weights;
    const tk = this.logT;
    prod.fill(1);
    let logScale = 0;
    for (let j = 0; j < m; j++) {
      const s = Math.max(sigma[j] as number, MIN_SIGMA);
      const mj = mu[j] as number;
      const bounds = this.bounds[j] as Float64Array;
      const h = this.logHAt[j] as Float64Array;
      const cdf = this.logCdfAt[j] as Float64Array;
      const pdf = this.pdfAt[j] as Float64Array;
      for (let i = 0; i < bounds.length; i++) {
        const z = ((bounds[i] as number) - mj) / s;
        const p = normPdf(z);
        const c = fastNormCdf(z);
        pdf[i] = p;
        cdf[i] = c;
        h[i] = z >= -5 ? p + z * c : hLowerTail(z);
      }
      logScale += Math.log(s);
      const lo = this.lowIndex[j] as Int32Array;
      const hi = this.highIndex[j] as Int32Array;
      for (let k = 0; k < boxCount; k++) {
        const ih = hi[k] as number;
        const il = lo[k] as number;
        let t: number;
        if (ih < 0) t = 0;
        else if (il < 0) t = h[ih] as number;
        else {
          if ((bounds[ih] as number) - (bounds[il] as number) < NARROW * s) return null;
          t = (h[ih] as number) - (h[il] as number);
        }
        tk[k * m + j] = t;
        prod[k] = (prod[k] as number) * t;
      }
    }
    let sum = 0;
    for (let k = 0; k < boxCount; k++) sum += prod[k] as number;
    if (!(sum > 1e-250)) return null;
    for (let j = 0; j < m; j++) {
      const s = Math.max(sigma[j] as number, MIN_SIGMA);
      const cdf = this.logCdfAt[j] as Float64Array;
      const pdf = this.pdfAt[j] as Float64Array;
      const lo = this.lowIndex[j] as Int32Array;
      const hi = this.highIndex[j] as Int32Array;
      let gm = 0;
      let gs = 0;
      for (let k = 0; k < boxCount; k++) {
        const pk = prod[k] as number;
        if (pk === 0) continue;
        const ih = hi[k] as number;
        const il = lo[k] as number;
        // T = sigma t: dT/dmu = -(Phi(zu) - Phi(zl)), dT/dsigma = phi(zu) - phi(zl).
        const scale = pk / (tk[k * m + j] as number) / (sum * s);
        gm -= scale * ((cdf[ih] as number) - (il >= 0 ? (cdf[il] as number) : 0));
        gs += scale * ((pdf[ih] as number) - (il >= 0 ? (pdf[il] as number) : 0));
      }
      dMu[j] = gm;
      dSigma[j] = (sigma[j] as number) < MIN_SIGMA ? 0 : gs;
    }
    return Math.log(sum) + logScale;
  }

  /** log EHVI (and derivatives when asked) with every box term in log space. */
  evaluateLog(
    mu: ArrayLike<number>,
    sigma: ArrayLike<number>,
    dMu: Float64Array | null,
    dSigma: Float64Array | null,
  ): number {
    const { m, boxCount, terms, logT } = this;
    if (boxCount === 0) {
      dMu?.fill(0);
      dSigma?.fill(0);
      return Number.NEGATIVE_INFINITY;
    }
    terms.fill(0);
    const gradient = dMu !== null && dSigma !== null;
    for (let j = 0; j < m; j++) {
      const s = Math.max(sigma[j] as number, MIN_SIGMA);
      const mj = mu[j] as number;
      const bounds = this.bounds[j] as Float64Array;
      const lh = this.logHAt[j] as Float64Array;
      const lc = this.logCdfAt[j] as Float64Array;
      for (let i = 0; i < bounds.length; i++) {
        const z = ((bounds[i] as number) - mj) / s;
        if (gradient) {
          const r = logH(z);
          lh[i] = r.value;
          lc[i] = r.value + Math.log(r.slope);
        } else lh[i] = logHValue(z);
      }
      const lo = this.lowIndex[j] as Int32Array;
      const hi = this.highIndex[j] as Int32Array;
      const logS = Math.log(s);
      for (let k = 0; k < boxCount; k++) {
        const ih = hi[k] as number;
        const il = lo[k] as number;
        let t: number;
        if (ih < 0) t = Number.NEGATIVE_INFINITY;
        else if (il < 0) t = logS + (lh[ih] as number);
        else {
          const u = bounds[ih] as number;
          const l = bounds[il] as number;
          if (u - l < NARROW * s) t = Math.log(u - l) + logNdtr((0.5 * (u + l) - mj) / s);
          else t = logS + (lh[ih] as number) + log1mexp((lh[il] as number) - (lh[ih] as number));
        }
        logT[k * m + j] = t;
        terms[k] = (terms[k] as number) + t;
      }
    }
    const out = logSumExp(terms, boxCount, dMu && dSigma ? this.weights : undefined);
    if (!dMu || !dSigma) return out;
    dMu.fill(0);
    dSigma.fill(0);
    if (out === Number.NEGATIVE_INFINITY) return out;
    for (let j = 0; j < m; j++) {
      const s = Math.max(sigma[j] as number, MIN_SIGMA);
      const clamped = (sigma[j] as number) < MIN_SIGMA;
      const mj = mu[j] as number;
      const bounds = this.bounds[j] as Float64Array;
      const lc = this.logCdfAt[j] as Float64Array;
      const lo = this.lowIndex[j] as Int32Array;
      const hi = this.highIndex[j] as Int32Array;
      let gm = 0;
      let gs = 0;
      for (let k = 0; k < boxCount; k++) {
        const w = this.weights[k] as number;
        if (w === 0) continue;
        const ih = hi[k] as number;
        const il = lo[k] as number;
        const lt = logT[k * m + j] as number;
        const zu = ((bounds[ih] as number) - mj) / s;
        let dm: number;
        let ds: number;
        if (il >= 0 && (bounds[ih] as number) - (bounds[il] as number) < NARROW * s) {
          const zm = (0.5 * ((bounds[ih] as number) + (bounds[il] as number)) - mj) / s;
          const ratio = Math.exp(logPhiPdf(zm) - logNdtr(zm));
          dm = -ratio / s;
          ds = (-ratio * zm) / s;
        } else {
          // d log T = dT / T, each ratio formed in log space.
          dm = -Math.exp((lc[ih] as number) - lt);
          ds = Math.exp(logPhiPdf(zu) - lt);
          if (il >= 0) {
            const zl = ((bounds[il] as number) - mj) / s;
            dm += Math.exp((lc[il] as number) - lt);
            ds -= Math.exp(logPhiPdf(zl) - lt);
          }
        }
        gm += w * dm;
        gs += w * ds;
      }
      dMu[j] = gm;
      dSigma[j] = clamped ? 0 : gs;
    }
    return out;
  }
}
