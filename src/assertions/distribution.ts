/**
 * How answers spread over pods. With rule-derived probabilities from the backend (sim), `auto` and
 * `exact` compare them to the expected shares exactly; otherwise a chi-square goodness-of-fit test
 * at α judges the sample, after checking the sample is big enough for the test to mean something.
 */
import type { DistributionExpectation } from '../model/scenario.js';
import type { Observation } from '../observe/observation.js';
import type { AssertionResult } from '../report/result.js';
import { chiSquareGoodnessOfFit, MIN_EXPECTED_COUNT, requiredSampleSize } from '../stats/chi-square.js';
import type { Assertion, AssertionContext } from './context.js';
import { answered, result } from './context.js';

/** Probabilities may differ from the expected shares by this much in exact mode (float noise). */
export const EXACT_TOLERANCE = 1e-9;

/** Which pod or serving host (or, lacking a name, which endpoint) a request counts for. */
function categoryOf(o: { pod?: string; host?: string; endpoint?: string }): string | undefined {
  return o.pod ?? o.host ?? o.endpoint;
}

/** Rule-derived probability per pod, summing endpoints of the same pod. */
function exactShares(context: AssertionContext): Map<string, number> | undefined {
  if (context.exact === undefined) return undefined;
  const shares = new Map<string, number>();
  for (const e of context.exact.endpoints) {
    const key = categoryOf(e) ?? e.endpoint;
    shares.set(key, (shares.get(key) ?? 0) + e.probability);
  }
  return shares;
}

/**
 * The expected share per pod: uniform over the known endpoint set (exact endpoints when the
 * backend computed them, otherwise the pods that answered plus any named in weights), or the
 * normalized weights, pods without a weight getting 0.
 */
export function expectedShares(
  expectation: DistributionExpectation,
  observations: Observation[],
  context: AssertionContext,
): Map<string, number> {
  const names: string[] = [];
  const add = (name: string | undefined): void => {
    if (name !== undefined && !names.includes(name)) names.push(name);
  };
  const exact = exactShares(context);
  if (exact !== undefined) for (const name of exact.keys()) add(name);
  else for (const o of answered(observations)) add(categoryOf(o));
  if (expectation.weights !== 'uniform') for (const name of Object.keys(expectation.weights)) add(name);
  names.sort();
  const shares = new Map<string, number>();
  if (expectation.weights === 'uniform') {
    for (const name of names) shares.set(name, 1 / names.length);
    return shares;
  }
  const weights = expectation.weights;
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  for (const name of names) shares.set(name, total > 0 ? (Object.hasOwn(weights, name) ? weights[name] : 0) / total : 0);
  return shares;
}

function pct(p: number): string {
  return `${(p * 100).toFixed(p * 100 === Math.round(p * 100) ? 0 : 2)}%`;
}

/** p-values span many orders of magnitude: 3 significant digits, exponent when tiny. */
export function formatP(p: number): string {
  if (p === 0) return '0';
  return p < 1e-4 ? p.toExponential(2) : p.toPrecision(3);
}

function describeWanted(expectation: DistributionExpectation, k: number): string {
  return expectation.weights === 'uniform' ? `uniform over ${k} pod${k === 1 ? '' : 's'}` : 'split by the given weights';
}

function checkExact(
  expectation: DistributionExpectation,
  shares: Map<string, number>,
  exact: Map<string, number>,
  context: AssertionContext,
): AssertionResult {
  const names = [...new Set([...shares.keys(), ...exact.keys()])].sort();
  const rows = names.map((name) => ({ name, expected: shares.get(name) ?? 0, actual: exact.get(name) ?? 0 }));
  const details = {
    method: 'exact',
    verdict: context.exact?.verdict,
    expected: Object.fromEntries(rows.map((r) => [r.name, r.expected])),
    probabilities: Object.fromEntries(rows.map((r) => [r.name, r.actual])),
  };
  const table = rows.map((r) => `${r.name} ${pct(r.actual)}`).join(', ');
  if (names.length === 0) {
    return result('distribution', false, `expected answers spread over pods, but the rules reach no endpoint (verdict ${context.exact?.verdict})`, expectation.loc, context.cwd, details);
  }
  const off = rows.filter((r) => Math.abs(r.expected - r.actual) > EXACT_TOLERANCE);
  if (off.length === 0) {
    return result('distribution', true, `exact: rules give ${table}`, expectation.loc, context.cwd, details);
  }
  const diff = off.map((r) => `${r.name} expected ${pct(r.expected)}, rules give ${pct(r.actual)}`).join('; ');
  return result('distribution', false, `exact probabilities from the rules are not ${describeWanted(expectation, shares.size)}: ${diff}`, expectation.loc, context.cwd, details);
}

