import { describe, expect, it } from 'vitest';
import { endpointChainName, hash16, portProtoHash, serviceChainNames } from '../../../src/kubeproxy/iptables/hash.js';
import { computeProbability, formatFixed } from '../../../src/kubeproxy/iptables/probability.js';

describe('chain-name hashes (first 16 base32 chars of sha256)', () => {
  it.each([
    ['ns1/svc1:p80', 'tcp', 'XPGD46QRK7WJZT7O'],
    ['ns2/svc2:p80', 'tcp', 'GNZBNJ2PO5MGZ6GT'],
    ['ns1/svc1', 'tcp', 'AQI2S6QIMU7PVVRP'],
    ['ns4/svc4:p8082', 'tcp', 'EBDQOQU5SJFXRIL3'],
  ])('%s %s -> %s', (name, proto, hash) => {
    expect(portProtoHash(name, proto)).toBe(hash);
  });

  it.each([
    ['ns1/svc1:p80', '10.180.0.1:80', 'KUBE-SEP-SXIVWICOYRO3J4NJ'],
    ['ns5/svc5:p80', '10.180.0.3:80', 'KUBE-SEP-I77PXRDZVX7PMWMN'],
    ['ns1/svc1:p80', '10.0.0.0:80', 'KUBE-SEP-DKGQUZGBKLTPAR56'],
    ['ns3/svc3:p8081', '203.0.113.4:8081', 'KUBE-SEP-RUVVH7YV3PHQBDOS'],
  ])('endpoint chain of %s %s is %s', (name, ep, chain) => {
    expect(endpointChainName(name, 'tcp', ep)).toBe(chain);
  });

  it('one hash names all four per-service chains', () => {
    expect(serviceChainNames('ns5/svc5:p80', 'tcp')).toEqual({
      cluster: 'KUBE-SVC-NUKIZ6OKUXPJNT4C',
      local: 'KUBE-SVL-NUKIZ6OKUXPJNT4C',
      external: 'KUBE-EXT-NUKIZ6OKUXPJNT4C',
      firewall: 'KUBE-FW-NUKIZ6OKUXPJNT4C',
    });
  });

  it('the protocol is part of the hash, so TCP and UDP on one port get different chains', () => {
    expect(portProtoHash('ns/dns:53', 'tcp')).not.toBe(portProtoHash('ns/dns:53', 'udp'));
    expect(hash16('x')).toMatch(/^[A-Z2-7]{16}$/);
  });
});

describe('statistic probabilities (Go %0.10f of 1/n)', () => {
  it.each([
    [1, '1.0000000000'],
    [2, '0.5000000000'],
    [3, '0.3333333333'],
    [4, '0.2500000000'],
    [7, '0.1428571429'],
    [10, '0.1000000000'],
    [100, '0.0100000000'],
    [1000, '0.0010000000'],
    [10000, '0.0001000000'],
    [100000, '0.0000100000'],
    [100001, '0.0000099999'],
  ])('n=%i prints %s', (n, text) => {
    expect(computeProbability(n)).toBe(text);
  });

  it('rounds exact ties to even like Go, not up like toFixed', () => {
    // 1/2048 = 0.00048828125 exactly.
    expect(formatFixed(1 / 2048, 10)).toBe('0.0004882812');
    expect((1 / 2048).toFixed(10)).toBe('0.0004882813');
    expect(formatFixed(0.125, 2)).toBe('0.12');
    expect(formatFixed(2.5, 0)).toBe('2');
    expect(formatFixed(3.5, 0)).toBe('4');
    expect(computeProbability(2048)).toBe('0.0004882812');
  });

  it('strictly decreases with n, so every rule of a long chain is distinct', () => {
    let prev = Number.POSITIVE_INFINITY;
    const notDecreasing: number[] = [];
    for (let n = 2; n <= 100000; n++) {
      const p = Number(computeProbability(n));
      if (!(p < prev)) notDecreasing.push(n);
      prev = p;
    }
    expect(notDecreasing).toEqual([]);
  });

  it('rejects counts that are not positive integers', () => {
    expect(() => computeProbability(0)).toThrow(RangeError);
    expect(() => computeProbability(1.5)).toThrow(RangeError);
  });
});
