/**
 * Full-dump comparisons: the Services kube-proxy's nftables unit tests build, rendered for the
 * fake proxier's node, must leave the table those tests expect (compared the way the tests
 * compare: sorted by object, rule order kept within a chain).
 *
 * Known divergences (not compared): TestSyncProxyRulesRepeated stages 3 and 9 expect an empty
 * service chain that an earlier sync left behind (kube-proxy flushes a chain it no longer needs
 * and deletes it a second later); svclab renders a node's table from its state alone, never
 * from a previous sync, so it has no such leftovers.
 */
import { describe, expect, it } from 'vitest';
import { formatRulesetDump, renderNftNode, type NftRenderOptions } from '../../../src/kubeproxy/nftables/index.js';
import type { ClusterState } from '../../../src/model/types.js';
import * as D from './dumps.js';
import { TEST_NODE, fakeProxierMark, nftFakeCluster, port, service, slice, sortDump } from './fixtures.js';

const p80 = [{ name: 'p80', port: 80 }];
const p8080 = [{ name: 'p8080', port: 8080 }];

function dumpOf(state: ClusterState, options?: NftRenderOptions): string {
  return sortDump(fakeProxierMark(formatRulesetDump(renderNftNode(state, TEST_NODE, options).ruleset)));
}
const expected = (extra: string): string => sortDump(D.BASE_RULES + extra);

