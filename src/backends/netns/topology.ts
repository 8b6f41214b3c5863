/**
 * The lab's layout, computed from a ClusterState without touching the kernel: which namespace
 * plays which node, client and pod, the shared L2 segment, and the `ip` batch lines that build it.
 * Every address is validated here, before any of it reaches a command.
 */
import type { ClusterState, Pod, Protocol } from '../../model/types.js';
import { BackendUnavailableError, ScenarioError } from '../../errors.js';
import { NODE_SUBNET_POD_GATEWAY, podLinks, usesNodeSubnet } from '../../model/pod-network.js';
import {
  checkIPv4,
  formatCIDR,
  ifName,
  inCIDR,
  intToIp,
  isIPv4,
  ipToInt,
  maskOf,
  nsName,
  parseCIDR,
} from './names.js';

type CIDR = { base: number; prefix: number };

/** One scenario node as a namespace on the fabric. */
export interface NodePlan {
  name: string;
  ns: string;
  /** Fabric-side interface name of its link. */
  fabricIf: string;
  /** Primary (first IPv4) address first. */
  addresses: string[];
  podCIDR: string;
  /**
   * The address pods use as their default gateway: the first host of the pod CIDR, held by the
   * node's pod links; with node-subnet addressing VPC CNI's 169.254.1.1, which the node answers
   * ARP for without holding it (`podGatewayHeld` false), so traffic to pods leaves from its primary.
   */
  podGateway: string;
  podGatewayHeld: boolean;
}

export interface ClientPlan {
  name: string;
  ns: string;
  fabricIf: string;
  address: string;
  routes: { to: string; via: string }[];
  /** Ports it answers on like an echo pod (a serving host); empty for a plain client. */
  serves: PodPort[];
  /**
   * A client off the node segment sits on its own /24 behind the fabric (which routes between
   * them): its prefix and gateway. Undefined for clients on the segment.
   */
  ownSubnet?: { prefix: number; gateway: string };
}

/** A port an echo pod listens on. */
export interface PodPort {
  port: number;
  protocol: Protocol;
}

export interface PodPlan {
  /** `namespace/name`, unique in a state. */
  key: string;
  name: string;
  node: string;
  ip: string;
  ports: PodPort[];
}

/** Everything that does not change while a scenario runs: fabric, nodes, clients. */
export interface FabricPlan {
  /** The shared L2 segment (smallest prefix <= /24 holding every node and client address). */
  segment: string;
  segmentPrefix: number;
  /** Address of the fabric's own bridge: the default gateway that silently drops (like a cloud edge). */
  gateway: string;
  nodes: NodePlan[];
  clients: ClientPlan[];
  clusterCIDR: string;
  localhostNodePorts: boolean;
  /** Pod addresses come from the node subnets (VPC CNI): routed per pod, found by proxy ARP. */
  nodeSubnet: boolean;
  /** Node-side name prefix of pod veths (kube-proxy's interface-name detection must see it). */
  podLinkPrefix: string;
}

/** The smallest common prefix (at most /24) of a set of addresses. */
function commonSegment(addresses: string[]): CIDR {
  for (let prefix = 24; prefix >= 1; prefix--) {
    const base = (ipToInt(addresses[0]) & maskOf(prefix)) >>> 0;
    if (addresses.every((a) => ((ipToInt(a) & maskOf(prefix)) >>> 0) === base)) return { base, prefix };
  }
  throw new BackendUnavailableError(
    `netns backend: the addresses ${addresses.join(', ')} share no common prefix, so the lab cannot put them on one segment; give nodes (and clients that only send) addresses of one network, e.g. all in 10.0.0.0/8 or 172.16.0.0/12`,
  );
}

/**
 * kube-proxy sets route_localnet only when localhost node ports are effectively on: iptables mode
 * (nftables mode never sets it), the flag is set and --nodeport-addresses is empty or covers 127.0.0.1.
 */
function localhostNodePortsOn(state: ClusterState): boolean {
  const kp = state.cluster.kubeProxy;
  if (kp.mode !== 'iptables' || !kp.localhostNodePorts) return false;
  if (kp.nodePortAddresses.length === 0) return true;
  return kp.nodePortAddresses.some((text) => {
    const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text);
    return m !== null && isIPv4(m[1]) && Number(m[2]) <= 32 && inCIDR('127.0.0.1', parseCIDR(text, 'node port address'));
  });
}

