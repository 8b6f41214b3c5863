/**
 * The `cluster:` half of a random cluster state: an address plan (pod, service and node ranges that
 * never overlap), 1-4 nodes with their pod CIDRs, a few clients, and kube-proxy's options. Shaped
 * like the DSL compiler's output (compile-cluster.ts): the same defaults and the same key order.
 */
import type { Draw } from './random-draw.js';
import { cidrContains, cidrsOverlap, formatCidr, nthAddress, parseCidr, subnet, type Cidr } from '../model/ip.js';
import { DEFAULT_NODE_PORT_RANGE, DEFAULT_POD_CIDR, DEFAULT_SERVICE_CIDR, MAX_NODE_POD_PREFIX } from '../dsl/compile-cluster.js';
import { defaultKubeProxy } from '../model/defaults.js';
import type { ClientSpec, ClusterSpec, DetectLocalMode, KubeProxyConfig, NodeSpec, ProxyMode } from '../model/types.js';

/** Ranges seen in real clusters (kind, kubeadm, Calico, Weave, k3s, EKS, minikube, RFC 6598). */
const POD_CIDRS = { [DEFAULT_POD_CIDR]: 6, '10.32.0.0/12': 1, '192.168.0.0/16': 2, '100.64.0.0/16': 1, '10.200.0.0/22': 1 } as const;
const SERVICE_CIDRS = { [DEFAULT_SERVICE_CIDR]: 6, '10.96.0.0/12': 1, '172.20.0.0/16': 1, '10.43.0.0/16': 1, '10.0.0.0/24': 1 } as const;
const NODE_SUBNETS = { '172.18.0.0/24': 6, '192.168.49.0/24': 1, '10.0.1.0/24': 1, '172.31.16.0/20': 1 } as const;
/** A second network some nodes also have an address on (a second NIC). */
const SECOND_SUBNETS = ['172.19.0.0/24', '192.168.100.0/24', '10.10.0.0/24'] as const;

/** Documentation ranges (RFC 5737) the services module draws outside addresses from. */
export const OUTSIDE_RANGES = {
  /** Clients and endpoints that live outside the cluster. */
  external: '192.0.2.0/24',
  /** LoadBalancer ingress IPs. */
  loadBalancer: '198.51.100.0/24',
  /** externalIPs. */
  externalIP: '203.0.113.0/24',
} as const;

const NODE_PORT_RANGES = { [DEFAULT_NODE_PORT_RANGE]: 8, '30000-30099': 1, '20000-22767': 1 } as const;

/** Options of the cluster half (see RandomStateOptions). */
export interface RandomClusterOptions {
  mode?: ProxyMode;
  maxNodes: number;
  /** Also draw BridgeInterface and InterfaceNamePrefix detection (they name pod interfaces). */
  interfaceDetectLocal: boolean;
}

function parsed(text: string): Cidr {
  return parseCidr(text)!;
}

/** EKS-like VPCs (VPC CNI): pods take addresses from their node's subnet, a /20 per availability zone. */
const VPC_PLANS = [
  { vpc: '10.11.0.0/16', services: '172.20.0.0/16' },
  { vpc: '172.31.0.0/16', services: '10.100.0.0/16' },
] as const;

interface AddressPlan {
  pods: string;
  services: string;
  /** The range every node's primary address is in (with node-subnet addressing: the VPC). */
  nodes: string;
  second: string;
  nodeSubnet: boolean;
}

/** Pod, service and node ranges, redrawn until none overlaps another or the outside ranges. */
function addressPlan(draw: Draw): AddressPlan {
  const outside = Object.values(OUTSIDE_RANGES).map(parsed);
  if (draw.chance(0.1)) {
    const { vpc, services } = draw.pick(VPC_PLANS);
    return { pods: vpc, services, nodes: vpc, second: draw.pick(SECOND_SUBNETS), nodeSubnet: true };
  }
  for (;;) {
    const plan = {
      pods: draw.weighted(POD_CIDRS),
      services: draw.weighted(SERVICE_CIDRS),
      nodes: draw.weighted(NODE_SUBNETS),
      second: draw.pick(SECOND_SUBNETS),
      nodeSubnet: false,
    };
    const ranges = [plan.pods, plan.services, plan.nodes, plan.second].map(parsed);
    const clash = ranges.some((a, i) => [...ranges.slice(i + 1), ...outside].some((b) => cidrsOverlap(a, b)));
    if (!clash) return plan;
  }
}

