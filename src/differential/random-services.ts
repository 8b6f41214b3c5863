/**
 * Random Services as the API server would hold them after defaulting and allocation (the shape
 * dsl/world.ts serviceOf produces): every type, traffic policies, multi-port and mixed-protocol
 * ports, named and numbered target ports, session affinity, externalIPs, LoadBalancer ingress with
 * either ipMode, source ranges and health-check node ports. Cluster IPs are unique inside the
 * service CIDR, node ports unique inside the node port range.
 */
import type { Draw } from './random-draw.js';
import { OUTSIDE_RANGES } from './random-cluster.js';
import { addDeployment, addHandWrittenSlices, outsideAddress, templateFor, type Building } from './random-endpoints.js';
import { cidrSize, formatCidr, nthAddress, parseCidr } from '../model/ip.js';
import type { Protocol, Service, ServicePort } from '../model/types.js';

const NAME_WORDS = ['web', 'api', 'frontend', 'backend', 'db', 'cache', 'dns', 'metrics', 'auth', 'search', 'queue', 'echo', 'store', 'gateway'];
const NAMESPACES = { default: 14, prod: 3, 'kube-system': 2, long: 2 } as const;
const LONG_NAMESPACE = 'platform-networking-observability-and-traffic-management-team-a'; // 63 characters, the most allowed
/** IANA service names (at most 15 characters), as port names must be. */
const PORT_NAMES = ['http', 'https', 'grpc', 'dns', 'dns-tcp', 'metrics', 'admin', 'redis', 'postgres', 'sctp-data', 'p-9376', 'health-monitor'];
const TARGET_NAMES = ['web', 'http-alt', 'api', 'serve', 'dns-srv', 'probe', 'data', 'tls'];
const COMMON_PORTS = [80, 443, 53, 8080, 9376, 5432, 6379, 3868];
const AFFINITY_TIMEOUTS = [1, 60, 180, 3600, 86400];

/** Longest Service name the generator uses: `<name>-auto-2` (derived slices) stays a DNS label. */
export const MAX_SERVICE_NAME = 56;

type Kind = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName' | 'headless';

function serviceName(draw: Draw, namespace: string, taken: (name: string) => boolean): string {
  let base: string;
  if (draw.chance(namespace === LONG_NAMESPACE ? 0.35 : 0.07)) {
    // Long names: with the long namespace and a long port name, kube-proxy's nftables comments
    // ("ns/name:port") pass their 128-byte limit and are cut.
    const words: string[] = [];
    while (words.join('-').length < MAX_SERVICE_NAME) words.push(draw.pick(NAME_WORDS));
    base = words.join('-').slice(0, MAX_SERVICE_NAME).replace(/-+$/, '');
  } else {
    base = draw.pick(NAME_WORDS);
  }
  if (!taken(base)) return base;
  for (let n = 2; ; n++) {
    const name = `${base.slice(0, MAX_SERVICE_NAME - String(n).length - 1)}-${n}`;
    if (!taken(name)) return name;
  }
}

/** 1-4 ports (0-2 for headless and ExternalName); (port, protocol) pairs and names unique. */
function randomPorts(draw: Draw, kind: Kind): { name: string; protocol: Protocol; port: number }[] {
  const count = kind === 'headless' || kind === 'ExternalName' ? draw.int(0, 2) : Number(draw.weighted({ 1: 9, 2: 6, 3: 3, 4: 2 }));
  const names = draw.shuffle(PORT_NAMES);
  const out: { name: string; protocol: Protocol; port: number }[] = [];
  while (out.length < count) {
    const prev = out[out.length - 1];
    let port: number;
    let protocol: Protocol;
    if (prev !== undefined && draw.chance(0.2)) {
      // Same number, another protocol (DNS on 53 TCP and UDP).
      port = prev.port;
      protocol = draw.pick((['TCP', 'UDP', 'SCTP'] as const).filter((p) => p !== prev.protocol));
    } else {
      port = draw.chance(0.7) ? draw.pick(COMMON_PORTS) : draw.int(1, 65535);
      protocol = draw.weighted({ TCP: 12, UDP: 5, SCTP: 3 });
    }
    if (out.some((p) => p.port === port && p.protocol === protocol)) continue;
    // A single port may stay unnamed; with several, every port needs a name.
    const name = count === 1 && draw.chance(0.5) ? '' : names[out.length]!;
    out.push({ name, protocol, port });
  }
  return out;
}