/** Lays out fabric, nodes and clients of a cluster. */
export function planFabric(state: ClusterState): FabricPlan {
  const cluster = state.cluster;
  if (cluster.nodes.length === 0) throw new ScenarioError('netns backend: the cluster has no nodes');
  const links = podLinks(cluster);
  if (links.kind === 'bridge' && cluster.kubeProxy.detectLocal === 'BridgeInterface') {
    throw new BackendUnavailableError(
      `netns backend: detectLocal BridgeInterface needs pods on a bridge (${links.name}) with bridged traffic through iptables; the netns lab links each pod by its own veth pair. Use detectLocal InterfaceNamePrefix or ClusterCIDR for netns, or run on sim/proxy`,
    );
  }
  const podLinkPrefix = links.kind === 'veth' ? links.prefix : 'vp';
  if (!/^[a-z][a-z0-9]{0,9}$/.test(podLinkPrefix)) {
    throw new BackendUnavailableError(`netns backend: interface name prefix "${podLinkPrefix}" is not one the lab can name links with (expected lower-case letters and digits, at most 10)`);
  }
  const nodeSubnet = usesNodeSubnet(cluster);
  const nodes: NodePlan[] = cluster.nodes.map((node, i) => {
    const addresses = node.addresses.filter((a) => !a.includes(':'));
    if (addresses.length === 0) throw new ScenarioError(`netns backend: node ${node.name} has no IPv4 address`);
    addresses.forEach((a) => checkIPv4(a, `address of node ${node.name}`));
    const pod = parseCIDR(node.podCIDR, `pod CIDR of node ${node.name}`);
    if (pod.prefix > 30) throw new ScenarioError(`netns backend: pod CIDR ${node.podCIDR} of node ${node.name} is too small`);
    return {
      name: node.name,
      ns: nsName.node(i),
      fabricIf: ifName.fabricToNode(i),
      addresses,
      podCIDR: formatCIDR(pod),
      podGateway: nodeSubnet ? NODE_SUBNET_POD_GATEWAY : intToIp(pod.base + 1),
      podGatewayHeld: !nodeSubnet,
    };
  });
  const clients: ClientPlan[] = cluster.clients.map((client, i) => ({
    name: client.name,
    ns: nsName.client(i),
    fabricIf: ifName.fabricToClient(i),
    address: checkIPv4(client.address, `address of client ${client.name}`),
    routes: client.routes.map((r) => ({
      to: formatCIDR(parseCIDR(r.to.includes('/') ? r.to : `${r.to}/32`, `route destination of client ${client.name}`)),
      via: checkIPv4(r.via, `route next hop of client ${client.name}`),
    })),
    serves: (client.serves ?? []).filter((p) => p.protocol !== 'SCTP' && Number.isInteger(p.port) && p.port > 0 && p.port < 65536),
  }));
  // The node segment holds the nodes and the clients inside it; a client or serving host outside
  // it (an office network, an upstream such as 192.0.2.42) gets its own /24 behind the fabric,
  // which routes between them as a router would.
  const nodeSegment = commonSegment(nodes.map((n) => n.addresses[0]));
  for (const c of clients) {
    if (!inCIDR(c.address, nodeSegment)) {
      const own = { base: (ipToInt(c.address) & maskOf(24)) >>> 0, prefix: 24 };
      const gw = intToIp(own.base + (ipToInt(c.address) === own.base + 1 ? 2 : 1));
      c.ownSubnet = { prefix: 24, gateway: gw };
    }
  }
  const primaries = [...nodes.map((n) => n.addresses[0]), ...clients.filter((c) => !c.ownSubnet).map((c) => c.address)];
  const seen = new Set<string>();
  for (const a of primaries) {
    if (seen.has(a)) throw new ScenarioError(`netns backend: address ${a} is used twice by nodes/clients`);
    seen.add(a);
  }
  const segment = commonSegment(primaries);
  const podAddresses = new Set(state.pods.map((p) => p.ip));
  const size = 2 ** (32 - segment.prefix);
  let gateway: string | undefined;
  for (let host = 1; host < size - 1 && gateway === undefined; host++) {
    const candidate = intToIp(segment.base + host);
    if (!seen.has(candidate) && !podAddresses.has(candidate)) gateway = candidate;
  }
  if (gateway === undefined) throw new ScenarioError(`netns backend: no free address left in ${formatCIDR(segment)} for the fabric gateway`);
  for (const c of clients) {
    for (const r of c.routes) {
      if (!c.ownSubnet && !inCIDR(r.via, segment)) {
        throw new ScenarioError(`netns backend: client ${c.name} routes ${r.to} via ${r.via}, which is not on the node segment ${formatCIDR(segment)}`);
      }
    }
  }
  return {
    segment: intToIp(segment.base),
    segmentPrefix: segment.prefix,
    gateway,
    nodes,
    clients,
    clusterCIDR: formatCIDR(parseCIDR(cluster.clusterCIDR, 'cluster CIDR')),
    localhostNodePorts: localhostNodePortsOn(state),
    nodeSubnet,
    podLinkPrefix,
  };
}

