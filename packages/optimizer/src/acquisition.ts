import { logH, logHValue, normCdf, normPdf } from './normal.js';

/**
 * Acquisition functions of a Gaussian posterior N(mean, variance) of a quantity to MAXIMIZE, with
 * `best` the incumbent; minimization problems are negated before they reach here (samplers.ts).
 * Every function returns its value and derivatives with respect to mean and variance, from which
 * the GP's dmean/dx and dvar/dx give gradients in x.
 *
 * z = (mean - best - xi) / sigma
 *   logei: log(sigma h(z)), h(z) = phi(z) + z Phi(z)   (normal.ts keeps it finite for z << 0)
 *   ei:    sigma h(z)
 *   pi:    Phi(z)
 *   ucb:   mean + sqrt(beta) sigma
 */
export type AcquisitionName = 'logei' | 'ei' | 'pi' | 'ucb';

export interface AcquisitionSpec {
  name: AcquisitionName;
  best: number;
  /** Exploration margin, in the same units as mean. */
  xi: number;
  /** UCB exploration weight. */
  beta: number;
}

export interface AcquisitionValue {
  value: number;
  dMean: number;
  dVariance: number;
}

const MIN_VARIANCE = 1e-20;

export function evaluateAcquisition(spec: AcquisitionSpec, mean: number, variance: number): AcquisitionValue {
  const clamped = variance < MIN_VARIANCE;
  const v = clamped ? MIN_VARIANCE : variance;
  const sigma = Math.sqrt(v);
  // d/dvar = d/dsigma / (2 sigma); zero when the variance was clamped (no gradient through a clamp).
  const perSigma = clamped ? 0 : 1 / (2 * sigma);
  if (spec.name === 'ucb') {
    const rb = Math.sqrt(spec.beta);
    return { value: mean + rb * sigma, dMean: 1, dVariance: rb * perSigma };
  }
  const z = (mean - spec.best - spec.xi) / sigma;
  if (spec.name === 'pi') {
    const pdf = normPdf(z);
    return { value: normCdf(z), dMean: pdf / sigma, dVariance: ((-pdf * z) / sigma) * perSigma };
  }
  if (spec.name === 'ei') {
    const cdf = normCdf(z);
    const pdf = normPdf(z);
    return { value: sigma * (pdf + z * cdf), dMean: cdf, dVariance: pdf * perSigma };
  }
  const lh = logH(z);
  return {
    value: Math.log(sigma) + lh.value,
    dMean: lh.slope / sigma,
    dVariance: ((1 - lh.slope * z) / sigma) * perSigma,
  };
}

/**
 * evaluateAcquisition(spec, mean, variance).value, bit for bit, without the derivatives and without
 * allocating a result: scoring a thousand QMC candidates per suggestion otherwise leaves a thousand
 * objects for the garbage collector.
 */
export function acquisitionValue(spec: AcquisitionSpec, mean: number, variance: number): number {
  const clamped = variance < MIN_VARIANCE;
  const sigma = Math.sqrt(clamped ? MIN_VARIANCE : variance);
  if (spec.name === 'ucb') return mean + Math.sqrt(spec.beta) * sigma;
  const z = (mean - spec.best - spec.xi) / sigma;
  if (spec.name === 'pi') return normCdf(z);
  if (spec.name === 'ei') return sigma * (normPdf(z) + z * normCdf(z));
  return Math.log(sigma) + logHValue(z);
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

/**
 * An upper bound of the acquisition over every posterior with this mean and a variance at most
 * varUpper: LogEI, EI and UCB grow with the variance, and so does PI below the threshold; above
 * it PI tends to 1 as the variance shrinks.
 */
export function acquisitionUpperBound(spec: AcquisitionSpec, mean: number, varUpper: number): number {
  if (spec.name === 'pi' && mean - spec.best - spec.xi >= 0) return 1;
  return acquisitionValue(spec, mean, varUpper);
}
