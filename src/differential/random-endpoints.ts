/**
 * Backends of random Services: Deployments whose pods the EndpointSlice controller turns into
 * slices (model/endpoints.ts deriveSlices, as the DSL compiler does), and hand-written slices of
 * selector-less Services pointing at bare pods, node addresses (host-network) or hosts outside
 * the cluster. Pod addresses come from their node's pod CIDR from .2 upwards, like the compiler.
 */
import type { Draw } from './random-draw.js';
import { OUTSIDE_RANGES } from './random-cluster.js';
import { cidrSize, nthAddress, parseCidr } from '../model/ip.js';
import type { ClusterSpec, ContainerPort, Deployment, EndpointConditions, EndpointSlice, Pod, Protocol, Service, SliceEndpoint } from '../model/types.js';

/** Everything drawn so far; services, pods and slices are appended in creation order. */
export interface Building {
  draw: Draw;
  cluster: ClusterSpec;
  pods: Pod[];
  deployments: Deployment[];
  services: Service[];
  /** Hand-written slices (selector-derived ones are computed once every pod exists). */
  handWritten: EndpointSlice[];
  /** Services whose slices publish not-ready addresses (publishNotReadyAddresses). */
  publishNotReady: Set<Service>;
  /** Next host offset per node's pod CIDR (.1 is the node's gateway). */
  nextPodHost: Map<string, bigint>;
  /** Addresses handed out of the outside ranges, so no two uses share one. */
  outsideUsed: Set<string>;
}

/** The pod conditions the kubelet and endpointslice controller produce (ready = serving && !terminating). */
const POD_CONDITIONS: Record<string, EndpointConditions> = {
  ready: { ready: true, serving: true, terminating: false },
  notReady: { ready: false, serving: false, terminating: false },
  terminatingServing: { ready: false, serving: true, terminating: true },
  terminatingNotServing: { ready: false, serving: false, terminating: true },
};

/**
 * The next free address of a node's pod range: from .2 (.1 is the node's gateway) with pod-cidr
 * addressing; with node-subnet addressing (VPC CNI) from offset 4 (a VPC keeps the first four),
 * skipping node, client and other pods' addresses, as nodes of one zone share its subnet.
 */
function nextPodIP(b: Building, name: string): string | undefined {
  const spec = b.cluster.nodes.find((n) => n.name === name)!;
  const cidr = parseCidr(spec.podCIDR)!;
  const nodeSubnet = b.cluster.podAddressing === 'node-subnet';
  const taken = (ip: string): boolean =>
    nodeSubnet && (b.pods.some((p) => p.ip === ip) || b.cluster.nodes.some((n) => n.addresses.includes(ip)) || b.cluster.clients.some((c) => c.address === ip));
  for (let next = b.nextPodHost.get(name) ?? (nodeSubnet ? 4n : 2n); next < cidrSize(cidr) - 1n; next++) {
    const ip = nthAddress(cidr, next)!;
    if (taken(ip)) continue;
    b.nextPodHost.set(name, next + 1n);
    return ip;
  }
  return undefined;
}

/** A pod address on `node`, or on another node with room left; undefined when every range is full. */
export function allocatePodIP(b: Building, node: string): { node: string; ip: string } | undefined {
  const order = [node, ...b.cluster.nodes.map((n) => n.name).filter((n) => n !== node)];
  for (const name of order) {
    const ip = nextPodIP(b, name);
    if (ip !== undefined) return { node: name, ip };
  }
  return undefined;
}

/** A fresh address of one of the documentation ranges. */
export function outsideAddress(b: Building, range: keyof typeof OUTSIDE_RANGES): string {
  const cidr = parseCidr(OUTSIDE_RANGES[range])!;
  for (;;) {
    const ip = nthAddress(cidr, b.draw.int(1, 254))!;
    if (!b.outsideUsed.has(ip)) {
      b.outsideUsed.add(ip);
      return ip;
    }
  }
}

/** What a Deployment's pod template exposes: for each container port, the number every pod uses. */
export interface PodTemplatePort {
  port: ContainerPort;
  /** Some pods (an unfinished rollout) use this number instead, or lack the port when null. */
  variant?: number | null;
}

/**
 * A Deployment of 0-`maxReplicas` pods labelled app=<name>, spread over random nodes, with random
 * pod conditions (mostly ready). Returns the selector for the Service.
 */
export function addDeployment(b: Building, namespace: string, name: string, template: PodTemplatePort[], maxReplicas: number): Record<string, string> {
  const { draw } = b;
  const selector = { app: name };
  const replicas = Math.min(maxReplicas, Number(draw.weighted({ 0: 1, 1: 2, 2: 3, 3: 2, 4: 1, 5: 1, 6: 1 })));
  let created = 0;
  for (let i = 0; i < replicas; i++) {
    const at = allocatePodIP(b, draw.pick(b.cluster.nodes).name);
    if (at === undefined) break;
    const ports: ContainerPort[] = [];
    for (const t of template) {
      const useVariant = t.variant !== undefined && draw.chance(0.4);
      if (useVariant && t.variant === null) continue;
      ports.push({ ...t.port, containerPort: useVariant ? t.variant! : t.port.containerPort });
    }
    const condition = POD_CONDITIONS[draw.weighted({ ready: 10, notReady: 2, terminatingServing: 2, terminatingNotServing: 1 })]!;
    b.pods.push({
      namespace,
      name: `${name}-${i + 1}`,
      node: at.node,
      ip: at.ip,
      labels: draw.chance(0.3) ? { ...selector, tier: 'backend' } : { ...selector },
      owner: name,
      ports,
      ...condition,
    });
    created++;
  }
  b.deployments.push({ namespace, name, replicas: created, selector: { ...selector } });
  return selector;
}