export function podKey(pod: Pod): string {
  return `${pod.namespace}/${pod.name}`;
}

/** Pods that get a namespace: every pod of the state, with the ports its echo server opens. */
export function planPods(state: ClusterState): PodPlan[] {
  const nodeNames = new Set(state.cluster.nodes.map((n) => n.name));
  const ips = new Set<string>();
  return state.pods.map((pod) => {
    const ip = checkIPv4(pod.ip, `IP of pod ${pod.name}`);
    if (!nodeNames.has(pod.node)) throw new ScenarioError(`netns backend: pod ${pod.name} is placed on unknown node ${pod.node}`);
    if (ips.has(ip)) throw new ScenarioError(`netns backend: pod IP ${ip} is used twice`);
    ips.add(ip);
    const ports = new Map<string, PodPort>();
    const add = (port: number, protocol: Protocol) => {
      if (protocol !== 'SCTP' && Number.isInteger(port) && port > 0 && port < 65536) ports.set(`${protocol}/${port}`, { port, protocol });
    };
    // A pod answers on the ports it declares; one that declares none answers on every port,
    // which the lab approximates with every port an endpoint slice names for it.
    for (const p of pod.ports) add(p.containerPort, p.protocol);
    if (pod.ports.length === 0) {
      for (const slice of state.endpointSlices) {
        if (!slice.endpoints.some((e) => e.addresses.includes(ip))) continue;
        for (const p of slice.ports) add(p.port, p.protocol);
      }
    }
    return {
      key: podKey(pod),
      name: pod.name,
      node: pod.node,
      ip,
      ports: [...ports.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol)),
    };
  });
}

/**
 * Addresses the fabric (the network outside the cluster) routes to nodes, with the nodes it
 * spreads them over (ECMP, hashed per connection): a LoadBalancer ingress IP goes to the nodes its
 * health check passes on (with externalTrafficPolicy Local: nodes with a ready local endpoint),
 * an external IP to every node. Addresses on the node segment are reached directly and skipped.
 */
export function fabricServiceRoutes(plan: FabricPlan, state: ClusterState): Map<string, string[]> {
  const segment = { base: ipToInt(plan.segment), prefix: plan.segmentPrefix };
  const routes = new Map<string, string[]>();
  const everyNode = plan.nodes.map((n) => n.addresses[0]);
  for (const svc of state.services) {
    for (const ingress of svc.loadBalancerIngress) {
      if (!isIPv4(ingress.ip) || inCIDR(ingress.ip, segment) || routes.has(ingress.ip)) continue;
      let healthy = everyNode;
      if (svc.externalTrafficPolicy === 'Local') {
        const withLocal = new Set<string>();
        for (const slice of state.endpointSlices) {
          if (slice.serviceName !== svc.name || slice.namespace !== svc.namespace) continue;
          for (const ep of slice.endpoints) if (ep.conditions.ready && ep.nodeName) withLocal.add(ep.nodeName);
        }
        healthy = plan.nodes.filter((n) => withLocal.has(n.name)).map((n) => n.addresses[0]);
      }
      routes.set(ingress.ip, healthy);
    }
  }
  for (const svc of state.services) {
    for (const ip of svc.externalIPs) {
      if (!isIPv4(ip) || inCIDR(ip, segment) || routes.has(ip)) continue;
      routes.set(ip, everyNode);
    }
  }
  return routes;
}

/** The `ip route` line for one fabric service route (none: the address goes into the blackhole). */
export function fabricRouteLine(ip: string, nodes: string[]): string {
  if (nodes.length === 0) return `route replace blackhole ${ip}/32`;
  if (nodes.length === 1) return `route replace ${ip}/32 via ${nodes[0]}`;
  return `route replace ${ip}/32 ${nodes.map((n) => `nexthop via ${n}`).join(' ')}`;
}

