/**
 * What must hold of a cluster state before a difference between two rule renderers can be blamed
 * on a renderer: valid, unique names and addresses; cluster IPs inside the service CIDR, node
 * ports inside their range and unique; pod addresses inside their node's pod CIDR; EndpointSlices
 * naming an existing Service and only its port names. The API server and the DSL compiler enforce
 * the same; `stateProblems` lists every breach (empty when the state is sound).
 */
import { selectorMatches } from '../model/labels.js';
import { canonicalIp, cidrContains, cidrSize, cidrWithin, cidrsOverlap, ipFamily, offsetIn, parseCidr, type Cidr } from '../model/ip.js';
import type { ClusterState, Service } from '../model/types.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Node names are DNS subdomains (ip-10-0-0-1.ec2.internal). */
const isSubdomain = (name: string): boolean => name.length <= 253 && name.split('.').every((part) => DNS_LABEL.test(part));
/** An IANA service name: what named target ports must be (Service port names are DNS labels). */
const IANA_SVC_NAME = /^(?=.*[a-z])(?!.*--)[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/;

const validPort = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= 65535;

function cidrProblems(state: ClusterState, out: string[]): { pods?: Cidr; services?: Cidr } {
  const { cluster } = state;
  const pods = parseCidr(cluster.clusterCIDR);
  const services = parseCidr(cluster.serviceCIDR);
  if (pods?.family !== 4 || pods.hostBitsSet) out.push(`clusterCIDR ${cluster.clusterCIDR} is not an IPv4 network`);
  if (services?.family !== 4 || services.hostBitsSet) out.push(`serviceCIDR ${cluster.serviceCIDR} is not an IPv4 network`);
  if (pods && services && cidrsOverlap(pods, services)) out.push(`serviceCIDR ${cluster.serviceCIDR} overlaps clusterCIDR ${cluster.clusterCIDR}`);
  const { min, max } = cluster.nodePortRange;
  if (!validPort(min) || !validPort(max) || min > max) out.push(`nodePortRange ${min}-${max} is not a port range`);
  const bit = cluster.kubeProxy.masqueradeBit;
  if (!Number.isInteger(bit) || bit < 0 || bit > 31) out.push(`masqueradeBit ${bit} is outside 0-31`);
  for (const a of cluster.kubeProxy.nodePortAddresses) if (a !== 'primary' && parseCidr(a) === undefined) out.push(`nodePortAddresses entry '${a}' is neither a CIDR nor 'primary'`);
  return { ...(pods ? { pods } : {}), ...(services ? { services } : {}) };
}

function nodeProblems(state: ClusterState, ranges: { pods?: Cidr; services?: Cidr }, out: string[]): void {
  const names = new Set<string>();
  const addresses = new Set<string>();
  const podRanges: Cidr[] = [];
  // With node-subnet addressing (VPC CNI) pods share the nodes' subnets: no separate pod range.
  const nodeSubnet = state.cluster.podAddressing === 'node-subnet';
  for (const n of state.cluster.nodes) {
    if (!isSubdomain(n.name)) out.push(`node name '${n.name}' is not a DNS subdomain`);
    if (names.has(n.name)) out.push(`node name '${n.name}' is used twice`);
    names.add(n.name);
    if (n.addresses.length === 0 || ipFamily(n.addresses[0]!) !== 4) out.push(`node ${n.name} has no primary IPv4 address`);
    for (const a of n.addresses) {
      if (addresses.has(canonicalIp(a))) out.push(`node address ${a} is used twice`);
      addresses.add(canonicalIp(a));
      if (!nodeSubnet && ranges.pods && cidrContains(ranges.pods, a)) out.push(`node address ${a} is inside the clusterCIDR`);
      if (ranges.services && cidrContains(ranges.services, a)) out.push(`node address ${a} is inside the serviceCIDR`);
    }
    const pr = parseCidr(n.podCIDR);
    if (pr === undefined || pr.hostBitsSet || (!nodeSubnet && ranges.pods && !cidrWithin(pr, ranges.pods))) {
      out.push(`node ${n.name} podCIDR ${n.podCIDR} is not a network inside the clusterCIDR`);
      continue;
    }
    if (!nodeSubnet && podRanges.some((o) => cidrsOverlap(o, pr))) out.push(`node ${n.name} podCIDR ${n.podCIDR} overlaps another node's`);
    podRanges.push(pr);
  }
  for (const c of state.cluster.clients) if (addresses.has(canonicalIp(c.address))) out.push(`client address ${c.address} is also a node address`);
}

function serviceProblems(state: ClusterState, ranges: { services?: Cidr }, out: string[]): void {
  const { min, max } = state.cluster.nodePortRange;
  const clusterIPs = new Map<string, string>();
  // The API server gives one node port to the ports of a Service that share a number on different
  // protocols (registry/core/service/storage/alloc.go initNodePorts); otherwise each is unique.
  const nodePorts = new Map<number, { owner: string; service: string; port: number }>();
  const claim = (port: number, owner: string, service: string, servicePort: number): void => {
    if (port < min || port > max) out.push(`${owner}: node port ${port} is outside ${min}-${max}`);
    const prev = nodePorts.get(port);
    if (prev !== undefined && (prev.service !== service || prev.port !== servicePort)) out.push(`${owner}: node port ${port} is also used by ${prev.owner}`);
    nodePorts.set(port, { owner, service, port: servicePort });
  };
  const keys = new Set<string>();
  for (const svc of state.services) {
    const id = `Service ${svc.namespace}/${svc.name}`;
    if (!DNS_LABEL.test(svc.namespace) || !DNS_LABEL.test(svc.name)) out.push(`${id}: namespace and name must be DNS labels`);
    if (keys.has(`${svc.namespace}/${svc.name}`)) out.push(`${id} exists twice`);
    keys.add(`${svc.namespace}/${svc.name}`);
    const proxied = svc.type !== 'ExternalName' && svc.clusterIP !== 'None';
    if (svc.type === 'ExternalName' && svc.clusterIP !== 'None') out.push(`${id}: an ExternalName Service has no cluster IP`);
    if (svc.clusterIP === 'None' && svc.type !== 'ClusterIP' && svc.type !== 'ExternalName') out.push(`${id}: a headless Service must be of type ClusterIP`);
    if (proxied) {
      const offset = ranges.services ? offsetIn(ranges.services, svc.clusterIP) : undefined;
      if (offset === undefined) out.push(`${id}: clusterIP ${svc.clusterIP} is outside the serviceCIDR`);
      else if (offset < 2n || offset === cidrSize(ranges.services!) - 1n) out.push(`${id}: clusterIP ${svc.clusterIP} is a reserved address of the serviceCIDR`);
      if (clusterIPs.has(svc.clusterIP)) out.push(`${id}: clusterIP ${svc.clusterIP} is also used by ${clusterIPs.get(svc.clusterIP)}`);
      clusterIPs.set(svc.clusterIP, id);
      if (svc.ports.length === 0) out.push(`${id}: a Service with a cluster IP needs at least one port`);
    }
    portProblems(svc, id, claim, out);
    const external = svc.type === 'NodePort' || svc.type === 'LoadBalancer' || svc.externalIPs.length > 0;
    if (!external && svc.externalTrafficPolicy !== 'Cluster') out.push(`${id}: externalTrafficPolicy is only set on externally reachable Services`);
    if (svc.type !== 'LoadBalancer' && (svc.loadBalancerIngress.length > 0 || svc.loadBalancerSourceRanges.length > 0)) out.push(`${id}: LoadBalancer fields on a ${svc.type} Service`);
    for (const r of svc.loadBalancerSourceRanges) if (parseCidr(r)?.family !== 4) out.push(`${id}: source range ${r} is not an IPv4 CIDR`);
    for (const ip of [...svc.externalIPs, ...svc.loadBalancerIngress.map((i) => i.ip)]) if (ipFamily(ip) !== 4) out.push(`${id}: ${ip} is not an IPv4 address`);
    if (new Set(svc.externalIPs).size !== svc.externalIPs.length) out.push(`${id}: an externalIP is listed twice`);
    const t = svc.sessionAffinityTimeoutSeconds;
    if (!Number.isInteger(t) || t < 1 || t > 86400) out.push(`${id}: session affinity timeout ${t} is outside 1-86400`);
    const needsHealthCheck = svc.type === 'LoadBalancer' && svc.externalTrafficPolicy === 'Local';
    if (needsHealthCheck !== (svc.healthCheckNodePort !== undefined)) out.push(`${id}: a health-check node port exactly when LoadBalancer with externalTrafficPolicy Local`);
    if (svc.healthCheckNodePort !== undefined) claim(svc.healthCheckNodePort, `${id} health check`, id, 0);
  }
}

function portProblems(svc: Service, id: string, claim: (port: number, owner: string, service: string, servicePort: number) => void, out: string[]): void {
  const pairs = new Set<string>();
  const names = new Set<string>();
  for (const p of svc.ports) {
    if (!validPort(p.port)) out.push(`${id}: port ${p.port} is not a port number`);
    if (pairs.has(`${p.port}/${p.protocol}`)) out.push(`${id}: port ${p.port}/${p.protocol} is listed twice`);
    pairs.add(`${p.port}/${p.protocol}`);
    if (p.name === '' ? svc.ports.length > 1 : !DNS_LABEL.test(p.name)) out.push(`${id}: port name '${p.name}' is not valid here`);
    if (names.has(p.name)) out.push(`${id}: port name '${p.name}' is used twice`);
    names.add(p.name);
    if (typeof p.targetPort === 'number' ? !validPort(p.targetPort) : !IANA_SVC_NAME.test(p.targetPort)) out.push(`${id}: targetPort ${p.targetPort} is neither a port nor a port name`);
    const wantsNodePort = svc.type === 'NodePort' || svc.type === 'LoadBalancer';
    if (p.nodePort !== undefined) {
      if (!wantsNodePort) out.push(`${id}: a node port on a ${svc.type} Service`);
      claim(p.nodePort, `${id} port ${p.name || p.port}`, id, p.port);
    } else if (svc.type === 'NodePort') out.push(`${id}: NodePort Service port ${p.port} has no node port`);
  }
}

function podAndSliceProblems(state: ClusterState, out: string[]): void {
  const nodes = new Map(state.cluster.nodes.map((n) => [n.name, n]));
  const podIPs = new Set<string>();
  const podKeys = new Set<string>();
  for (const pod of state.pods) {
    const id = `Pod ${pod.namespace}/${pod.name}`;
    if (podKeys.has(`${pod.namespace}/${pod.name}`)) out.push(`${id} exists twice`);
    podKeys.add(`${pod.namespace}/${pod.name}`);
    const node = nodes.get(pod.node);
    const range = node ? parseCidr(node.podCIDR) : undefined;
    const offset = range ? offsetIn(range, pod.ip) : undefined;
    if (offset === undefined || offset < 2n || offset === cidrSize(range!) - 1n) out.push(`${id}: ${pod.ip} is not a pod address of node ${pod.node}`);
    if (podIPs.has(pod.ip)) out.push(`${id}: ${pod.ip} is used by another pod`);
    if (state.cluster.nodes.some((n) => n.addresses.includes(pod.ip))) out.push(`${id}: ${pod.ip} is a node address`);
    podIPs.add(pod.ip);
    if (pod.owner !== undefined && !state.deployments.some((d) => d.namespace === pod.namespace && d.name === pod.owner)) out.push(`${id}: owner ${pod.owner} is not a Deployment`);
  }
  for (const d of state.deployments) {
    const owned = state.pods.filter((p) => p.namespace === d.namespace && p.owner === d.name);
    if (owned.length !== d.replicas) out.push(`Deployment ${d.namespace}/${d.name}: ${d.replicas} replicas but ${owned.length} pods`);
  }
  const sliceKeys = new Set<string>();
  for (const slice of state.endpointSlices) {
    const id = `EndpointSlice ${slice.namespace}/${slice.name}`;
    if (sliceKeys.has(`${slice.namespace}/${slice.name}`)) out.push(`${id} exists twice`);
    sliceKeys.add(`${slice.namespace}/${slice.name}`);
    if (slice.addressType !== 'IPv4') out.push(`${id}: addressType ${slice.addressType}`);
    const svc = state.services.find((s) => s.namespace === slice.namespace && s.name === slice.serviceName);
    if (svc === undefined) {
      out.push(`${id}: Service ${slice.serviceName} does not exist`);
      continue;
    }
    for (const p of slice.ports) {
      if (!svc.ports.some((sp) => sp.name === p.name && sp.protocol === p.protocol)) out.push(`${id}: port '${p.name}'/${p.protocol} matches no port of its Service`);
      if (!validPort(p.port)) out.push(`${id}: port ${p.port} is not a port number`);
    }
    const seen = new Set<string>();
    for (const e of slice.endpoints) {
      const address = e.addresses[0];
      if (address === undefined || ipFamily(address) !== 4) {
        out.push(`${id}: endpoint without an IPv4 address`);
        continue;
      }
      if (seen.has(address)) out.push(`${id}: endpoint ${address} is listed twice`);
      seen.add(address);
      if (e.nodeName !== undefined && !nodes.has(e.nodeName)) out.push(`${id}: endpoint ${address} names unknown node ${e.nodeName}`);
      if (e.pod !== undefined) {
        const pod = state.pods.find((p) => p.namespace === slice.namespace && p.name === e.pod);
        if (pod === undefined || pod.ip !== address) out.push(`${id}: endpoint ${address} names pod ${e.pod}, which does not have that address`);
        else if (svc.selector !== undefined && !selectorMatches(svc.selector, pod.labels)) out.push(`${id}: pod ${e.pod} does not match the Service selector`);
      }
    }
  }
}

/** Every way `state` breaks what the API server, the compiler and the renderers rely on. */
export function stateProblems(state: ClusterState): string[] {
  const out: string[] = [];
  const ranges = cidrProblems(state, out);
  nodeProblems(state, ranges, out);
  serviceProblems(state, ranges, out);
  podAndSliceProblems(state, out);
  return out;
}
