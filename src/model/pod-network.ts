/**
 * How pods hang off their node, in one place for every backend: the node-side interface of a pod
 * link (a bridge, or one veth per pod with a name prefix), the address pods use as their gateway,
 * and whether pod addresses live in the nodes' own subnets. kube-proxy's local-traffic detection
 * (`--detect-local-mode`) names these interfaces, so simulator and kernel must agree on them.
 */
import type { ClusterSpec, NodeSpec } from './types.js';
import { firstHostAddress } from './ip.js';

/** Pod links as the node sees them. */
export type PodLinks = { kind: 'bridge'; name: string } | { kind: 'veth'; prefix: string };

/** The bridge most CNIs (bridge plugin, flannel) create: what pod-cidr clusters get by default. */
export const DEFAULT_POD_BRIDGE = 'cni0';
/** VPC CNI names its host-side veths eni<hash>. */
export const NODE_SUBNET_VETH_PREFIX = 'eni';
/** VPC CNI's pod gateway: a link-local address the node answers ARP for (no address on its veths). */
export const NODE_SUBNET_POD_GATEWAY = '169.254.1.1';

export function usesNodeSubnet(cluster: ClusterSpec): boolean {
  return cluster.podAddressing === 'node-subnet';
}

/** The pod links the scenario implies: what detect-local names, else the addressing mode's usual. */
export function podLinks(cluster: ClusterSpec): PodLinks {
  const kp = cluster.kubeProxy;
  if (kp.detectLocal === 'BridgeInterface' && kp.bridgeInterface) return { kind: 'bridge', name: kp.bridgeInterface };
  if (kp.detectLocal === 'InterfaceNamePrefix' && kp.interfaceNamePrefix) return { kind: 'veth', prefix: kp.interfaceNamePrefix };
  return usesNodeSubnet(cluster) ? { kind: 'veth', prefix: NODE_SUBNET_VETH_PREFIX } : { kind: 'bridge', name: DEFAULT_POD_BRIDGE };
}

/**
 * The node address pods route through and that traffic toward them leaves from: the first host
 * of the pod CIDR (pod-cidr), or none (node-subnet: the node's veths carry no address, so such
 * traffic leaves from the node's primary address).
 */
export function podGatewayAddress(cluster: ClusterSpec, node: NodeSpec): string | undefined {
  if (usesNodeSubnet(cluster)) return undefined;
  return firstHostAddress(node.podCIDR);
}
