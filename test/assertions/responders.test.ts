import { describe, expect, it } from 'vitest';
import { checkExpectation } from '../../src/assertions/index.js';
import { answers, context, failures, loc } from './fixtures.js';

describe('responders', () => {
  const obs = [...answers({ 'web-a': 10, 'web-b': 5 }), ...failures('timeout', 3)];

  it('may: only the listed pods or nodes answer', () => {
    expect(checkExpectation({ kind: 'responders', may: [{ pod: 'web-a' }, { node: 'w2' }], loc }, obs, context()).passed).toBe(true);
    const r = checkExpectation({ kind: 'responders', may: [{ node: 'w1' }], loc }, obs, context());
    expect(r.passed).toBe(false);
    // A nodes check counts and names nodes, not pods.
    expect(r.message).toContain('only node w1 may answer, but 5 w2 answers came from others (answers per node: 10 w1, 5 w2)');
    expect(r.details).toEqual({ n: 15, of: 'nodes', observed: { w1: 10, w2: 5 } });
  });

  it('says which key a check was written under, and counts per pod for pods checks', () => {
    const pods = checkExpectation({ kind: 'responders', of: 'pods', may: [{ node: 'w1' }], loc }, obs, context());
    expect(pods.details).toEqual({ n: 15, of: 'pods', observed: { 'web-a (w1)': 10, 'web-b (w2)': 5 } });
    expect(pods.message).toContain('only node w1 may answer, but 5 web-b answers came from others');
    const nodes = checkExpectation({ kind: 'responders', of: 'nodes', must: [{ node: 'w1' }], loc }, obs, context());
    expect(nodes.details).toEqual({ n: 15, of: 'nodes', observed: { w1: 10, w2: 5 } });
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