describe('rendered nftables table equals kube-proxy v1.37.2 test dumps', () => {
  it('TestOverallNFTablesRules', () => {
    const state = nftFakeCluster({
      services: [
        service('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: [port('p80', 80)] }),
        service('ns2', 'svc2', {
          type: 'LoadBalancer',
          externalTrafficPolicy: 'Local',
          clusterIP: '172.30.0.42',
          ports: [port('p80', 80, { nodePort: 3001 })],
          loadBalancerIngress: [{ ip: '1.2.3.4' }],
          externalIPs: ['192.168.99.22'],
          healthCheckNodePort: 30000,
        }),
        service('ns3', 'svc3', { type: 'NodePort', clusterIP: '172.30.0.43', ports: [port('p80', 80, { nodePort: 3003 })] }),
        service('ns4', 'svc4', { type: 'NodePort', clusterIP: '172.30.0.44', externalIPs: ['192.168.99.33'], ports: [port('p80', 80)] }),
        service('ns5', 'svc5', {
          type: 'LoadBalancer',
          externalTrafficPolicy: 'Cluster',
          clusterIP: '172.30.0.45',
          ports: [port('p80', 80, { nodePort: 3002 })],
          loadBalancerIngress: [{ ip: '5.6.7.8' }],
          healthCheckNodePort: 30000,
          loadBalancerSourceRanges: [' 203.0.113.0/25'],
          sessionAffinity: 'ClientIP',
          sessionAffinityTimeoutSeconds: 10800,
        }),
        service('ns6', 'svc6', { type: 'ClusterIP', clusterIP: '172.30.0.46', ports: [port('p80', 80)] }),
      ],
      slices: [
        slice('ns1', 'svc1', p80, [{ ip: '10.180.0.1', node: TEST_NODE }]),
        slice('ns2', 'svc2', p80, [{ ip: '10.180.0.2', node: 'other-node' }]),
        slice('ns3', 'svc3', p80, [{ ip: '10.180.0.3', node: TEST_NODE }]),
        slice('ns4', 'svc4', p80, [{ ip: '10.180.0.4', node: 'other-node' }, { ip: '10.180.0.5', node: TEST_NODE }]),
        slice('ns5', 'svc5', p80, [{ ip: '10.180.0.3', node: TEST_NODE }]),
      ],
    });
    // The test turns the KubeProxyNFTablesLocalhostNodePorts feature on.
    expect(dumpOf(state, { localhostNodePorts: true })).toBe(expected(D.OVERALL));
  });

  it('TestBadIPs: sloppy addresses come out canonical', () => {
    const state = nftFakeCluster({
      services: [
        service('ns1', 'svc1', {
          type: 'LoadBalancer',
          clusterIP: '172.30.0.041',
          ports: [port('p80', 80, { nodePort: 3001 })],
          loadBalancerIngress: [{ ip: '1.2.3.004' }],
          externalIPs: ['192.168.099.022'],
          loadBalancerSourceRanges: ['203.0.113.000/025'],
        }),
      ],
      slices: [slice('ns1', 'svc1', p80, [{ ip: '10.180.00.001', node: TEST_NODE }])],
    });
    expect(dumpOf(state)).toBe(expected(D.BAD_IPS));
  });

  describe('TestSyncProxyRulesRepeated: every stage that has no leftovers from an earlier sync', () => {
    const svc = (ns: string, name: string, ip: string, ports = [port('p80', 80)]) => service(ns, name, { clusterIP: ip, ports });
    const svc1 = svc('ns1', 'svc1', '172.30.0.41');
    const svc2 = svc('ns2', 'svc2', '172.30.0.42', [port('p8080', 8080)]);
    const svc3 = svc('ns3', 'svc3', '172.30.0.43');
    const svc4 = svc('ns4', 'svc4', '172.30.0.44');
    const eps1 = slice('ns1', 'svc1', p80, [{ ip: '10.0.1.1', node: TEST_NODE }]);
    const eps2 = slice('ns2', 'svc2', p8080, [{ ip: '10.0.2.1', node: TEST_NODE }]);
    const eps3 = (...ips: string[]) => slice('ns3', 'svc3', p80, ips.map((ip) => ({ ip, node: TEST_NODE })));
    const eps4 = slice('ns4', 'svc4', p80, [{ ip: '10.0.4.1', node: TEST_NODE }]);

    it('initial state', () => {
      expect(dumpOf(nftFakeCluster({ services: [svc1, svc2], slices: [eps1, eps2] }))).toBe(expected(D.REPEATED_1));
    });
    it('svc3 added', () => {
      const state = nftFakeCluster({ services: [svc1, svc2, svc3], slices: [eps1, eps2, eps3('10.0.3.1')] });
      expect(dumpOf(state)).toBe(expected(D.REPEATED_2));
    });
    it('svc2 deleted, after its chain is gone', () => {
      const state = nftFakeCluster({ services: [svc1, svc3], slices: [eps1, eps3('10.0.3.1')] });
      expect(dumpOf(state)).toBe(expected(D.REPEATED_4));
    });
    it('svc4 added without endpoints: no-endpoint-services rejects it', () => {
      const state = nftFakeCluster({ services: [svc1, svc3, svc4], slices: [eps1, eps3('10.0.3.1')] });
      expect(dumpOf(state)).toBe(expected(D.REPEATED_5));
    });
    it('svc4 endpoints added', () => {
      const state = nftFakeCluster({ services: [svc1, svc3, svc4], slices: [eps1, eps3('10.0.3.1'), eps4] });
      expect(dumpOf(state)).toBe(expected(D.REPEATED_6));
    });
    it('svc3 endpoint changed', () => {
      const state = nftFakeCluster({ services: [svc1, svc3, svc4], slices: [eps1, eps3('10.0.3.2'), eps4] });
      expect(dumpOf(state)).toBe(expected(D.REPEATED_7));
    });
    it('svc3 second endpoint: numgen random mod 2', () => {
      const state = nftFakeCluster({ services: [svc1, svc3, svc4], slices: [eps1, eps3('10.0.3.2', '10.0.3.3'), eps4] });
      expect(dumpOf(state)).toBe(expected(D.REPEATED_8));
    });
    it('stages 3 and 9 differ only by the leftover empty chain (the known divergence)', () => {
      const stage3 = nftFakeCluster({ services: [svc1, svc3], slices: [eps1, eps3('10.0.3.1')] });
      const leftover3 = 'add chain ip kube-proxy service-MHHHYRWA-ns2/svc2/tcp/p8080\n';
      expect(dumpOf(stage3)).toBe(sortDump(D.BASE_RULES + D.REPEATED_3.replace(leftover3, '')));
      const stage9 = nftFakeCluster({ services: [svc1, svc3, svc4], slices: [eps1, eps4] });
      const leftover9 = 'add chain ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80\n';
      expect(dumpOf(stage9)).toBe(sortDump(D.BASE_RULES + D.REPEATED_9.replace(leftover9, '')));
      expect(D.REPEATED_3).toContain(leftover3);
      expect(D.REPEATED_9).toContain(leftover9);
    });
  });

  it('TestSyncProxyRulesStartup: the table after the first sync', () => {
    const state = nftFakeCluster({
      services: [
        service('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: [port('p80', 80)] }),
        service('ns2', 'svc2', { clusterIP: '172.30.0.42', ports: [port('p8080', 8080)] }),
        service('ns3', 'svc3', { clusterIP: '172.30.0.43', ports: [port('p80', 80)] }),
      ],
      slices: [
        slice('ns1', 'svc1', p80, [
          { ip: '10.0.1.1', node: TEST_NODE },
          { ip: '10.0.1.2', node: TEST_NODE },
        ]),
        slice('ns2', 'svc2', p8080, [{ ip: '10.0.2.1', node: TEST_NODE }]),
      ],
    });
    expect(dumpOf(state)).toBe(expected(D.STARTUP));
  });
});

describe('localhost node ports (KubeProxyNFTablesLocalhostNodePorts), as the v1.37.2 tests check them', () => {
  const nodePortSvc = (ns: string, name: string, ip: string, protocol: 'TCP' | 'UDP' | 'SCTP', p: number, np: number) =>
    service(ns, name, { type: 'NodePort', clusterIP: ip, ports: [port(`p${p}`, p, { protocol, nodePort: np })] });

  it('TestLocalhostNodePortRejectAll: loopback not in nodePortAddresses, every protocol rejected and counted', () => {
    const state = nftFakeCluster({
      services: [
        nodePortSvc('ns1', 'svc-tcp', '172.30.0.41', 'TCP', 80, 30080),
        nodePortSvc('ns2', 'svc-udp', '172.30.0.42', 'UDP', 53, 30053),
        nodePortSvc('ns3', 'svc-sctp', '172.30.0.43', 'SCTP', 9, 30009),
      ],
    });
    const dump = formatRulesetDump(renderNftNode(state, TEST_NODE, { localhostNodePorts: true }).ruleset);
    for (const want of [
      'add counter ip kube-proxy localhost-nodeport-rejected-tcp',
      'add counter ip kube-proxy localhost-nodeport-rejected-udp',
      'add counter ip kube-proxy localhost-nodeport-rejected-sctp',
      'add rule ip kube-proxy localhost-nodeport-reject-tcp counter name "localhost-nodeport-rejected-tcp" reject',
      'add rule ip kube-proxy localhost-nodeport-reject-udp counter name "localhost-nodeport-rejected-udp" reject',
      'add rule ip kube-proxy localhost-nodeport-reject-sctp counter name "localhost-nodeport-rejected-sctp" reject',
      'add rule ip kube-proxy nodeport-endpoints-check ip daddr 127.0.0.0/8 meta l4proto . th dport vmap @localhost-nodeport-reject-ports',
      'add element ip kube-proxy localhost-nodeport-reject-ports { tcp . 30080 : goto localhost-nodeport-reject-tcp }',
      'add element ip kube-proxy localhost-nodeport-reject-ports { udp . 30053 : goto localhost-nodeport-reject-udp }',
      'add element ip kube-proxy localhost-nodeport-reject-ports { sctp . 30009 : goto localhost-nodeport-reject-sctp }',
    ]) {
      expect(dump).toContain(want);
    }
  });

  it('TestLocalhostNodePortReject / TestLocalhostNodePortProxy: explicit loopback, TCP served, UDP and SCTP rejected', () => {
    const state = nftFakeCluster({
      kubeProxy: { nodePortAddresses: ['192.168.0.2/32', '127.0.0.0/8'] },
      services: [nodePortSvc('ns1', 'svc-tcp', '172.30.0.41', 'TCP', 80, 30080), nodePortSvc('ns2', 'svc-udp', '172.30.0.42', 'UDP', 53, 30053)],
      slices: [slice('ns1', 'svc-tcp', p80, [{ ip: '10.180.0.1', node: TEST_NODE }])],
    });
    const dump = formatRulesetDump(renderNftNode(state, TEST_NODE, { localhostNodePorts: true }).ruleset);
    for (const want of [
      'add counter ip kube-proxy localhost-nodeport-rejected-udp',
      'add counter ip kube-proxy localhost-nodeport-rejected-sctp',
      'add rule ip kube-proxy localhost-nodeport-reject-udp counter name "localhost-nodeport-rejected-udp" reject',
      'add rule ip kube-proxy nodeport-endpoints-check ip daddr 127.0.0.0/8 meta l4proto . th dport vmap @localhost-nodeport-reject-ports',
      'add element ip kube-proxy localhost-nodeport-reject-ports { udp . 30053 : goto localhost-nodeport-reject-udp }',
      'add element ip kube-proxy service-nodeports { tcp . 30080 : goto external-',
    ]) {
      expect(dump).toContain(want);
    }
    expect(dump).not.toContain('localhost-nodeport-rejected-tcp');
    expect(dump).not.toContain('localhost-nodeport-reject-ports { tcp .');
  });

  it('feature off (the v1.37 default): no localhost reject map, chains or counters at all', () => {
    const state = nftFakeCluster({ services: [nodePortSvc('ns1', 'svc-tcp', '172.30.0.41', 'TCP', 80, 30080)] });
    expect(formatRulesetDump(renderNftNode(state, TEST_NODE).ruleset)).not.toContain('localhost-nodeport');
  });
});
