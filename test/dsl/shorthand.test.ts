/** The traffic shorthand and target syntax, as lab authors write them. */
import { describe, expect, it } from 'vitest';
import { parseShorthand } from '../../src/dsl/shorthand.js';
import { SyntaxProblem, parseTarget } from '../../src/dsl/target.js';

function problem(fn: () => unknown): SyntaxProblem {
  try {
    fn();
  } catch (err) {
    if (err instanceof SyntaxProblem) return err;
    throw err;
  }
  throw new Error('expected a syntax problem');
}

describe('send shorthand', () => {
  it('reads the lab form with defaults', () => {
    expect(parseShorthand('100 curls to CNODE:NPORT from mypc')).toEqual({
      count: 100,
      target: 'CNODE:NPORT',
      targetOffset: 13,
      from: { kind: 'client', name: 'mypc', offset: 30 },
      protocol: 'TCP',
      timeoutMs: 1000,
    });
  });

  it('reads node and pod sources, protocol and timeout in any order', () => {
    const p = parseShorthand('5 packets to nodePort(dns, udp-53):53 from pod web-1 timeout 2s over udp');
    expect(p).toMatchObject({ count: 5, target: 'nodePort(dns, udp-53):53', from: { kind: 'pod', name: 'web-1' }, protocol: 'UDP', timeoutMs: 2000 });
    expect(parseShorthand('1 request to 10.0.0.1:80 from node w1 timeout 250ms').from).toMatchObject({ kind: 'node', name: 'w1' });
  });

  it('names the unexpected word and its offset', () => {
    const p = problem(() => parseShorthand('100 curls to CNODE:NPORT form mypc'));
    expect(p.message).toBe("unexpected 'form' in send shorthand");
    expect(p.offset).toBe(25);
    expect(p.notes).toEqual(["expected 'from'"]);
    expect(problem(() => parseShorthand('100 curls to CNODE:NPORT from mypc over icmp')).message).toBe("unexpected 'icmp' in send shorthand");
    expect(problem(() => parseShorthand('100 curls to CNODE:NPORT from mypc over udp over tcp')).message).toBe("unexpected 'over' in send shorthand");
    expect(problem(() => parseShorthand('100 curls to CNODE:NPORT from node')).message).toBe("missing node name after 'node'");
    expect(problem(() => parseShorthand('0 curls to CNODE:NPORT from mypc')).message).toBe('request count 0 is out of range');
    expect(problem(() => parseShorthand('1 curl to CNODE:NPORT from mypc timeout 61s')).message).toBe('timeout 61000ms is out of range');
  });
});

describe('targets', () => {
  it('splits HOST:PORT with expressions and IPv6 literals', () => {
    expect(parseTarget('clusterIP(web):port(web, http)')).toMatchObject({
      host: { kind: 'call', fn: 'clusterIP', args: ['web'] },
      port: { kind: 'call', fn: 'port', args: ['web', 'http'], offset: 15 },
    });
    expect(parseTarget('[fd00::1]:80')).toMatchObject({ host: { kind: 'address', text: 'fd00::1' }, port: { kind: 'number', value: 80 } });
    expect(parseTarget('CNODE:NPORT')).toMatchObject({ host: { kind: 'var', name: 'CNODE' }, port: { kind: 'var', name: 'NPORT', offset: 6 } });
  });

  it('rejects targets without a port and bad arguments', () => {
    expect(problem(() => parseTarget('CNODE')).message).toBe("target 'CNODE' has no port");
    expect(problem(() => parseTarget('node(Bad_Name):80')).message).toBe("invalid argument 'Bad_Name' in node(...)");
  });
});
