import { ACQUISITIONS, type AcquisitionName } from './acquisitions/registry.js';
import type { GpOptions } from './config.js';

/**
 * Acquisition functions of a Gaussian posterior N(mean, variance) of a quantity to MAXIMIZE, with
 * `best` the incumbent; minimization problems are negated before they reach here (samplers.ts).
 * Each one (acquisitions/, by name in acquisitions/registry.ts) gives its value and its derivatives
 * with respect to mean and variance, from which the GP's dmean/dx and dvar/dx give gradients in x
 * (optimize-acquisition.ts), and an upper bound over smaller variances for candidate screening.
 */
export type { AcquisitionName } from './acquisitions/registry.js';

export interface AcquisitionSpec {
  name: AcquisitionName;
  best: number;
  /** Exploration margin, in the same units as mean. */
  xi: number;
  /** UCB exploration weight. */
  beta: number;
  /**
   * Variance added to the posterior variance before the acquisition sees it (AcquisitionObjective):
   * the fitted noise, to score the next observation rather than the latent value (`observationEi`).
   */
  observationNoise?: number;
}

export interface AcquisitionValue {
  value: number;
  dMean: number;
  dVariance: number;
}

/** An acquisition of one Gaussian posterior, a function of its mean and variance. */
export interface Acquisition {
  readonly name: string;
  /**
   * evaluate(mean, variance).value, bit for bit, without the derivatives and without allocating a
   * result: scoring a thousand QMC candidates per suggestion otherwise leaves a thousand objects
   * for the garbage collector.
   */
  value(mean: number, variance: number): number;
  evaluate(mean: number, variance: number): AcquisitionValue;
  /** An upper bound of the value over every posterior with this mean and a variance at most varUpper. */
  upperBound(mean: number, varUpper: number): number;
}

export function acquisitionOf(spec: AcquisitionSpec): Acquisition {
  return new ACQUISITIONS[spec.name](spec);
}

export function evaluateAcquisition(spec: AcquisitionSpec, mean: number, variance: number): AcquisitionValue {
  return acquisitionOf(spec).evaluate(mean, variance);
}

/** evaluateAcquisition(spec, mean, variance).value, bit for bit (Acquisition.value). */
export function acquisitionValue(spec: AcquisitionSpec, mean: number, variance: number): number {
  return acquisitionOf(spec).value(mean, variance);
}

/**
 * Closed-form EI of a Gaussian posterior in the problem's own direction, e.g. for a mock posterior
 * with mean -0.5, variance 1 and best 0: 0.19780 when maximizing.
 */
export function expectedImprovement(opts: {
  mean: number;
  std: number;
  best: number;
  xi?: number;
  direction: 'MINIMIZE' | 'MAXIMIZE';
}): number {
  const sign = opts.direction === 'MAXIMIZE' ? 1 : -1;
  return evaluateAcquisition(
    { name: 'ei', best: sign * opts.best, xi: opts.xi ?? 0, beta: 0 },
    sign * opts.mean,
    opts.std * opts.std,
  ).value;
}

/** The acquisition of `options` over incumbent `best`; `noiseVar`, the fitted noise, for `observationEi`. */
export function acquisitionSpec(options: GpOptions, best: number, noiseVar = 0): AcquisitionSpec {
  const spec: AcquisitionSpec = { name: options.acquisition, best, xi: options.xi, beta: options.beta };
  // A noise-free objective whose fitted noise is structure the model cannot resolve: the next
  // value is a fresh draw of it, and that observed value is what is kept.
  if (options.observationEi) spec.observationNoise = noiseVar;
  return spec;
}

/**
 * Candidates scored in a model-based acquisition search over n observations: scoring one costs
 * O(n^2), so the budget shrinks with n to keep the search's time roughly constant.
 */
export function modelCandidates(candidates: number, n: number): number {
  return Math.max(256, Math.min(candidates, Math.floor(candidates * (96 / n) ** 2)));
}
