/**
 * Packet-flow expectations transcribed from kube-proxy's own tests
 * (kubernetes/kubernetes pkg/proxy/iptables/proxier_test.go, `packetFlowTest` tables), as facts.
 * `output` keeps upstream's notation: "" (nothing intercepted), "ACCEPT", "DROP", "REJECT" or a
 * comma-separated list of DNAT destinations; `masq` is upstream's masquerade flag.
 *
 * Upstream's tracer walks nat PREROUTING and then the filter KUBE-* chains for every packet; ours
 * walks the real hooks (a packet from a node address is locally generated: nat OUTPUT, filter
 * OUTPUT). `toOurExpectation` maps the notation; where the real hooks give a different answer
 * than the tracer, the flow carries `ours` with the reason.
 */

export const testNodeIP = '192.168.0.2';
export const testNodeIPAlt = '192.168.1.2';
export const testExternalIP = '192.168.99.11';
export const testExternalClient = '203.0.113.2';
export const testExternalClientBlocked = '203.0.113.130';
/** IPv4 part of upstream's testNodeIPs (127.0.0.1 is always local). */
export const testNodeIPs = [testNodeIP, testNodeIPAlt, testExternalIP];

export interface KubeFlow {
  test: string;
  name: string;
  sourceIP: string;
  destIP: string;
  destPort: number;
  protocol?: string;
  output: string;
  masq?: boolean;
  nodeIPs: string[];
  /** Our verdict where the real hook order differs from upstream's simplified tracer. */
  ours?: { verdict: string; endpoints?: string[]; masquerade?: boolean; why: string };
}

type Row = Omit<KubeFlow, 'test' | 'nodeIPs'> & { nodeIPs?: string[] };

const flows: Record<string, Row[]> = {
  TestTracePacket: [
    { name: 'no match', sourceIP: '10.0.0.2', destIP: '10.0.0.3', destPort: 80, output: '' },
    { name: 'single endpoint', sourceIP: '10.0.0.2', destIP: '172.30.0.41', destPort: 80, output: '10.180.0.1:80' },
    { name: 'multiple endpoints', sourceIP: '10.0.0.2', destIP: '172.30.0.44', destPort: 80, output: '10.180.0.4:80, 10.180.0.5:80' },
    { name: 'LOCAL, KUBE-MARK-MASQ', sourceIP: testNodeIP, destIP: '192.168.99.22', destPort: 80, output: '10.180.0.2:80', masq: true },
    { name: 'DROP', sourceIP: testExternalClient, destIP: '192.168.99.22', destPort: 80, output: 'DROP' },
    { name: 'ACCEPT (NodePortHealthCheck)', sourceIP: testNodeIP, destIP: testNodeIP, destPort: 30000, output: 'ACCEPT' },
    { name: 'REJECT', sourceIP: '10.0.0.2', destIP: '172.30.0.46', destPort: 80, output: 'REJECT' },
  ],
};

export function kubeFlowCases(test: string): KubeFlow[] {
  const rows = flows[test];
  if (!rows) throw new Error(`no flows transcribed for ${test}`);
  return rows.map((r) => ({ ...r, test, nodeIPs: r.nodeIPs ?? testNodeIPs }));
}

export function allKubeFlowTests(): string[] {
  return Object.keys(flows);
}

export function registerFlows(test: string, rows: Row[]): void {
  flows[test] = rows;
}

/** Upstream's expectation in our `trace --rules --json` terms. */
export function toOurExpectation(flow: KubeFlow): { verdict: string; endpoints: string[]; masquerade: boolean } {
  if (flow.ours) return { verdict: flow.ours.verdict, endpoints: flow.ours.endpoints ?? [], masquerade: flow.ours.masquerade ?? false };
  const out = flow.output;
  if (out === '') {
    const local = flow.destIP.startsWith('127.') || flow.nodeIPs.includes(flow.destIP);
    return { verdict: local ? 'local' : 'none', endpoints: [], masquerade: false };
  }
  if (out === 'ACCEPT') return { verdict: 'local', endpoints: [], masquerade: false };
  if (out === 'DROP' || out === 'REJECT') return { verdict: out.toLowerCase(), endpoints: [], masquerade: false };
  const endpoints = out.split(', ').sort();
  return { verdict: 'ok', endpoints, masquerade: flow.masq ?? false };
}