/** Health-check node ports kube-proxy serves on every node (LoadBalancer, externalTrafficPolicy Local). */
export function healthCheckPorts(state: ClusterState): PodPort[] {
  const ports = new Set<number>();
  for (const svc of state.services) {
    const port = svc.healthCheckNodePort;
    if (svc.type === 'LoadBalancer' && svc.externalTrafficPolicy === 'Local' && port !== undefined && Number.isInteger(port) && port > 0 && port < 65536) ports.add(port);
  }
  return [...ports].sort((a, b) => a - b).map((port) => ({ port, protocol: 'TCP' as const }));
}

/** Lines for `ip -n fab -batch -`: bridge, gateway, one link per node and client. */
export function fabricBatch(plan: FabricPlan): string[] {
  const lines = [
    'link set lo up',
    `link add ${ifName.bridge} type bridge`,
    `addr add ${plan.gateway}/${plan.segmentPrefix} dev ${ifName.bridge}`,
    `link set ${ifName.bridge} up`,
    // Anything not on the segment goes nowhere, silently: a client without a route to a
    // ClusterIP sees a timeout, as it does behind a real cloud gateway.
    'route add blackhole default',
  ];
  const links = [...plan.nodes.map((n) => [n.fabricIf, n.ns]), ...plan.clients.map((c) => [c.fabricIf, c.ns])];
  for (const [fabricIf, ns] of links) {
    lines.push(`link add ${fabricIf} type veth peer name ${ifName.inner} netns ${ns}`);
    lines.push(`link set ${fabricIf} master ${ifName.bridge}`);
    lines.push(`link set ${fabricIf} up`);
  }
  // The fabric routes between the node segment and the subnets of serving hosts outside it.
  for (const c of plan.clients) if (c.ownSubnet) lines.push(`addr add ${c.ownSubnet.gateway}/${c.ownSubnet.prefix} dev ${ifName.bridge}`);
  return lines;
}

/** Lines for `ip -n <node> -batch -`: its address, routes to the other nodes' pods, default. */
export function nodeBatch(plan: FabricPlan, node: NodePlan, pods: PodPlan[]): string[] {
  const lines = ['link set lo up'];
  node.addresses.forEach((a, i) => {
    const onSegment = inCIDR(a, { base: ipToInt(plan.segment), prefix: plan.segmentPrefix });
    lines.push(`addr add ${a}/${i === 0 || onSegment ? plan.segmentPrefix : 32} dev ${ifName.inner}`);
  });
  lines.push(`link set ${ifName.inner} up`);
  // node-subnet addressing: pod ranges are the node subnets themselves, so pods are routed one by one.
  if (!plan.nodeSubnet) {
    for (const other of plan.nodes) {
      if (other === node) continue;
      lines.push(`route add ${other.podCIDR} via ${other.addresses[0]}`);
    }
  }
  // Pods whose IP lies outside their node's pod CIDR still need a way there.
  for (const pod of pods) {
    const owner = plan.nodes.find((n) => n.name === pod.node);
    if (!owner || owner === node) continue;
    if (plan.nodeSubnet || !inCIDR(pod.ip, parseCIDR(owner.podCIDR, 'pod CIDR'))) lines.push(`route add ${pod.ip}/32 via ${owner.addresses[0]}`);
  }
  lines.push(`route add default via ${plan.gateway}`);
  return lines;
}

/** Lines for `ip -n <client> -batch -`. */
export function clientBatch(plan: FabricPlan, client: ClientPlan): string[] {
  const own = client.ownSubnet;
  const lines = [
    'link set lo up',
    `addr add ${client.address}/${own ? own.prefix : plan.segmentPrefix} dev ${ifName.inner}`,
    `link set ${ifName.inner} up`,
  ];
  // Off the segment, next hops on it are still one bridge away: reached on-link, as a router would.
  const onlink = own ? ` dev ${ifName.inner} onlink` : '';
  for (const r of client.routes) lines.push(`route add ${r.to} via ${r.via}${onlink}`);
  // A serving host reaches pods through their nodes (as a router that knows the pod ranges);
  // with node-subnet addressing the pods are on the node segment already.
  if (client.serves.length > 0 && !plan.nodeSubnet) {
    for (const n of plan.nodes) if (!client.routes.some((r) => r.to === n.podCIDR)) lines.push(`route add ${n.podCIDR} via ${n.addresses[0]}${onlink}`);
  }
  lines.push(`route add default via ${own ? own.gateway : plan.gateway}`);
  return lines;
}

