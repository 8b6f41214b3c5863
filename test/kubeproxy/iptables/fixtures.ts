/**
 * Builders for the cluster kube-proxy's iptables unit tests run against (NewFakeProxier):
 * node "test-node" with 192.168.0.2 (primary), 192.168.1.2 and 192.168.99.11 on its interface,
 * pod CIDR 10.0.0.0/8, detect-local ClusterCIDR, localhost node ports on, mark bit 14.
 * Plus a small normalizer that compares dumps the way kube-proxy's sortIPTablesRules does:
 * chains as a set, rules per chain in order, except the global dispatch chains, whose rules are
 * stably sorted by the service name in their comment (the nodeports catch-all stays last).
 */
import type {
  ClusterState,
  EndpointSlice,
  KubeProxyConfig,
  Protocol,
  Service,
  ServicePort,
  SliceEndpoint,
} from '../../../src/model/types.js';
import { defaultKubeProxy, newService } from '../../../src/model/defaults.js';

export const TEST_NODE = 'test-node';

export function fakeCluster(parts: {
  services: Service[];
  slices?: EndpointSlice[];
  kubeProxy?: Partial<KubeProxyConfig>;
  clusterCIDR?: string;
}): ClusterState {
  return {
    cluster: {
      nodes: [
        { name: TEST_NODE, role: 'worker', addresses: ['192.168.0.2', '192.168.1.2', '192.168.99.11'], podCIDR: '10.0.0.0/24' },
        { name: 'node2', role: 'worker', addresses: ['192.168.0.3'], podCIDR: '10.0.1.0/24' },
      ],
      clients: [],
      clusterCIDR: parts.clusterCIDR ?? '10.0.0.0/8',
      serviceCIDR: '172.30.0.0/16',
      nodePortRange: { min: 30000, max: 32767 },
      kubeProxy: { ...defaultKubeProxy(), ...parts.kubeProxy },
    },
    manifests: [],
    deployments: [],
    pods: [],
    services: parts.services,
    endpointSlices: parts.slices ?? [],
  };
}

/** A Service with kube-proxy's defaults; `patch` sets whatever the test sets. */
export function service(namespace: string, name: string, patch: Partial<Service>): Service {
  return newService(namespace, name, patch);
}

export function port(name: string, portNumber: number, extra: Partial<ServicePort> = {}): ServicePort {
  return { name, protocol: 'TCP', port: portNumber, targetPort: portNumber, ...extra };
}

export interface EndpointSpec {
  ip: string;
  node?: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
  pod?: string;
}

/** An EndpointSlice; unset conditions take the API's nil meanings (ready, serving, not terminating). */
export function slice(
  namespace: string,
  serviceName: string,
  ports: { name: string; port: number; protocol?: Protocol }[],
  endpoints: EndpointSpec[],
  name = `${serviceName}-1`,
): EndpointSlice {
  return {
    namespace,
    name,
    serviceName,
    addressType: 'IPv4',
    ports: ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP' })),
    endpoints: endpoints.map(
      (e): SliceEndpoint => ({
        addresses: [e.ip],
        conditions: { ready: e.ready ?? true, serving: e.serving ?? true, terminating: e.terminating ?? false },
        nodeName: e.node,
        pod: e.pod,
      }),
    ),
  };
}

const BUILTIN = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);
const GLOBAL_SORTED = new Set(['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-EXTERNAL-SERVICES', 'KUBE-PROXY-FIREWALL']);

function serviceKey(rule: string): string | undefined {
  const m = /--comment (?:"([^"]*)"|(\S+))/.exec(rule);
  if (m === null) return undefined;
  const text = m[1] ?? m[2];
  const cut = text.search(/[ :]/);
  return cut < 0 ? text : text.slice(0, cut);
}

/**
 * Canonical text of a dump for comparison: per table, declared chains sorted, then each chain's
 * rules. Builtin chains (the EnsureRule hooks, which kube-proxy's test dumps leave out) and "-X"
 * lines (stale-chain deletions, not part of the resulting state) are dropped.
 */
export function normalizeDump(text: string): string {
  const out: string[] = [];
  const tables = new Map<string, { chains: Set<string>; rules: Map<string, string[]> }>();
  let current: { chains: Set<string>; rules: Map<string, string[]> } | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line === 'COMMIT') continue;
    if (line.startsWith('*')) {
      current = { chains: new Set(), rules: new Map() };
      tables.set(line.slice(1), current);
      continue;
    }
    if (current === undefined) throw new Error(`line outside a table: ${line}`);
    if (line.startsWith(':')) {
      const chain = line.slice(1).split(' ')[0];
      if (!BUILTIN.has(chain)) current.chains.add(chain);
      continue;
    }
    if (line.startsWith('-X ')) continue;
    const m = /^-A (\S+) /.exec(line + ' ');
    if (m === null) throw new Error(`unexpected line: ${line}`);
    if (BUILTIN.has(m[1])) continue;
    const list = current.rules.get(m[1]) ?? [];
    list.push(line);
    current.rules.set(m[1], list);
  }
  for (const name of [...tables.keys()].sort()) {
    const t = tables.get(name)!;
    out.push(`*${name}`);
    for (const chain of [...t.chains].sort()) out.push(`:${chain}`);
    for (const chain of [...t.rules.keys()].sort()) {
      let rules = t.rules.get(chain)!;
      if (GLOBAL_SORTED.has(chain)) {
        const last = rules.filter((r) => r.includes('must be the last rule'));
        const rest = rules.filter((r) => !r.includes('must be the last rule'));
        const keyed = rest.map((r, i) => ({ r, i, k: serviceKey(r) ?? '' }));
        keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.i - b.i));
        rules = [...keyed.map((x) => x.r), ...last];
      }
      out.push(...rules);
    }
  }
  return out.join('\n') + '\n';
}
