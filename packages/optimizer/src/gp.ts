/**
 * Gaussian-process regression: the notation the GP modules share, the data and hyperparameter
 * types, and the GP's public names.
 *
 * Notation (n observations, D parameters):
 *   X      n x D row-major, model coordinates (search-space.ts), categorical columns hold indices
 *   y      n, standardized targets, larger is better
 *   theta  D + 3: [log lambda_1..D, log s2, log noise, m] with lambda_d = 1 / lengthscale_d^2;
 *          2 D + 3 for the additive kernel, then [u_1..D] with w = softmax(u)
 *   K      n x n, s2 * kappa(R2) + noise * I  (kernel.ts)
 *   L      n x n lower, K = L L^T  (linalg.ts)
 *   alpha  n, K^-1 (y - m)
 *   k*     n, k(x*, X_i) at a query point x*
 *
 * Modules:
 *   kernel.ts           k, its derivatives in theta and in x, squared distances
 *   hyperparameters.ts  log marginal likelihood and its gradient in theta; MAP fit of theta
 *   posterior.ts        mean m + k*^T alpha and variance s2 - |L^-1 k*|^2 at x*, their gradients in x*
 *   factor-cache.ts     Cholesky factors that later posteriors extend
 */
export interface GpHyperparameters {
  /** Inverse squared lengthscales, shape: D. */
  invSqLengthscales: Float64Array;
  signalVar: number;
  noiseVar: number;
  mean: number;
  /**
   * Additive kernel (FitOptions.additive): each coordinate's share w_d of the signal variance
   * (shape: D, summing to 1), k = s2 sum_d w_d kappa(lambda_d delta_d^2). Absent for the product kernel.
   */
  additive?: Float64Array;
}

export interface GpData {
  /** Shape: n x D row-major. */
  x: Float64Array;
  /** Shape: n. */
  y: Float64Array;
  n: number;
  dim: number;
  /** 1 where the coordinate is categorical, shape: D. */
  categorical: Uint8Array;
  /**
   * Relative noise variance per observation (shape: n; all 1 when absent): observation i has noise
   * variance noiseVar * noiseScale[i]. Output warping sets it so the noise is constant in objective
   * units rather than in warped ones (output-transform.ts).
   */
  noiseScale?: Float64Array;
}

export { FactorCache } from './factor-cache.js';
export {
  defaultTheta,
  type FitOptions,
  type FitResult,
  fitHyperparameters,
  hyperToTheta,
  NegLogPosterior,
  thetaBounds,
  thetaToHyper,
} from './hyperparameters.js';
export { GpPosterior } from './posterior.js';
