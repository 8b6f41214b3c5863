/** Address arithmetic and JSON merge patch (RFC 7386), which allocation and patch steps rely on. */
import { describe, expect, it } from 'vitest';
import { cidrContains, cidrsOverlap, formatIp, nthAddress, parseCidr, parseIp, subnet } from '../../src/model/ip.js';
import { mergePatch } from '../../src/model/merge-patch.js';

describe('ip', () => {
  it('parses CIDRs and finds addresses and subnets', () => {
    const c = parseCidr('10.244.0.0/16')!;
    expect(nthAddress(c, 2)).toBe('10.244.0.2');
    expect(nthAddress(subnet(c, 24, 3)!, 1)).toBe('10.244.3.1');
    expect(cidrContains(c, '10.244.255.255')).toBe(true);
    expect(cidrContains(c, '10.245.0.0')).toBe(false);
    expect(parseCidr('10.0.0.1/24')!.hostBitsSet).toBe(true);
    expect(cidrsOverlap(parseCidr('10.96.0.0/12')!, parseCidr('10.100.0.0/16')!)).toBe(true);
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
  });

  it('handles IPv6', () => {
    const p = parseIp('fd00::1')!;
    expect(p.family).toBe(6);
    expect(formatIp(6, p.value)).toBe('fd00::1');
    expect(cidrContains(parseCidr('fd00::/64')!, 'fd00::abcd')).toBe(true);
    expect(formatIp(6, parseIp('::ffff:10.0.0.1')!.value)).toBe('::ffff:a00:1');
  });
});

describe('mergePatch (RFC 7386 appendix A)', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, result] of cases) {
    it(`${JSON.stringify(target)} + ${JSON.stringify(patch)}`, () => {
      expect(mergePatch(target, patch)).toEqual(result);
    });
  }
});
