/**
 * The proxy's per-connection decision, as kube-proxy (iptables mode) would make it: which node's
 * rules handle the connection, which endpoints are candidates under the traffic policies, whether
 * the source is SNATed (and to which node address), and drop versus reject. Pure: no sockets here.
 */
import type { DesiredEndpoint, DesiredServicePort, DesiredState } from './desiredState.js';
import type { Rng } from './rng.js';

/** How a listener reaches its service. */
export type ListenerKind = 'nodePort' | 'clusterIP' | 'externalIP' | 'loadBalancer' | 'healthCheck';

export interface ListenerRoute {
  serviceKey: string;
  kind: ListenerKind;
  address: string;
  port: number;
  protocol: 'TCP' | 'UDP';
}

export type Decision =
  | { kind: 'forward'; endpoint: DesiredEndpoint; node: string; from: string; snat: boolean }
  | { kind: 'drop'; reason: string }
  | { kind: 'reject'; reason: string };

/** ClientIP affinity table of one service port: client address -> endpoint and last use. */
export type AffinityTable = Map<string, { endpoint: string; lastUsed: number }>;

export const endpointKey = (e: { address: string; port: number }): string => `${e.address}:${e.port}`;

/** Ready endpoints, or (kube-proxy's fallback) serving-terminating ones when none is ready. */
export function usableEndpoints(all: DesiredEndpoint[]): DesiredEndpoint[] {
  const ready = all.filter((e) => e.ready);
  return ready.length > 0 ? ready : all.filter((e) => e.serving && e.terminating);
}

/** The node whose rules see this connection first, or undefined when nothing routes it. */
export function processingNode(state: DesiredState, route: ListenerRoute, source: string): string | undefined {
  if (route.kind === 'nodePort') return state.node;
  const pod = state.pods.find((p) => p.address === source);
  if (pod) return pod.node;
  const node = state.nodes.find((n) => n.addresses.includes(source));
  if (node) return node.name;
  // An external or LB IP that is a node's own address: an outside client's packet enters that node.
  const owner = route.kind !== 'clusterIP' ? state.nodes.find((n) => n.addresses.includes(route.address)) : undefined;
  if (owner) return owner.name;
  return state.vipRoutes.find((r) => r.source === source && r.vip === route.address)?.viaNode;
}

export function decide(
  state: DesiredState,
  svc: DesiredServicePort,
  route: ListenerRoute,
  source: string,
  rng: Rng,
  affinity: AffinityTable,
  now: number,
): Decision {
  const all = usableEndpoints(svc.endpoints);
  if (all.length === 0) return { kind: 'reject', reason: 'service has no endpoints' };
  const node = processingNode(state, route, source);
  if (node === undefined) return { kind: 'drop', reason: `no route from ${source} to ${route.address}` };
  // KUBE-FW: sources outside loadBalancerSourceRanges are dropped (LB IP traffic only).
  if (route.kind === 'loadBalancer' && svc.loadBalancerAllowedSources && !svc.loadBalancerAllowedSources.includes(source)) {
    return { kind: 'drop', reason: `${source} is outside loadBalancerSourceRanges` };
  }
  // Without a local-traffic detector (--detect-local-mode None) pod traffic looks like any other;
  // ClusterCIDR tells traffic from every pod apart, the other modes only this node's pods'.
  const mode = state.detectLocal ?? 'ClusterCIDR';
  const detector = mode !== 'None';
  const fromPod = detector && state.pods.some((p) => p.address === source && (mode === 'ClusterCIDR' || p.node === node));
  const nodeAddrs = state.nodes.find((n) => n.name === node)?.addresses ?? [];
  const fromLocalNode = nodeAddrs.includes(source);
  const local = (): DesiredEndpoint[] => usableEndpoints(svc.endpoints.filter((e) => e.node === node));

  let candidates: DesiredEndpoint[];
  let snat: boolean;
  if (route.kind === 'clusterIP') {
    candidates = svc.internalTrafficPolicy === 'Local' ? local() : all;
    // KUBE-SVC: `! -s <clusterCIDR> -d <clusterIP> -j KUBE-MARK-MASQ`, only written with a detector.
    snat = detector && !fromPod;
  } else if (svc.externalTrafficPolicy === 'Cluster') {
    candidates = all;
    snat = true; // KUBE-EXT marks every external-destination packet for masquerade.
  } else if (fromPod) {
    candidates = all; // "pod traffic for ... external destinations" goes to KUBE-SVC, no masquerade.
    snat = false;
  } else if (fromLocalNode) {
    candidates = all; // "masquerade LOCAL traffic" then KUBE-SVC.
    snat = true;
  } else {
    candidates = local(); // KUBE-SVL: this node's endpoints only, client address kept.
    snat = false;
  }
  if (state.masqueradeAll) snat = true;
  if (candidates.length === 0) return { kind: 'drop', reason: `no local endpoint on ${node}` };

  let chosen: DesiredEndpoint | undefined;
  if (svc.affinityTimeoutSeconds !== undefined) {
    const entry = affinity.get(source);
    if (entry && now - entry.lastUsed <= svc.affinityTimeoutSeconds * 1000) {
      chosen = candidates.find((e) => endpointKey(e) === entry.endpoint);
    }
  }
  chosen ??= candidates[Math.min(candidates.length - 1, Math.floor(rng() * candidates.length))];
  if (svc.affinityTimeoutSeconds !== undefined) affinity.set(source, { endpoint: endpointKey(chosen), lastUsed: now });
  // Hairpin: a pod landing on itself is masqueraded (KUBE-SEP `-s <endpoint> -j KUBE-MARK-MASQ`).
  if (chosen.address === source) snat = true;
  const from = snat ? masqueradeAddress(state, node, chosen) ?? source : source;
  return { kind: 'forward', endpoint: chosen, node, from, snat };
}

