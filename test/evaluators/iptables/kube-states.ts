/**
 * The Services and EndpointSlices of kube-proxy's packet-flow tests (proxier_test.go), as svclab
 * ClusterStates for the node "test-node" (192.168.0.2, secondary 192.168.1.2; cluster CIDR
 * 10.0.0.0/8). Endpoints with no nodeName upstream have none here either (not local).
 */
import type { ClusterState, EndpointConditions, EndpointSlice, KubeProxyConfig, Service, ServicePort } from '../../../src/model/types.js';
import { defaultKubeProxy, newService } from '../../../src/model/defaults.js';

export const TEST_NODE = 'test-node';

type Ep = { ip: string; node?: string; cond?: Partial<EndpointConditions> };

export function svc(ns: string, name: string, fields: Partial<Service> & { ports: ServicePort[] }): Service {
  return newService(ns, name, fields);
}

export function port(name: string, p: number, extra: Partial<ServicePort> = {}): ServicePort {
  return { name, protocol: 'TCP', port: p, targetPort: p, ...extra };
}

export function slice(ns: string, service: string, eps: Ep[], ports: { name: string; port: number; protocol?: 'TCP' | 'UDP' | 'SCTP' }[]): EndpointSlice {
  return {
    namespace: ns,
    name: `${service}-1`,
    serviceName: service,
    addressType: 'IPv4',
    ports: ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP' })),
    endpoints: eps.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: true, serving: true, terminating: false, ...e.cond },
      ...(e.node ? { nodeName: e.node } : {}),
    })),
  };
}

export function clusterWith(services: Service[], slices: EndpointSlice[], kp: Partial<KubeProxyConfig> = {}): ClusterState {
  return {
    cluster: {
      nodes: [{ name: TEST_NODE, role: 'worker', addresses: ['192.168.0.2', '192.168.1.2'], podCIDR: '10.180.0.0/24' }],
      clients: [],
      clusterCIDR: '10.0.0.0/8',
      serviceCIDR: '172.30.0.0/16',
      nodePortRange: { min: 30000, max: 32767 },
      kubeProxy: { ...defaultKubeProxy(), ...kp },
    },
    manifests: [],
    deployments: [],
    pods: [],
    services,
    endpointSlices: slices,
  };
}

const p80 = [{ name: 'p80', port: 80 }];
const unnamed80 = [{ name: '', port: 80 }];

