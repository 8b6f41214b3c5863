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

/**
 * Upstream's nftables flow tables for TestNoEndpointsReject, TestLoadBalancer,
 * TestExternalTrafficPolicyLocal and TestExternalTrafficPolicyCluster are the same as its
 * iptables ones (compared line by line in v1.37.2), so those are reused. TestClusterIPGeneral
 * differs in nftables mode: a ClusterIP on a port or protocol it does not serve is rejected
 * (cluster-ips-check), and an unallocated address in the service CIDR is dropped.
 */
export const SAME_AS_IPTABLES = ['no-endpoints-reject', 'load-balancer', 'etp-local', 'etp-cluster'];

export const NFT_ONLY: Record<string, Row[]> = {
  'cluster-ip-general': [
    { name: 'simple clusterIP', sourceIP: '10.180.0.2', destIP: '172.30.0.41', destPort: 80, output: '10.180.0.1:80', masq: false },
    { name: 'hairpin to cluster IP', sourceIP: '10.180.0.1', destIP: '172.30.0.41', destPort: 80, output: '10.180.0.1:80', masq: true },
    { name: 'clusterIP with multiple endpoints', sourceIP: '10.180.0.2', destIP: '172.30.0.42', destPort: 80, output: '10.180.0.1:80, 10.180.2.1:80', masq: false },
    { name: 'clusterIP with TargetPort', sourceIP: '10.180.0.2', destIP: '172.30.0.42', destPort: 443, output: '10.180.0.1:8443, 10.180.2.1:8443', masq: false },
    { name: 'clusterIP with TCP, UDP, and SCTP on same port (TCP)', sourceIP: '10.180.0.2', protocol: 'tcp', destIP: '172.30.0.42', destPort: 53, output: '10.180.0.1:5353, 10.180.2.1:5353', masq: false },
    { name: 'clusterIP with TCP, UDP, and SCTP on same port (UDP)', sourceIP: '10.180.0.2', protocol: 'udp', destIP: '172.30.0.42', destPort: 53, output: '10.180.0.1:53, 10.180.2.1:53', masq: false },
    { name: 'clusterIP with TCP, UDP, and SCTP on same port (SCTP)', sourceIP: '10.180.0.2', protocol: 'sctp', destIP: '172.30.0.42', destPort: 53, output: '10.180.0.1:53, 10.180.2.1:53', masq: false },
    { name: 'TCP-only port does not match UDP traffic', sourceIP: '10.180.0.2', protocol: 'udp', destIP: '172.30.0.42', destPort: 80, output: 'REJECT' },
    { name: "svc1 does not accept svc2's ports", sourceIP: '10.180.0.2', destIP: '172.30.0.41', destPort: 443, output: 'REJECT' },
    { name: 'packet to unallocated cluster ip', sourceIP: '10.180.0.2', destIP: '172.30.0.50', destPort: 80, output: 'DROP' },
  ],
};

export function nftOnlyCases(test: string): KubeFlow[] {
  return NFT_ONLY[test]!.map((r) => ({ ...r, test, nodeIPs: r.nodeIPs ?? testNodeIPs }));
}
