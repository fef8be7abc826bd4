import type { Acquisition, AcquisitionSpec, AcquisitionValue } from '../acquisition.js';
import { clampedSigma, sigmaPerVariance } from './gaussian.js';

/** Upper confidence bound: mean + sqrt(beta) sigma. Grows with the variance. */
export class UpperConfidenceBound implements Acquisition {
  readonly name = 'ucb';
  private readonly beta: number;
  constructor(spec: AcquisitionSpec) {
    this.beta = spec.beta;
  }

  value(mean: number, variance: number): number {
    return mean + Math.sqrt(this.beta) * clampedSigma(variance);
  }

  evaluate(mean: number, variance: number): AcquisitionValue {
    const sigma = clampedSigma(variance);
    const rb = Math.sqrt(this.beta);
    return { value: mean + rb * sigma, dMean: 1, dVariance: rb * sigmaPerVariance(variance, sigma) };
  }

  upperBound(mean: number, varUpper: number): number {
    return this.value(mean, varUpper);
  }
}
