import { describe, expect, it } from 'vitest';
import { checkExpectation } from '../../src/assertions/index.js';
import { firstHostAddress } from '../../src/model/ip.js';
import { answers, context, loc } from './fixtures.js';

describe('sourceSeen', () => {
  it('client: the pod saw the sender itself', () => {
    expect(checkExpectation({ kind: 'sourceSeen', seen: 'client', loc }, answers({ 'web-a': 5 }), context()).passed).toBe(true);
    const r = checkExpectation({ kind: 'sourceSeen', seen: 'client', loc }, answers({ 'web-a': 5 }, { sourceSeen: '172.18.0.4' }), context());
    expect(r.passed).toBe(false);
    expect(r.message).toContain('expected pods to see the client address 172.18.0.100, but 5 of 5 answers saw another source; seen: 5 172.18.0.4');
  });

  it('ingress-node: a node address or the pod gateway of the node the request entered', () => {
    const byAddress = answers({ 'web-a': 4 }, { sourceSeen: '172.18.0.4', ingressNode: 'cp' });
    const byGateway = answers({ 'web-b': 4 }, { sourceSeen: '10.10.0.1', ingressNode: 'cp' });
    expect(checkExpectation({ kind: 'sourceSeen', seen: 'ingress-node', loc }, [...byAddress, ...byGateway], context()).passed).toBe(true);
    const other = answers({ 'web-a': 2 }, { sourceSeen: '172.18.0.5', ingressNode: 'cp' });
    const r = checkExpectation({ kind: 'sourceSeen', seen: 'ingress-node', loc }, other, context());
    expect(r.passed).toBe(false);
    expect(r.message).toContain('cp has 172.18.0.4, 10.10.0.1');
  });

  it('ingress-node fails when the backend cannot say where the request entered', () => {
    const r = checkExpectation({ kind: 'sourceSeen', seen: 'ingress-node', loc }, answers({ 'web-a': 2 }), context());
    expect(r.passed).toBe(false);
    expect(r.message).toContain('did not report the ingress node');
  });

  it('a literal address', () => {
    expect(checkExpectation({ kind: 'sourceSeen', seen: { address: '172.18.0.100' }, loc }, answers({ 'web-a': 2 }), context()).passed).toBe(true);
    expect(checkExpectation({ kind: 'sourceSeen', seen: { address: '10.0.0.1' }, loc }, answers({ 'web-a': 2 }), context()).passed).toBe(false);
  });

  it('missing source addresses are a failure, not a pass', () => {
    const r = checkExpectation({ kind: 'sourceSeen', seen: 'client', loc }, [{ outcome: 'ok', pod: 'web-a' }], context());
    expect(r.passed).toBe(false);
    expect(r.message).toContain('did not report the source address');
  });

  it('first host address of a CIDR', () => {
    expect(firstHostAddress('10.10.1.0/24')).toBe('10.10.1.1');
    expect(firstHostAddress('10.244.0.128/25')).toBe('10.244.0.129');
    expect(firstHostAddress('10.10.1.77/24')).toBe('10.10.1.1');
    expect(firstHostAddress('nonsense')).toBeUndefined();
  });
});
