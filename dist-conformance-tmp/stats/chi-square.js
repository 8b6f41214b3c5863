/**
 * Pearson's chi-square goodness-of-fit test over categorical counts, with the sample-size checks
 * that keep it honest: the approximation needs every expected count >= 5, and the sample must be
 * large enough that the test could notice an endpoint that never answers.
 */
import { upperRegularizedGamma } from './gamma.js';
/** P(X >= x) for X ~ chi-square with `df` degrees of freedom. */
export function chiSquareSurvival(x, df) {
    if (!(df > 0))
        throw new RangeError(`degrees of freedom must be positive (got ${df})`);
    if (x <= 0)
        return 1;
    return upperRegularizedGamma(df / 2, x / 2);
}
/** The x with P(X >= x) = alpha (bisection; the survival function is monotone). */
export function chiSquareCritical(alpha, df) {
    let lo = 0;
    let hi = Math.max(1, df);
    while (chiSquareSurvival(hi, df) > alpha)
        hi *= 2;
    for (let i = 0; i < 200 && hi - lo > 1e-10 * hi; i++) {
        const mid = (lo + hi) / 2;
        if (chiSquareSurvival(mid, df) > alpha)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2;
}
/** Smallest expected count per category for the chi-square approximation to hold. */
export const MIN_EXPECTED_COUNT = 5;
/** Pearson's statistic for observed counts against expected probabilities (all > 0, summing to 1). */
export function chiSquareGoodnessOfFit(observed, probabilities) {
    if (observed.length !== probabilities.length || observed.length < 2) {
        throw new RangeError('goodness of fit needs at least two categories with one probability each');
    }
    const n = observed.reduce((a, b) => a + b, 0);
    let statistic = 0;
    for (let i = 0; i < observed.length; i++) {
        const expected = n * probabilities[i];
        statistic += (observed[i] - expected) ** 2 / expected;
    }
    const df = observed.length - 1;
    return { statistic, df, pValue: chiSquareSurvival(statistic, df) };
}
/**
 * How many requests the test needs at level `alpha` over these probabilities: every expected
 * count at least MIN_EXPECTED_COUNT, and a category that gets nothing (its share going to the
 * others in proportion) must be rejected. For a missing category with share p the statistic is
 * n·p/(1-p), so n >= critical·(1-p)/p for the smallest p.
 */
export function requiredSampleSize(probabilities, alpha) {
    const pMin = Math.min(...probabilities);
    const forApproximation = Math.ceil(MIN_EXPECTED_COUNT / pMin - 1e-9);
    const critical = chiSquareCritical(alpha, probabilities.length - 1);
    const forDetection = Math.ceil((critical * (1 - pMin)) / pMin - 1e-9);
    return Math.max(forApproximation, forDetection);
}
//# sourceMappingURL=chi-square.js.map