/**
 * The evolving cluster while a scenario is compiled: the manifests (as written, then patched), the
 * pods Deployments own (named, placed and addressed deterministically), and the cluster IPs and node
 * ports handed out. Each change step mutates it and `snapshot()` yields the ClusterState for a step.
 * Errors point at the manifest (or patch) that caused them.
 */
import { didYouMean } from './diagnostics.js';
import { fail, hasPath } from './source.js';
import type { Locator, PathSegment } from './source.js';
import { checkManifest } from './check-manifest.js';
import type { Placement } from './placement.js';
import { spreadNodes } from './placement.js';
import { clusterIPPool, nodePortPool, reservedServiceOffset } from '../model/allocator.js';
import type { Pool } from '../model/allocator.js';
import { deriveSlices } from '../model/endpoints.js';
import { canonicalIp, cidrSize, nthAddress, offsetIn, parseCidr } from '../model/ip.js';
import type { Cidr } from '../model/ip.js';
import type { ResourceKind } from './schema.js';
import type {
  ClusterSpec,
  ClusterState,
  ContainerPort,
  Deployment,
  EndpointSlice,
  Manifest,
  Pod,
  Protocol,
  Service,
  ServicePort,
} from '../model/types.js';

type Obj = Record<string, unknown>;

/** A written resource and where it came from. */
export interface Entry {
  kind: ResourceKind;
  namespace: string;
  name: string;
  manifest: Obj;
  origin: Locator;
  /** The `with:` of the last patch, for pointing errors at what the patch wrote. */
  patchOrigin?: Locator;
}

interface PodRecord {
  name: string;
  namespace: string;
  owner?: string;
  number?: number;
  slot?: number;
  node: string;
  ip: string;
  manifest: Obj;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  origin: Locator;
  patchOrigin?: Locator;
}

interface ServiceAlloc {
  clusterIP?: string;
  /** `port/PROTOCOL` -> node port. */
  nodePorts: Map<string, number>;
  healthCheckNodePort?: number;
}

export function entryKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

/** A locator into a manifest: into the patch when the patch wrote that path, else the original. */
export function locIn(e: { origin: Locator; patchOrigin?: Locator }, path: PathSegment[], key = false): Locator {
  if (e.patchOrigin && hasPath(e.patchOrigin.doc, [...e.patchOrigin.path, ...path])) {
    return { doc: e.patchOrigin.doc, path: [...e.patchOrigin.path, ...path], key };
  }
  if (e.patchOrigin && !hasPath(e.origin.doc, [...e.origin.path, ...path])) return e.patchOrigin;
  return { doc: e.origin.doc, path: [...e.origin.path, ...path], key };
}

function asObj(v: unknown): Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {};
}

function get(o: unknown, ...path: string[]): unknown {
  let cur: unknown = o;
  for (const p of path) cur = asObj(cur)[p];
  return cur;
}

function portKey(port: number, protocol: string): string {
  return `${port}/${protocol}`;
}

export class World {
  readonly entries: Entry[] = [];
  private pods: PodRecord[] = [];
  private readonly nextPodNumber = new Map<string, number>();
  private readonly templates = new Map<string, string>();
  private readonly nodeNextHost = new Map<string, bigint>();
  private readonly allocs = new Map<string, ServiceAlloc>();
  private readonly nodePorts: Pool<number>;
  private readonly clusterIPs: Pool<string>;
  private readonly serviceCidr: Cidr;
  private bareSpread = 0;

  constructor(
    readonly cluster: ClusterSpec,
    readonly defaultNamespace: string,
    private readonly placement: Placement,
  ) {
    this.serviceCidr = parseCidr(cluster.serviceCIDR)!;
    this.nodePorts = nodePortPool(cluster.nodePortRange.min, cluster.nodePortRange.max);
    this.clusterIPs = clusterIPPool(this.serviceCidr);
  }

  // ------------------------------------------------------------ lookups

  find(kind: ResourceKind, namespace: string, name: string): Entry | undefined {
    return this.entries.find((e) => e.kind === kind && e.namespace === namespace && e.name === name);
  }

  namesOf(kind: ResourceKind, namespace: string): string[] {
    if (kind === 'Pod') return this.pods.filter((p) => p.namespace === namespace).map((p) => p.name);
    return this.entries.filter((e) => e.kind === kind && e.namespace === namespace).map((e) => e.name);
  }

  hasPod(namespace: string, name: string): boolean {
    return this.pods.some((p) => p.namespace === namespace && p.name === name);
  }

