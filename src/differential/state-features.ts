/**
 * Which kube-proxy-relevant features a cluster state exercises on one node, read from the state
 * itself (not from the generator's choices), so coverage figures say what the rules were really
 * rendered from. Works on any ClusterState, compiled scenarios included.
 */
import { cidrContains, parseCidr } from '../model/ip.js';
import type { ClusterState, EndpointConditions, Service, SliceEndpoint } from '../model/types.js';
import { DEFAULT_NODE_PORT_RANGE, DEFAULT_POD_CIDR, DEFAULT_SERVICE_CIDR } from '../dsl/compile-cluster.js';

/** Every tag a default random state can carry; over a few hundred seeds each one shows up. */
export const FEATURE_TAGS = [
  // kube-proxy's options
  'mode:iptables',
  'mode:nftables',
  'masquerade-all',
  'masquerade-bit:14',
  'masquerade-bit:other',
  'localhost-nodeports:on',
  'localhost-nodeports:off',
  'nodeport-addresses:empty',
  'nodeport-addresses:primary',
  'nodeport-addresses:cidr-holding-node',
  'nodeport-addresses:cidr-without-node',
  'nodeport-addresses:loopback',
  'nodeport-addresses:all',
  'detect-local:ClusterCIDR',
  'detect-local:NodeCIDR',
  'detect-local:None',
  // the cluster
  'nodes:1',
  'nodes:several',
  'node:several-addresses',
  'node-pod-cidr:not-24',
  'pod-addressing:node-subnet',
  'cluster-cidr:not-default',
  'service-cidr:not-default',
  'nodeport-range:not-default',
  'services:none',
  'namespaces:several',
  'name:long',
  'comment:over-128-bytes',
  // Services
  'service:ClusterIP',
  'service:NodePort',
  'service:LoadBalancer',
  'service:ExternalName',
  'service:headless',
  'service:selectorless',
  'selector:shared',
  'etp:Cluster',
  'etp:Local',
  'etp:Local-on-externalIP-only',
  'itp:Cluster',
  'itp:Local',
  'ports:multi',
  'port:unnamed',
  'port:named',
  'protocol:TCP',
  'protocol:UDP',
  'protocol:SCTP',
  'protocols:mixed',
  'port:same-number-two-protocols',
  'node-port:shared-by-two-protocols',
  'target-port:number',
  'target-port:name',
  'target-port:varies-by-pod',
  'affinity:ClientIP',
  'affinity:timeout-default',
  'affinity:timeout-other',
  'external-ips',
  'external-ip:node-address',
  'lb:ingress-ipmode-unset',
  'lb:ingress-vip',
  'lb:ingress-proxy',
  'lb:no-ingress',
  'lb:no-node-ports',
  'lb:source-ranges',
  'lb:source-range-all',
  'lb:source-range-holds-ingress',
  'lb:source-range-holds-node',
  'health-check-node-port',
  // endpoints
  'endpoints:none',
  'slice:empty',
  'slice:port-subset',
  'slices:several-per-service',
  'endpoint:in-two-slices',
  'endpoint:local',
  'endpoint:remote',
  'endpoint:no-node-name',
  'endpoint:outside-cluster',
  'endpoint:host-network',
  'endpoint:ready-serving',
  'endpoint:not-ready',
  'endpoint:terminating-serving',
  'endpoint:terminating-not-serving',
  'endpoint:ready-terminating',
  'endpoint:ready-not-serving',
  'endpoint:serving-not-ready',
  'local-policy:ready-local-endpoint',
  'local-policy:only-terminating-local',
  'local-policy:no-local-endpoint',
  'cluster-policy:only-terminating',
  'cluster-policy:no-usable-endpoint',
] as const;

/** Tags only states drawn with `interfaceDetectLocal` carry. */
export const OPTIONAL_FEATURE_TAGS = ['detect-local:BridgeInterface', 'detect-local:InterfaceNamePrefix'] as const;

export type FeatureTag = (typeof FEATURE_TAGS)[number] | (typeof OPTIONAL_FEATURE_TAGS)[number];

/** The condition tag of one endpoint (all eight combinations fall in one of seven tags). */
export function conditionTag(c: EndpointConditions): FeatureTag {
  if (c.ready) return c.terminating ? 'endpoint:ready-terminating' : c.serving ? 'endpoint:ready-serving' : 'endpoint:ready-not-serving';
  if (c.terminating) return c.serving ? 'endpoint:terminating-serving' : 'endpoint:terminating-not-serving';
  return c.serving ? 'endpoint:serving-not-ready' : 'endpoint:not-ready';
}

/** Services kube-proxy writes rules for (not headless, not ExternalName). */
function proxied(svc: Service): boolean {
  return svc.type !== 'ExternalName' && svc.clusterIP !== 'None' && svc.clusterIP !== '';
}

