/**
 * Pods, Services and EndpointSlices as a scenario states them: kubectl's bookkeeping stripped
 * (managedFields, uid, resourceVersion, status, annotations), fields svclab does not model left out
 * with a note. Pods keep their node, labels and container ports; their readiness becomes endpoint
 * steps. EndpointSlices are kept for Services without a selector; svclab derives the others from
 * the pods, as the EndpointSlice controller does.
 */
import { parseIp } from '../model/ip.js';
import type { InputObject } from './read-input.js';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const stringMap = (v: unknown): Record<string, string> | undefined => {
  if (!isObject(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return Object.keys(out).length ? out : undefined;
};

export interface ImportedPod {
  name: string;
  namespace: string;
  node: string;
  ip?: string;
  manifest: Obj;
  /** Readiness as an endpoint step condition when not simply ready. */
  condition?: 'not-ready' | 'terminating';
}

function meta(obj: InputObject, withLabels: boolean): Obj {
  const m = obj.value.metadata as Obj;
  const out: Obj = { name: m.name, namespace: typeof m.namespace === 'string' ? m.namespace : 'default' };
  const labels = withLabels ? stringMap(m.labels) : undefined;
  if (labels) out.labels = labels;
  return out;
}

export const nsName = (obj: InputObject): string => `${(obj.value.metadata as Obj).namespace ?? 'default'}/${(obj.value.metadata as Obj).name}`;

/** A running pod, or the reason it is left out. */
export function importPod(obj: InputObject, nodes: Set<string>): ImportedPod | string {
  const v = obj.value;
  const spec = isObject(v.spec) ? v.spec : {};
  const status = isObject(v.status) ? v.status : {};
  const m = meta(obj, true);
  if (spec.hostNetwork === true) return 'uses the host network (not modelled: it answers on its node address)';
  if (status.phase === 'Succeeded' || status.phase === 'Failed') return `has finished (phase ${String(status.phase)})`;
  if (typeof spec.nodeName !== 'string') return 'is not scheduled on a node';
  if (!nodes.has(spec.nodeName)) return `runs on node '${spec.nodeName}', which is not in the input`;
  const containers = (Array.isArray(spec.containers) ? spec.containers : []).filter(isObject).map((c, i) => {
    const out: Obj = { name: typeof c.name === 'string' ? c.name : `c${i}` };
    const ports = (Array.isArray(c.ports) ? c.ports : []).filter(isObject).filter((p) => typeof p.containerPort === 'number');
    if (ports.length) {
      out.ports = ports.map((p) => ({
        ...(typeof p.name === 'string' ? { name: p.name } : {}),
        containerPort: p.containerPort,
        ...(p.protocol && p.protocol !== 'TCP' ? { protocol: p.protocol } : {}),
      }));
    }
    return out;
  });
  if (!containers.length) return 'has no containers';
  const conditions = Array.isArray(status.conditions) ? status.conditions.filter(isObject) : [];
  const ready = conditions.find((c) => c.type === 'Ready')?.status === 'True';
  const deleting = isObject(v.metadata) && (v.metadata as Obj).deletionTimestamp !== undefined && (v.metadata as Obj).deletionTimestamp !== null;
  return {
    name: m.name as string,
    namespace: m.namespace as string,
    node: spec.nodeName,
    ...(typeof status.podIP === 'string' ? { ip: status.podIP } : {}),
    manifest: { apiVersion: 'v1', kind: 'Pod', metadata: m, spec: { nodeName: spec.nodeName, containers } },
    ...(deleting ? { condition: 'terminating' as const } : !ready ? { condition: 'not-ready' as const } : {}),
  };
}

export interface ImportedService {
  name: string;
  namespace: string;
  manifest: Obj;
  selector?: Record<string, string>;
  /** IPv4 cluster IP, or undefined for headless and ExternalName Services. */
  clusterIP?: string;
  ports: { name?: string; port: number; protocol: string; nodePort?: number }[];
}

const DROPPED_SERVICE_FIELDS = ['loadBalancerIP', 'loadBalancerClass', 'trafficDistribution', 'topologyKeys'];

/** A Service as the scenario states it, or the reason it is left out. `notes` gets what was dropped. */
export function importService(obj: InputObject, notes: string[]): ImportedService | string {
  const v = obj.value;
  const spec = isObject(v.spec) ? v.spec : {};
  const m = meta(obj, true);
  const id = nsName(obj);
  if (m.namespace === 'default' && m.name === 'kubernetes') return "is the API server's own Service (svclab keeps its address free and does not create it)";
  const type = typeof spec.type === 'string' ? spec.type : 'ClusterIP';
  const out: Obj = { type };
  const selector = stringMap(spec.selector);
  if (selector) out.selector = selector;
  let clusterIP: string | undefined;
  if (type !== 'ExternalName') {
    if (spec.clusterIP === 'None') out.clusterIP = 'None';
    else if (typeof spec.clusterIP === 'string') {
      const ip = parseIp(spec.clusterIP);
      if (!ip) return `has cluster IP '${spec.clusterIP}', which is not an address`;
      if (ip.family !== 4) {
        const v4 = (Array.isArray(spec.clusterIPs) ? spec.clusterIPs : []).find((c) => typeof c === 'string' && parseIp(c)?.family === 4) as string | undefined;
        if (!v4) return 'is IPv6-only (svclab models IPv4 Services)';
        clusterIP = v4;
      } else clusterIP = spec.clusterIP;
      out.clusterIP = clusterIP;
    }
  }
  const ports: ImportedService['ports'] = [];
  if (Array.isArray(spec.ports)) {
    out.ports = spec.ports.filter(isObject).map((p) => {
      const port: Obj = {};
      if (typeof p.name === 'string' && p.name !== '') port.name = p.name;
      if (typeof p.protocol === 'string' && p.protocol !== 'TCP') port.protocol = p.protocol;
      port.port = p.port;
      if (p.targetPort !== undefined && p.targetPort !== p.port) port.targetPort = p.targetPort;
      if (typeof p.nodePort === 'number' && (type === 'NodePort' || type === 'LoadBalancer')) port.nodePort = p.nodePort;
      ports.push({ ...(port.name ? { name: port.name as string } : {}), port: p.port as number, protocol: (port.protocol as string) ?? 'TCP', ...(port.nodePort ? { nodePort: port.nodePort as number } : {}) });
      return port;
    });
  }
  const externalIPs = Array.isArray(spec.externalIPs) ? spec.externalIPs.filter((ip): ip is string => typeof ip === 'string' && parseIp(ip)?.family === 4) : [];
  if (externalIPs.length) out.externalIPs = externalIPs;
  if (type === 'ExternalName' && typeof spec.externalName === 'string') out.externalName = spec.externalName;
  const external = type === 'NodePort' || type === 'LoadBalancer' || externalIPs.length > 0;
  if (external && spec.externalTrafficPolicy === 'Local') out.externalTrafficPolicy = 'Local';
  if (spec.internalTrafficPolicy === 'Local') out.internalTrafficPolicy = 'Local';
  if (spec.sessionAffinity === 'ClientIP') {
    out.sessionAffinity = 'ClientIP';
    const t = isObject(spec.sessionAffinityConfig) && isObject(spec.sessionAffinityConfig.clientIP) ? spec.sessionAffinityConfig.clientIP.timeoutSeconds : undefined;
    if (typeof t === 'number') out.sessionAffinityConfig = { clientIP: { timeoutSeconds: t } };
  }
  if (Array.isArray(spec.loadBalancerSourceRanges) && spec.loadBalancerSourceRanges.length) out.loadBalancerSourceRanges = spec.loadBalancerSourceRanges;
  if (type === 'LoadBalancer' && out.externalTrafficPolicy === 'Local' && typeof spec.healthCheckNodePort === 'number') out.healthCheckNodePort = spec.healthCheckNodePort;
  if (type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === false) out.allocateLoadBalancerNodePorts = false;
  if (spec.publishNotReadyAddresses === true) out.publishNotReadyAddresses = true;
  const dropped = DROPPED_SERVICE_FIELDS.filter((f) => spec[f] !== undefined && spec[f] !== null);
  if (dropped.length) notes.push(`Service ${id}: ${dropped.join(', ')} left out (not modelled)`);
  const manifest: Obj = { apiVersion: 'v1', kind: 'Service', metadata: m, spec: out };
  if (type === 'LoadBalancer') {
    const status = isObject(v.status) && isObject(v.status.loadBalancer) && Array.isArray(v.status.loadBalancer.ingress) ? v.status.loadBalancer.ingress.filter(isObject) : [];
    const ingress = status.filter((i) => typeof i.ip === 'string' && parseIp(i.ip)?.family === 4).map((i) => ({ ip: i.ip, ...(i.ipMode === 'Proxy' ? { ipMode: 'Proxy' } : {}) }));
    if (status.length !== ingress.length) notes.push(`Service ${id}: load-balancer ingress entries without an IPv4 address (hostnames) left out`);
    if (ingress.length) manifest.status = { loadBalancer: { ingress } };
  }
  return { name: m.name as string, namespace: m.namespace as string, manifest, ...(selector ? { selector } : {}), ...(clusterIP ? { clusterIP } : {}), ports };
}

/** An EndpointSlice for a selector-less Service, as the scenario states it, or why it is left out. */
export function importSlice(obj: InputObject, nodes: Set<string>, pods: Map<string, ImportedPod>): Obj | string {
  const v = obj.value;
  const m = obj.value.metadata as Obj;
  const labels = stringMap(m.labels) ?? {};
  const service = labels['kubernetes.io/service-name'];
  if (!service) return 'names no Service (label kubernetes.io/service-name)';
  if (v.addressType !== 'IPv4') return `has addressType ${String(v.addressType)} (svclab models IPv4 endpoints)`;
  const namespace = typeof m.namespace === 'string' ? m.namespace : 'default';
  const ports = (Array.isArray(v.ports) ? v.ports : []).filter(isObject).filter((p) => typeof p.port === 'number').map((p) => ({
    name: typeof p.name === 'string' ? p.name : '',
    port: p.port,
    ...(typeof p.protocol === 'string' && p.protocol !== 'TCP' ? { protocol: p.protocol } : {}),
  }));
  const endpoints = (Array.isArray(v.endpoints) ? v.endpoints : []).filter(isObject).flatMap((e) => {
    const addr = Array.isArray(e.addresses) ? e.addresses.find((a) => typeof a === 'string' && parseIp(a)?.family === 4) : undefined;
    if (!addr) return [];
    const out: Obj = { addresses: [addr] };
    if (isObject(e.conditions)) {
      const c: Obj = {};
      for (const k of ['ready', 'serving', 'terminating']) if (typeof e.conditions[k] === 'boolean') c[k] = e.conditions[k];
      if (Object.keys(c).length) out.conditions = c;
    }
    if (typeof e.nodeName === 'string' && nodes.has(e.nodeName)) out.nodeName = e.nodeName;
    const ref = isObject(e.targetRef) ? e.targetRef : undefined;
    const refNs = typeof ref?.namespace === 'string' ? ref.namespace : namespace;
    if (ref?.kind === 'Pod' && typeof ref.name === 'string' && pods.has(`${refNs}/${ref.name}`)) out.targetRef = { kind: 'Pod', name: ref.name, ...(refNs !== namespace ? { namespace: refNs } : {}) };
    return [out];
  });
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: m.name, namespace, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ...(ports.length ? { ports } : {}),
    endpoints,
  };
}

/** Whether a selector picks a pod (same namespace, every label equal). */
export function selects(svc: ImportedService, pod: ImportedPod): boolean {
  if (!svc.selector || pod.namespace !== svc.namespace) return false;
  const labels = ((pod.manifest.metadata as Obj).labels ?? {}) as Record<string, string>;
  return Object.entries(svc.selector).every(([k, x]) => labels[k] === x);
}
