/** Standard normal density, distribution and the pieces LogEI needs, accurate far into the tails. */
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

export function normPdf(z: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * z * z);
}

/** erfc(x) to about 1e-14 relative: a positive-term series of erf near 0, a continued fraction beyond. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2.5) {
    // erf(x) = 2/sqrt(pi) exp(-x^2) sum_k (2x^2)^k x / (1*3*...*(2k+1)): all terms positive.
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let k = 1; k < 200; k++) {
      term *= (2 * x2) / (2 * k + 1);
      sum += term;
      if (term < 1e-17 * sum) break;
    }
    return 1 - TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  }
  if (x > 27) return 0;
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated backward.
  let t = 0;
  for (let k = 60; k >= 1; k--) t = k / 2 / (x + t);
  return (Math.exp(-x * x) / Math.sqrt(Math.PI)) * (1 / (x + t));
}

export function normCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/**
 * c(x) = 1 / (x + 2 / (x + 3 / (x + ...))) for x >= 5: with Laplace's continued fraction for the
 * Mills ratio M(x) = 1 / (x + c), 1 - x M(x) = c / (x + c) carries no cancellation.
 */
function millsTail(x: number): number {
  let t = 0;
  for (let k = 80; k >= 2; k--) t = k / (x + t);
  return 1 / (x + t);
}

/**
 * log h(z) with h(z) = phi(z) + z Phi(z) (EI of a unit-variance posterior), and d log h / dz =
 * Phi(z) / h(z). For z < -5, h(z) = phi(z) * c / (x + c) with x = -z, and the derivative is 1 / c;
 * this stays finite and accurate down to z = -1e150 where the direct formula underflows to log 0.
 */
export function logH(z: number): { value: number; slope: number } {
  if (z >= -5) {
    const cdf = normCdf(z);
    const h = normPdf(z) + z * cdf;
    return { value: Math.log(h), slope: cdf / h };
  }
  const x = -z;
  if (x > 1e7) {
    // c ~ 1/x: log h ~ -z^2/2 - log sqrt(2 pi) - 2 log x.
    return { value: -0.5 * z * z - LOG_SQRT_2PI - 2 * Math.log(x), slope: x };
  }
  const c = millsTail(x);
  return { value: -0.5 * z * z - LOG_SQRT_2PI + Math.log(c / (x + c)), slope: 1 / c };
}

/** logH(z).value alone, without allocating: for scoring many points (same branches, same bits). */
export function logHValue(z: number): number {
  if (z >= -5) return Math.log(normPdf(z) + z * normCdf(z));
  const x = -z;
  if (x > 1e7) return -0.5 * z * z - LOG_SQRT_2PI - 2 * Math.log(x);
  const c = millsTail(x);
  return -0.5 * z * z - LOG_SQRT_2PI + Math.log(c / (x + c));
}