const usable = (e: SliceEndpoint): boolean => e.conditions.ready || (e.conditions.serving && e.conditions.terminating);

function proxierFeatures(state: ClusterState, node: string, add: (t: FeatureTag) => void): void {
  const { cluster } = state;
  const kp = cluster.kubeProxy;
  add(`mode:${kp.mode}`);
  if (kp.masqueradeAll) add('masquerade-all');
  add(kp.masqueradeBit === 14 ? 'masquerade-bit:14' : 'masquerade-bit:other');
  add(kp.localhostNodePorts ? 'localhost-nodeports:on' : 'localhost-nodeports:off');
  add(`detect-local:${kp.detectLocal}`);
  const self = cluster.nodes.find((n) => n.name === node);
  if (kp.nodePortAddresses.length === 0) add('nodeport-addresses:empty');
  for (const entry of kp.nodePortAddresses) {
    if (entry === 'primary') {
      add('nodeport-addresses:primary');
      continue;
    }
    const cidr = parseCidr(entry);
    if (cidr === undefined || cidr.family !== 4) continue;
    if (cidr.prefix === 0) add('nodeport-addresses:all');
    else if (cidrContains(cidr, '127.0.0.1')) add('nodeport-addresses:loopback');
    else if (self?.addresses.some((a) => cidrContains(cidr, a))) add('nodeport-addresses:cidr-holding-node');
    else add('nodeport-addresses:cidr-without-node');
  }
  add(cluster.nodes.length === 1 ? 'nodes:1' : 'nodes:several');
  if (cluster.nodes.some((n) => n.addresses.length > 1)) add('node:several-addresses');
  if (cluster.nodes.some((n) => !n.podCIDR.endsWith('/24'))) add('node-pod-cidr:not-24');
  if (cluster.podAddressing === 'node-subnet') add('pod-addressing:node-subnet');
  if (cluster.clusterCIDR !== DEFAULT_POD_CIDR) add('cluster-cidr:not-default');
  if (cluster.serviceCIDR !== DEFAULT_SERVICE_CIDR) add('service-cidr:not-default');
  if (`${cluster.nodePortRange.min}-${cluster.nodePortRange.max}` !== DEFAULT_NODE_PORT_RANGE) add('nodeport-range:not-default');
}

function serviceFeatures(state: ClusterState, svc: Service, add: (t: FeatureTag) => void): void {
  if (svc.type === 'ExternalName') add('service:ExternalName');
  else if (svc.clusterIP === 'None') add('service:headless');
  else add(`service:${svc.type}`);
  if (!proxied(svc)) return;
  if (svc.name.length >= 40) add('name:long');
  const nodeAddresses = state.cluster.nodes.flatMap((n) => n.addresses);
  const external = svc.type === 'NodePort' || svc.type === 'LoadBalancer' || svc.externalIPs.length > 0;
  if (external) add(svc.externalTrafficPolicy === 'Local' ? 'etp:Local' : 'etp:Cluster');
  if (svc.type === 'ClusterIP' && svc.externalIPs.length > 0 && svc.externalTrafficPolicy === 'Local') add('etp:Local-on-externalIP-only');
  add(svc.internalTrafficPolicy === 'Local' ? 'itp:Local' : 'itp:Cluster');
  if (svc.ports.length > 1) add('ports:multi');
  const protocols = new Set(svc.ports.map((p) => p.protocol));
  if (protocols.size > 1) add('protocols:mixed');
  for (const p of svc.ports) {
    add(p.name === '' ? 'port:unnamed' : 'port:named');
    add(`protocol:${p.protocol}`);
    add(typeof p.targetPort === 'number' ? 'target-port:number' : 'target-port:name');
    if (Buffer.byteLength(`${svc.namespace}/${svc.name}:${p.name}`) > 128) add('comment:over-128-bytes');
    if (svc.ports.some((q) => q !== p && q.port === p.port)) add('port:same-number-two-protocols');
    if (p.nodePort !== undefined && svc.ports.some((q) => q !== p && q.nodePort === p.nodePort)) add('node-port:shared-by-two-protocols');
  }
  if (svc.sessionAffinity === 'ClientIP') {
    add('affinity:ClientIP');
    add(svc.sessionAffinityTimeoutSeconds === 10800 ? 'affinity:timeout-default' : 'affinity:timeout-other');
  }
  if (svc.externalIPs.length > 0) add('external-ips');
  if (svc.externalIPs.some((ip) => nodeAddresses.includes(ip))) add('external-ip:node-address');
  if (svc.type === 'LoadBalancer') {
    if (svc.loadBalancerIngress.length === 0) add('lb:no-ingress');
    for (const ing of svc.loadBalancerIngress) add(ing.ipMode === undefined ? 'lb:ingress-ipmode-unset' : ing.ipMode === 'VIP' ? 'lb:ingress-vip' : 'lb:ingress-proxy');
    if (svc.ports.length > 0 && svc.ports.every((p) => p.nodePort === undefined)) add('lb:no-node-ports');
    if (svc.loadBalancerSourceRanges.length > 0) add('lb:source-ranges');
    for (const text of svc.loadBalancerSourceRanges) {
      const cidr = parseCidr(text);
      if (cidr === undefined) continue;
      if (cidr.prefix === 0) add('lb:source-range-all');
      else if (svc.loadBalancerIngress.some((i) => cidrContains(cidr, i.ip))) add('lb:source-range-holds-ingress');
      else if (nodeAddresses.some((a) => cidrContains(cidr, a))) add('lb:source-range-holds-node');
    }
  }
  if (svc.healthCheckNodePort !== undefined) add('health-check-node-port');
}