  // ------------------------------------------------------------ changes

  /** Adds a resource, or replaces one of the same kind/namespace/name (apply semantics). */
  upsert(kind: ResourceKind, manifest: Obj, origin: Locator, replace: boolean): void {
    const meta = asObj(manifest.metadata);
    const namespace = (meta.namespace as string | undefined) ?? this.defaultNamespace;
    const name = meta.name as string;
    meta.namespace = namespace;
    const entry: Entry = { kind, namespace, name, manifest, origin };
    checkManifest(entry, this.cluster);
    const existing = this.find(kind, namespace, name);
    if (existing !== undefined) {
      if (!replace) fail(`duplicate ${kind} '${name}'`, locIn(entry, ['metadata', 'name']), [`expected unique ${kind} names in namespace '${namespace}'`]);
      this.entries[this.entries.indexOf(existing)] = entry;
      if (kind === 'Pod') this.removePod(namespace, name);
    } else {
      this.entries.push(entry);
    }
    if (kind === 'Pod') this.addBarePod(entry);
    // Pods get their addresses in resource order, so a Deployment's pods are created right away.
    if (kind === 'Deployment') this.reconcileDeployments();
  }

  /** Replaces an entry's manifest after a patch (already checked by the caller). */
  replaceManifest(entry: Entry, manifest: Obj, patchOrigin: Locator): void {
    const next: Entry = { ...entry, manifest, patchOrigin };
    checkManifest(next, this.cluster);
    this.entries[this.entries.indexOf(entry)] = next;
    if (entry.kind === 'Pod') {
      const pod = this.pods.find((p) => p.namespace === entry.namespace && p.name === entry.name)!;
      this.applyPodManifest(pod, manifest, next);
    }
  }

  /** Patches a pod (owned pods have no entry of their own). */
  patchPod(namespace: string, name: string, manifest: Obj, patchOrigin: Locator): void {
    const pod = this.pods.find((p) => p.namespace === namespace && p.name === name)!;
    const probe: Entry = { kind: 'Pod', namespace, name, manifest, origin: pod.origin, patchOrigin };
    checkManifest(probe, this.cluster);
    pod.patchOrigin = patchOrigin;
    this.applyPodManifest(pod, manifest, probe);
  }

  podManifest(namespace: string, name: string): Obj | undefined {
    return this.pods.find((p) => p.namespace === namespace && p.name === name)?.manifest;
  }

  podOwner(namespace: string, name: string): string | undefined {
    return this.pods.find((p) => p.namespace === namespace && p.name === name)?.owner;
  }

  delete(kind: ResourceKind, namespace: string, name: string): void {
    if (kind === 'Pod') {
      const pod = this.pods.find((p) => p.namespace === namespace && p.name === name)!;
      this.pods = this.pods.filter((p) => p !== pod);
      const idx = this.entries.findIndex((e) => e.kind === 'Pod' && e.namespace === namespace && e.name === name);
      if (idx >= 0) this.entries.splice(idx, 1);
      // A Deployment's ReplicaSet replaces the pod at once, in the same slot (so on the same node).
      if (pod.owner !== undefined && pod.slot !== undefined) {
        const dep = this.find('Deployment', namespace, pod.owner)!;
        this.createOwnedPod(dep, pod.slot);
      }
      return;
    }
    const entry = this.find(kind, namespace, name)!;
    this.entries.splice(this.entries.indexOf(entry), 1);
    if (kind === 'Deployment') {
      this.pods = this.pods.filter((p) => !(p.namespace === namespace && p.owner === name));
      this.templates.delete(entryKey('Deployment', namespace, name));
    }
    if (kind === 'Service') this.allocs.delete(entryKey('Service', namespace, name));
  }

  setCondition(namespace: string, name: string, condition: 'ready' | 'not-ready' | 'terminating'): void {
    const pod = this.pods.find((p) => p.namespace === namespace && p.name === name)!;
    pod.ready = condition === 'ready';
    pod.serving = condition !== 'not-ready';
    pod.terminating = condition === 'terminating';
  }

  // ------------------------------------------------------------ pods

  private applyPodManifest(pod: PodRecord, manifest: Obj, entry: Entry): void {
    pod.manifest = manifest;
    const nodeName = get(manifest, 'spec', 'nodeName');
    if (typeof nodeName === 'string' && nodeName !== pod.node) {
      fail(`cannot move pod '${pod.name}' to node '${nodeName}': spec.nodeName of a running pod is immutable`, locIn(entry, ['spec', 'nodeName']), [`expected '${pod.node}', or delete and re-create the pod`]);
    }
  }

