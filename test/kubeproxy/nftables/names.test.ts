/**
 * Chain names must be kube-proxy's exactly: they appear in every dump, and a packet walk over a
 * real node's `nft list ruleset` names services by them. Expected values are transcribed from
 * Test_servicePortChainNameBase / Test_servicePortEndpointChainNameBase (kubernetes v1.37.2,
 * pkg/proxy/nftables/proxier_test.go).
 */
import { describe, expect, it } from 'vitest';
import { servicePortChainNameBase, servicePortEndpointChainNameBase, truncateComment } from '../../../src/kubeproxy/nftables/names.js';

const LONG_NS = 'very-long-namespace-name-abcdefghijklmnopqrstuvwxyz0123456789xx';
const LONG_SVC = 'very-long-service-name-why-would-you-even-do-this-i-mean-really';
const LONG_PORT = 'port-443-providing-the-hypertext-transmission-protocol-with-tls';

describe('service chain name base', () => {
  it.each([
    ['testing', 'service', 'tcp', 'http', 'P4ZYZVCF-testing/service/tcp/http'],
    ['testing', 'service', 'tcp', 'https', 'LZBRENCP-testing/service/tcp/https'],
    [LONG_NS, LONG_SVC, 'sctp', LONG_PORT, `KR6NACJP-${LONG_NS}/${LONG_SVC}/sctp/${LONG_PORT}`],
  ])('%s/%s %s %s', (ns, name, proto, portName, want) => {
    expect(servicePortChainNameBase(ns, name, proto, portName)).toBe(want);
  });
});

describe('endpoint chain name base', () => {
  it.each([
    ['tcp', 'http', '10.180.0.1:80', 'JO2XBXZR-testing/service/tcp/http__10.180.0.1/80'],
    ['tcp', 'http', '10.180.0.2:80', '5S6H3H22-testing/service/tcp/http__10.180.0.2/80'],
    ['tcp', 'http', '[fd80:abcd:12::a1b2:c3d4:e5f6:9999]:80', 'U7E2ET36-testing/service/tcp/http__fd80.abcd.12..a1b2.c3d4.e5f6.9999/80'],
  ])('%s %s %s', (proto, portName, endpoint, want) => {
    expect(servicePortEndpointChainNameBase('testing', 'service', proto, portName, endpoint)).toBe(want);
  });

  const long = (endpoint: string) => servicePortEndpointChainNameBase(LONG_NS, LONG_SVC, 'sctp', LONG_PORT, endpoint);
  it('at the 240-character limit the name is kept whole', () => {
    expect(long('[1234:5678:9abc:def0::abc:1234]:443')).toBe(
      `5YS7AFEA-${LONG_NS}/${LONG_SVC}/sctp/${LONG_PORT}__1234.5678.9abc.def0..abc.1234/443`,
    );
  });
  it('past it the name is cut to 237 characters and "...", the hash keeping it unique', () => {
    const prefix = `${LONG_NS}/${LONG_SVC}/sctp/${LONG_PORT}__1234.5678.9abc.def0..abcd.1234...`;
    expect(long('[1234:5678:9abc:def0::abcd:1234:5678]:443')).toBe(`CI6C53Q3-${prefix}`);
    expect(long('[1234:5678:9abc:def0::abcd:1234:8765]:443')).toBe(`2FLXFK6X-${prefix}`);
    expect(long('[1234:5678:9abc:def0::abcd:1234:8765]:443')).toHaveLength(240);
  });
});

it('comments are cut to nft 128-byte limit', () => {
  expect(truncateComment('a'.repeat(200))).toBe('a'.repeat(128));
  expect(truncateComment('ns/svc:p80')).toBe('ns/svc:p80');
});
