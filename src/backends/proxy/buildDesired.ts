/**
 * Translate a ClusterState into what each daemon and the echo pods need, in loopback addresses.
 * This is the only place scenario objects meet the proxy's world.
 */
import type { ClusterSpec, ClusterState, NodeSpec, Service, ServicePort } from '../../model/types.js';
import type { AddressMap } from './addressMap.js';
import { inCidr } from '../../model/ip.js';
import { podGatewayAddress } from '../../model/pod-network.js';
import type { DesiredEndpoint, DesiredServicePort, DesiredState, DesiredVipRoute } from './desiredState.js';
import type { EchoPodSpec } from './echoPod.js';

/** The node a route's `via` names: one of its addresses (or, leniently, its name). */
function nodeOfAddress(state: ClusterState, address: string): string | undefined {
  return state.cluster.nodes.find((n) => n.addresses.includes(address) || n.name === address)?.name;
}

/** Every mapped source (node, client, pod) whose scenario address a set of CIDRs admits, plus the LB IPs. */
function allowedSources(state: ClusterState, svc: Service, map: AddressMap): string[] {
  const candidates = [
    ...state.cluster.nodes.flatMap((n) => n.addresses),
    ...state.cluster.clients.map((c) => c.address),
    ...state.pods.map((p) => p.ip),
  ].filter((a) => a && map.has(a));
  const out = new Set<string>();
  for (const a of candidates) if (svc.loadBalancerSourceRanges.some((r) => inCidr(a, r))) out.add(map.loopback(a));
  // kube-proxy also admits the LB IPs themselves as sources (traffic hairpinned by the LB).
  for (const i of svc.loadBalancerIngress) if (map.has(i.ip)) out.add(map.loopback(i.ip));
  return [...out];
}

