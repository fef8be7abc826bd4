import type { Acquisition, AcquisitionValue } from '../acquisition.js';
import { MIN_VARIANCE } from '../acquisitions/gaussian.js';
import { logNdtr, logPhiPdf } from './log-normal.js';

/**
 * Log probability of feasibility of one outcome constraint whose model-space posterior is
 * N(mean, variance) and which is satisfied when the modelled quantity is at least `threshold`
 * (the model maximizes -c, so c <= 0 maps to y >= threshold through the monotone target
 * transform): log Phi((mean - threshold) / sigma), with its derivatives with respect to mean and
 * variance. logNdtr keeps it finite and accurate for a point that is very likely infeasible
 * (z = -1e6 gives about -5e11, not -Infinity), so the search still sees a slope toward feasibility.
 */
export type LogPof = AcquisitionValue;

export function logProbabilityOfFeasibility(mean: number, variance: number, threshold: number): LogPof {
  const clamped = variance < MIN_VARIANCE;
  const sigma = Math.sqrt(clamped ? MIN_VARIANCE : variance);
  const z = (mean - threshold) / sigma;
  const value = logNdtr(z);
  // phi(z) / Phi(z), formed in log space: about -z in the lower tail instead of 0 / 0.
  const ratio = Math.exp(logPhiPdf(z) - value);
  return {
    value,
    dMean: ratio / sigma,
    dVariance: clamped ? 0 : (-ratio * z) / sigma / (2 * sigma),
  };
}

export function logProbabilityOfFeasibilityValue(mean: number, variance: number, threshold: number): number {
  const sigma = Math.sqrt(Math.max(variance, MIN_VARIANCE));
  return logNdtr((mean - threshold) / sigma);
}

/**
 * Log probability of feasibility as an Acquisition of the constraint's posterior. It grows with the
 * variance on the infeasible side of the threshold; on the feasible side it tends to log 1 = 0 as
 * the variance shrinks.
 */
export class LogProbabilityOfFeasibility implements Acquisition {
  readonly name = 'logpof';
  constructor(readonly threshold: number) {}

  value(mean: number, variance: number): number {
    return logProbabilityOfFeasibilityValue(mean, variance, this.threshold);
  }

  evaluate(mean: number, variance: number): AcquisitionValue {
    return logProbabilityOfFeasibility(mean, variance, this.threshold);
  }

  upperBound(mean: number, varUpper: number): number {
    return mean - this.threshold >= 0 ? 0 : this.value(mean, varUpper);
  }
}
