import { ConditionalEncoding, EmbeddedPosterior, type PointPosterior } from './conditional-encoding.js';
import type { Direction, GpOptions } from './config.js';
import { hashFloats } from './content-hash.js';
import { type FitResult, thetaBounds, thetaToHyper } from './hyperparameters.js';
import { covariances, type KernelKind } from './kernel.js';
import { minimizeLbfgsb } from './lbfgsb.js';
import { choleskyWithJitter, cholInverse, dot, logDetHalf, solveLower, solveUpperT } from './linalg.js';
import {
  chainedFrom,
  type FittedModel,
  fitCheckpoint,
  fitModel,
  fitPrefixLength,
  type Observations,
} from './model.js';
import type { ModelCache } from './model-cache.js';
import { transformTargets } from './output-transform.js';
import { DEFAULT_PRIOR, type HyperPrior, logPrior } from './prior.js';
import type { ParsedSearchSpace } from './search-space.js';

/**
 * Learned imputation (`conditionalEncoding: 'imputed'`, after Levesque et al. 2017): an inactive
 * conditional numeric parameter takes a model coordinate c_k that is fitted with the GP's
 * hyperparameters by maximum a posteriori, instead of a fixed pad. The GP stays a stationary ARD
 * GP on a Euclidean embedding (so positive definite for any c), and the marginal likelihood chooses
 * where "inactive" sits for each parameter: among the active values where the branches are related
 * (a depth-3 network looks like a depth-4 one with some width of its fourth layer), or beyond the
 * range where they are not (c outside [0, 1] puts the inactive branch at a distance from every
 * active value).
 *
 * Variables v = [theta (M + 3, hyperparameters.ts's layout on the model coordinates), c (P)], with
 * the weak prior c_k ~ Normal(canonical pad, PAD_PRIOR_SD^2) besides prior.ts's. With
 * W = alpha alpha^T - K^-1 and z_ik = c_k wherever row i is inactive in slot k (model coordinate d):
 *   dLML/dc_k = sum_{i > j} W_ij s2 kappa'(r2_ij) lambda_d 2 (z_id - z_jd) ([i inactive] - [j inactive]).
 */
export const PAD_BOUNDS: readonly [number, number] = [-1, 2];
const PAD_PRIOR_SD = 1;
const LOG_2PI = Math.log(2 * Math.PI);

export class ImputedNegLogPosterior {
  readonly dim: number;
  readonly pads: number;
  private readonly z: Float64Array;
  /** inactive[k * n + i] = 1 when row i is inactive in pad slot k. */
  private readonly inactive: Uint8Array;
  private readonly padCoord: Int32Array;
  private readonly padCenter: Float64Array;
  private readonly categorical: Uint8Array;
  private readonly pairs: number;

  constructor(
    encoding: ConditionalEncoding,
    xs: Float64Array,
    private readonly y: Float64Array,
    private readonly n: number,
    private readonly kernel: KernelKind,
    private readonly prior: HyperPrior = DEFAULT_PRIOR,
    private readonly noiseScale?: Float64Array,
  ) {
    this.dim = encoding.dimension;
    const slots = encoding.padSlots;
    this.pads = slots.length;
    this.z = encoding.embedRows(xs, n);
    this.categorical = encoding.categorical;
    this.padCoord = Int32Array.from(slots, (s) => s.to);
    this.padCenter = Float64Array.from(slots, (s) => encoding.space.inactiveCoordinate(s.from));
    this.inactive = new Uint8Array(this.pads * n);
    const D = encoding.space.dimension;
    const active = new Uint8Array(D);
    for (let i = 0; i < n; i++) {
      encoding.space.activeMask(xs.subarray(i * D, (i + 1) * D), active);
      slots.forEach((s, k) => {
        if (active[s.from] !== 1) this.inactive[k * n + i] = 1;
      });
    }
    this.pairs = (n * (n - 1)) / 2;
  }

  /** The canonical pads, the start of every fit. */
  get centers(): Float64Array {
    return this.padCenter;
  }

