import type { AcquisitionSpec } from '../acquisition.js';

/**
 * The posterior standard deviation the acquisitions use: variances below MIN_VARIANCE (a point at
 * an observation of a noise-free model, or rounding below zero) are clamped, and no gradient flows
 * through the clamp.
 */
export const MIN_VARIANCE = 1e-20;

export function clampedSigma(variance: number): number {
  return Math.sqrt(Math.max(variance, MIN_VARIANCE));
}

/** dsigma/dvar = 1 / (2 sigma); zero where the variance was clamped. */
export function sigmaPerVariance(variance: number, sigma: number): number {
  return variance < MIN_VARIANCE ? 0 : 1 / (2 * sigma);
}

/**
 * The improvement acquisitions (EI, LogEI, PI) look at z = (mean - best - xi) / sigma: the incumbent
 * and the margin xi come from the spec.
 */
export abstract class ImprovementAcquisition {
  protected readonly best: number;
  protected readonly xi: number;
  constructor(spec: AcquisitionSpec) {
    this.best = spec.best;
    this.xi = spec.xi;
  }
}
