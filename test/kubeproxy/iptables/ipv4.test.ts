import { describe, expect, it } from 'vitest';
import { canonicalIPv4, parseIPv4, parseIPv4Cidr, formatIPv4Cidr, cidrContains } from '../../../src/kubeproxy/iptables/ipv4.js';

describe('IPv4 parsing as kube-proxy (ParseIPSloppy) does it', () => {
  it('reads leading zeros as decimal and prints canonical text', () => {
    expect(canonicalIPv4('172.30.0.041')).toBe('172.30.0.41');
    expect(canonicalIPv4('010.180.00.001')).toBe('10.180.0.1');
    expect(canonicalIPv4(' 192.168.0.2 ')).toBe('192.168.0.2');
    expect(canonicalIPv4('0.0.0.0')).toBe('0.0.0.0');
  });

  it('rejects what is not a dotted quad (IPv6 included)', () => {
    for (const bad of ['fd00::1', '1.2.3', '1.2.3.4.5', '256.0.0.1', '1..2.3', '1.2.3.4/32', '', 'a.b.c.d', '1.2.3.1000']) {
      expect(parseIPv4(bad)).toBeUndefined();
    }
  });

  it('parses CIDRs with sloppy octets and clears host bits', () => {
    expect(formatIPv4Cidr(parseIPv4Cidr('203.0.113.000/025')!)).toBe('203.0.113.0/25');
    expect(formatIPv4Cidr(parseIPv4Cidr('10.1.2.3/8')!)).toBe('10.0.0.0/8');
    expect(formatIPv4Cidr(parseIPv4Cidr('1.2.3.4')!)).toBe('1.2.3.4/32');
    expect(parseIPv4Cidr('10.0.0.0/33')).toBeUndefined();
    const lb = parseIPv4Cidr('192.168.0.0/24')!;
    expect(cidrContains(lb, parseIPv4('192.168.0.2')!)).toBe(true);
    expect(cidrContains(lb, parseIPv4('192.168.1.2')!)).toBe(false);
    expect(cidrContains(parseIPv4Cidr('0.0.0.0/0')!, parseIPv4('8.8.8.8')!)).toBe(true);
  });
});