  /** Returns -(LML + log prior) at v = [theta, c] and writes its gradient into grad (shape: M + 3 + P). */
  evaluate = (v: Float64Array, grad: Float64Array): number => {
    const { n, dim, z, y, inactive, padCoord, categorical } = this;
    const P = this.pairs;
    for (let k = 0; k < this.pads; k++) {
      const c = v[dim + 3 + k] as number;
      const d = padCoord[k] as number;
      for (let i = 0; i < n; i++) if (inactive[k * n + i] === 1) z[i * dim + d] = c;
    }
    const lambda = new Float64Array(dim);
    for (let d = 0; d < dim; d++) lambda[d] = Math.exp(v[d] as number);
    const s2 = Math.exp(v[dim] as number);
    const noise = Math.exp(v[dim + 1] as number);
    const mean = v[dim + 2] as number;
    const r2 = new Float64Array(P);
    let p = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++, p++) {
        let rr = 0;
        for (let d = 0; d < dim; d++) {
          const diff = (z[i * dim + d] as number) - (z[j * dim + d] as number);
          rr += (lambda[d] as number) * (categorical[d] === 1 ? (diff === 0 ? 0 : 1) : diff * diff);
        }
        r2[p] = rr;
      }
    }
    const kPair = new Float64Array(P);
    const gPair = new Float64Array(P);
    covariances(this.kernel, s2, r2, kPair, gPair, 0, P);
    const K = new Float64Array(n * n);
    const L = new Float64Array(n * n);
    p = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++, p++) K[i * n + j] = kPair[p] as number;
      K[i * n + i] = s2 + noise * (this.noiseScale ? (this.noiseScale[i] as number) : 1);
    }
    if (choleskyWithJitter(K, n, L, 0, 4) < 0) {
      grad.fill(0);
      return Number.POSITIVE_INFINITY;
    }
    const alpha = new Float64Array(n);
    for (let i = 0; i < n; i++) alpha[i] = (y[i] as number) - mean;
    solveLower(L, n, alpha);
    const quad = dot(alpha, 0, alpha, 0, n);
    solveUpperT(L, n, alpha);
    const lml = -0.5 * quad - logDetHalf(L, n) - 0.5 * n * LOG_2PI;
    const kinv = new Float64Array(n * n);
    cholInverse(L, n, kinv);

    grad.fill(0);
    let traceW = 0;
    let traceWNoise = 0;
    for (let i = 0; i < n; i++) {
      const ai = alpha[i] as number;
      const w = ai * ai - (kinv[i * n + i] as number);
      traceW += w;
      traceWNoise += this.noiseScale ? w * (this.noiseScale[i] as number) : w;
    }
    let gSignal = 0;
    p = 0;
    for (let i = 0; i < n; i++) {
      const ai = alpha[i] as number;
      for (let j = 0; j < i; j++, p++) {
        const w = ai * (alpha[j] as number) - (kinv[i * n + j] as number);
        gSignal += w * (kPair[p] as number);
        // Off-diagonal pairs count twice in 1/2 tr(W dK), which cancels the 1/2.
        const wg = w * (gPair[p] as number);
        for (let d = 0; d < dim; d++) {
          const diff = (z[i * dim + d] as number) - (z[j * dim + d] as number);
          const d2 = categorical[d] === 1 ? (diff === 0 ? 0 : 1) : diff * diff;
          grad[d] = (grad[d] as number) + wg * (lambda[d] as number) * d2;
        }
        for (let k = 0; k < this.pads; k++) {
          const side = (inactive[k * n + i] as number) - (inactive[k * n + j] as number);
          if (side === 0) continue;
          const d = padCoord[k] as number;
          const diff = (z[i * dim + d] as number) - (z[j * dim + d] as number);
          grad[dim + 3 + k] = (grad[dim + 3 + k] as number) + wg * (lambda[d] as number) * 2 * diff * side;
        }
      }
    }
    grad[dim] = gSignal + 0.5 * traceW * s2;
    grad[dim + 1] = 0.5 * traceWNoise * noise;
    let sumAlpha = 0;
    for (let i = 0; i < n; i++) sumAlpha += alpha[i] as number;
    grad[dim + 2] = sumAlpha;
    let lp = logPrior(this.prior, v, dim, grad);
    const var0 = PAD_PRIOR_SD * PAD_PRIOR_SD;
    for (let k = 0; k < this.pads; k++) {
      const e = (v[dim + 3 + k] as number) - (this.padCenter[k] as number);
      lp -= (0.5 * e * e) / var0;
      grad[dim + 3 + k] = (grad[dim + 3 + k] as number) - e / var0;
    }
    for (let i = 0; i < grad.length; i++) grad[i] = -(grad[i] as number);
    return -(lml + lp);
  };
}