/** Any of the eight condition combinations (a hand-written slice may state anything). */
function anyConditions(draw: Draw): EndpointConditions {
  if (draw.chance(0.5)) return { ...POD_CONDITIONS.ready! };
  return { ready: draw.chance(0.4), serving: draw.chance(0.5), terminating: draw.chance(0.5) };
}

/** One hand-written endpoint: a bare pod, a node address (host network) or a host outside. */
function handWrittenEndpoint(b: Building, svc: Service, used: Set<string>): SliceEndpoint | undefined {
  const { draw } = b;
  const conditions = anyConditions(draw);
  const kind = draw.weighted({ pod: 6, podNoNode: 1, hostNetwork: 1, outside: 2 });
  if (kind === 'hostNetwork') {
    const node = draw.pick(b.cluster.nodes);
    const address = node.addresses[0]!;
    if (used.has(address)) return undefined;
    used.add(address);
    return { addresses: [address], conditions, nodeName: node.name };
  }
  if (kind === 'outside') {
    const address = outsideAddress(b, 'external');
    used.add(address);
    return { addresses: [address], conditions };
  }
  const at = allocatePodIP(b, draw.pick(b.cluster.nodes).name);
  if (at === undefined) return undefined;
  let name = `${svc.name}-${draw.suffix(5)}`;
  while (b.pods.some((p) => p.namespace === svc.namespace && p.name === name)) name = `${svc.name}-${draw.suffix(5)}`;
  // A bare pod labelled so that no Service selector (always app=...) picks it up.
  b.pods.push({ namespace: svc.namespace, name, node: at.node, ip: at.ip, labels: { role: 'backend' }, ports: [], ...conditions });
  used.add(at.ip);
  return { addresses: [at.ip], conditions, ...(kind === 'pod' ? { nodeName: at.node } : {}), pod: name };
}

/**
 * The same ip:port in a second slice: an endpoint moving between slices (an identical copy), or an
 * address reused while its old pod terminates (exactly one copy not terminating). kube-proxy keeps
 * the non-terminating copy (pkg/proxy/endpointslicecache.go); two different non-terminating
 * copies would leave the outcome to map order, so they are never drawn. Sometimes the copies
 * disagree on the node.
 */
function duplicateEndpoint(b: Building, original: SliceEndpoint): SliceEndpoint {
  const { draw } = b;
  if (draw.chance(0.4)) return structuredClone(original);
  const conditions: EndpointConditions = original.conditions.terminating
    ? { ready: true, serving: true, terminating: false }
    : { ready: false, serving: draw.chance(0.5), terminating: true };
  let nodeName = original.nodeName;
  if (draw.chance(0.3)) nodeName = draw.chance(0.5) ? undefined : draw.pick(b.cluster.nodes).name;
  return { addresses: [...original.addresses], conditions, ...(nodeName !== undefined ? { nodeName } : {}) };
}

/** 0-2 slices for a selector-less Service; each names a subset of its ports (names and protocols match). */
export function addHandWrittenSlices(b: Building, svc: Service, maxEndpoints: number): void {
  const { draw } = b;
  const count = Number(draw.weighted({ 0: 2, 1: 7, 2: 2 }));
  const used = new Set<string>();
  for (let s = 0; s < count; s++) {
    const first = b.handWritten.find((h) => h.namespace === svc.namespace && h.serviceName === svc.name);
    const moving = first !== undefined && first.endpoints.length > 0 && draw.chance(0.35);
    const ports = moving
      ? first.ports.map((p) => ({ ...p }))
      : svc.ports
          .filter(() => draw.chance(0.9))
          .map((p) => ({ name: p.name, port: typeof p.targetPort === 'number' && draw.chance(0.7) ? p.targetPort : draw.int(1024, 65535), protocol: p.protocol }));
    const endpoints: SliceEndpoint[] = moving ? [duplicateEndpoint(b, draw.pick(first.endpoints))] : [];
    const wanted = draw.int(0, maxEndpoints - endpoints.length);
    for (let i = 0; i < wanted; i++) {
      const ep = handWrittenEndpoint(b, svc, used);
      if (ep !== undefined) endpoints.push(ep);
    }
    // The mirroring controller names its slices <service>-mirror; users pick anything.
    let name = s === 0 && draw.chance(0.3) ? `${svc.name}-mirror` : `${svc.name}-${draw.suffix(5)}`;
    while (b.handWritten.some((h) => h.namespace === svc.namespace && h.name === name)) name = `${svc.name}-${draw.suffix(5)}`;
    b.handWritten.push({ namespace: svc.namespace, name, serviceName: svc.name, addressType: 'IPv4', ports, endpoints });
  }
}

/** Container ports a Deployment's template needs so the Service's target ports resolve. */
export function templateFor(draw: Draw, ports: { protocol: Protocol; targetPort: number | string }[]): PodTemplatePort[] {
  const out: PodTemplatePort[] = [];
  for (const p of ports) {
    if (typeof p.targetPort === 'number') {
      if (!out.some((t) => t.port.containerPort === p.targetPort && t.port.protocol === p.protocol)) {
        out.push({ port: { containerPort: p.targetPort, protocol: p.protocol } });
      }
      continue;
    }
    const number = draw.pick([8080, 8443, 9376, 5353, 9090, draw.int(1024, 65535)]);
    // A rollout in progress: some pods serve the named port on another number, or not at all.
    const variant = draw.chance(0.2) ? (draw.chance(0.5) ? null : number + 1) : undefined;
    out.push({ port: { name: p.targetPort, containerPort: number, protocol: p.protocol }, ...(variant !== undefined ? { variant } : {}) });
  }
  return out;
}
