/** Cluster state of seed lab 004 (kind, 4 nodes, 3 echo pods, NodePort svc), built by hand. */
import type { ClusterState, EndpointSlice, Pod, Service } from '../../src/model/types.js';
import { defaultKubeProxy } from '../../src/model/defaults.js';

export const NODES = [
  { name: 'myk8s-control-plane', ip: '172.18.0.4', cidr: '10.10.0.0/24', role: 'control-plane' as const },
  { name: 'myk8s-worker', ip: '172.18.0.5', cidr: '10.10.1.0/24', role: 'worker' as const },
  { name: 'myk8s-worker2', ip: '172.18.0.2', cidr: '10.10.2.0/24', role: 'worker' as const },
  { name: 'myk8s-worker3', ip: '172.18.0.3', cidr: '10.10.3.0/24', role: 'worker' as const },
];

export const CLUSTER_IP = '10.200.1.45';
export const NODE_PORT = 30682;

export interface Seed004Options {
  etp?: 'Cluster' | 'Local';
  /** Workers that run a pod (default all three). */
  podNodes?: string[];
  affinity?: boolean;
  routes?: { to: string; via: string }[];
  type?: Service['type'];
  lbIP?: string;
}

export function seed004(opts: Seed004Options = {}): ClusterState {
  const podNodes = opts.podNodes ?? ['myk8s-worker', 'myk8s-worker2', 'myk8s-worker3'];
  const pods: Pod[] = podNodes.map((node, i) => {
    const n = NODES.find((x) => x.name === node)!;
    return {
      namespace: 'default',
      name: `deploy-echo-${i}`,
      node,
      ip: n.cidr.replace(/0\/24$/, String(10 + i)),
      labels: { app: 'deploy-websrv' },
      owner: 'deploy-echo',
      ports: [{ containerPort: 8080, protocol: 'TCP' }],
      ready: true,
      serving: true,
      terminating: false,
    };
  });
  const svc: Service = {
    namespace: 'default',
    name: 'svc-nodeport',
    type: opts.type ?? 'NodePort',
    clusterIP: CLUSTER_IP,
    selector: { app: 'deploy-websrv' },
    ports: [{ name: 'svc-webport', protocol: 'TCP', port: 9000, targetPort: 8080, nodePort: NODE_PORT }],
    externalIPs: [],
    loadBalancerIngress: opts.lbIP ? [{ ip: opts.lbIP }] : [],
    externalTrafficPolicy: opts.etp ?? 'Cluster',
    internalTrafficPolicy: 'Cluster',
    sessionAffinity: opts.affinity ? 'ClientIP' : 'None',
    sessionAffinityTimeoutSeconds: 10800,
    loadBalancerSourceRanges: [],
    healthCheckNodePort: opts.type === 'LoadBalancer' && opts.etp === 'Local' ? 32000 : undefined,
  };
  const slice: EndpointSlice = {
    namespace: 'default',
    name: 'svc-nodeport-abcde',
    serviceName: 'svc-nodeport',
    addressType: 'IPv4',
    ports: [{ name: 'svc-webport', port: 8080, protocol: 'TCP' }],
    endpoints: pods.map((p) => ({ addresses: [p.ip], conditions: { ready: true, serving: true, terminating: false }, nodeName: p.node, pod: p.name })),
  };
  return {
    cluster: {
      nodes: NODES.map((n) => ({ name: n.name, role: n.role, addresses: [n.ip], podCIDR: n.cidr })),
      clients: [{ name: 'mypc', address: '172.18.0.100', routes: opts.routes ?? [] }],
      clusterCIDR: '10.10.0.0/16',
      serviceCIDR: '10.200.1.0/24',
      nodePortRange: { min: 30000, max: 32767 },
      kubeProxy: defaultKubeProxy(),
    },
    manifests: [],
    deployments: [{ namespace: 'default', name: 'deploy-echo', replicas: pods.length, selector: { app: 'deploy-websrv' } }],
    pods,
    services: [svc],
    endpointSlices: [slice],
  };
}
