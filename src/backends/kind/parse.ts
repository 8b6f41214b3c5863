/**
 * Parsers for what kubectl and docker print. Each takes the raw text a command wrote and returns
 * plain data, throwing a clear error when the text is not what the command should print.
 */
import { isIPv4 } from './names.js';

/** A real node as `kubectl get nodes -o json` describes it. */
export interface RealNode {
  name: string;
  role: 'control-plane' | 'worker';
  internalIP: string;
  podCIDR?: string;
  ready: boolean;
}

interface K8sList {
  kind?: string;
  items?: unknown[];
}

function parseJsonList(text: string, what: string): unknown[] {
  let doc: K8sList;
  try {
    doc = JSON.parse(text) as K8sList;
  } catch {
    throw new Error(`kind backend: ${what} did not print JSON: ${text.slice(0, 200)}`);
  }
  if (!doc || !Array.isArray(doc.items)) throw new Error(`kind backend: ${what} printed JSON without an items list`);
  return doc.items;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** `kubectl get nodes -o json`: name, role (control-plane label), InternalIP, podCIDR, Ready. */
export function parseNodesJson(text: string): RealNode[] {
  return parseJsonList(text, 'kubectl get nodes -o json').map((item) => {
    const meta = obj(obj(item).metadata);
    const labels = obj(meta.labels);
    const status = obj(obj(item).status);
    const name = str(meta.name) ?? '';
    const internal = arr(status.addresses)
      .map(obj)
      .find((a) => a.type === 'InternalIP' && isIPv4(str(a.address) ?? ''));
    const ready = arr(status.conditions)
      .map(obj)
      .some((c) => c.type === 'Ready' && c.status === 'True');
    const node: RealNode = {
      name,
      role: 'node-role.kubernetes.io/control-plane' in labels || 'node-role.kubernetes.io/master' in labels ? 'control-plane' : 'worker',
      internalIP: str(internal?.address) ?? '',
      ready,
    };
    const podCIDR = str(obj(obj(item).spec).podCIDR);
    if (podCIDR) node.podCIDR = podCIDR;
    return node;
  });
}

/** `kubectl get nodes -o wide` (for humans, also in lab transcripts): name, status, roles, INTERNAL-IP. */
export function parseNodesWide(text: string): { name: string; status: string; roles: string[]; internalIP: string }[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines.shift()?.trim().split(/\s+/) ?? [];
  const col = (name: string): number => header.indexOf(name);
  if (col('NAME') !== 0 || col('INTERNAL-IP') < 0) throw new Error('kind backend: kubectl get nodes -o wide: no NAME ... INTERNAL-IP header');
  return lines.map((line) => {
    const cells = line.trim().split(/\s+/);
    return {
      name: cells[col('NAME')],
      status: cells[col('STATUS')],
      roles: cells[col('ROLES')] === '<none>' ? [] : cells[col('ROLES')].split(','),
      internalIP: cells[col('INTERNAL-IP')],
    };
  });
}

/** One endpoint of a real EndpointSlice. */
export interface RealSliceEndpoint {
  address: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  pod?: string;
  nodeName?: string;
}

export interface RealSlice {
  name: string;
  service: string;
  ports: { name: string; port: number; protocol: string }[];
  endpoints: RealSliceEndpoint[];
}

/** `kubectl get endpointslices -o json`. Conditions default as the API documents (nil ready = true). */
export function parseEndpointSlicesJson(text: string): RealSlice[] {
  return parseJsonList(text, 'kubectl get endpointslices -o json').map((item) => {
    const o = obj(item);
    const meta = obj(o.metadata);
    return {
      name: str(meta.name) ?? '',
      service: str(obj(meta.labels)['kubernetes.io/service-name']) ?? '',
      ports: arr(o.ports).map((p) => ({ name: str(obj(p).name) ?? '', port: Number(obj(p).port), protocol: str(obj(p).protocol) ?? 'TCP' })),
      endpoints: arr(o.endpoints).flatMap((e) => {
        const ep = obj(e);
        const cond = obj(ep.conditions);
        const ref = obj(ep.targetRef);
        return arr(ep.addresses)
          .filter((a): a is string => typeof a === 'string')
          .map((address) => {
            const out: RealSliceEndpoint = {
              address,
              ready: cond.ready !== false,
              serving: cond.serving === undefined ? cond.ready !== false : cond.serving === true,
              terminating: cond.terminating === true,
            };
            if (ref.kind === 'Pod' && str(ref.name)) out.pod = str(ref.name);
            if (str(ep.nodeName)) out.nodeName = str(ep.nodeName);
            return out;
          });
      }),
    };
  });
}

/** A real pod: where it runs, its IP, whether it is Ready. */
export interface RealPod {
  name: string;
  node: string;
  ip: string;
  phase: string;
  ready: boolean;
  deleting: boolean;
  /** The backend's spec fingerprint annotation, when the pod is one of ours. */
  fingerprint?: string;
}

/** `kubectl get pods -o json`. */
export function parsePodsJson(text: string): RealPod[] {
  return parseJsonList(text, 'kubectl get pods -o json').map((item) => {
    const o = obj(item);
    const status = obj(o.status);
    const fingerprint = str(obj(obj(o.metadata).annotations)['svclab.dev/fingerprint']);
    return {
      ...(fingerprint ? { fingerprint } : {}),
      name: str(obj(o.metadata).name) ?? '',
      node: str(obj(o.spec).nodeName) ?? '',
      ip: str(status.podIP) ?? '',
      phase: str(status.phase) ?? '',
      ready: arr(status.conditions)
        .map(obj)
        .some((c) => c.type === 'Ready' && c.status === 'True'),
      deleting: str(obj(o.metadata).deletionTimestamp) !== undefined,
    };
  });
}

/** A real Service's allocated addresses and ports. */
export interface RealService {
  name: string;
  type: string;
  clusterIP: string;
  ports: { name: string; protocol: string; port: number; nodePort?: number }[];
  externalIPs: string[];
  loadBalancerIngress: string[];
  healthCheckNodePort?: number;
}

/** `kubectl get services -o json`. */
export function parseServicesJson(text: string): RealService[] {
  return parseJsonList(text, 'kubectl get services -o json').map((item) => {
    const o = obj(item);
    const spec = obj(o.spec);
    return {
      ...(typeof spec.healthCheckNodePort === 'number' ? { healthCheckNodePort: spec.healthCheckNodePort } : {}),
      name: str(obj(o.metadata).name) ?? '',
      type: str(spec.type) ?? 'ClusterIP',
      clusterIP: str(spec.clusterIP) ?? '',
      ports: arr(spec.ports).map((p) => {
        const po = obj(p);
        const out: RealService['ports'][number] = { name: str(po.name) ?? '', protocol: str(po.protocol) ?? 'TCP', port: Number(po.port) };
        if (typeof po.nodePort === 'number') out.nodePort = po.nodePort;
        return out;
      }),
      externalIPs: arr(spec.externalIPs).filter((a): a is string => typeof a === 'string'),
      loadBalancerIngress: arr(obj(obj(o.status).loadBalancer).ingress)
        .map((i) => str(obj(i).ip))
        .filter((a): a is string => a !== undefined),
    };
  });
}

/**
 * `docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}},{{.GlobalIPv6Address}}{{end}}' <node>`
 * (exactly how kind reads a node's IP): "172.18.0.4," or "172.18.0.4,fc00:f853:ccd:e793::4".
 */
export function parseDockerInspectIPs(text: string): { ipv4?: string; ipv6?: string } {
  const [v4, v6] = text.trim().split(',');
  const out: { ipv4?: string; ipv6?: string } = {};
  if (v4 && isIPv4(v4)) out.ipv4 = v4;
  if (v6) out.ipv6 = v6;
  return out;
}

/** What `docker network inspect kind` says about the network clients join. */
export interface DockerNetwork {
  name: string;
  subnets: string[];
  gateways: string[];
  /** Container name -> IPv4 address (without prefix length). */
  containers: Record<string, string>;
}

/** `docker network inspect kind` (default JSON output: an array with one network). */
export function parseNetworkInspect(text: string): DockerNetwork {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error(`kind backend: docker network inspect did not print JSON: ${text.slice(0, 200)}`);
  }
  const net = obj(arr(doc)[0]);
  if (!str(net.Name)) throw new Error('kind backend: docker network inspect printed no network');
  const configs = arr(obj(net.IPAM).Config).map(obj);
  const containers: Record<string, string> = {};
  for (const c of Object.values(obj(net.Containers)).map(obj)) {
    const name = str(c.Name);
    const ip = str(c.IPv4Address)?.replace(/\/\d+$/, '');
    if (name && ip) containers[name] = ip;
  }
  return {
    name: str(net.Name) ?? '',
    subnets: configs.map((c) => str(c.Subnet)).filter((s): s is string => s !== undefined),
    gateways: configs.map((c) => str(c.Gateway)).filter((s): s is string => s !== undefined),
    containers,
  };
}

/** `kind get clusters`: one name per line ("No kind clusters found." goes to stderr). */
export function parseKindClusters(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^[a-z0-9][-a-z0-9.]*$/.test(l));
}