/** The endpoints of one service port, from the service's EndpointSlices. */
export function endpointsOf(state: ClusterState, svc: Service, sp: ServicePort, map: AddressMap): DesiredEndpoint[] {
  const out: DesiredEndpoint[] = [];
  const seen = new Set<string>();
  for (const slice of state.endpointSlices) {
    if (slice.namespace !== svc.namespace || slice.serviceName !== svc.name || slice.addressType !== 'IPv4') continue;
    const port = slice.ports.find((p) => p.name === sp.name && p.protocol === sp.protocol);
    if (!port) continue;
    for (const ep of slice.endpoints) {
      for (const a of ep.addresses) {
        const address = map.loopback(a);
        const key = `${address}:${port.port}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ address, port: port.port, node: ep.nodeName ?? '', ...ep.conditions });
      }
    }
  }
  return out;
}

/** Services the daemons proxy: TCP and UDP ports of non-headless, non-ExternalName services. */
export function proxiedServicePorts(state: ClusterState, map: AddressMap): DesiredServicePort[] {
  const out: DesiredServicePort[] = [];
  for (const svc of state.services) {
    if (svc.type === 'ExternalName') continue;
    for (const sp of svc.ports) {
      if (sp.protocol !== 'TCP' && sp.protocol !== 'UDP') continue;
      const headless = !svc.clusterIP || svc.clusterIP === 'None';
      const d: DesiredServicePort = {
        key: `${svc.namespace}/${svc.name}:${sp.name}`,
        ...(sp.protocol === 'UDP' ? { protocol: 'UDP' as const } : {}),
        port: sp.port,
        externalIPs: svc.externalIPs.map((ip) => map.loopback(ip)),
        loadBalancerIPs: svc.type === 'LoadBalancer' ? svc.loadBalancerIngress.map((i) => map.loopback(i.ip)) : [],
        externalTrafficPolicy: svc.externalTrafficPolicy,
        internalTrafficPolicy: svc.internalTrafficPolicy,
        endpoints: endpointsOf(state, svc, sp, map),
      };
      if (headless && d.externalIPs.length === 0 && d.loadBalancerIPs.length === 0 && sp.nodePort === undefined) continue;
      if (!headless) d.clusterIP = map.loopback(svc.clusterIP);
      if (sp.nodePort !== undefined && (svc.type === 'NodePort' || svc.type === 'LoadBalancer')) d.nodePort = sp.nodePort;
      if (svc.sessionAffinity === 'ClientIP') d.affinityTimeoutSeconds = svc.sessionAffinityTimeoutSeconds;
      if (svc.type === 'LoadBalancer' && svc.externalTrafficPolicy === 'Local' && svc.healthCheckNodePort !== undefined) d.healthCheckNodePort = svc.healthCheckNodePort;
      if (svc.type === 'LoadBalancer' && svc.loadBalancerSourceRanges.length > 0) d.loadBalancerAllowedSources = allowedSources(state, svc, map);
      out.push(d);
    }
  }
  return out;
}

/** Client routes that carry a VIP into a node, as loopback addresses. */
export function vipRoutes(state: ClusterState, map: AddressMap): DesiredVipRoute[] {
  const vips = new Set<string>();
  for (const svc of state.services) {
    if (svc.clusterIP && svc.clusterIP !== 'None') vips.add(svc.clusterIP);
    for (const ip of svc.externalIPs) vips.add(ip);
    for (const i of svc.loadBalancerIngress) vips.add(i.ip);
  }
  const out: DesiredVipRoute[] = [];
  for (const client of state.cluster.clients) {
    for (const vip of vips) {
      const route = client.routes.find((r) => inCidr(vip, r.to));
      const via = route ? nodeOfAddress(state, route.via) : undefined;
      if (via) out.push({ source: map.loopback(client.address), vip: map.loopback(vip), viaNode: via });
    }
  }
  return out;
}

/** Loopback stand-in of a node's pod gateway address (first host of its pod CIDR; none with node-subnet addressing), when mapped. */
export function gatewayOf(cluster: ClusterSpec, node: NodeSpec, map: AddressMap): string | undefined {
  const gw = podGatewayAddress(cluster, node);
  return gw !== undefined && map.has(gw) ? map.loopback(gw) : undefined;
}

/** The desired state of every node's daemon; the first node's daemon owns the VIP listeners. */
export function desiredStates(state: ClusterState, map: AddressMap): DesiredState[] {
  const localhost = state.cluster.kubeProxy.localhostNodePorts;
  const nodes = state.cluster.nodes.map((n) => ({
    name: n.name,
    addresses: n.addresses.filter((a) => map.has(a)).map((a) => map.loopback(a)),
    ...(localhost ? { localhost: map.nodeLocalhost(n.name) } : {}),
    ...(gatewayOf(state.cluster, n, map) !== undefined ? { podGateway: gatewayOf(state.cluster, n, map) } : {}),
  }));
  const pods = state.pods.filter((p) => p.ip && map.has(p.ip)).map((p) => ({ address: map.loopback(p.ip), node: p.node }));
  const services = proxiedServicePorts(state, map);
  const routes = vipRoutes(state, map);
  return state.cluster.nodes.map((n, i) => ({
    node: n.name,
    nodes,
    pods,
    vipOwner: i === 0,
    vipRoutes: routes,
    masqueradeAll: state.cluster.kubeProxy.masqueradeAll,
    detectLocal: state.cluster.kubeProxy.detectLocal,
    services,
  }));
}

/** One echo server per pod TCP/UDP port (declared container ports and ports endpoint slices point at). */
export function echoPodSpecs(state: ClusterState, map: AddressMap): EchoPodSpec[] {
  const out: EchoPodSpec[] = [];
  for (const pod of state.pods) {
    if (!pod.ip || !map.has(pod.ip)) continue;
    const ports = new Map<string, { port: number; protocol: 'TCP' | 'UDP' }>();
    const addPort = (port: number, protocol: string): void => {
      if (protocol === 'TCP' || protocol === 'UDP') ports.set(`${protocol}:${port}`, { port, protocol });
    };
    for (const p of pod.ports) addPort(p.containerPort, p.protocol);
    for (const slice of state.endpointSlices) {
      if (!slice.endpoints.some((e) => e.pod === pod.name || e.addresses.includes(pod.ip))) continue;
      for (const p of slice.ports) addPort(p.port, p.protocol);
    }
    for (const { port, protocol } of [...ports.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol))) {
      out.push({ name: pod.name, node: pod.node, scenarioIP: pod.ip, loopbackIP: map.loopback(pod.ip), port, protocol });
    }
  }
  // Serving hosts answer on the ports they declare, on their own (client) loopback address.
  for (const host of state.cluster.clients) {
    if (!map.has(host.address)) continue;
    for (const { port, protocol } of host.serves ?? []) {
      if (protocol !== 'TCP' && protocol !== 'UDP') continue;
      out.push({ name: host.name, node: '', scenarioIP: host.address, loopbackIP: map.loopback(host.address), port, protocol, host: true });
    }
  }
  return out;
}
