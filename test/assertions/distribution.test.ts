import { describe, expect, it } from 'vitest';
import { checkExpectation } from '../../src/assertions/index.js';
import type { DistributionExpectation } from '../../src/model/scenario.js';
import { answers, context, failures, loc } from './fixtures.js';

const uniform = (extra: Partial<DistributionExpectation> = {}): DistributionExpectation => ({
  kind: 'distribution',
  weights: 'uniform',
  alpha: 0.001,
  method: 'auto',
  loc,
  ...extra,
});

describe('distribution by sampling (chi-square)', () => {
  it('passes a fair sample', () => {
    const r = checkExpectation(uniform(), answers({ 'web-a': 35, 'web-b': 31, 'web-c': 34 }), context());
    expect(r.passed).toBe(true);
    expect(r.details?.pValue).toBeGreaterThan(0.8);
    expect(r.message).toContain('n=100');
  });

  it('fails a clearly skewed sample and shows n, expected, observed, p and alpha', () => {
    const r = checkExpectation(uniform(), answers({ 'web-a': 60, 'web-b': 30, 'web-c': 10 }), context());
    expect(r.passed).toBe(false);
    // statistic = (60-33.3)^2/33.3 + (30-33.3)^2/33.3 + (10-33.3)^2/33.3 = 38; p = exp(-19)
    expect(r.details?.statistic).toBeCloseTo(38, 6);
    expect(r.details?.pValue).toBeCloseTo(Math.exp(-19), 15);
    expect(r.message).toBe(
      'scenarios/nodeport.yaml:14:13: n=100: answers are not uniform over 3 pods: expected web-a 33.3, web-b 33.3, web-c 33.3; ' +
        'observed web-a 60, web-b 30, web-c 10; chi-square 38.00 (df 2), p = 5.60e-9 < alpha 0.001',
    );
  });

  it('refuses a sample too small to detect anything, saying how many requests are needed', () => {
    const r = checkExpectation(uniform(), answers({ 'web-a': 5, 'web-b': 5, 'web-c': 5 }), context());
    expect(r.passed).toBe(false);
    expect(r.message).toContain('n=15 is too small for a chi-square test at alpha 0.001 over 3 pods: 28 answered requests are needed');
    expect(r.details?.required).toBe(28);
  });

  it('counts only answered requests', () => {
    const obs = [...answers({ 'web-a': 20, 'web-b': 20 }), ...failures('timeout', 60)];
    const r = checkExpectation(uniform(), obs, context());
    expect(r.passed).toBe(true);
    expect(r.details?.n).toBe(40);
  });

  it('fails when nothing answered', () => {
    const r = checkExpectation(uniform(), failures('timeout', 10), context());
    expect(r.passed).toBe(false);
    expect(r.message).toContain('none of 10 requests was answered');
  });

  it('checks explicit weights; pods without a weight must get nothing', () => {
    const weights = { 'web-a': 3, 'web-b': 1 };
    expect(checkExpectation(uniform({ weights }), answers({ 'web-a': 76, 'web-b': 24 }), context()).passed).toBe(true);
    const even = checkExpectation(uniform({ weights }), answers({ 'web-a': 50, 'web-b': 50 }), context());
    expect(even.passed).toBe(false);
    // (50-75)^2/75 + (50-25)^2/25 = 33.33, df 1
    expect(even.message).toMatch(/n=100: answers are not split by the given weights: expected web-a 75\.0, web-b 25\.0; observed web-a 50, web-b 50; chi-square 33\.33 \(df 1\), p = 7\.7\de-9 < alpha 0\.001$/);
    const stray = checkExpectation(uniform({ weights }), answers({ 'web-a': 75, 'web-b': 24, 'web-c': 1 }), context());
    expect(stray.passed).toBe(false);
    expect(stray.message).toContain('web-c answered but should get no traffic');
  });

  it('uses the exact endpoint set as the expected set when sampling is asked for', () => {
    const exact = {
      verdict: 'ok' as const,
      endpoints: [
        { endpoint: '10.10.1.2:8080', pod: 'web-a', probability: 1 / 3 },
        { endpoint: '10.10.2.2:8080', pod: 'web-b', probability: 1 / 3 },
        { endpoint: '10.10.0.2:8080', pod: 'web-c', probability: 1 / 3 },
      ],
    };
    // web-c never answered: only the exact set knows it should have.
    const r = checkExpectation(uniform({ method: 'sample' }), answers({ 'web-a': 50, 'web-b': 50 }), context({ exact }));
    expect(r.passed).toBe(false);
    expect(r.details?.observed).toEqual({ 'web-a': 50, 'web-b': 50, 'web-c': 0 });
  });
});

describe('distribution from the rules (exact)', () => {
  const exact = (ps: Record<string, number>) => ({
    verdict: 'ok' as const,
    endpoints: Object.entries(ps).map(([pod, probability], i) => ({ endpoint: `10.10.${i}.2:8080`, pod, probability })),
  });

  it('passes when the rule probabilities equal the expected shares', () => {
    const r = checkExpectation(uniform(), [], context({ exact: exact({ 'web-a': 1 / 3, 'web-b': 1 / 3, 'web-c': 1 - 2 / 3 }) }));
    expect(r.passed).toBe(true);
    expect(r.details?.method).toBe('exact');
  });

  it('fails when the rules skew the split, naming the shares', () => {
    // The classic mistake: probability 1/3 on every rule instead of 1/3, 1/2, 1.
    const r = checkExpectation(uniform(), [], context({ exact: exact({ 'web-a': 1 / 3, 'web-b': 2 / 9, 'web-c': 4 / 9 }) }));
    expect(r.passed).toBe(false);
    expect(r.message).toContain('web-b expected 33.33%, rules give 22.22%');
    expect(r.message.startsWith('scenarios/nodeport.yaml:14:13: ')).toBe(true);
  });

  it('fails when the rules reach no endpoint', () => {
    const r = checkExpectation(uniform(), [], context({ exact: { verdict: 'drop', endpoints: [] } }));
    expect(r.passed).toBe(false);
    expect(r.message).toContain('verdict drop');
  });
});

describe('method exact on a backend without rule probabilities', () => {
  it('is not judged (skipped with the reason), neither passed on samples nor failed', () => {
    const r = checkExpectation(uniform({ method: 'exact' }), answers({ 'web-a': 90, 'web-b': 5, 'web-c': 5 }), context({ backend: 'proxy' }));
    expect(r.skipped).toMatch(/only the sim backend computes/);
    expect(r.details?.pValue).toBeUndefined();
  });
});
