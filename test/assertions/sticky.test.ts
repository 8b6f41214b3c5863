import { describe, expect, it } from 'vitest';
import { checkExpectation } from '../../src/assertions/index.js';
import { answers, context, failures, loc } from './fixtures.js';

describe('sticky', () => {
  it('passes when every answer comes from one pod', () => {
    const r = checkExpectation({ kind: 'sticky', loc }, [...answers({ 'web-b': 20 }), ...failures('timeout', 1)], context());
    expect(r.passed).toBe(true);
    expect(r.message).toBe('all 20 answers from web-b');
  });

  it('fails when answers spread', () => {
    const r = checkExpectation({ kind: 'sticky', loc }, answers({ 'web-a': 19, 'web-b': 1 }), context());
    expect(r.passed).toBe(false);
    expect(r.message).toBe('scenarios/nodeport.yaml:14:13: expected every answer from one pod, got 19 web-a, 1 web-b');
  });

  it('fails when nothing answered', () => {
    expect(checkExpectation({ kind: 'sticky', loc }, failures('timeout', 3), context()).passed).toBe(false);
  });
});
