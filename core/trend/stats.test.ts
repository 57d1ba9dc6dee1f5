import { describe, expect, it } from 'vitest';
import { binomialUpperTail, logGamma, normalCdf, poissonUpperTail, twoProportionLower } from './stats.js';

describe('tail probabilities', () => {
  it('log-gamma matches factorials', () => {
    expect(Math.exp(logGamma(6))).toBeCloseTo(120, 8);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 8);
  });
  it('binomial upper tail is exact on small cases', () => {
    // P(X ≥ 2), X ~ Bin(3, 0.5) = 4/8
    expect(binomialUpperTail(2, 3, 0.5)).toBeCloseTo(0.5, 12);
    expect(binomialUpperTail(0, 3, 0.5)).toBe(1);
    expect(binomialUpperTail(4, 3, 0.5)).toBe(0);
    // P(X ≥ 10), X ~ Bin(10, 0.2) = 0.2^10
    expect(binomialUpperTail(10, 10, 0.2)).toBeCloseTo(0.2 ** 10, 18);
  });
  it('poisson upper tail agrees with the complement of the lower sum', () => {
    const lambda = 3.7;
    let lower = 0;
    let term = Math.exp(-lambda);
    for (let i = 0; i < 6; i++) { lower += term; term *= lambda / (i + 1); }
    expect(poissonUpperTail(6, lambda)).toBeCloseTo(1 - lower, 12);
    expect(poissonUpperTail(0, lambda)).toBe(1);
  });
  it('normal CDF and the two-proportion test', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(-1.959964)).toBeCloseTo(0.025, 6);
    expect(normalCdf(2.326348)).toBeCloseTo(0.99, 6);
    const drop = twoProportionLower(20, 40, 90, 100);
    expect(drop.p1).toBe(0.5);
    expect(drop.p2).toBe(0.9);
    expect(drop.z).toBeLessThan(-4);
    expect(drop.p).toBeLessThan(1e-4);
    expect(twoProportionLower(9, 10, 5, 10).p).toBeGreaterThan(0.9);
    expect(twoProportionLower(0, 0, 5, 10).p).toBe(1);
  });
});
