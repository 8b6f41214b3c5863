import { describe, expect, it } from 'vitest';
import { checkExpectation } from '../../src/assertions/index.js';
import { answers, context, failures, loc } from './fixtures.js';

describe('outcome', () => {
  it('all requests with the outcome', () => {
    const r = checkExpectation({ kind: 'outcome', outcome: 'timeout', count: 'all', loc }, failures('timeout', 10), context());
    expect(r.passed).toBe(true);
  });

  it('fails naming the file, line and the counts seen', () => {
    const obs = [...answers({ 'web-a': 3 }), ...failures('timeout', 7)];
    const r = checkExpectation({ kind: 'outcome', outcome: 'timeout', count: 'all', loc }, obs, context());
    expect(r.passed).toBe(false);
    expect(r.message).toBe(
      'scenarios/nodeport.yaml:14:13: expected all 10 requests to time out (timeout), got 3 ok, 7 timeout',
    );
    expect(r.loc).toEqual(loc);
    expect(r.details?.observed).toEqual({ ok: 3, timeout: 7 });
  });

  it('an exact count', () => {
    const obs = [...answers({ 'web-a': 3 }), ...failures('refused', 2)];
    expect(checkExpectation({ kind: 'outcome', outcome: 'refused', count: 2, loc }, obs, context()).passed).toBe(true);
    const r = checkExpectation({ kind: 'outcome', outcome: 'refused', count: 3, loc }, [...obs, ...failures('timeout', 1)], context());
    expect(r.passed).toBe(false);
    expect(r.message).toContain('exactly 3 of 6 requests to be refused (refused), got 3 ok, 2 refused, 1 timeout (e.g. timeout: no SYN-ACK)');
  });

  it('no requests at all never passes', () => {
    expect(checkExpectation({ kind: 'outcome', outcome: 'ok', count: 'all', loc }, [], context()).passed).toBe(false);
  });
});
