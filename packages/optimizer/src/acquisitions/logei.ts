import type { Acquisition, AcquisitionValue } from '../acquisition.js';
import { logH, logHValue } from '../normal.js';
import { clampedSigma, ImprovementAcquisition, sigmaPerVariance } from './gaussian.js';

/**
 * Log expected improvement: log(sigma h(z)), h(z) = phi(z) + z Phi(z), z = (mean - best - xi) / sigma;
 * normal.ts keeps log h finite for z << 0. Grows with the variance, so its value at the largest
 * variance bounds it.
 */
export class LogExpectedImprovement extends ImprovementAcquisition implements Acquisition {
  readonly name = 'logei';

  value(mean: number, variance: number): number {
    const sigma = clampedSigma(variance);
    return Math.log(sigma) + logHValue((mean - this.best - this.xi) / sigma);
  }

  evaluate(mean: number, variance: number): AcquisitionValue {
    const sigma = clampedSigma(variance);
    const z = (mean - this.best - this.xi) / sigma;
    const lh = logH(z);
    return {
      value: Math.log(sigma) + lh.value,
      dMean: lh.slope / sigma,
      dVariance: ((1 - lh.slope * z) / sigma) * sigmaPerVariance(variance, sigma),
    };
  }

  upperBound(mean: number, varUpper: number): number {
    return this.value(mean, varUpper);
  }
}