/** Whether an endpoint runs on a node: its EndpointSlice nodeName, else the pod owning its address. */
export function endpointOnNode(state: DesiredState, endpoint: DesiredEndpoint, node: string): boolean {
  if (endpoint.node !== '') return endpoint.node === node;
  return state.pods.some((p) => p.address === endpoint.address && p.node === node);
}

/**
 * The address MASQUERADE picks on `node` for a connection to `endpoint`: the address of the
 * outgoing interface. Toward a pod on the same node that is the pod bridge, whose address is the
 * node's pod gateway (first host of its pod CIDR); toward anything else it is the node's uplink,
 * its primary address. Node-originated traffic is no different: POSTROUTING rewrites it the same.
 */
export function masqueradeAddress(state: DesiredState, node: string, endpoint: DesiredEndpoint): string | undefined {
  const me = state.nodes.find((n) => n.name === node);
  if (!me) return undefined;
  if (me.podGateway !== undefined && endpointOnNode(state, endpoint, node)) return me.podGateway;
  return me.addresses[0];
}

const kind0 = (svc: DesiredServicePort): 'TCP' | 'UDP' => svc.protocol ?? 'TCP';

/** Listeners a daemon should hold for a state: address:port -> route. First service wins a clash. */
export function desiredListeners(state: DesiredState): Map<string, ListenerRoute> {
  const out = new Map<string, ListenerRoute>();
  const me = state.nodes.find((n) => n.name === state.node);
  for (const svc of state.services) {
    const protocol = kind0(svc);
    const add = (serviceKey: string, kind: ListenerKind, address: string, port: number): void => {
      // UDP and TCP ports are separate sockets; health checks are always TCP.
      const p = kind === 'healthCheck' ? 'TCP' : protocol;
      const key = p === 'UDP' ? `udp:${address}:${port}` : `${address}:${port}`;
      if (!out.has(key)) out.set(key, { serviceKey, kind, address, port, protocol: p });
    };
    // The health server answers whether or not there are endpoints (503 without local ones).
    if (svc.healthCheckNodePort !== undefined && me) for (const a of me.addresses) add(svc.key, 'healthCheck', a, svc.healthCheckNodePort);
    // No usable endpoint anywhere: no listener, so the kernel refuses (kube-proxy REJECTs).
    if (usableEndpoints(svc.endpoints).length === 0) continue;
    if (svc.nodePort !== undefined && me) {
      for (const a of me.addresses) add(svc.key, 'nodePort', a, svc.nodePort);
      if (me.localhost) add(svc.key, 'nodePort', me.localhost, svc.nodePort);
    }
    if (!state.vipOwner) continue;
    if (svc.clusterIP) add(svc.key, 'clusterIP', svc.clusterIP, svc.port);
    for (const ip of svc.externalIPs) add(svc.key, 'externalIP', ip, svc.port);
    for (const ip of svc.loadBalancerIPs) add(svc.key, 'loadBalancer', ip, svc.port);
  }
  return out;
}