const FIT_MAX = 256;

/**
 * The pads of `imputed` fitted on the observations' refit checkpoint (model.ts's fitPrefixLength,
 * its latest FIT_MAX points), so they change when the hyperparameters would be refitted and are a
 * function of the history alone; recalled from `cache` by content.
 */
export function fitPads(
  space: ParsedSearchSpace,
  obs: Observations,
  options: GpOptions,
  cache: ModelCache,
): { pads: Float64Array; fit: FitResult | undefined } {
  return fitPadsAt(space, obs, fitPrefixLength(obs.n), options, cache);
}

function fitPadsAt(
  space: ParsedSearchSpace,
  obs: Observations,
  m: number,
  options: GpOptions,
  cache: ModelCache,
): { pads: Float64Array; fit: FitResult | undefined } {
  const base = new ConditionalEncoding(space, 'imputed');
  const P = base.padSlots.length;
  const centers = Float64Array.from(base.padSlots, (s) => s.pad);
  const from = Math.max(0, m - FIT_MAX);
  const n = m - from;
  if (P === 0 || n < 2) return { pads: centers, fit: undefined };
  const D = space.dimension;
  const M = base.dimension;
  const xs = obs.x.subarray(from * D, m * D);
  const g = obs.g.subarray(from, m);
  const previous = chainedFrom(m);
  const key = `imputed${previous === null ? 'g' : 'c'}:${hashFloats(xs, 0x9747b28c)}:${hashFloats(g, 0x1b873593)}:${n}:${options.kernel}:${options.noiseFloor}:${options.deterministic}:${options.outputWarping}:${options.noiseUnits}`;
  const hit = cache.recallFit(key);
  if (hit) return { pads: hit.theta.slice(M + 3), fit: { ...hit, theta: hit.theta.slice(0, M + 3) } };
  const t = transformTargets(g, n, options.outputWarping === 'yeo-johnson');
  const noiseScale = t.noiseScale && options.noiseUnits === 'objective' ? t.noiseScale : undefined;
  const nlp = new ImputedNegLogPosterior(base, xs, t.y, n, options.kernel, DEFAULT_PRIOR, noiseScale);
  const [tlo, thi] = thetaBounds(M, options.noiseFloor, options.deterministic);
  const lo = new Float64Array(M + 3 + P);
  const hi = new Float64Array(M + 3 + P);
  lo.set(tlo);
  hi.set(thi);
  lo.fill(PAD_BOUNDS[0], M + 3);
  hi.fill(PAD_BOUNDS[1], M + 3);
  const starts: Float64Array[] = [];
  const withPads = (theta: Float64Array, pads: Float64Array): Float64Array => {
    const v = new Float64Array(M + 3 + P);
    v.set(theta.subarray(0, M + 3));
    v.set(pads, M + 3);
    return v;
  };
  if (previous !== null) {
    // As model.ts's chained checkpoints: the previous checkpoint's joint optimum as the only start.
    const prev = fitPadsAt(space, obs, previous, options, cache);
    if (prev.fit) starts.push(withPads(prev.fit.theta, prev.pads));
  }
  const chained = starts.length > 0;
  if (!chained) {
    // The fixed-pad fit (the `category` model, same prior) at its optimum with the canonical pads:
    // the joint objective there equals its negative log posterior, and descent from it can only
    // lower that, so the joint optimum is never below the fixed-pad model in posterior terms.
    const embedded: Observations = { ...obs, x: base.embedRows(obs.x, m) };
    const plain = fitCheckpoint(embedded, m, M, base.categorical, options, cache);
    if (plain.fitted) starts.push(withPads(plain.theta, centers));
  }
  if (!chained) {
    // And the defaults, as model.ts: the pads' other basins (far outside [0, 1], where branches are
    // unrelated) are not reached by descent from the canonical pads (mlp_hpo: 0.0167 @30 from the
    // fixed-pad optimum alone, 0.011 with the defaults too).
    const first = new Float64Array(M + 3 + P);
    first[M + 1] = Math.log(Math.max(options.noiseFloor, 1e-2));
    first.set(centers, M + 3);
    starts.push(first);
    if (n < 128) {
      // As model.ts: a second start with short lengthscales and little noise finds the other mode.
      const short = new Float64Array(M + 3 + P);
      for (let d = 0; d < M; d++) short[d] = Math.log(10);
      short[M + 1] = Math.log(Math.max(options.noiseFloor, 1e-4));
      short.set(centers, M + 3);
      starts.push(short);
    }
  }
  let best: { x: Float64Array; f: number } | null = null;
  for (const s0 of starts) {
    const start = s0.map((v, i) => Math.min(hi[i] as number, Math.max(lo[i] as number, v)));
    const r = minimizeLbfgsb(nlp.evaluate, start, {
      lower: lo,
      upper: hi,
      maxIterations: 100,
      pgtol: 1e-4,
      ftol: 1e-7,
    });
    if (Number.isFinite(r.f) && r.x.every(Number.isFinite) && (!best || r.f < best.f)) best = r;
  }
  const theta = best ? best.x : new Float64Array(M + 3 + P).fill(0);
  if (!best) theta.set(centers, M + 3);
  const gpTheta = theta.slice(0, M + 3);
  const result: FitResult = {
    theta: gpTheta,
    hyper: thetaToHyper(gpTheta, M),
    objective: best ? best.f : Number.NaN,
    fitted: best !== null,
    ...(noiseScale ? { noiseScaled: true } : {}),
  };
  cache.rememberFit(key, { ...result, theta });
  return { pads: theta.slice(M + 3), fit: result };
}

