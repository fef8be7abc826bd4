import type { Acquisition } from '../acquisition.js';
import type { PointPosterior } from '../conditional-encoding.js';
import type { AcquisitionFunction } from '../optimize-acquisition.js';
import { LogProbabilityOfFeasibility } from './constraints.js';
import type { LogEhvi } from './ehvi.js';

/**
 * The acquisition of multi-objective and constrained studies, in log space:
 *   main(x) + sum_k log P(c_k(x) <= 0)
 * where main is LogEHVI over the objective GPs (several objectives), a single-posterior Acquisition
 * such as log EI (one objective), or nothing (no feasible point yet: then the search maximizes the
 * probability of feasibility alone). Each log P(c_k <= 0) is an Acquisition of constraint k's GP
 * (LogProbabilityOfFeasibility).
 * Every GP is in its own model space, larger is better; EHVI works on minimization, so its means
 * are the negated model means.
 */
export type MainTerm =
  | { kind: 'ehvi'; ehvi: LogEhvi }
  | { kind: 'single'; acquisition: Acquisition }
  | { kind: 'none' };

export interface ConstraintTerm {
  posterior: PointPosterior;
  /** Model-space value at c = 0: feasible above it. */
  threshold: number;
}

export class ConstrainedAcquisition implements AcquisitionFunction {
  private readonly dim: number;
  private means: Float64Array[] = [];
  private vars: Float64Array[] = [];
  private readonly dMean: Float64Array;
  private readonly dVar: Float64Array;
  private readonly mu: Float64Array;
  private readonly sigma: Float64Array;
  private readonly dMu: Float64Array;
  private readonly dSigma: Float64Array;
  /** Derivatives of the single-objective and constraint terms at valueForGradient's point. */
  private singlePerMean = 0;
  private singlePerVar = 0;
  private readonly constraintPerMean: Float64Array;
  private readonly constraintPerVar: Float64Array;
  private readonly feasibility: Acquisition[];

  constructor(
    readonly objectives: readonly PointPosterior[],
    readonly main: MainTerm,
    readonly constraints: readonly ConstraintTerm[],
  ) {
    const first = objectives[0] ?? constraints[0]?.posterior;
    this.dim = first?.dim ?? 0;
    this.dMean = new Float64Array(this.dim);
    this.dVar = new Float64Array(this.dim);
    const m = objectives.length;
    this.mu = new Float64Array(m);
    this.sigma = new Float64Array(m);
    this.dMu = new Float64Array(m);
    this.dSigma = new Float64Array(m);
    this.constraintPerMean = new Float64Array(constraints.length);
    this.constraintPerVar = new Float64Array(constraints.length);
    this.feasibility = constraints.map((c) => new LogProbabilityOfFeasibility(c.threshold));
  }

  private get usesObjectives(): boolean {
    return this.main.kind !== 'none';
  }

  private buffers(count: number): void {
    const models = this.objectives.length + this.constraints.length;
    if (this.means.length !== models || (this.means[0]?.length ?? 0) < count) {
      this.means = Array.from({ length: models }, () => new Float64Array(count));
      this.vars = Array.from({ length: models }, () => new Float64Array(count));
    }
  }

  values(xs: Float64Array, count: number, out: Float64Array): void {
    this.buffers(count);
    const m = this.objectives.length;
    if (this.usesObjectives) {
      this.objectives.forEach((p, j) => {
        p.predictBatch(xs, count, this.means[j] as Float64Array, this.vars[j] as Float64Array);
      });
    }
    this.constraints.forEach((c, k) => {
      c.posterior.predictBatch(
        xs,
        count,
        this.means[m + k] as Float64Array,
        this.vars[m + k] as Float64Array,
      );
    });
    for (let i = 0; i < count; i++) {
      let v = 0;
      if (this.main.kind === 'ehvi') {
        for (let j = 0; j < m; j++) {
          this.mu[j] = -((this.means[j] as Float64Array)[i] as number);
          this.sigma[j] = Math.sqrt((this.vars[j] as Float64Array)[i] as number);
        }
        v = this.main.ehvi.value(this.mu, this.sigma);
      } else if (this.main.kind === 'single') {
        v = this.main.acquisition.value(
          (this.means[0] as Float64Array)[i] as number,
          (this.vars[0] as Float64Array)[i] as number,
        );
      }
      for (let k = 0; k < this.constraints.length; k++) {
        v += (this.feasibility[k] as Acquisition).value(
          (this.means[m + k] as Float64Array)[i] as number,
          (this.vars[m + k] as Float64Array)[i] as number,
        );
      }
      out[i] = v;
    }
  }

