import { describe, expect, it } from 'vitest';
import { checkExpectation } from '../../src/assertions/index.js';
import { answers, context, failures, loc } from './fixtures.js';

describe('responders', () => {
  const obs = [...answers({ 'web-a': 10, 'web-b': 5 }), ...failures('timeout', 3)];

  it('may: only the listed pods or nodes answer', () => {
    expect(checkExpectation({ kind: 'responders', may: [{ pod: 'web-a' }, { node: 'w2' }], loc }, obs, context()).passed).toBe(true);
    const r = checkExpectation({ kind: 'responders', may: [{ node: 'w1' }], loc }, obs, context());
    expect(r.passed).toBe(false);
    expect(r.message).toContain('only node w1 may answer, but 5 web-b answers came from others');
  });

  it('must: each listed one answers at least once', () => {
    expect(checkExpectation({ kind: 'responders', must: [{ pod: 'web-b' }], loc }, obs, context()).passed).toBe(true);
    const r = checkExpectation({ kind: 'responders', must: [{ pod: 'web-c' }], loc }, obs, context());
    expect(r.passed).toBe(false);
    expect(r.message).toContain('pod web-c must answer but never did');
  });

  it('mustNot: none of them answers', () => {
    expect(checkExpectation({ kind: 'responders', mustNot: [{ node: 'cp' }], loc }, obs, context()).passed).toBe(true);
    const r = checkExpectation({ kind: 'responders', mustNot: [{ node: 'w1' }], loc }, obs, context());
    expect(r.passed).toBe(false);
    expect(r.message).toContain('node w1 must not answer but answered 10 times');
    expect(r.message.startsWith('scenarios/nodeport.yaml:14:13:')).toBe(true);
  });
});
