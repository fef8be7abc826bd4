import type { Acquisition, AcquisitionSpec, AcquisitionValue } from '../acquisition.js';
import { normCdf, normPdf } from '../normal.js';
import { clampedSigma, sigmaPerVariance } from './gaussian.js';

/**
 * Probability of improvement: Phi(z), z = (mean - best - xi) / sigma. Grows with the variance below
 * the threshold best + xi; above it, it tends to 1 as the variance shrinks.
 */
export class ProbabilityOfImprovement implements Acquisition {
  readonly name = 'pi';
  private readonly best: number;
  private readonly xi: number;
  constructor(spec: AcquisitionSpec) {
    this.best = spec.best;
    this.xi = spec.xi;
  }

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