  /** No cheap bound: the exact values (the optimizer is run with screening off). */
  upperBounds(xs: Float64Array, count: number, out: Float64Array): void {
    this.values(xs, count, out);
  }

  value(x: ArrayLike<number>): number {
    const xs = Float64Array.from(x);
    const out = new Float64Array(1);
    this.values(xs, 1, out);
    return out[0] as number;
  }

  valueAndGradient(x: ArrayLike<number>, grad: Float64Array): number {
    const value = this.valueForGradient(x);
    this.gradientAtLast(grad);
    return value;
  }

  /**
   * valueAndGradient's value at x: each GP's mean and variance by predictForGradient, which keeps
   * what its gradient needs, and the derivatives of every term in its means and variances, kept for
   * gradientAtLast.
   */
  valueForGradient(x: ArrayLike<number>): number {
    let value = 0;
    const m = this.objectives.length;
    if (this.main.kind === 'ehvi') {
      for (let j = 0; j < m; j++) {
        const p = (this.objectives[j] as PointPosterior).predictForGradient(x);
        this.mu[j] = -p.mean;
        this.sigma[j] = Math.sqrt(p.variance);
      }
      value = this.main.ehvi.evaluate(this.mu, this.sigma, this.dMu, this.dSigma);
    } else if (this.main.kind === 'single') {
      const p = (this.objectives[0] as PointPosterior).predictForGradient(x);
      const a = this.main.acquisition.evaluate(p.mean, p.variance);
      value = a.value;
      this.singlePerMean = a.dMean;
      this.singlePerVar = a.dVariance;
    }
    for (let k = 0; k < this.constraints.length; k++) {
      const p = (this.constraints[k] as ConstraintTerm).posterior.predictForGradient(x);
      const a = (this.feasibility[k] as Acquisition).evaluate(p.mean, p.variance);
      value += a.value;
      this.constraintPerMean[k] = a.dMean;
      this.constraintPerVar[k] = a.dVariance;
    }
    return value;
  }

  /** The gradient at the point of the latest valueForGradient() call, summed in valueAndGradient's order. */
  gradientAtLast(grad: Float64Array): void {
    const { dim, dMean, dVar } = this;
    grad.fill(0);
    const m = this.objectives.length;
    if (this.main.kind === 'ehvi') {
      for (let j = 0; j < m; j++) {
        (this.objectives[j] as PointPosterior).gradientAtLast(dMean, dVar);
        const s = this.sigma[j] as number;
        // mu = -mean; dsigma/dvar = 1 / (2 sigma).
        const perMean = -(this.dMu[j] as number);
        const perVar = s > 0 ? (this.dSigma[j] as number) / (2 * s) : 0;
        for (let d = 0; d < dim; d++) {
          grad[d] = (grad[d] as number) + perMean * (dMean[d] as number) + perVar * (dVar[d] as number);
        }
      }
    } else if (this.main.kind === 'single') {
      (this.objectives[0] as PointPosterior).gradientAtLast(dMean, dVar);
      addScaled(grad, this.singlePerMean, dMean, this.singlePerVar, dVar);
    }
    for (let k = 0; k < this.constraints.length; k++) {
      (this.constraints[k] as ConstraintTerm).posterior.gradientAtLast(dMean, dVar);
      addScaled(grad, this.constraintPerMean[k] as number, dMean, this.constraintPerVar[k] as number, dVar);
    }
  }
}

/** grad += a * dMean + b * dVar, entry by entry in that order. */
function addScaled(grad: Float64Array, a: number, dMean: Float64Array, b: number, dVar: Float64Array): void {
  for (let d = 0; d < grad.length; d++) {
    grad[d] = (grad[d] as number) + a * (dMean[d] as number) + b * (dVar[d] as number);
  }
}