  private podPortsOf(manifest: Obj): ContainerPort[] {
    const ports: ContainerPort[] = [];
    for (const c of (get(manifest, 'spec', 'containers') as Obj[] | undefined) ?? []) {
      for (const p of (c.ports as Obj[] | undefined) ?? []) {
        ports.push({
          ...(p.name !== undefined ? { name: p.name as string } : {}),
          containerPort: p.containerPort as number,
          protocol: ((p.protocol as Protocol | undefined) ?? 'TCP'),
        });
      }
    }
    return ports;
  }

  private allocatePodIP(node: string, at: Locator): string {
    const spec = this.cluster.nodes.find((n) => n.name === node)!;
    if (this.cluster.podAddressing === 'node-subnet') return this.allocateFromNodeSubnet(spec, at);
    const cidr = parseCidr(spec.podCIDR)!;
    let next = this.nodeNextHost.get(node) ?? 2n;
    // .1 is the node's gateway; the last address of an IPv4 range is its broadcast address.
    if (next >= cidrSize(cidr) - 1n) {
      fail(`node '${node}' has no free pod address left in ${spec.podCIDR}`, at, ['expected fewer pods on this node, or a larger node podCIDR']);
    }
    const ip = nthAddress(cidr, next)!;
    this.nodeNextHost.set(node, ++next);
    return ip;
  }

  /**
   * node-subnet addressing (VPC CNI): the node's podIPs first, in order, then the next free
   * address of its pod range; never the subnet's first four or last address, a node's or a
   * client's address, or an address a live pod holds (nodes of one subnet share it).
   */
  private allocateFromNodeSubnet(spec: ClusterSpec['nodes'][number], at: Locator): string {
    const used = new Set<string>([
      ...this.pods.map((p) => canonicalIp(p.ip)),
      ...this.cluster.nodes.flatMap((n) => n.addresses.map(canonicalIp)),
      ...this.cluster.clients.map((c) => canonicalIp(c.address)),
    ]);
    for (const ip of spec.podIPs ?? []) if (!used.has(canonicalIp(ip))) return ip;
    const subnet = parseCidr(spec.subnet ?? spec.podCIDR)!;
    const range = parseCidr(spec.podCIDR)!;
    const last = subnet.base + cidrSize(subnet) - 1n;
    let next = this.nodeNextHost.get(spec.name) ?? 0n;
    for (; next < cidrSize(range); next++) {
      const ip = nthAddress(range, next)!;
      const offset = offsetIn(subnet, ip)!;
      // Like a VPC: the first four addresses (network, router, DNS, reserved) and the last are never handed out.
      if (offset < 4n || subnet.base + offset === last || used.has(canonicalIp(ip))) continue;
      this.nodeNextHost.set(spec.name, next + 1n);
      return ip;
    }
    return fail(`node '${spec.name}' has no free pod address left in ${spec.podCIDR}`, at, ['expected fewer pods on this node, a larger node podCIDR, or more podIPs']);
  }

  private addBarePod(entry: Entry): void {
    const spec = asObj(entry.manifest.spec);
    let node = spec.nodeName as string | undefined;
    const placed = this.placement.lists.get(entry.name);
    if (node !== undefined && placed !== undefined) {
      fail(`pod '${entry.name}' is placed twice: spec.nodeName and placement`, placed.loc, ['expected either spec.nodeName or a placement entry']);
    }
    if (node !== undefined && !this.cluster.nodes.some((n) => n.name === node)) {
      fail(`unknown node '${node}'`, locIn(entry, ['spec', 'nodeName']), [
        `expected one of: ${this.cluster.nodes.map((n) => n.name).join(', ')}`,
        ...didYouMean(node, this.cluster.nodes.map((n) => n.name)),
      ]);
    }
    if (node === undefined && placed !== undefined) {
      if (placed.nodes.length !== 1) fail(`pod '${entry.name}' is a single pod; placement lists ${placed.nodes.length} nodes`, placed.loc, ['expected one node for a bare Pod']);
      node = placed.nodes[0];
    }
    if (node === undefined) {
      const pool = spreadNodes(this.cluster);
      node = pool[this.bareSpread++ % pool.length];
    }
    if (this.pods.some((p) => p.namespace === entry.namespace && p.name === entry.name)) {
      fail(`duplicate pod name '${entry.name}' (a Deployment already has a pod of that name)`, locIn(entry, ['metadata', 'name']), ['expected unique pod names']);
    }
    this.pods.push({
      name: entry.name,
      namespace: entry.namespace,
      node,
      ip: this.allocatePodIP(node, locIn(entry, ['metadata', 'name'])),
      manifest: entry.manifest,
      ready: true,
      serving: true,
      terminating: false,
      origin: entry.origin,
    });
  }

