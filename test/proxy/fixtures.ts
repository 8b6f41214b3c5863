/** Hand-built cluster states for the proxy tests: seed 004 (KANS NodePort lab). */
import type { ClusterState, Pod, Service } from '../../src/model/types.js';
import { defaultKubeProxy } from '../../src/model/defaults.js';
import type { CompiledScenario, SendStep, ChangeStep, TrafficSource, Expectation } from '../../src/model/scenario.js';
import type { BackendContext } from '../../src/backends/backend.js';

export const NODES = [
  { name: 'myk8s-control-plane', ip: '172.18.0.4', role: 'control-plane' as const, podCIDR: '10.10.0.0/24' },
  { name: 'myk8s-worker', ip: '172.18.0.5', role: 'worker' as const, podCIDR: '10.10.2.0/24' },
  { name: 'myk8s-worker2', ip: '172.18.0.2', role: 'worker' as const, podCIDR: '10.10.1.0/24' },
  { name: 'myk8s-worker3', ip: '172.18.0.3', role: 'worker' as const, podCIDR: '10.10.3.0/24' },
];

export const PODS = [
  { name: 'deploy-echo-a', node: 'myk8s-worker', ip: '10.10.2.3' },
  { name: 'deploy-echo-b', node: 'myk8s-worker2', ip: '10.10.1.3' },
  { name: 'deploy-echo-c', node: 'myk8s-worker3', ip: '10.10.3.3' },
];

export const NPORT = 30682;
export const CIP = '10.200.1.73';

export interface LabOptions {
  /** Pod names present (default all three). */
  pods?: string[];
  etp?: 'Cluster' | 'Local';
  affinity?: boolean;
  /** Client route to the service CIDR via this node address. */
  clientRouteVia?: string;
  /** Add a UDP port: service 53 -> pod 8081, node port UDP_NPORT. */
  udp?: boolean;
}

export const UDP_NPORT = 30053;

export function lab004(opts: LabOptions = {}): ClusterState {
  const names = opts.pods ?? PODS.map((p) => p.name);
  const pods: Pod[] = PODS.filter((p) => names.includes(p.name)).map((p) => ({
    namespace: 'default',
    name: p.name,
    node: p.node,
    ip: p.ip,
    labels: { app: 'deploy-websrv' },
    owner: 'deploy-echo',
    ports: opts.udp ? [{ containerPort: 8080, protocol: 'TCP' }, { containerPort: 8081, protocol: 'UDP' }] : [{ containerPort: 8080, protocol: 'TCP' }],
    ready: true,
    serving: true,
    terminating: false,
  }));
  const svc: Service = {
    namespace: 'default',
    name: 'svc-nodeport',
    type: 'NodePort',
    clusterIP: CIP,
    selector: { app: 'deploy-websrv' },
    ports: [
      { name: 'svc-webport', protocol: 'TCP', port: 9000, targetPort: 8080, nodePort: NPORT },
      ...(opts.udp ? [{ name: 'dns', protocol: 'UDP' as const, port: 53, targetPort: 8081, nodePort: UDP_NPORT }] : []),
    ],
    externalIPs: [],
    loadBalancerIngress: [],
    externalTrafficPolicy: opts.etp ?? 'Cluster',
    internalTrafficPolicy: 'Cluster',
    sessionAffinity: opts.affinity ? 'ClientIP' : 'None',
    sessionAffinityTimeoutSeconds: 10800,
    loadBalancerSourceRanges: [],
  };
  return {
    cluster: {
      nodes: NODES.map((n) => ({ name: n.name, role: n.role, addresses: [n.ip], podCIDR: n.podCIDR })),
      clients: [
        {
          name: 'mypc',
          address: '172.18.0.100',
          routes: opts.clientRouteVia ? [{ to: '10.200.1.0/24', via: opts.clientRouteVia }] : [],
        },
      ],
      clusterCIDR: '10.10.0.0/16',
      serviceCIDR: '10.200.1.0/24',
      nodePortRange: { min: 30000, max: 32767 },
      kubeProxy: defaultKubeProxy(),
    },
    manifests: [],
    deployments: [{ namespace: 'default', name: 'deploy-echo', replicas: pods.length, selector: { app: 'deploy-websrv' } }],
    pods,
    services: [svc],
    endpointSlices: [
      {
        namespace: 'default',
        name: 'svc-nodeport-abcde',
        serviceName: 'svc-nodeport',
        addressType: 'IPv4',
        ports: [{ name: 'svc-webport', port: 8080, protocol: 'TCP' }, ...(opts.udp ? [{ name: 'dns', port: 8081, protocol: 'UDP' as const }] : [])],
        endpoints: pods.map((p) => ({
          addresses: [p.ip],
          conditions: { ready: true, serving: true, terminating: false },
          nodeName: p.node,
          pod: p.name,
        })),
      },
    ],
  };
}

const loc = { file: 'test.yaml', line: 1, col: 1 };

export const MYPC: TrafficSource = { kind: 'client', name: 'mypc', address: '172.18.0.100' };
export const nodeSource = (i: number): TrafficSource => ({ kind: 'node', name: NODES[i].name, address: NODES[i].ip });

export function sendStep(state: ClusterState, from: TrafficSource, to: { address: string; port: number }, count: number, timeoutMs = 10_000, protocol: 'TCP' | 'UDP' = 'TCP'): SendStep {
  const expect: Expectation[] = [];
  return {
    kind: 'send',
    index: 0,
    title: `${count} curls`,
    loc,
    state,
    traffic: { count, from, to, targetText: `${to.address}:${to.port}`, protocol, timeoutMs },
    expect,
  };
}

export function changeStep(state: ClusterState): ChangeStep {
  return { kind: 'change', index: 0, title: 'change', loc, state, change: { op: 'scale', target: { kind: 'Deployment', name: 'deploy-echo', namespace: 'default' }, replicas: state.pods.length } };
}

export function scenarioOf(initial: ClusterState, later: ClusterState[] = []): CompiledScenario {
  return {
    file: '/tmp/test.yaml',
    name: 'kans-nodeport',
    tags: [],
    loc,
    initial,
    steps: later.map((s, i) => ({ ...changeStep(s), index: i })),
  };
}

export function context(seed = 1): { ctx: BackendContext; abort: AbortController } {
  const abort = new AbortController();
  return { abort, ctx: { seed, signal: abort.signal, log: () => undefined } };
}