/** Lines run in the node to attach a pod namespace: veth, gateway address, host route. */
export function podAttachBatch(node: NodePlan, pod: PodPlan, podNs: string, nodeIf: string): string[] {
  return [
    `link add ${nodeIf} type veth peer name ${ifName.inner} netns ${podNs}`,
    ...(node.podGatewayHeld ? [`addr add ${node.podGateway}/32 dev ${nodeIf}`] : []),
    `link set ${nodeIf} up`,
    `route add ${pod.ip}/32 dev ${nodeIf}`,
  ];
}

/** Lines run in the pod: its /32 address and a default route via the node's gateway address. */
export function podBatch(node: NodePlan, pod: PodPlan): string[] {
  return [
    'link set lo up',
    `addr add ${pod.ip}/32 dev ${ifName.inner}`,
    `link set ${ifName.inner} up`,
    `route add ${node.podGateway}/32 dev ${ifName.inner} scope link`,
    `route add default via ${node.podGateway} dev ${ifName.inner}`,
  ];
}

/** Kernel settings of a node, set explicitly (a new netns may inherit anything). */
export function nodeSysctls(plan: FabricPlan, interfaces: string[]): string[] {
  const settings = [
    'net.ipv4.ip_forward=1',
    'net.ipv4.conf.all.rp_filter=0',
    'net.ipv4.conf.default.rp_filter=0',
    `net.ipv4.conf.all.route_localnet=${plan.localhostNodePorts ? 1 : 0}`,
  ];
  // REJECT answers with ICMP, which the kernel rate-limits per destination (burst 6, then 1/s):
  // a scenario's quick run of requests would see "refused" turn into "timeout" after six.
  settings.push('net.ipv4.icmp_ratelimit=0');
  // Hairpin traffic leaves by the interface it came in on: no ICMP redirects for it.
  settings.push('net.ipv4.conf.all.send_redirects=0', 'net.ipv4.conf.default.send_redirects=0');
  for (const i of interfaces) settings.push(`net.ipv4.conf.${i}.rp_filter=0`, `net.ipv4.conf.${i}.send_redirects=0`);
  // node-subnet addressing: the node answers ARP for its pods on the segment and for the pods'
  // gateway on their links (as VPC CNI's routing does), holding neither address itself.
  // Proxy ARP answers are delayed at random (up to 0.8 s) unless proxy_delay is 0: a first request would time out.
  if (plan.nodeSubnet) {
    for (const i of interfaces) settings.push(`net.ipv4.conf.${i}.proxy_arp=1`, `net.ipv4.neigh.${i}.proxy_delay=0`);
  }
  return settings;
}

/** Kernel settings of a client or pod namespace. */
export function endSysctls(): string[] {
  return [
    'net.ipv4.conf.all.rp_filter=0',
    'net.ipv4.conf.default.rp_filter=0',
    `net.ipv4.conf.${ifName.inner}.rp_filter=0`,
    // The fabric forwards load-balancer traffic back onto the segment; a redirect must not
    // teach a client to skip it.
    'net.ipv4.conf.all.accept_redirects=0',
    `net.ipv4.conf.${ifName.inner}.accept_redirects=0`,
  ];
}

/** Kernel settings of the fabric: forward (into the blackhole) and keep bridged frames out of iptables. */
export function fabricSysctls(bridgeNetfilter: boolean): string[] {
  const settings = [
    'net.ipv4.ip_forward=1',
    'net.ipv4.conf.all.rp_filter=0',
    'net.ipv4.conf.default.rp_filter=0',
    'net.ipv4.conf.all.send_redirects=0',
    `net.ipv4.conf.${ifName.bridge}.send_redirects=0`,
    `net.ipv4.conf.${ifName.bridge}.rp_filter=0`,
    // Spread load-balancer connections over nodes by ports too, not only by addresses.
    'net.ipv4.fib_multipath_hash_policy=1',
  ];
  if (bridgeNetfilter) settings.push('net.bridge.bridge-nf-call-iptables=0');
  return settings;
}
