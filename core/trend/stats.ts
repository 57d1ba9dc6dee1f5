// Tail probabilities for the trend tests: exact binomial and Poisson upper tails, and the
// one-sided two-proportion z test. Pure; no dependencies.

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; ~15 significant digits). */
export function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const xx = x - 1;
  let a = c[0]!;
  const t = xx + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (xx + i);
  return 0.5 * Math.log(2 * Math.PI) + (xx + 0.5) * Math.log(t) - t + Math.log(a);
}

const logChoose = (n: number, k: number) => logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);

/** P(X ≥ k) for X ~ Binomial(n, p), summed exactly term by term in log space. */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  let sum = 0;
  for (let i = k; i <= n; i++) sum += Math.exp(logChoose(n, i) + i * Math.log(p) + (n - i) * Math.log1p(-p));
  return Math.min(1, sum);
}

/** P(X ≥ k) for X ~ Poisson(lambda): the terms from k upward, until they no longer count. */
export function poissonUpperTail(k: number, lambda: number): number {
  if (k <= 0) return 1;
  if (lambda <= 0) return 0;
  let t = Math.exp(k * Math.log(lambda) - lambda - logGamma(k + 1));
  let sum = 0;
  for (let i = k; i < k + 100_000; i++) {
    sum += t;
    t *= lambda / (i + 1);
    if (i > lambda && t < sum * 1e-16) break;
  }
  return Math.min(1, sum);
}

/** Standard normal CDF Φ(z) (erfc by W. J. Cody's rational approximation via Numerical Recipes' erfcc, |ε| < 1.2e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}

export interface TwoProportion {
  z: number;
  /** One-sided p-value for H1: p1 < p2. */
  p: number;
  p1: number;
  p2: number;
}

/** Pooled two-proportion z test, one-sided (the first proportion is lower than the second). */
export function twoProportionLower(x1: number, n1: number, x2: number, n2: number): TwoProportion {
  const p1 = n1 ? x1 / n1 : 0;
  const p2 = n2 ? x2 / n2 : 0;
  const pooled = n1 + n2 ? (x1 + x2) / (n1 + n2) : 0;
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (!n1 || !n2 || !(se > 0)) return { z: 0, p: 1, p1, p2 };
  const z = (p1 - p2) / se;
  return { z, p: normalCdf(z), p1, p2 };
}