function checkSample(
  expectation: DistributionExpectation,
  shares: Map<string, number>,
  observations: Observation[],
  context: AssertionContext,
): AssertionResult {
  const ok = answered(observations);
  const n = ok.length;
  const alpha = expectation.alpha;
  const observed = new Map<string, number>([...shares.keys()].map((k) => [k, 0]));
  for (const o of ok) {
    const key = categoryOf(o) ?? 'unknown responder';
    observed.set(key, (observed.get(key) ?? 0) + 1);
  }
  const names = [...observed.keys()].sort();
  const expectedCount = (name: string): number => n * (shares.get(name) ?? 0);
  const counts = `expected ${names.map((k) => `${k} ${expectedCount(k).toFixed(1)}`).join(', ')}; observed ${names.map((k) => `${k} ${observed.get(k)}`).join(', ')}`;
  const details: Record<string, unknown> = {
    method: 'chi-square',
    n,
    alpha,
    expected: Object.fromEntries(names.map((k) => [k, expectedCount(k)])),
    observed: Object.fromEntries(names.map((k) => [k, observed.get(k)])),
  };
  const wanted = describeWanted(expectation, [...shares.values()].filter((p) => p > 0).length);
  const fail = (message: string): AssertionResult => result('distribution', false, message, expectation.loc, context.cwd, details);
  if (n === 0) return fail(`expected answers ${wanted}, but none of ${observations.length} requests was answered`);

  const impossible = names.filter((k) => (shares.get(k) ?? 0) === 0 && (observed.get(k) ?? 0) > 0);
  if (impossible.length > 0) {
    details.pValue = 0;
    return fail(`n=${n}: ${impossible.join(', ')} answered but should get no traffic (${wanted}); ${counts}; p = 0 < alpha ${alpha}`);
  }
  const positive = names.filter((k) => (shares.get(k) ?? 0) > 0);
  if (positive.length < 2) {
    details.pValue = 1;
    return result('distribution', true, `n=${n}: all answers from ${positive[0]}`, expectation.loc, context.cwd, details);
  }
  const probabilities = positive.map((k) => shares.get(k) as number);
  const required = requiredSampleSize(probabilities, alpha);
  details.required = required;
  if (n < required) {
    return fail(
      `n=${n} is too small for a chi-square test at alpha ${alpha} over ${positive.length} pods: ${required} answered requests are needed ` +
        `(every expected count >= ${MIN_EXPECTED_COUNT} and a pod that never answers must be detectable); ${counts}`,
    );
  }
  const fit = chiSquareGoodnessOfFit(positive.map((k) => observed.get(k) as number), probabilities);
  details.statistic = fit.statistic;
  details.df = fit.df;
  details.pValue = fit.pValue;
  const stats = `chi-square ${fit.statistic.toFixed(2)} (df ${fit.df}), p = ${formatP(fit.pValue)}`;
  if (fit.pValue >= alpha) {
    return result('distribution', true, `n=${n}, ${wanted}: ${counts}; ${stats} >= alpha ${alpha}`, expectation.loc, context.cwd, details);
  }
  return fail(`n=${n}: answers are not ${wanted}: ${counts}; ${stats} < alpha ${alpha}`);
}

export const checkDistribution: Assertion<DistributionExpectation> = (expectation, observations, context) => {
  const shares = expectedShares(expectation, observations, context);
  const exact = exactShares(context);
  if (expectation.method === 'exact' && exact === undefined) {
    // Not a failure of the data plane: this backend cannot compute rule probabilities at all.
    return {
      ...result('distribution', true, `method exact needs rule-derived probabilities, which backend ${context.backend} does not compute`, expectation.loc, context.cwd, { method: 'exact' }),
      skipped: `method exact needs rule-derived probabilities, which only the sim backend computes (use method auto to sample here)`,
    };
  }
  if (expectation.method !== 'sample' && exact !== undefined) return checkExact(expectation, shares, exact, context);
  return checkSample(expectation, shares, observations, context);
};
