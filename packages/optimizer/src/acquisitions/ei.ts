import type { Acquisition, AcquisitionValue } from '../acquisition.js';
import { normCdf, normPdf } from '../normal.js';
import { clampedSigma, ImprovementAcquisition, sigmaPerVariance } from './gaussian.js';

/**
 * Expected improvement: sigma h(z), h(z) = phi(z) + z Phi(z), z = (mean - best - xi) / sigma.
 * Grows with the variance.
 */
export class ExpectedImprovement extends ImprovementAcquisition implements Acquisition {
  readonly name = 'ei';

  value(mean: number, variance: number): number {
    const sigma = clampedSigma(variance);
    const z = (mean - this.best - this.xi) / sigma;
    return sigma * (normPdf(z) + z * normCdf(z));
  }

  evaluate(mean: number, variance: number): AcquisitionValue {
    const sigma = clampedSigma(variance);
    const z = (mean - this.best - this.xi) / sigma;
    const cdf = normCdf(z);
    const pdf = normPdf(z);
    return { value: sigma * (pdf + z * cdf), dMean: cdf, dVariance: pdf * sigmaPerVariance(variance, sigma) };
  }

  upperBound(mean: number, varUpper: number): number {
    return this.value(mean, varUpper);
  }
}
