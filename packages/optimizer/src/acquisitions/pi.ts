import type { Acquisition, AcquisitionValue } from '../acquisition.js';
import { normCdf, normPdf } from '../normal.js';
import { clampedSigma, ImprovementAcquisition, sigmaPerVariance } from './gaussian.js';

/**
 * Probability of improvement: Phi(z), z = (mean - best - xi) / sigma. Grows with the variance below
 * the threshold best + xi; above it, it tends to 1 as the variance shrinks.
 */
export class ProbabilityOfImprovement extends ImprovementAcquisition implements Acquisition {
  readonly name = 'pi';

  value(mean: number, variance: number): number {
    return normCdf((mean - this.best - this.xi) / clampedSigma(variance));
  }

  evaluate(mean: number, variance: number): AcquisitionValue {
    const sigma = clampedSigma(variance);
    const z = (mean - this.best - this.xi) / sigma;
    const pdf = normPdf(z);
    return {
      value: normCdf(z),
      dMean: pdf / sigma,
      dVariance: ((-pdf * z) / sigma) * sigmaPerVariance(variance, sigma),
    };
  }

  upperBound(mean: number, varUpper: number): number {
    return mean - this.best - this.xi >= 0 ? 1 : this.value(mean, varUpper);
  }
}
