/**
 * Weak priors on the GP hyperparameters (MAP fitting keeps the likelihood from running to extreme
 * lengthscales or zero noise on 10-50 points). Densities are on the natural parameters; gradients
 * are returned with respect to the log parameters the optimizer works in. Constants are dropped.
 *
 * - inverse squared lengthscale lambda: log p = -(0.1 / lambda + 0.1 * lambda), peaked at a
 *   lengthscale of 1 on the unit cube and decaying for both very short and very long ones;
 * - signal variance s2 (outputs are standardized): Gamma(2, 1), mode 1;
 * - noise variance: Gamma(1.1, 30), which favours small noise without pinning it at the floor;
 * - constant mean (standardized units): Normal(0, 1).
 */
export interface HyperPrior {
  lengthscaleA: number;
  lengthscaleB: number;
  signalShape: number;
  signalRate: number;
  noiseShape: number;
  noiseRate: number;
  meanStd: number;
}

export const DEFAULT_PRIOR: HyperPrior = {
  lengthscaleA: 0.1,
  lengthscaleB: 0.1,
  signalShape: 2,
  signalRate: 1,
  noiseShape: 1.1,
  noiseRate: 30,
  meanStd: 1,
};

/**
 * Log prior of theta = [log lambda_1..D, log s2, log noise, mean] (shape: D + 3). Adds the gradient
 * with respect to theta into `grad` when given.
 */
export function logPrior(prior: HyperPrior, theta: Float64Array, dim: number, grad?: Float64Array): number {
  let lp = 0;
  for (let d = 0; d < dim; d++) {
    const lambda = Math.exp(theta[d] ?? 0);
    lp -= prior.lengthscaleA / lambda + prior.lengthscaleB * lambda;
    if (grad) grad[d] = (grad[d] ?? 0) + prior.lengthscaleA / lambda - prior.lengthscaleB * lambda;
  }
  const logS2 = theta[dim] ?? 0;
  const s2 = Math.exp(logS2);
  lp += (prior.signalShape - 1) * logS2 - prior.signalRate * s2;
  const logNoise = theta[dim + 1] ?? 0;
  const noise = Math.exp(logNoise);
  lp += (prior.noiseShape - 1) * logNoise - prior.noiseRate * noise;
  const mean = theta[dim + 2] ?? 0;
  const v = prior.meanStd * prior.meanStd;
  lp -= (0.5 * mean * mean) / v;
  if (grad) {
    grad[dim] = (grad[dim] ?? 0) + prior.signalShape - 1 - prior.signalRate * s2;
    grad[dim + 1] = (grad[dim + 1] ?? 0) + prior.noiseShape - 1 - prior.noiseRate * noise;
    grad[dim + 2] = (grad[dim + 2] ?? 0) - mean / v;
  }
  return lp;
}