function clusterIP(b: Building): string {
  const cidr = parseCidr(b.cluster.serviceCIDR)!;
  const last = Number(cidrSize(cidr)) - 2; // never the network, .1 (kubernetes) or broadcast address
  const taken = new Set(b.services.map((s) => s.clusterIP));
  for (;;) {
    const ip = nthAddress(cidr, b.draw.chance(0.5) ? b.draw.int(2, Math.min(last, 40)) : b.draw.int(2, last))!;
    if (!taken.has(ip)) return ip;
  }
}

function nodePort(b: Building, fresh: Set<number>): number {
  const { min, max } = b.cluster.nodePortRange;
  const taken = new Set<number>(fresh);
  for (const s of b.services) {
    for (const p of s.ports) if (p.nodePort !== undefined) taken.add(p.nodePort);
    if (s.healthCheckNodePort !== undefined) taken.add(s.healthCheckNodePort);
  }
  for (;;) {
    const port = b.draw.chance(0.5) ? b.draw.int(min, Math.min(max, min + 60)) : b.draw.int(min, max);
    if (!taken.has(port)) {
      fresh.add(port);
      return port;
    }
  }
}

function randomExternalIPs(b: Building): string[] {
  const out: string[] = [];
  for (let i = b.draw.int(1, 2); i > 0; i--) {
    // An externalIP that is a node's own address (a common bare-metal setup) once per cluster.
    const node = b.draw.pick(b.cluster.nodes).addresses[0]!;
    if (b.draw.chance(0.25) && !b.outsideUsed.has(node)) {
      b.outsideUsed.add(node);
      out.push(node);
    } else {
      out.push(outsideAddress(b, 'externalIP'));
    }
  }
  return out;
}

function randomIngress(b: Building): Service['loadBalancerIngress'] {
  const count = Number(b.draw.weighted({ 0: 3, 1: 13, 2: 4 }));
  return Array.from({ length: count }, () => {
    const ipMode = b.draw.weighted({ unset: 9, VIP: 6, Proxy: 5 });
    return { ip: outsideAddress(b, 'loadBalancer'), ...(ipMode !== 'unset' ? { ipMode } : {}) };
  });
}

/** Client ranges allowed to reach a LoadBalancer: narrow, wide, the node subnet, an ingress IP, everything. */
function randomSourceRanges(b: Building, ingress: Service['loadBalancerIngress']): string[] {
  const node = b.draw.pick(b.cluster.nodes).addresses[0]!;
  const choices = [
    `${OUTSIDE_RANGES.external}`,
    '203.0.113.128/25',
    '10.0.0.0/8',
    formatCidr(parseCidr(`${node}/${b.draw.pick([16, 24, 32])}`)!),
    ...(ingress.length > 0 ? [`${ingress[0]!.ip}/32`] : []),
    '0.0.0.0/0',
  ];
  return b.draw.shuffle(choices).slice(0, b.draw.int(1, 3));
}

/** Named (a container port name) or numbered target ports; numbered ones often differ from the port. */
function targetPorts(draw: Draw, ports: { protocol: Protocol; port: number }[], named: boolean): (number | string)[] {
  const names = draw.shuffle(TARGET_NAMES);
  return ports.map((p, i) => {
    if (named && draw.chance(0.5)) return names[i]!;
    return draw.chance(0.4) ? p.port : draw.pick([8080, 9376, 8443, 5353, draw.int(1, 65535)]);
  });
}

