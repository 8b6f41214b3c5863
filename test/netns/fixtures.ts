/**
 * Hand-built cluster states shaped like seed 004 (KANS NodePort lab): a kind cluster of four
 * nodes, an external client `mypc`, `deploy-echo` behind the NodePort service `svc-nodeport`.
 */
import type { ClusterState, EndpointSlice, Pod, Service } from '../../src/model/types.js';
import type { Traffic, TrafficSource } from '../../src/model/scenario.js';

export const NODES = {
  cp: { name: 'myk8s-control-plane', ip: '172.18.0.4', podCIDR: '10.10.0.0/24' },
  w1: { name: 'myk8s-worker', ip: '172.18.0.5', podCIDR: '10.10.1.0/24' },
  w2: { name: 'myk8s-worker2', ip: '172.18.0.2', podCIDR: '10.10.2.0/24' },
  w3: { name: 'myk8s-worker3', ip: '172.18.0.3', podCIDR: '10.10.3.0/24' },
} as const;

export const CLIENT = { name: 'mypc', ip: '172.18.0.100' };
export const CLUSTER_IP = '10.200.1.10';
export const NODE_PORT = 30898;

const ECHO_PODS: { name: string; node: string; ip: string }[] = [
  { name: 'deploy-echo-7f6f7d9c4-abcde', node: NODES.w1.name, ip: '10.10.1.2' },
  { name: 'deploy-echo-7f6f7d9c4-fghij', node: NODES.w2.name, ip: '10.10.2.2' },
  { name: 'deploy-echo-7f6f7d9c4-klmno', node: NODES.w3.name, ip: '10.10.3.2' },
];

export interface Seed004Options {
  /** How many of the three echo pods exist (in order: worker, worker2, worker3). */
  replicas?: number;
  externalTrafficPolicy?: 'Cluster' | 'Local';
  protocol?: 'TCP' | 'UDP';
}

/** The seed-004 cluster in a given configuration. */
export function seed004(options: Seed004Options = {}): ClusterState {
  const replicas = options.replicas ?? 3;
  const protocol = options.protocol ?? 'TCP';
  const pods: Pod[] = ECHO_PODS.slice(0, replicas).map((p) => ({
    namespace: 'default',
    name: p.name,
    node: p.node,
    ip: p.ip,
    labels: { app: 'deploy-websrv' },
    owner: 'deploy-echo',
    ports: [{ containerPort: 8080, protocol }],
    ready: true,
    serving: true,
    terminating: false,
  }));
  const service: Service = {
    namespace: 'default',
    name: 'svc-nodeport',
    type: 'NodePort',
    clusterIP: CLUSTER_IP,
    selector: { app: 'deploy-websrv' },
    ports: [{ name: 'svc-webport', protocol, port: 9000, targetPort: 8080, nodePort: NODE_PORT }],
    externalIPs: [],
    loadBalancerIngress: [],
    externalTrafficPolicy: options.externalTrafficPolicy ?? 'Cluster',
    internalTrafficPolicy: 'Cluster',
    sessionAffinity: 'None',
    sessionAffinityTimeoutSeconds: 10800,
    loadBalancerSourceRanges: [],
  };
  const slice: EndpointSlice = {
    namespace: 'default',
    name: 'svc-nodeport-x7k2p',
    serviceName: 'svc-nodeport',
    addressType: 'IPv4',
    ports: [{ name: 'svc-webport', port: 8080, protocol }],
    endpoints: pods.map((p) => ({
      addresses: [p.ip],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: p.node,
      pod: p.name,
    })),
  };
  return {
    cluster: {
      nodes: Object.values(NODES).map((n, i) => ({
        name: n.name,
        role: i === 0 ? ('control-plane' as const) : ('worker' as const),
        addresses: [n.ip],
        podCIDR: n.podCIDR,
      })),
      clients: [{ name: CLIENT.name, address: CLIENT.ip, routes: [] }],
      clusterCIDR: '10.10.0.0/16',
      serviceCIDR: '10.200.1.0/24',
      nodePortRange: { min: 30000, max: 32767 },
      kubeProxy: {
        mode: 'iptables',
        detectLocal: 'ClusterCIDR',
        masqueradeAll: false,
        nodePortAddresses: [],
        localhostNodePorts: true,
        masqueradeBit: 14,
      },
    },
    manifests: [],
    deployments: [{ namespace: 'default', name: 'deploy-echo', replicas, selector: { app: 'deploy-websrv' } }],
    pods,
    services: [service],
    endpointSlices: [slice],
  };
}

export const ECHO_POD_NAMES = ECHO_PODS.map((p) => p.name);

export function fromClient(): TrafficSource {
  return { kind: 'client', name: CLIENT.name, address: CLIENT.ip };
}

export function fromNode(node: { name: string; ip: string }): TrafficSource {
  return { kind: 'node', name: node.name, address: node.ip };
}

/** `count` requests from `from` to address:port. */
export function traffic(from: TrafficSource, address: string, port: number, count: number, timeoutMs = 1000, protocol: 'TCP' | 'UDP' = 'TCP'): Traffic {
  return { count, from, to: { address, port }, targetText: `${address}:${port}`, protocol, timeoutMs };
}

/** Why the kernel tests cannot run here, or undefined when they can. */
export async function kernelSkipReason(): Promise<string | undefined> {
  const { checkPrerequisites } = await import('../../src/backends/netns/check.js');
  try {
    await checkPrerequisites();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

export const LB_IP = '172.18.255.201';
export const EXTERNAL_IP = '203.0.113.10';
export const LB_NODE_PORT = 31080;
export const HEALTH_PORT = 32000;

/**
 * Seed 004 with two echo pods (worker, worker2) and more ways in: svc-nodeport also has an external
 * IP, and svc-lb is a LoadBalancer with externalTrafficPolicy Local and a health-check node port.
 */
export function seed004WithLoadBalancer(): ClusterState {
  const state = seed004({ replicas: 2 });
  state.services[0].externalIPs = [EXTERNAL_IP];
  state.services.push({
    ...state.services[0],
    name: 'svc-lb',
    type: 'LoadBalancer',
    clusterIP: '10.200.1.20',
    ports: [{ name: '', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: LB_NODE_PORT }],
    externalIPs: [],
    loadBalancerIngress: [{ ip: LB_IP }],
    externalTrafficPolicy: 'Local',
    healthCheckNodePort: HEALTH_PORT,
  });
  state.endpointSlices.push({
    ...state.endpointSlices[0],
    name: 'svc-lb-q8w3e',
    serviceName: 'svc-lb',
    ports: [{ name: '', port: 8080, protocol: 'TCP' }],
  });
  return state;
}
