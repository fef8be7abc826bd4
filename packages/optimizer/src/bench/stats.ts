/**
 * Wilcoxon's signed-rank test for paired samples (the demo benchmark: the same seeds under two
 * samplers). Zero differences are dropped (Wilcoxon's convention); tied magnitudes get their mean
 * rank. The p-value is exact (the null distribution of W+ enumerated over the 2^n sign patterns by
 * dynamic programming on doubled ranks, so mean ranks stay integers) up to 50 pairs, else the normal
 * approximation with tie and continuity corrections.
 */
export interface SignedRankResult {
  /** Pairs with a non-zero difference. */
  n: number;
  /** Sum of the ranks of the positive differences. */
  wPlus: number;
  /** Sum of the ranks of the negative differences. */
  wMinus: number;
  /** P(W+ <= observed) under the null: small when the differences tend to be negative. */
  pLess: number;
  /** P(W+ >= observed) under the null: small when the differences tend to be positive. */
  pGreater: number;
  /** Two-sided: min(1, 2 min(pLess, pGreater)). */
  pTwoSided: number;
  method: 'exact' | 'normal';
}

const EXACT_MAX = 50;

function normalCdf(z: number): number {
  // Abramowitz-Stegun 7.1.26 on erfc is 1e-7 accurate: ample for a p-value.
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erfc =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) *
    Math.exp(-x * x);
  return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}

export function wilcoxonSignedRank(differences: readonly number[]): SignedRankResult {
  const d = differences.filter((v) => Number.isFinite(v) && v !== 0);
  const n = d.length;
  const order = d.map((_, i) => i).sort((a, b) => Math.abs(d[a] ?? 0) - Math.abs(d[b] ?? 0));
  // Doubled ranks (2 x mean rank) are integers even with ties.
  const rank2 = new Array<number>(n).fill(0);
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && Math.abs(d[order[j + 1] ?? 0] ?? 0) === Math.abs(d[order[i] ?? 0] ?? 0)) j++;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    for (let k = i; k <= j; k++) rank2[order[k] ?? 0] = i + 1 + j + 1;
    i = j + 1;
  }
  let w2 = 0;
  d.forEach((v, i) => {
    if (v > 0) w2 += rank2[i] ?? 0;
  });
  const total2 = n * (n + 1);
  const wPlus = w2 / 2;
  const wMinus = (total2 - w2) / 2;
  if (n === 0) return { n, wPlus, wMinus, pLess: 1, pGreater: 1, pTwoSided: 1, method: 'exact' };
  let pLess: number;
  let pGreater: number;
  let method: SignedRankResult['method'];
  if (n <= EXACT_MAX) {
    // counts[s]: sign patterns whose positive doubled ranks sum to s (probabilities, to avoid overflow).
    let counts = new Float64Array(total2 + 1);
    counts[0] = 1;
    for (const r of rank2) {
      const next = new Float64Array(total2 + 1);
      for (let s = 0; s <= total2; s++) {
        const c = counts[s] ?? 0;
        if (c === 0) continue;
        next[s] = (next[s] ?? 0) + c / 2;
        next[s + r] = (next[s + r] ?? 0) + c / 2;
      }
      counts = next;
    }
    pLess = 0;
    pGreater = 0;
    for (let s = 0; s <= total2; s++) {
      if (s <= w2) pLess += counts[s] ?? 0;
      if (s >= w2) pGreater += counts[s] ?? 0;
    }
    method = 'exact';
  } else {
    const mean = (n * (n + 1)) / 4;
    const sd = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48);
    pLess = normalCdf((wPlus - mean + 0.5) / sd);
    pGreater = 1 - normalCdf((wPlus - mean - 0.5) / sd);
    method = 'normal';
  }
  pLess = Math.min(1, pLess);
  pGreater = Math.min(1, pGreater);
  return { n, wPlus, wMinus, pLess, pGreater, pTwoSided: Math.min(1, 2 * Math.min(pLess, pGreater)), method };
}
