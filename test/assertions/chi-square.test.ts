import { describe, expect, it } from 'vitest';
import { chiSquareCritical, chiSquareGoodnessOfFit, chiSquareSurvival, requiredSampleSize } from '../../src/stats/chi-square.js';
import { lnGamma, upperRegularizedGamma } from '../../src/stats/gamma.js';

describe('chi-square distribution', () => {
  // Critical values from standard chi-square tables.
  it.each([
    [3.841459, 1, 0.05],
    [6.634897, 1, 0.01],
    [10.827566, 1, 0.001],
    [5.991465, 2, 0.05],
    [13.815511, 2, 0.001],
    [9.487729, 4, 0.05],
    [18.466827, 4, 0.001],
    [18.307038, 10, 0.05],
    [29.588298, 10, 0.001],
    [124.342113, 100, 0.05],
  ])('P(X >= %f | df %i) = %f', (x, df, p) => {
    expect(chiSquareSurvival(x, df)).toBeCloseTo(p, 6);
  });

  it('is 1 at zero and falls towards 0 in the far tail', () => {
    expect(chiSquareSurvival(0, 3)).toBe(1);
    expect(chiSquareSurvival(200, 2)).toBeLessThan(1e-40);
    expect(chiSquareSurvival(200, 2)).toBeGreaterThan(0);
  });

  it('matches the closed form for two degrees of freedom, exp(-x/2)', () => {
    for (const x of [0.1, 1, 5, 20, 60]) expect(chiSquareSurvival(x, 2)).toBeCloseTo(Math.exp(-x / 2), 12);
  });

  it('inverts to the table critical values', () => {
    expect(chiSquareCritical(0.001, 2)).toBeCloseTo(13.815511, 4);
    expect(chiSquareCritical(0.05, 1)).toBeCloseTo(3.841459, 4);
    expect(chiSquareCritical(0.001, 9)).toBeCloseTo(27.877165, 4);
  });

  it('lnGamma and the incomplete gamma agree with known values', () => {
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    // Q(1, x) = exp(-x)
    expect(upperRegularizedGamma(1, 3)).toBeCloseTo(Math.exp(-3), 12);
    expect(() => upperRegularizedGamma(0, 1)).toThrow(RangeError);
  });
});

describe('goodness of fit', () => {
  it('computes Pearson statistic and p-value', () => {
    // 3 pods, 90 requests, uniform: expected 30 each; (40-30)^2/30 + (30-30)^2/30 + (20-30)^2/30 = 6.667
    const fit = chiSquareGoodnessOfFit([40, 30, 20], [1 / 3, 1 / 3, 1 / 3]);
    expect(fit.statistic).toBeCloseTo(20 / 3, 10);
    expect(fit.df).toBe(2);
    expect(fit.pValue).toBeCloseTo(Math.exp(-10 / 3), 10);
  });

  it('needs enough requests to see an endpoint that never answers', () => {
    // uniform over 3 at alpha 0.001: n/2 >= 13.8155 -> 28
    expect(requiredSampleSize([1 / 3, 1 / 3, 1 / 3], 0.001)).toBe(28);
    // two halves at 0.001: n >= 10.83 -> 11 (the >= 5 rule gives only 10)
    expect(requiredSampleSize([0.5, 0.5], 0.001)).toBe(11);
    // a 5% share needs 100 requests for an expected count of 5, more for detection at 0.001
    expect(requiredSampleSize([0.95, 0.05], 0.001)).toBe(206);
  });
});