const NODE_NAMINGS = ['kind', 'numbered', 'ec2'] as const;

function nodeName(naming: (typeof NODE_NAMINGS)[number], index: number, address: string): string {
  if (naming === 'kind') return index === 0 ? 'kind-control-plane' : index === 1 ? 'kind-worker' : `kind-worker${index}`;
  if (naming === 'numbered') return `node-${index + 1}`;
  return `ip-${address.replaceAll('.', '-')}`;
}

/** node-subnet addressing: nodes spread over three /20 zones of the VPC; a node's pods share its zone. */
function vpcNodes(draw: Draw, count: number, plan: AddressPlan): NodeSpec[] {
  const vpc = parsed(plan.nodes);
  const taken = new Set<string>();
  return Array.from({ length: count }, () => {
    const zone = subnet(vpc, 20, draw.int(0, 2))!;
    let primary = nthAddress(zone, draw.int(4, 4094))!;
    while (taken.has(primary)) primary = nthAddress(zone, draw.int(4, 4094))!;
    taken.add(primary);
    return { name: nodeName('ec2', 0, primary), role: 'worker' as const, addresses: [primary], podCIDR: formatCidr(zone), subnet: formatCidr(zone) };
  });
}

function randomNodes(draw: Draw, count: number, plan: AddressPlan): NodeSpec[] {
  if (plan.nodeSubnet) return vpcNodes(draw, count, plan);
  const nodeNet = parsed(plan.nodes);
  const secondNet = parsed(plan.second);
  const podNet = parsed(plan.pods);
  const naming = draw.pick(NODE_NAMINGS);
  // kind hands out .2, .3, ... in order; other clusters scatter their nodes over the subnet.
  const offsets = draw.chance(0.6) ? Array.from({ length: count }, (_, i) => 2 + i) : draw.shuffle(Array.from({ length: 60 }, (_, i) => 2 + i * 3)).slice(0, count);
  // The compiler's default pod range is the i-th /24; some clusters hand out smaller ones.
  const prefix = draw.chance(0.8) ? Math.max(24, podNet.prefix) : draw.int(Math.max(25, podNet.prefix), MAX_NODE_POD_PREFIX);
  const slots = draw.chance(0.7) ? Array.from({ length: count }, (_, i) => i) : draw.shuffle(Array.from({ length: Math.min(16, 2 ** (prefix - podNet.prefix)) }, (_, i) => i)).slice(0, count);
  return Array.from({ length: count }, (_, i) => {
    const primary = nthAddress(nodeNet, offsets[i]!)!;
    const addresses = [primary];
    if (draw.chance(0.15)) addresses.push(nthAddress(secondNet, 10 + i)!);
    return {
      name: nodeName(naming, i, primary),
      role: i === 0 && naming === 'kind' ? ('control-plane' as const) : ('worker' as const),
      addresses,
      podCIDR: formatCidr(subnet(podNet, prefix, slots[i]!)!),
      ...(draw.chance(0.2) ? { subnet: plan.nodes } : {}),
    };
  });
}

function randomClients(draw: Draw, nodes: NodeSpec[], plan: AddressPlan): ClientSpec[] {
  const count = draw.weighted({ 0: 3, 1: 5, 2: 2 });
  const clients: ClientSpec[] = [];
  for (let i = 0; i < Number(count); i++) {
    const onNodeNet = draw.chance(0.5);
    const address = onNodeNet ? nthAddress(parsed(plan.nodes), 200 + i)! : nthAddress(parsed(OUTSIDE_RANGES.external), 42 + i)!;
    const routes = draw.chance(0.3) ? [{ to: plan.services, via: draw.pick(nodes).addresses[0]! }] : [];
    const serves = draw.chance(0.3) ? [{ port: 9376, protocol: 'TCP' as const }] : [];
    clients.push({ name: i === 0 ? 'client' : 'upstream', address, routes, ...(serves.length > 0 ? { serves } : {}) });
  }
  return clients;
}

