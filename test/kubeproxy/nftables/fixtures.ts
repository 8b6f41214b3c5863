/**
 * The cluster kube-proxy's nftables unit tests run against (NewFakeProxier in
 * pkg/proxy/nftables/proxier_test.go): node "test-node" with 192.168.0.2 (primary), 192.168.1.2
 * and 192.168.99.11, pod CIDR 10.0.0.0/8 (detect-local by CIDR), service CIDR 172.30.0.0/16,
 * --nodeport-addresses 192.168.0.2/32, mark bit 14. Plus the comparison those tests use
 * (sortNFTablesTransaction): comments and blank lines dropped, lines grouped by object type
 * (table, chain, rule, set, map, element, then anything else) and object name; rules keep their
 * order inside a chain, other lines sort by text.
 */
import type { ClusterState, EndpointSlice, KubeProxyConfig, Service } from '../../../src/model/types.js';
import { fakeCluster } from '../iptables/fixtures.js';

export { TEST_NODE, port, service, slice } from '../iptables/fixtures.js';

export function nftFakeCluster(parts: { services: Service[]; slices?: EndpointSlice[]; kubeProxy?: Partial<KubeProxyConfig> }): ClusterState {
  return fakeCluster({
    services: parts.services,
    slices: parts.slices,
    kubeProxy: { mode: 'nftables', nodePortAddresses: ['192.168.0.2/32'], ...parts.kubeProxy },
  });
}

const TYPE_ORDER: Record<string, number> = { table: 10, chain: 9, rule: 8, set: 7, map: 6, element: 5 };

/** Canonical text of a knftables dump for comparison. */
export function sortDump(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const keyed = lines.map((line, index) => {
    const words = line.split(' ');
    return { line, index, type: TYPE_ORDER[words[1]] ?? 0, name: words[4] ?? '', isRule: words[1] === 'rule' };
  });
  keyed.sort((a, b) => {
    if (a.type !== b.type) return b.type - a.type;
    if (a.name !== b.name) return a.name < b.name ? -1 : 1;
    if (a.isRule) return a.index - b.index;
    return a.line < b.line ? -1 : a.line > b.line ? 1 : 0;
  });
  return keyed.map((k) => k.line).join('\n') + '\n';
}

/** kube-proxy's fake proxier hard-codes the mark as "0x4000"; NewProxier formats it "0x004000". */
export function fakeProxierMark(text: string): string {
  return text.replaceAll('0x004000', '0x4000');
}