/** Every upstream test configuration whose flows we check, by fixture name. */
export const kubeStates: Record<string, () => ClusterState> = {
  'no-endpoints-reject': () =>
    clusterWith(
      [svc('ns1', 'svc1', { type: 'LoadBalancer', clusterIP: '172.30.0.41', externalIPs: ['192.168.99.11'], loadBalancerIngress: [{ ip: '1.2.3.4' }], ports: [port('p80', 80, { nodePort: 3001 })] })],
      [],
    ),
  'cluster-ip-general': () =>
    clusterWith(
      [
        svc('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: [port('http', 80)] }),
        svc('ns2', 'svc2', {
          clusterIP: '172.30.0.42',
          ports: [port('http', 80), port('https', 443, { targetPort: 8443 }), port('dns-udp', 53, { protocol: 'UDP' }), port('dns-tcp', 53, { targetPort: 5353 }), port('dns-sctp', 53, { protocol: 'SCTP' })],
        }),
      ],
      [
        slice('ns1', 'svc1', [{ ip: '10.180.0.1', node: TEST_NODE }], [{ name: 'http', port: 80 }]),
        slice('ns2', 'svc2', [{ ip: '10.180.0.1', node: TEST_NODE }, { ip: '10.180.2.1', node: 'node2' }], [
          { name: 'http', port: 80 },
          { name: 'https', port: 8443 },
          { name: 'dns-udp', port: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 5353 },
          { name: 'dns-sctp', port: 53, protocol: 'SCTP' },
        ]),
      ],
    ),
  'load-balancer': () =>
    clusterWith(
      [
        svc('ns1', 'svc1', {
          type: 'LoadBalancer',
          clusterIP: '172.30.0.41',
          ports: [port('p80', 80, { nodePort: 3001 })],
          loadBalancerIngress: [{ ip: '1.2.3.4' }, { ip: '5.6.7.8' }],
          loadBalancerSourceRanges: ['192.168.0.0/24', ' 203.0.113.0/25'],
        }),
      ],
      [slice('ns1', 'svc1', [{ ip: '10.180.0.1' }], p80)],
    ),
  'etp-local': () =>
    clusterWith(
      [
        svc('ns1', 'svc1', {
          type: 'LoadBalancer',
          externalTrafficPolicy: 'Local',
          clusterIP: '172.30.0.41',
          externalIPs: ['192.168.99.11'],
          ports: [port('p80', 80, { nodePort: 3001 })],
          healthCheckNodePort: 30000,
          loadBalancerIngress: [{ ip: '1.2.3.4' }],
        }),
      ],
      [slice('ns1', 'svc1', [{ ip: '10.180.0.1' }, { ip: '10.180.2.1', node: TEST_NODE }], p80)],
    ),
  'etp-cluster': () =>
    clusterWith(
      [
        svc('ns1', 'svc1', {
          type: 'LoadBalancer',
          clusterIP: '172.30.0.41',
          externalIPs: ['192.168.99.11'],
          ports: [port('p80', 80, { nodePort: 3001 })],
          loadBalancerIngress: [{ ip: '1.2.3.4' }],
        }),
      ],
      [slice('ns1', 'svc1', [{ ip: '10.180.0.1' }, { ip: '10.180.2.1', node: TEST_NODE }], p80)],
    ),
  'health-check-node-port': () =>
    clusterWith(
      [svc('ns1', 'svc1', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', clusterIP: '172.30.0.42', ports: [port('p80', 80, { nodePort: 3001 })], healthCheckNodePort: 30000 })],
      [],
      { nodePortAddresses: ['127.0.0.0/8'] },
    ),
};

function nodePorts(kp: Partial<KubeProxyConfig>): () => ClusterState {
  return () =>
    clusterWith(
      [svc('ns1', 'svc1', { type: 'NodePort', clusterIP: '172.30.0.41', ports: [port('p80', 80, { nodePort: 3001 })] })],
      [slice('ns1', 'svc1', [{ ip: '10.180.0.1' }, { ip: '10.180.2.1', node: TEST_NODE }], p80)],
      kp,
    );
}
kubeStates['node-ports-localhost-on'] = nodePorts({ localhostNodePorts: true });
kubeStates['node-ports-localhost-off'] = nodePorts({ localhostNodePorts: false });
kubeStates['node-ports-addresses-with-localhost'] = nodePorts({ localhostNodePorts: false, nodePortAddresses: ['192.168.0.0/24', '127.0.0.1/32'] });
kubeStates['node-ports-multiple-addresses'] = nodePorts({ localhostNodePorts: false, nodePortAddresses: ['192.168.0.0/24', '192.168.1.0/24'] });

function itp(policy: 'Cluster' | 'Local', eps: [string, string][]): () => ClusterState {
  return () =>
    clusterWith(
      [svc('ns1', 'svc1', { clusterIP: '172.30.1.1', internalTrafficPolicy: policy, ports: [port('', 80)] })],
      [slice('ns1', 'svc1', eps.map(([ip, node]) => ({ ip, node })), unnamed80)],
    );
}
kubeStates['itp-cluster'] = itp('Cluster', [['10.0.1.1', TEST_NODE], ['10.0.1.2', 'node1'], ['10.0.1.3', 'node2']]);
kubeStates['itp-local-one'] = itp('Local', [['10.0.1.1', TEST_NODE], ['10.0.1.2', 'node1'], ['10.0.1.3', 'node2']]);
kubeStates['itp-local-multiple'] = itp('Local', [['10.0.1.1', TEST_NODE], ['10.0.1.2', TEST_NODE], ['10.0.1.3', 'node2']]);
kubeStates['itp-local-none'] = itp('Local', [['10.0.1.1', 'node0'], ['10.0.1.2', 'node1'], ['10.0.1.3', 'node2']]);
kubeStates['itp-deleted'] = () => clusterWith([svc('ns1', 'svc1', { clusterIP: '172.30.1.1', internalTrafficPolicy: 'Local', ports: [port('', 80)] })], []);

const R = { ready: true, serving: true, terminating: false };
const ST = { ready: false, serving: true, terminating: true };
const NS = { ready: false, serving: false, terminating: true };
function terminating(etp: 'Local' | 'Cluster', eps: Ep[]): () => ClusterState {
  return () =>
    clusterWith(
      [svc('ns1', 'svc1', { type: 'LoadBalancer', externalTrafficPolicy: etp, clusterIP: '172.30.1.1', ports: [port('', 80)], healthCheckNodePort: 30000, loadBalancerIngress: [{ ip: '1.2.3.4' }] })],
      eps.length ? [slice('ns1', 'svc1', eps, unnamed80)] : [],
    );
}
const other = (etp: 'Local' | 'Cluster') => (etp === 'Local' ? 'node-1' : 'another-node');
for (const etp of ['Local', 'Cluster'] as const) {
  const t = etp.toLowerCase();
  kubeStates[`terminating-${t}-ready`] = terminating(etp, [
    { ip: '10.0.1.1', node: TEST_NODE, cond: R },
    { ip: '10.0.1.2', node: TEST_NODE, cond: R },
    { ip: '10.0.1.3', node: etp === 'Local' ? TEST_NODE : other(etp), cond: ST },
    { ip: '10.0.1.4', node: etp === 'Local' ? TEST_NODE : other(etp), cond: NS },
    { ip: '10.0.1.5', node: other(etp), cond: R },
  ]);
  kubeStates[`terminating-${t}-only-terminating`] = terminating(etp, [
    { ip: '10.0.1.2', node: TEST_NODE, cond: ST },
    { ip: '10.0.1.3', node: TEST_NODE, cond: ST },
    { ip: '10.0.1.4', node: etp === 'Local' ? TEST_NODE : other(etp), cond: NS },
    { ip: '10.0.1.5', node: other(etp), cond: etp === 'Local' ? R : ST },
  ]);
  kubeStates[`terminating-${t}-remote`] = terminating(etp, [{ ip: '10.0.1.5', node: 'node-1', cond: ST }]);
  kubeStates[`terminating-${t}-unusable`] = terminating(etp, [
    { ip: '10.0.1.5', node: TEST_NODE, cond: NS },
    { ip: '10.0.1.5', node: 'node-1', cond: NS },
  ]);
  kubeStates[`terminating-${t}-deleted`] = terminating(etp, []);
}

function masquerade(kp: Partial<KubeProxyConfig>): () => ClusterState {
  const two = (n: number) => [{ ip: `10.180.0.${n}`, node: TEST_NODE }, { ip: `10.180.1.${n}`, node: 'remote' }];
  return () =>
    clusterWith(
      [
        svc('ns1', 'svc1', { type: 'LoadBalancer', clusterIP: '172.30.0.41', ports: [port('p80', 80, { nodePort: 3001 })], healthCheckNodePort: 30001, loadBalancerIngress: [{ ip: '1.2.3.4' }] }),
        svc('ns2', 'svc2', {
          type: 'LoadBalancer',
          clusterIP: '172.30.0.42',
          externalTrafficPolicy: 'Local',
          ports: [port('p80', 80, { nodePort: 3002 })],
          healthCheckNodePort: 30002,
          loadBalancerIngress: [{ ip: '5.6.7.8' }],
        }),
        svc('ns3', 'svc3', {
          type: 'LoadBalancer',
          clusterIP: '172.30.0.43',
          internalTrafficPolicy: 'Local',
          ports: [port('p80', 80, { nodePort: 3003 })],
          healthCheckNodePort: 30003,
          loadBalancerIngress: [{ ip: '9.10.11.12' }],
        }),
      ],
      [slice('ns1', 'svc1', two(1), p80), slice('ns2', 'svc2', two(2), p80), slice('ns3', 'svc3', two(3), p80)],
      kp,
    );
}
kubeStates['masquerade-base'] = masquerade({});
kubeStates['masquerade-no-detector'] = masquerade({ detectLocal: 'None' });
kubeStates['masquerade-all'] = masquerade({ masqueradeAll: true });
kubeStates['masquerade-all-no-detector'] = masquerade({ masqueradeAll: true, detectLocal: 'None' });