/** `--nodeport-addresses`: empty, `primary`, CIDRs holding node addresses or not, loopback. */
function randomNodePortAddresses(draw: Draw, nodes: NodeSpec[], plan: AddressPlan): string[] {
  const anyNode = draw.pick(nodes);
  switch (draw.weighted({ empty: 10, primary: 3, subnet: 3, subnetAndLoopback: 2, nodeHost: 1, noNode: 1, second: 1, all: 1 })) {
    case 'empty':
      return [];
    case 'primary':
      return draw.chance(0.7) ? ['primary'] : ['primary', '127.0.0.0/8'];
    case 'subnet':
      return [plan.nodes];
    case 'subnetAndLoopback':
      return [plan.nodes, '127.0.0.0/8'];
    case 'nodeHost':
      return [`${anyNode.addresses[0]}/32`];
    case 'noNode':
      return [OUTSIDE_RANGES.external];
    case 'second':
      return [plan.second];
    case 'all':
      return ['0.0.0.0/0'];
  }
  return [];
}

function randomKubeProxy(draw: Draw, opts: RandomClusterOptions, nodes: NodeSpec[], plan: AddressPlan): KubeProxyConfig {
  const defaults = defaultKubeProxy();
  const modes: Record<DetectLocalMode, number> = { ClusterCIDR: 9, NodeCIDR: 6, None: 5, BridgeInterface: 0, InterfaceNamePrefix: 0 };
  if (opts.interfaceDetectLocal) Object.assign(modes, { BridgeInterface: 2, InterfaceNamePrefix: 2 });
  const detectLocal = draw.weighted(modes);
  const mode: ProxyMode = opts.mode ?? (draw.chance(0.5) ? 'iptables' : 'nftables');
  return {
    mode,
    detectLocal,
    ...(detectLocal === 'BridgeInterface' ? { bridgeInterface: draw.pick(['cni0', 'br0', 'docker0']) } : {}),
    ...(detectLocal === 'InterfaceNamePrefix' ? { interfaceNamePrefix: draw.pick(['veth', 'eni', 'cali']) } : {}),
    masqueradeAll: draw.chance(0.2),
    nodePortAddresses: randomNodePortAddresses(draw, nodes, plan),
    localhostNodePorts: draw.chance(0.7) ? defaults.localhostNodePorts : !defaults.localhostNodePorts,
    masqueradeBit: draw.chance(0.75) ? defaults.masqueradeBit : draw.int(0, 31),
  };
}

export function randomCluster(draw: Draw, opts: RandomClusterOptions): ClusterSpec {
  const plan = addressPlan(draw);
  const nodeCount = draw.int(1, opts.maxNodes);
  const nodes = randomNodes(draw, nodeCount, plan);
  const clients = randomClients(draw, nodes, plan);
  const [min, max] = draw.weighted(NODE_PORT_RANGES).split('-').map(Number);
  return {
    nodes,
    clients,
    clusterCIDR: plan.pods,
    ...(plan.nodeSubnet ? { podAddressing: 'node-subnet' as const } : {}),
    serviceCIDR: plan.services,
    nodePortRange: { min: min!, max: max! },
    kubeProxy: randomKubeProxy(draw, opts, nodes, plan),
  };
}

/** Whether `address` is one of a node's addresses. */
export function isNodeAddress(cluster: ClusterSpec, address: string): boolean {
  return cluster.nodes.some((n) => n.addresses.includes(address));
}

/** The node subnet a random state was built on (the range holding every node's primary address). */
export function nodeSubnetOf(cluster: ClusterSpec): string | undefined {
  return Object.keys(NODE_SUBNETS).find((s) => cluster.nodes.every((n) => cidrContains(parsed(s), n.addresses[0]!)));
}