/** One random Service with its backend (a Deployment, hand-written slices, or nothing). */
export function addRandomService(b: Building, maxEndpoints: number): void {
  const { draw } = b;
  const nsKey = draw.weighted(NAMESPACES);
  const namespace = nsKey === 'long' ? LONG_NAMESPACE : nsKey;
  const name = serviceName(draw, namespace, (n) => b.services.some((s) => s.namespace === namespace && s.name === n) || b.deployments.some((d) => d.namespace === namespace && d.name === n));
  const kind = draw.weighted<Kind>({ ClusterIP: 34, NodePort: 24, LoadBalancer: 24, headless: 9, ExternalName: 7 });
  const type = kind === 'headless' ? 'ClusterIP' : kind;
  const backend = kind === 'ExternalName' ? 'none' : draw.weighted({ deployment: 13, shared: 2, handWritten: 6, none: 1 });
  const drawn = randomPorts(draw, kind);
  const shared = backend === 'shared' ? b.deployments.filter((d) => d.namespace === namespace) : [];
  const sharedDeployment = shared.length > 0 ? draw.pick(shared) : undefined;

  let targets = targetPorts(draw, drawn, backend === 'deployment');
  if (sharedDeployment !== undefined) {
    // Another Service in front of existing pods: target their container ports by number or name.
    const offered = b.pods.filter((p) => p.namespace === namespace && p.owner === sharedDeployment.name).flatMap((p) => p.ports);
    targets = drawn.map((p, i) => {
      const fit = offered.filter((c) => c.protocol === p.protocol);
      if (fit.length === 0) return targets[i]!;
      const c = draw.pick(fit);
      return c.name !== undefined && draw.chance(0.5) ? c.name : c.containerPort;
    });
  }
  const needsNodePorts = type === 'NodePort' || (type === 'LoadBalancer' && draw.chance(0.85));
  const fresh = new Set<number>();
  const ports: ServicePort[] = [];
  drawn.forEach((p, i) => {
    // The API server hands ports sharing a number (53/TCP, 53/UDP) one node port; svclab's compiler two.
    const sibling = ports.find((q) => q.port === p.port && q.nodePort !== undefined);
    const np = !needsNodePorts ? undefined : sibling !== undefined && draw.chance(0.6) ? sibling.nodePort! : nodePort(b, fresh);
    ports.push({ ...p, targetPort: targets[i]!, ...(np !== undefined ? { nodePort: np } : {}) });
  });

  const vip = kind === 'ClusterIP' || kind === 'NodePort' || kind === 'LoadBalancer';
  const externalIPs = vip && draw.chance(0.18) ? randomExternalIPs(b) : [];
  const external = type === 'NodePort' || type === 'LoadBalancer' || externalIPs.length > 0;
  const externalTrafficPolicy = external && draw.chance(0.4) ? 'Local' : 'Cluster';
  const ingress = type === 'LoadBalancer' ? randomIngress(b) : [];
  const affinity = draw.chance(0.25);
  let selector: Record<string, string> | undefined;
  if (backend === 'deployment' || (backend === 'shared' && sharedDeployment === undefined)) {
    const template = templateFor(draw, ports.map((p) => ({ protocol: p.protocol, targetPort: p.targetPort })));
    selector = addDeployment(b, namespace, name, template, maxEndpoints);
  } else if (sharedDeployment !== undefined) {
    selector = { ...sharedDeployment.selector };
  }
  // Key order as the compiler writes it.
  const svc: Service = {
    namespace,
    name,
    type,
    clusterIP: vip ? clusterIP(b) : 'None',
    ...(selector !== undefined ? { selector } : {}),
    ports,
    externalIPs,
    loadBalancerIngress: ingress,
    externalTrafficPolicy,
    internalTrafficPolicy: draw.chance(0.25) ? 'Local' : 'Cluster',
    sessionAffinity: affinity ? 'ClientIP' : 'None',
    sessionAffinityTimeoutSeconds: affinity && draw.chance(0.5) ? (draw.chance(0.8) ? draw.pick(AFFINITY_TIMEOUTS) : draw.int(1, 86400)) : 10800,
    loadBalancerSourceRanges: type === 'LoadBalancer' && draw.chance(0.35) ? randomSourceRanges(b, ingress) : [],
  };
  if (type === 'LoadBalancer' && externalTrafficPolicy === 'Local') svc.healthCheckNodePort = nodePort(b, fresh);
  if (backend === 'handWritten') addHandWrittenSlices(b, svc, maxEndpoints);
  if (selector !== undefined && draw.chance(0.1)) b.publishNotReady.add(svc);
  b.services.push(svc);
}
