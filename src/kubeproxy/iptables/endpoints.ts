/**
 * Endpoint selection as kube-proxy does it (pkg/proxy/endpointslicecache.go and
 * pkg/proxy/topology.go `CategorizeEndpoints`):
 * - EndpointSlices belong to a Service by namespace + service name; a slice port matches a service
 *   port by name and protocol, and the DNAT port is the slice's port number;
 * - only the first address of an endpoint counts; endpoints are de-duplicated by "ip:port" and
 *   sorted by that string (so "10.1.1.11:11" sorts before "10.1.1.1:11");
 * - the cluster set is every ready endpoint, falling back to serving+terminating ones; the local
 *   set is this node's ready endpoints, falling back to this node's serving+terminating ones.
 * Topology hints are not modelled (no zones in the cluster model), which matches kube-proxy when
 * no endpoint carries hints.
 */
import type { ClusterState, EndpointSlice } from '../../model/types.js';
import { endpointChainName } from './hash.js';
import { canonicalIPv4 } from './ipv4.js';
import { usesClusterEndpoints, usesLocalEndpoints, type ServicePortInfo } from './service-port.js';

/** One endpoint of one service port, as seen from one node. */
export interface ProxyEndpoint {
  ip: string;
  port: number;
  /** "ip:port": the DNAT target, the sort key, and part of the KUBE-SEP hash. */
  endpoint: string;
  /** KUBE-SEP-… chain name for this endpoint of this service port ("" when not asked for). */
  chain: string;
  /** The endpoint's nodeName equals the node the rules are rendered for. */
  isLocal: boolean;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  nodeName?: string;
  /** Pod name from the slice's targetRef, when the endpoint is a pod. */
  pod?: string;
  /** Namespace of the slice (the pod's namespace). */
  namespace: string;
}

/** The sets kube-proxy derives for one service port on one node. */
export interface CategorizedEndpoints {
  /** Endpoints for Cluster traffic policy (KUBE-SVC chain). */
  clusterEndpoints: ProxyEndpoint[];
  /** Endpoints for Local traffic policy (KUBE-SVL chain). */
  localEndpoints: ProxyEndpoint[];
  /** Union of the two: every endpoint that gets a KUBE-SEP chain on this node. */
  allReachableEndpoints: ProxyEndpoint[];
  /** Any usable (ready, or serving and terminating) endpoint anywhere in the cluster. */
  hasAnyEndpoints: boolean;
}

/** EndpointSlices grouped by "namespace/serviceName", built once per render. */
export type SliceIndex = Map<string, EndpointSlice[]>;

export function indexEndpointSlices(slices: readonly EndpointSlice[]): SliceIndex {
  const index: SliceIndex = new Map();
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4') continue;
    const key = `${slice.namespace}/${slice.serviceName}`;
    const list = index.get(key);
    if (list === undefined) index.set(key, [slice]);
    else list.push(slice);
  }
  return index;
}

function byEndpointString(a: ProxyEndpoint, b: ProxyEndpoint): number {
  return a.endpoint < b.endpoint ? -1 : a.endpoint > b.endpoint ? 1 : 0;
}

/**
 * All endpoints of one service port (ready or not), de-duplicated and sorted as kube-proxy's
 * endpoints map holds them. When the same "ip:port" appears twice (an endpoint moving between
 * slices, or a pod IP reused while the old pod terminates), a non-terminating copy wins over a
 * terminating one, wherever either runs (endpointslicecache.go); between two copies of the same
 * kind upstream's choice follows map order, and the first one seen is kept here.
 */
