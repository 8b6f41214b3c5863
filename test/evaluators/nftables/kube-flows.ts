/**
 * Packet-flow expectations transcribed from kube-proxy's nftables tests (kubernetes v1.37.2
 * pkg/proxy/nftables, `packetFlowTest` tables run by runPacketFlowTests), as facts. The notation
 * is upstream's (see test/evaluators/iptables/kube-flows.ts, whose mapping `toOurExpectation`
 * is reused): "" nothing intercepted, "DROP", "REJECT", or the DNAT destinations; `masq` is
 * upstream's masquerade flag.
 *
 * Upstream's nftablesTracer runs filter-prerouting-pre-dnat, nat-prerouting, filter-forward,
 * filter-input and nat-postrouting for every packet. Ours runs the real hooks: a packet from a
 * node address is generated on the node (output, then postrouting). Where that gives a different
 * answer, the flow carries `ours` with the reason.
 */
import { testExternalClient, testExternalClientBlocked, testNodeIP, testNodeIPs, type KubeFlow } from '../iptables/kube-flows.js';

export { testNodeIPs };

type Row = Omit<KubeFlow, 'test' | 'nodeIPs'> & { nodeIPs?: string[] };

const flows: Record<string, Row[]> = {
  // helpers_test.go TestTracePacketV4
  TestTracePacketV4: [
    { name: 'no match', sourceIP: '10.0.0.2', destIP: '10.0.0.3', destPort: 80, output: '' },
    { name: 'single endpoint', sourceIP: '10.0.0.2', destIP: '172.30.0.41', destPort: 80, output: '10.180.0.1:80' },
    { name: 'multiple endpoints', sourceIP: '10.0.0.2', destIP: '172.30.0.44', destPort: 80, output: '10.180.0.4:80, 10.180.0.5:80' },
    { name: 'local, mark for masquerade', sourceIP: testNodeIP, destIP: '192.168.99.22', destPort: 80, output: '10.180.0.2:80', masq: true },
    { name: 'DROP', sourceIP: testExternalClient, destIP: '192.168.99.22', destPort: 80, output: 'DROP' },
    { name: 'REJECT', sourceIP: '10.0.0.2', destIP: '172.30.0.46', destPort: 80, output: 'REJECT' },
    { name: 'blocked external to loadbalancer IP', sourceIP: testExternalClientBlocked, destIP: '5.6.7.8', destPort: 80, output: 'DROP' },
    { name: 'pod to nodePort', sourceIP: '10.0.0.2', destIP: testNodeIP, destPort: 3001, output: '10.180.0.2:80' },
  ],
};

export function kubeFlowCases(test: string): KubeFlow[] {
  const rows = flows[test];
  if (!rows) throw new Error(`no flows for ${test}`);
  return rows.map((r) => ({ ...r, test, nodeIPs: r.nodeIPs ?? testNodeIPs }));
}

export function allKubeFlowTests(): string[] {
  return Object.keys(flows);
}