/** The model coordinates of a conditional space for the sampler's options and observations. */
export function conditionalEncodingFor(
  space: ParsedSearchSpace,
  options: GpOptions,
  obs: Observations,
  cache: ModelCache,
): { encoding: ConditionalEncoding; fit: FitResult | undefined } {
  if (options.conditionalEncoding !== 'imputed')
    return { encoding: new ConditionalEncoding(space, options.conditionalEncoding), fit: undefined };
  const { pads, fit } = fitPads(space, obs, options, cache);
  return { encoding: new ConditionalEncoding(space, 'imputed', pads), fit };
}

/** A GP fitted on a search space's observations, and how a space point reaches its coordinates. */
export interface SpaceModel {
  model: FittedModel;
  /**
   * model.posterior and model.withPending on the space's coordinates (the very same objects when
   * the GP runs on them), for acquisitions that combine several models (multiobjective/suggest.ts).
   */
  posterior: PointPosterior;
  withPending: PointPosterior;
  /** The embedding of a conditional space (null: the GP runs on the space's coordinates). */
  encoding: ConditionalEncoding | null;
  /** A space point in the model's coordinates. */
  toModel(x: Float64Array): Float64Array;
  /** The model coordinate of space parameter i (the first one where an encoding gives it two). */
  coordinateOf(i: number): number;
}

/**
 * The sampler's model (samplers.ts), the dashboard's surrogate (surrogate.ts) and recommend.ts's
 * all come from here, so on a conditional space they see the same embedding, imputed pads included.
 */
export function fitSpaceModel(
  space: ParsedSearchSpace,
  direction: Direction,
  obs: Observations,
  pending: readonly Float64Array[],
  options: GpOptions,
  cache: ModelCache,
): SpaceModel {
  const conditional = space.conditional ? conditionalEncodingFor(space, options, obs, cache) : null;
  const encoding = conditional?.encoding ?? null;
  const modelObs = encoding ? { ...obs, x: encoding.embedRows(obs.x, obs.n) } : obs;
  const modelPending = encoding ? pending.map((p) => encoding.embed(p)) : pending;
  const model = fitModel(
    encoding ?? space,
    direction,
    modelObs,
    modelPending,
    options,
    cache,
    conditional?.fit,
  );
  return {
    model,
    posterior: encoding ? new EmbeddedPosterior(model.posterior, encoding) : model.posterior,
    withPending: encoding ? new EmbeddedPosterior(model.withPending, encoding) : model.withPending,
    encoding,
    toModel: (x) => (encoding ? encoding.embed(x) : x),
    coordinateOf: (i) => (encoding ? encoding.coordinateOf(i) : i),
  };
}