  private removePod(namespace: string, name: string): void {
    this.pods = this.pods.filter((p) => !(p.namespace === namespace && p.name === name));
  }

  private nodeForSlot(dep: Entry, slot: number): string {
    const placed = this.placement.lists.get(dep.name);
    const pool = placed?.nodes ?? spreadNodes(this.cluster);
    return pool[slot % pool.length];
  }

  private createOwnedPod(dep: Entry, slot: number): void {
    const key = entryKey('Deployment', dep.namespace, dep.name);
    const number = this.nextPodNumber.get(key) ?? 1;
    this.nextPodNumber.set(key, number + 1);
    const name = `${dep.name}-${number}`;
    if (name.length > 253) {
      fail(`Deployment '${dep.name.slice(0, 40)}...' is too long to name its pods (${name.length} characters)`, locIn(dep, ['metadata', 'name']), [
        `expected a Deployment name short enough for its pod names (<deployment>-<n>) to be at most 253 characters`,
      ]);
    }
    if (this.pods.some((p) => p.namespace === dep.namespace && p.name === name)) {
      fail(`Deployment '${dep.name}' would create pod '${name}', but a pod of that name exists`, locIn(dep, ['metadata', 'name']), ['expected pod names that do not collide with <deployment>-<n>']);
    }
    const template = asObj(get(dep.manifest, 'spec', 'template'));
    const tmeta = asObj(template.metadata);
    const manifest: Obj = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: dep.namespace,
        labels: { ...asObj(tmeta.labels) },
        ...(tmeta.annotations !== undefined ? { annotations: { ...asObj(tmeta.annotations) } } : {}),
      },
      spec: structuredClone(template.spec),
    };
    const node = this.nodeForSlot(dep, slot);
    this.pods.push({
      name,
      namespace: dep.namespace,
      owner: dep.name,
      number,
      slot,
      node,
      ip: this.allocatePodIP(node, locIn(dep, ['spec', 'replicas'])),
      manifest,
      ready: true,
      serving: true,
      terminating: false,
      origin: locIn(dep, ['spec', 'template']),
    });
  }

  /** Brings every Deployment's pods in line with its replicas and template. */
  private reconcileDeployments(): void {
    for (const dep of this.entries.filter((e) => e.kind === 'Deployment')) {
      const key = entryKey('Deployment', dep.namespace, dep.name);
      const template = JSON.stringify(get(dep.manifest, 'spec', 'template'));
      const owned = () => this.pods.filter((p) => p.namespace === dep.namespace && p.owner === dep.name);
      const previous = this.templates.get(key);
      if (previous !== undefined && previous !== template) {
        // A finished rollout: every pod replaced, slots kept.
        const slots = owned().map((p) => p.slot!);
        this.pods = this.pods.filter((p) => !(p.namespace === dep.namespace && p.owner === dep.name));
        for (const s of slots.sort((a, b) => a - b)) this.createOwnedPod(dep, s);
      }
      this.templates.set(key, template);
      const replicas = (get(dep.manifest, 'spec', 'replicas') as number | undefined) ?? 1;
      let pods = owned();
      if (pods.length > replicas) {
        const remove = new Set(pods.sort((a, b) => b.number! - a.number!).slice(0, pods.length - replicas));
        this.pods = this.pods.filter((p) => !remove.has(p));
        pods = owned();
      }
      const used = new Set(pods.map((p) => p.slot!));
      for (let slot = 0, missing = replicas - pods.length; missing > 0; slot++) {
        if (used.has(slot)) continue;
        this.createOwnedPod(dep, slot);
        missing--;
      }
    }
  }

  // ------------------------------------------------------------ services

  private serviceNeedsNodePorts(spec: Obj): boolean {
    const type = (spec.type as string | undefined) ?? 'ClusterIP';
    return type === 'NodePort' || (type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
  }

  private needsHealthCheck(spec: Obj): boolean {
    return spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
  }

  /** Cluster IPs and node ports: fixed ones first (checked), then kept ones, then new ones. */
  private reconcileServices(): void {
    const services = this.entries.filter((e) => e.kind === 'Service');
    const portOwner = new Map<number, string>();
    const ipOwner = new Map<string, string>();
    const next = new Map<string, ServiceAlloc>();
    const { min, max } = this.cluster.nodePortRange;
    const claimPort = (port: number, owner: string, loc: Locator) => {
      if (port < min || port > max) fail(`nodePort ${port} is outside the node port range ${min}-${max}`, loc, [`expected a port from ${min} to ${max}`]);
      const other = portOwner.get(port);
      if (other !== undefined) fail(`nodePort ${port} is already used by ${other}`, loc, ['expected a node port no other Service port uses']);
      portOwner.set(port, owner);
      this.nodePorts.mark(port);
    };
    // Pass 1: fixed values.
    for (const svc of services) {
      const key = entryKey('Service', svc.namespace, svc.name);
      const spec = asObj(svc.manifest.spec);
      const alloc: ServiceAlloc = { nodePorts: new Map() };
      next.set(key, alloc);
      const fixedIP = spec.clusterIP as string | undefined;
      if (fixedIP !== undefined && fixedIP !== 'None' && spec.type !== 'ExternalName') {
        const loc = locIn(svc, ['spec', 'clusterIP']);
        const off = offsetIn(this.serviceCidr, fixedIP);
        if (off === undefined) fail(`clusterIP ${fixedIP} is outside the service CIDR ${this.cluster.serviceCIDR}`, loc, [`expected an address inside ${this.cluster.serviceCIDR}`]);
        const reserved = reservedServiceOffset(off);
        if (reserved !== undefined) fail(`clusterIP ${fixedIP} is the ${reserved} of the service CIDR`, loc, [`expected another address inside ${this.cluster.serviceCIDR}`]);
        const canon = canonicalIp(fixedIP);
        const other = ipOwner.get(canon);
        if (other !== undefined) fail(`clusterIP ${fixedIP} is already used by Service '${other}'`, loc, ['expected a cluster IP no other Service uses']);
        ipOwner.set(canon, svc.name);
        this.clusterIPs.mark(canon);
        alloc.clusterIP = canon;
      }
      // Fixed node ports count even on a LoadBalancer with allocateLoadBalancerNodePorts: false.
      if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
        ((spec.ports as Obj[] | undefined) ?? []).forEach((p, i) => {
          if (p.nodePort === undefined) return;
          const pk = portKey(p.port as number, (p.protocol as string | undefined) ?? 'TCP');
          claimPort(p.nodePort as number, `Service '${svc.name}' port ${p.name ?? p.port}`, locIn(svc, ['spec', 'ports', i, 'nodePort']));
          alloc.nodePorts.set(pk, p.nodePort as number);
        });
      }
      if (this.needsHealthCheck(spec) && spec.healthCheckNodePort !== undefined) {
        claimPort(spec.healthCheckNodePort as number, `the health check of Service '${svc.name}'`, locIn(svc, ['spec', 'healthCheckNodePort']));
        alloc.healthCheckNodePort = spec.healthCheckNodePort as number;
      }
    }
    // Pass 2: keep what each Service had, then allocate the rest, in resource and port order.
    for (const svc of services) {
      const key = entryKey('Service', svc.namespace, svc.name);
      const spec = asObj(svc.manifest.spec);
      const alloc = next.get(key)!;
      const before = this.allocs.get(key);
      const headless = spec.clusterIP === 'None' || spec.type === 'ExternalName';
      if (!headless && alloc.clusterIP === undefined) {
        const kept = before?.clusterIP;
        if (kept !== undefined && !ipOwner.has(kept)) alloc.clusterIP = kept;
        else {
          const ip = this.clusterIPs.next((v) => ipOwner.has(v));
          if (ip === undefined) fail(`no free cluster IP left in ${this.cluster.serviceCIDR}`, locIn(svc, ['metadata', 'name']), ['expected a larger serviceCIDR']);
          alloc.clusterIP = ip;
        }
        ipOwner.set(alloc.clusterIP, svc.name);
      }
      const take = (owner: string, keptPort: number | undefined, loc: Locator): number => {
        if (keptPort !== undefined && !portOwner.has(keptPort)) {
          portOwner.set(keptPort, owner);
          return keptPort;
        }
        const port = this.nodePorts.next((v) => portOwner.has(v));
        if (port === undefined) fail(`no free node port left in ${min}-${max}`, loc, ['expected a larger nodePortRange']);
        portOwner.set(port, owner);
        return port;
      };
      if (this.serviceNeedsNodePorts(spec)) {
        ((spec.ports as Obj[] | undefined) ?? []).forEach((p, i) => {
          const pk = portKey(p.port as number, (p.protocol as string | undefined) ?? 'TCP');
          if (alloc.nodePorts.has(pk)) return;
          alloc.nodePorts.set(pk, take(`Service '${svc.name}' port ${p.name ?? p.port}`, before?.nodePorts.get(pk), locIn(svc, ['spec', 'ports', i])));
        });
      }
      if (this.needsHealthCheck(spec) && alloc.healthCheckNodePort === undefined) {
        alloc.healthCheckNodePort = take(`the health check of Service '${svc.name}'`, before?.healthCheckNodePort, locIn(svc, ['spec']));
      }
    }
    this.allocs.clear();
    for (const [k, v] of next) this.allocs.set(k, v);
  }

  /** Recomputes derived state after a change: pods of Deployments, then Service allocations. */
  reconcile(): void {
    this.reconcileDeployments();
    this.reconcileServices();
  }

  // ------------------------------------------------------------ snapshot

  private serviceOf(e: Entry): Service {
    const spec = asObj(e.manifest.spec);
    const alloc: ServiceAlloc = this.allocs.get(entryKey('Service', e.namespace, e.name)) ?? { nodePorts: new Map() };
    const rawPorts = (spec.ports as Obj[] | undefined) ?? [];
    const ports: ServicePort[] = rawPorts.map((p) => {
      const protocol = ((p.protocol as Protocol | undefined) ?? 'TCP');
      const nodePort = alloc.nodePorts.get(portKey(p.port as number, protocol));
      return {
        name: (p.name as string | undefined) ?? '',
        protocol,
        port: p.port as number,
        targetPort: (p.targetPort as number | string | undefined) ?? (p.port as number),
        ...(nodePort !== undefined ? { nodePort } : {}),
      };
    });
    const selector = spec.selector as Record<string, string> | undefined;
    const type = ((spec.type as Service['type'] | undefined) ?? 'ClusterIP');
    const external = type === 'NodePort' || type === 'LoadBalancer' || ((spec.externalIPs as string[] | undefined) ?? []).length > 0;
    return {
      namespace: e.namespace,
      name: e.name,
      type,
      clusterIP: alloc.clusterIP ?? 'None',
      ...(selector !== undefined && Object.keys(selector).length > 0 ? { selector: { ...selector } } : {}),
      ports,
      externalIPs: [...((spec.externalIPs as string[] | undefined) ?? [])],
      loadBalancerIngress:
        type === 'LoadBalancer'
          ? (((get(e.manifest, 'status', 'loadBalancer', 'ingress') as Obj[] | undefined) ?? []).map((i) => ({
              ip: i.ip as string,
              ...(i.ipMode !== undefined ? { ipMode: i.ipMode as 'VIP' | 'Proxy' } : {}),
            })))
          : [],
      externalTrafficPolicy: external ? ((spec.externalTrafficPolicy as 'Cluster' | 'Local' | undefined) ?? 'Cluster') : 'Cluster',
      internalTrafficPolicy: (spec.internalTrafficPolicy as 'Cluster' | 'Local' | undefined) ?? 'Cluster',
      sessionAffinity: (spec.sessionAffinity as 'None' | 'ClientIP' | undefined) ?? 'None',
      sessionAffinityTimeoutSeconds: (get(spec, 'sessionAffinityConfig', 'clientIP', 'timeoutSeconds') as number | undefined) ?? 10800,
      loadBalancerSourceRanges: type === 'LoadBalancer' ? [...((spec.loadBalancerSourceRanges as string[] | undefined) ?? [])] : [],
      ...(alloc.healthCheckNodePort !== undefined ? { healthCheckNodePort: alloc.healthCheckNodePort } : {}),
    };
  }

  private handWrittenSlices(services: Service[]): EndpointSlice[] {
    const out: EndpointSlice[] = [];
    const selectorless = (ns: string, name: string) => services.some((s) => s.namespace === ns && s.name === name && s.selector === undefined);
    for (const e of this.entries) {
      if (e.kind === 'Endpoints' && selectorless(e.namespace, e.name)) {
        // The EndpointSlice mirroring controller: one slice per subset, like `<name>-mirror`.
        const subsets = (e.manifest.subsets as Obj[] | undefined) ?? [];
        subsets.forEach((s, i) => {
          const ports = ((s.ports as Obj[] | undefined) ?? []).map((p) => ({ name: (p.name as string | undefined) ?? '', port: p.port as number, protocol: ((p.protocol as Protocol | undefined) ?? 'TCP') }));
          const conv = (a: Obj, ready: boolean) => ({
            addresses: [a.ip as string],
            conditions: { ready, serving: ready, terminating: false },
            ...(a.nodeName !== undefined ? { nodeName: a.nodeName as string } : {}),
            ...(get(a, 'targetRef', 'name') !== undefined ? { pod: get(a, 'targetRef', 'name') as string } : {}),
          });
          const endpoints = [
            ...((s.addresses as Obj[] | undefined) ?? []).map((a) => conv(a, true)),
            ...((s.notReadyAddresses as Obj[] | undefined) ?? []).map((a) => conv(a, false)),
          ];
          const family = endpoints.length > 0 && endpoints[0].addresses[0].includes(':') ? 'IPv6' : 'IPv4';
          out.push({ namespace: e.namespace, name: i === 0 ? `${e.name}-mirror` : `${e.name}-mirror-${i + 1}`, serviceName: e.name, addressType: family, ports, endpoints });
        });
      }
      if (e.kind === 'EndpointSlice') {
        const svc = get(e.manifest, 'metadata', 'labels', 'kubernetes.io/service-name') as string;
        if (!selectorless(e.namespace, svc)) continue;
        out.push({
          namespace: e.namespace,
          name: e.name,
          serviceName: svc,
          addressType: e.manifest.addressType as 'IPv4' | 'IPv6',
          ports: ((e.manifest.ports as Obj[] | undefined) ?? []).map((p) => ({ name: (p.name as string | undefined) ?? '', port: p.port as number, protocol: ((p.protocol as Protocol | undefined) ?? 'TCP') })),
          endpoints: ((e.manifest.endpoints as Obj[] | undefined) ?? []).map((ep) => {
            const c = asObj(ep.conditions);
            const ready = (c.ready as boolean | undefined) ?? true;
            return {
              addresses: [...(ep.addresses as string[])],
              conditions: { ready, serving: (c.serving as boolean | undefined) ?? ready, terminating: (c.terminating as boolean | undefined) ?? false },
              ...(ep.nodeName !== undefined ? { nodeName: ep.nodeName as string } : {}),
              ...(get(ep, 'targetRef', 'name') !== undefined ? { pod: get(ep, 'targetRef', 'name') as string } : {}),
            };
          }),
        });
      }
    }
    return out;
  }

  snapshot(): ClusterState {
    const pods: Pod[] = this.pods.map((p) => ({
      namespace: p.namespace,
      name: p.name,
      node: p.node,
      ip: p.ip,
      labels: { ...((get(p.manifest, 'metadata', 'labels') as Record<string, string> | undefined) ?? {}) },
      ...(p.owner !== undefined ? { owner: p.owner } : {}),
      ports: this.podPortsOf(p.manifest),
      ready: p.ready,
      serving: p.serving,
      terminating: p.terminating,
    }));
    const services = this.entries.filter((e) => e.kind === 'Service').map((e) => this.serviceOf(e));
    const derived = services.flatMap((s) => {
      const e = this.find('Service', s.namespace, s.name)!;
      return deriveSlices(s, pods, get(e.manifest, 'spec', 'publishNotReadyAddresses') === true);
    });
    const deployments: Deployment[] = this.entries
      .filter((e) => e.kind === 'Deployment')
      .map((e) => ({
        namespace: e.namespace,
        name: e.name,
        replicas: (get(e.manifest, 'spec', 'replicas') as number | undefined) ?? 1,
        selector: { ...(get(e.manifest, 'spec', 'selector', 'matchLabels') as Record<string, string>) },
      }));
    return structuredClone({
      cluster: this.cluster,
      manifests: this.entries.map((e) => e.manifest as unknown as Manifest),
      deployments,
      pods,
      services,
      endpointSlices: [...derived, ...this.handWrittenSlices(services)],
    });
  }

  /** Cross-resource checks: hand-written endpoints name a selector-less Service, nodes exist. */
  checkReferences(only?: Set<Entry>): void {
    for (const e of this.entries) {
      if (only !== undefined && !only.has(e)) continue;
      if (e.kind !== 'Endpoints' && e.kind !== 'EndpointSlice') continue;
      const svcName = e.kind === 'Endpoints' ? e.name : (get(e.manifest, 'metadata', 'labels', 'kubernetes.io/service-name') as string);
      const nameLoc = e.kind === 'Endpoints' ? locIn(e, ['metadata', 'name']) : locIn(e, ['metadata', 'labels', 'kubernetes.io/service-name']);
      const svc = this.find('Service', e.namespace, svcName);
      const services = this.namesOf('Service', e.namespace);
      if (svc === undefined) {
        fail(`${e.kind} '${e.name}' names Service '${svcName}', which does not exist`, nameLoc, [
          services.length > 0 ? `expected one of: ${services.join(', ')}` : 'expected a Service of that name in the scenario',
          ...didYouMean(svcName, services),
        ]);
      }
      const sel = get(svc.manifest, 'spec', 'selector');
      if (sel !== undefined && Object.keys(asObj(sel)).length > 0) {
        fail(`Service '${svcName}' has a selector, so its endpoints are derived from pods; hand-written ${e.kind} would be overwritten`, nameLoc, ['expected hand-written endpoints only for a Service without a selector']);
      }
      const portNames = ((get(svc.manifest, 'spec', 'ports') as Obj[] | undefined) ?? []).map((p) => (p.name as string | undefined) ?? '');
      const checkPorts = (ports: Obj[], path: PathSegment[]) =>
        ports.forEach((p, i) => {
          const n = (p.name as string | undefined) ?? '';
          if (!portNames.includes(n)) {
            fail(`endpoint port name '${n}' matches no port of Service '${svcName}'`, locIn(e, [...path, i, p.name === undefined ? 'port' : 'name']), [
              `expected one of: ${portNames.map((x) => (x === '' ? '"" (unnamed)' : x)).join(', ')}`,
            ]);
          }
        });
      const checkNode = (node: unknown, path: PathSegment[]) => {
        if (typeof node !== 'string') return;
        const names = this.cluster.nodes.map((n) => n.name);
        if (!names.includes(node)) fail(`unknown node '${node}'`, locIn(e, path), [`expected one of: ${names.join(', ')}`, ...didYouMean(node, names)]);
      };
      if (e.kind === 'Endpoints') {
        ((e.manifest.subsets as Obj[] | undefined) ?? []).forEach((s, i) => {
          checkPorts((s.ports as Obj[] | undefined) ?? [], ['subsets', i, 'ports']);
          for (const field of ['addresses', 'notReadyAddresses']) {
            ((s[field] as Obj[] | undefined) ?? []).forEach((a, j) => checkNode(a.nodeName, ['subsets', i, field, j, 'nodeName']));
          }
        });
      } else {
        checkPorts((e.manifest.ports as Obj[] | undefined) ?? [], ['ports']);
        ((e.manifest.endpoints as Obj[] | undefined) ?? []).forEach((ep, i) => checkNode(ep.nodeName, ['endpoints', i, 'nodeName']));
      }
    }
  }

  /** Services whose selector matches no pod (nearly always a typo in the initial state). */
  checkSelectorsMatch(): void {
    const state = this.snapshot();
    for (const e of this.entries.filter((x) => x.kind === 'Service')) {
      const selector = get(e.manifest, 'spec', 'selector') as Record<string, string> | undefined;
      if (selector === undefined || Object.keys(selector).length === 0) continue;
      const candidates = this.entries.filter((x) => x.kind === 'Deployment' || x.kind === 'Pod');
      const podsInNs = state.pods.filter((p) => p.namespace === e.namespace);
      const matches = podsInNs.some((p) => Object.entries(selector).every(([k, v]) => p.labels[k] === v));
      // A Deployment scaled to 0 whose template matches is a deliberate "no endpoints" setup.
      const templateMatches = candidates.some(
        (d) => d.kind === 'Deployment' && d.namespace === e.namespace && Object.entries(selector).every(([k, v]) => asObj(get(d.manifest, 'spec', 'template', 'metadata', 'labels'))[k] === v),
      );
      if (!matches && !templateMatches) {
        const labelSets = new Set(podsInNs.flatMap((p) => Object.entries(p.labels).map(([k, v]) => `${k}: ${v}`)));
        const firstKey = Object.keys(selector)[0];
        const wanted = `${firstKey}: ${selector[firstKey]}`;
        fail(`selector of Service '${e.name}' matches no pod`, locIn(e, ['spec', 'selector']), [
          labelSets.size > 0 ? `expected labels of a pod or pod template: ${[...labelSets].join(', ')}` : 'expected a Deployment or Pod with these labels',
          ...didYouMean(wanted, labelSets),
        ]);
      }
    }
  }
}