function endpointFeatures(state: ClusterState, node: string, svc: Service, add: (t: FeatureTag) => void): void {
  const slices = state.endpointSlices.filter((s) => s.namespace === svc.namespace && s.serviceName === svc.name);
  if (slices.length > 1) add('slices:several-per-service');
  const pods = new Map(state.pods.map((p) => [`${p.namespace}/${p.ip}`, p]));
  const nodeAddresses = new Set(state.cluster.nodes.flatMap((n) => n.addresses));
  const podNet = parseCidr(state.cluster.clusterCIDR)!;
  for (const slice of slices) {
    if (slice.endpoints.length === 0) add('slice:empty');
    if (svc.ports.some((p) => !slice.ports.some((q) => q.name === p.name && q.protocol === p.protocol))) add('slice:port-subset');
    for (const e of slice.endpoints) {
      add(conditionTag(e.conditions));
      if (e.nodeName === undefined) add('endpoint:no-node-name');
      else add(e.nodeName === node ? 'endpoint:local' : 'endpoint:remote');
      const address = e.addresses[0]!;
      if (nodeAddresses.has(address)) add('endpoint:host-network');
      else if (!cidrContains(podNet, address) && !pods.has(`${svc.namespace}/${address}`)) add('endpoint:outside-cluster');
    }
  }
  const seen = new Map<string, string>();
  for (const slice of slices) {
    for (const p of slice.ports) {
      for (const e of slice.endpoints) {
        const key = `${p.name}/${p.protocol}/${e.addresses[0]}:${p.port}`;
        const other = seen.get(key);
        if (other !== undefined && other !== slice.name) add('endpoint:in-two-slices');
        seen.set(key, slice.name);
      }
    }
  }
  for (const p of svc.ports) {
    const numbers = new Set(slices.flatMap((s) => s.ports.filter((q) => q.name === p.name && q.protocol === p.protocol).map((q) => q.port)));
    if (numbers.size > 1) add('target-port:varies-by-pod');
  }
  if (!proxied(svc)) return;
  if (svc.selector === undefined && slices.length > 0) add('service:selectorless');
  const all = slices.flatMap((s) => s.endpoints);
  if (all.length === 0) add('endpoints:none');
  else if (!all.some((e) => e.conditions.ready)) add(all.some(usable) ? 'cluster-policy:only-terminating' : 'cluster-policy:no-usable-endpoint');
  const external = svc.type === 'NodePort' || svc.type === 'LoadBalancer' || svc.externalIPs.length > 0 || svc.loadBalancerIngress.length > 0;
  if (svc.internalTrafficPolicy === 'Local' || (svc.externalTrafficPolicy === 'Local' && external)) {
    const local = all.filter((e) => e.nodeName === node);
    if (local.some((e) => e.conditions.ready)) add('local-policy:ready-local-endpoint');
    else if (local.some(usable)) add('local-policy:only-terminating-local');
    else add('local-policy:no-local-endpoint');
  }
}

/** The feature tags `state` exercises when rendered for `node`, in FEATURE_TAGS order. */
export function stateFeatures(state: ClusterState, node: string): FeatureTag[] {
  const found = new Set<FeatureTag>();
  const add = (t: FeatureTag): void => void found.add(t);
  proxierFeatures(state, node, add);
  if (state.services.length === 0) add('services:none');
  if (new Set(state.services.map((s) => s.namespace)).size > 1) add('namespaces:several');
  const selectors = new Map<string, number>();
  for (const svc of state.services) {
    serviceFeatures(state, svc, add);
    endpointFeatures(state, node, svc, add);
    if (svc.selector !== undefined) {
      const key = `${svc.namespace}/${JSON.stringify(svc.selector)}`;
      selectors.set(key, (selectors.get(key) ?? 0) + 1);
    }
  }
  if ([...selectors.values()].some((n) => n > 1)) add('selector:shared');
  const order: readonly string[] = [...FEATURE_TAGS, ...OPTIONAL_FEATURE_TAGS];
  return [...found].sort((a, b) => order.indexOf(a) - order.indexOf(b));
}
