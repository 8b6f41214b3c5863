/**
 * Synthetic ClusterState for the scale benchmark: N nodes, S Services with E endpoints each, laid
 * out deterministically (no randomness, so every run measures the same cluster). Pods are dealt
 * round-robin over the nodes, so each Service's endpoints spread over consecutive nodes and every
 * node holds about S*E/N pods. Every tenth Service is a NodePort, every fiftieth (offset 5) a
 * LoadBalancer with one ingress IP; the rest are ClusterIP. One external client sits beside the
 * nodes on the shared segment.
 *
 * Address plan (fixed CIDRs sized for the 1,000 nodes / 10,000 Services / 100,000 endpoints):
 *   nodes     172.20.0.0/16, node i = 172.20.0.0 + i + 1
 *   pods      10.64.0.0/14,  node i owns 10.64.0.0 + 256*i /24; pods from .2 upwards
 *   services  10.96.0.0/16,  service j = 10.96.0.0 + j + 10
 *   LB VIPs   198.18.0.0/15 (the benchmarking range), one per LoadBalancer Service
 *   client    172.31.0.100
 */
import type { ClusterState, EndpointSlice, Pod, Service } from '../model/types.js';
import { defaultKubeProxy, newService } from '../model/defaults.js';

/** Size of a synthetic cluster. */
export interface SyntheticOptions {
  nodes: number;
  services: number;
  /** Ready endpoints (pods) behind each Service (default 10). */
  endpointsPerService?: number;
}

export const SYNTHETIC_LIMITS = {
  /** Node /24s that fit in the pod CIDR 10.64.0.0/14. */
  nodes: 1024,
  /** Service IPs that fit in 10.96.0.0/16 after the first 10. */
  services: 65_000,
  /** Pod addresses per node /24 (.2 to .254). */
  podsPerNode: 253,
  /** Node ports in the default range 30000-32767. */
  nodePorts: 2768,
} as const;

export const SYNTHETIC_CLIENT = { name: 'bench-client', address: '172.31.0.100' } as const;

const ip = (n: number): string => `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
const NODE_BASE = (172 << 24) | (20 << 16);
const POD_BASE = (10 << 24) | (64 << 16);
const SVC_BASE = (10 << 24) | (96 << 16);
const LB_BASE = (198 << 24) | (18 << 16);

/** The Service type the generator gives Service number `j`. */
export function syntheticServiceType(j: number): Service['type'] {
  if (j % 50 === 5) return 'LoadBalancer';
  if (j % 10 === 0) return 'NodePort';
  return 'ClusterIP';
}

/** How many Services of `total` need a node port (NodePort and LoadBalancer ones). */
export function syntheticNodePortCount(total: number): number {
  let n = 0;
  for (let j = 0; j < total; j++) if (syntheticServiceType(j) !== 'ClusterIP') n++;
  return n;
}

function checkSize(opts: Required<SyntheticOptions>): void {
  const whole = (name: string, v: number, min: number, max: number): void => {
    if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`synthetic cluster: ${name} must be an integer from ${min} to ${max} (got ${v})`);
  };
  whole('nodes', opts.nodes, 1, SYNTHETIC_LIMITS.nodes);
  whole('services', opts.services, 1, SYNTHETIC_LIMITS.services);
  whole('endpointsPerService', opts.endpointsPerService, 1, 100); // one EndpointSlice holds at most 100
  const perNode = Math.ceil((opts.services * opts.endpointsPerService) / opts.nodes);
  if (perNode > SYNTHETIC_LIMITS.podsPerNode) {
    throw new RangeError(`synthetic cluster: ${perNode} pods per node do not fit a node's /24 (at most ${SYNTHETIC_LIMITS.podsPerNode}); add nodes`);
  }
  const ports = syntheticNodePortCount(opts.services);
  if (ports > SYNTHETIC_LIMITS.nodePorts) throw new RangeError(`synthetic cluster: ${ports} node ports exceed the range 30000-32767`);
}

/** Builds the cluster; throws RangeError when the size does not fit the address plan. */
export function syntheticCluster(options: SyntheticOptions): ClusterState {
  const opts: Required<SyntheticOptions> = { endpointsPerService: 10, ...options };
  checkSize(opts);
  const nodes = Array.from({ length: opts.nodes }, (_, i) => ({
    name: `node-${String(i).padStart(4, '0')}`,
    role: i === 0 ? ('control-plane' as const) : ('worker' as const),
    addresses: [ip(NODE_BASE + i + 1)],
    podCIDR: `${ip(POD_BASE + 256 * i)}/24`,
  }));
  const podsOnNode = new Int32Array(opts.nodes);
  const pods: Pod[] = [];
  const services: Service[] = [];
  const endpointSlices: EndpointSlice[] = [];
  let podIndex = 0;
  let nodePort = 30000;
  let lbIndex = 0;
  for (let j = 0; j < opts.services; j++) {
    const name = `svc-${String(j).padStart(5, '0')}`;
    const app = `app-${j}`;
    const type = syntheticServiceType(j);
    const endpoints: EndpointSlice['endpoints'] = [];
    for (let k = 0; k < opts.endpointsPerService; k++) {
      const n = podIndex++ % opts.nodes;
      const podIp = ip(POD_BASE + 256 * n + 2 + podsOnNode[n]++);
      const pod: Pod = {
        namespace: 'default',
        name: `${name}-${k}`,
        node: nodes[n].name,
        ip: podIp,
        labels: { app },
        owner: name,
        ports: [{ containerPort: 8080, protocol: 'TCP' }],
        ready: true,
        serving: true,
        terminating: false,
      };
      pods.push(pod);
      endpoints.push({ addresses: [podIp], conditions: { ready: true, serving: true, terminating: false }, nodeName: pod.node, pod: pod.name });
    }
    services.push(
      newService('default', name, {
        type,
        clusterIP: ip(SVC_BASE + j + 10),
        selector: { app },
        ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, ...(type === 'ClusterIP' ? {} : { nodePort: nodePort++ }) }],
        loadBalancerIngress: type === 'LoadBalancer' ? [{ ip: ip(LB_BASE + 1 + lbIndex++) }] : [],
      }),
    );
    endpointSlices.push({
      namespace: 'default',
      name: `${name}-abcde`,
      serviceName: name,
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints,
    });
  }
  return {
    cluster: {
      nodes,
      clients: [{ name: SYNTHETIC_CLIENT.name, address: SYNTHETIC_CLIENT.address, routes: [] }],
      clusterCIDR: '10.64.0.0/14',
      serviceCIDR: '10.96.0.0/16',
      nodePortRange: { min: 30000, max: 32767 },
      kubeProxy: defaultKubeProxy(),
    },
    manifests: [],
    deployments: [],
    pods,
    services,
    endpointSlices,
  };
}
