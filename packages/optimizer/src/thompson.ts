import type { GpPosterior } from './gp.js';
import type { AcquisitionFunction } from './optimize-acquisition.js';
import type { Rng } from './rng.js';

/**
 * One draw f ~ GP posterior as a smooth function of x, by pathwise conditioning (Wilson et al.,
 * "Efficiently sampling functions from Gaussian process posteriors", 2020):
 *
 *   f(x) = m + phi(x)^T w + k(x, X) K^-1 (y - m - phi(X)^T w - eps),
 *
 * where phi are L random Fourier features of the kernel (a prior draw m + phi^T w with w ~ N(0, I)),
 * eps_i ~ N(0, noise_i) the observation noise, and K = s2 kappa(X, X) + diag(noise_i) the model's own
 * factored covariance. The update term is exact; only the prior draw is approximated, with error
 * variance O(s2 / L) at any point. Features: phi_j(x) = sqrt(2 s2 / L) cos(omega_j . x + b_j) with
 * b_j ~ U(0, 2 pi) and omega_j from the kernel's spectral density, a Gaussian N(0, diag(lambda)) for
 * the RBF kernel and a multivariate Student-t with 5 degrees of freedom for Matern-5/2
 * (omega = z sqrt(lambda) / sqrt(g / 5), z ~ N(0, I), g ~ chi^2_5).
 *
 * Maximizing the draw is Thompson sampling: each point is proposed with the posterior probability
 * that it is the maximizer, so a basin the model has barely seen is visited as often as it might
 * hold the optimum, where expected improvement concentrates next to the incumbent. It is an
 * AcquisitionFunction (value and gradient, O(L D + n D) per point), so the acquisition optimizer
 * maximizes it like any other. Continuous (and grid) coordinates only: the features have no
 * meaning on categorical indices, which the caller must not have.
 */
export class PosteriorSample implements AcquisitionFunction {
  readonly features: number;
  private readonly omega: Float64Array;
  private readonly phase: Float64Array;
  private readonly coef: Float64Array;
  private readonly weights: Float64Array;
  private readonly dim: number;
  private readonly grad: Float64Array;

  constructor(
    readonly posterior: GpPosterior,
    rng: Rng,
    features = 512,
  ) {
    const { dim, n, x, y, noiseScale, categorical } = posterior.data;
    if (categorical.some((c) => c === 1)) throw new Error('PosteriorSample: categorical coordinates');
    const { invSqLengthscales: lambda, signalVar, noiseVar } = posterior.hyper;
    this.dim = dim;
    this.features = features;
    this.omega = new Float64Array(features * dim);
    this.phase = new Float64Array(features);
    this.coef = new Float64Array(features);
    this.grad = new Float64Array(dim);
    const amplitude = Math.sqrt((2 * signalVar) / features);
    for (let j = 0; j < features; j++) {
      let scale = 1;
      if (posterior.kernel === 'matern52') {
        let g = 0;
        for (let k = 0; k < 5; k++) g += rng.normal() ** 2;
        scale = Math.sqrt(5 / g);
      }
      for (let d = 0; d < dim; d++) {
        this.omega[j * dim + d] = rng.normal() * Math.sqrt(lambda[d] as number) * scale;
      }
      this.phase[j] = 2 * Math.PI * rng.next();
      this.coef[j] = amplitude * rng.normal();
    }
    const targets = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const eps = Math.sqrt(noiseVar * (noiseScale ? (noiseScale[i] as number) : 1)) * rng.normal();
      targets[i] = (y[i] as number) - this.prior(x.subarray(i * dim, (i + 1) * dim)) - eps;
    }
    // weightsFor subtracts m: targets - m = y - m - phi(X) w - eps.
    this.weights = posterior.weightsFor(targets);
  }

  /** The prior draw's feature part phi(x)^T w, and its gradient into grad when given. */
  prior(x: ArrayLike<number>, grad?: Float64Array): number {
    const { dim, omega, phase, coef, features } = this;
    if (grad) grad.fill(0);
    let sum = 0;
    for (let j = 0; j < features; j++) {
      const o = j * dim;
      let arg = phase[j] as number;
      for (let d = 0; d < dim; d++) arg += (omega[o + d] as number) * (x[d] as number);
      const c = coef[j] as number;
      sum += c * Math.cos(arg);
      if (grad) {
        const s = -c * Math.sin(arg);
        for (let d = 0; d < dim; d++) grad[d] = (grad[d] as number) + s * (omega[o + d] as number);
      }
    }
    return sum;
  }

  value(x: ArrayLike<number>): number {
    return this.posterior.hyper.mean + this.prior(x) + this.posterior.kernelSum(x, this.weights);
  }

  valueAndGradient(x: ArrayLike<number>, grad: Float64Array): number {
    const p = this.prior(x, grad);
    const k = this.posterior.kernelSum(x, this.weights, this.grad);
    for (let d = 0; d < this.dim; d++) grad[d] = (grad[d] as number) + (this.grad[d] as number);
    return this.posterior.hyper.mean + p + k;
  }

  values(xs: Float64Array, count: number, out: Float64Array): void {
    for (let q = 0; q < count; q++) out[q] = this.value(xs.subarray(q * this.dim, (q + 1) * this.dim));
  }

  /** The exact values: a draw has no cheaper bound, so screening scores every candidate. */
  upperBounds(xs: Float64Array, count: number, out: Float64Array): void {
    this.values(xs, count, out);
  }
}