export function endpointsForServicePort(info: ServicePortInfo, slices: SliceIndex, nodeName: string, chainNames = true): ProxyEndpoint[] {
  const candidates = slices.get(`${info.namespace}/${info.serviceName}`);
  if (candidates === undefined) return [];
  const byKey = new Map<string, ProxyEndpoint>();
  for (const slice of candidates) {
    const slicePort = slice.ports.find((p) => p.name === info.portName && p.protocol === info.protocol);
    if (slicePort === undefined) continue;
    for (const ep of slice.endpoints) {
      if (ep.addresses.length === 0) continue;
      const ip = canonicalIPv4(ep.addresses[0]);
      if (ip === undefined) continue;
      const endpoint = `${ip}:${slicePort.port}`;
      const candidate: ProxyEndpoint = {
        ip,
        port: slicePort.port,
        endpoint,
        chain: '',
        isLocal: ep.nodeName !== undefined && ep.nodeName === nodeName,
        ready: ep.conditions.ready,
        serving: ep.conditions.serving,
        terminating: ep.conditions.terminating,
        nodeName: ep.nodeName,
        pod: ep.pod,
        namespace: slice.namespace,
      };
      const existing = byKey.get(endpoint);
      if (existing === undefined || (existing.terminating && !candidate.terminating)) {
        byKey.set(endpoint, candidate);
      }
    }
  }
  const list = [...byKey.values()];
  // nftables mode names its endpoints differently and skips these hashes (chainNames false).
  if (chainNames) for (const ep of list) ep.chain = endpointChainName(info.name, info.proto, ep.endpoint);
  return list.sort(byEndpointString);
}

/** `proxy.CategorizeEndpoints` without topology hints. */
export function categorizeEndpoints(endpoints: readonly ProxyEndpoint[], info: ServicePortInfo): CategorizedEndpoints {
  let clusterEndpoints: ProxyEndpoint[] = [];
  let localEndpoints: ProxyEndpoint[] = [];
  let hasAnyEndpoints = false;
  const usesCluster = usesClusterEndpoints(info);

  if (usesCluster) {
    clusterEndpoints = endpoints.filter((ep) => ep.ready);
    if (clusterEndpoints.length === 0) clusterEndpoints = endpoints.filter((ep) => ep.serving && ep.terminating);
    if (clusterEndpoints.length > 0) hasAnyEndpoints = true;
  }
  if (!usesLocalEndpoints(info)) {
    return { clusterEndpoints, localEndpoints, allReachableEndpoints: clusterEndpoints, hasAnyEndpoints };
  }

  let hasLocalReady = false;
  let hasLocalServingTerminating = false;
  for (const ep of endpoints) {
    if (ep.ready) {
      hasAnyEndpoints = true;
      if (ep.isLocal) hasLocalReady = true;
    } else if (ep.serving && ep.terminating) {
      hasAnyEndpoints = true;
      if (ep.isLocal) hasLocalServingTerminating = true;
    }
  }
  let useServingTerminating = false;
  if (hasLocalReady) {
    localEndpoints = endpoints.filter((ep) => ep.isLocal && ep.ready);
  } else if (hasLocalServingTerminating) {
    useServingTerminating = true;
    localEndpoints = endpoints.filter((ep) => ep.isLocal && ep.serving && ep.terminating);
  }
  if (!usesCluster) {
    return { clusterEndpoints, localEndpoints, allReachableEndpoints: localEndpoints, hasAnyEndpoints };
  }
  if (!useServingTerminating) {
    // Local endpoints are then ready ones, all of which are already in the cluster set.
    return { clusterEndpoints, localEndpoints, allReachableEndpoints: clusterEndpoints, hasAnyEndpoints };
  }
  const merged = new Map<string, ProxyEndpoint>();
  for (const ep of clusterEndpoints) merged.set(ep.endpoint, ep);
  for (const ep of localEndpoints) merged.set(ep.endpoint, ep);
  const allReachableEndpoints = [...merged.values()].sort(byEndpointString);
  return { clusterEndpoints, localEndpoints, allReachableEndpoints, hasAnyEndpoints };
}

/** One endpoint chain on a node, with the service port it belongs to (for naming pods in traces). */
export interface EndpointChainInfo {
  servicePort: ServicePortInfo;
  endpoint: ProxyEndpoint;
}
