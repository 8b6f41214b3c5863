/**
 * The per-service-port decisions of kube-proxy's `syncProxyRules`, separated from text output so
 * the simulator can ask "which endpoints, which chains, REJECT or DROP" without re-parsing rules.
 */
import type { ClusterState } from '../../model/types.js';
import {
  categorizeEndpoints,
  endpointsForServicePort,
  indexEndpointSlices,
  type CategorizedEndpoints,
  type EndpointChainInfo,
  type ProxyEndpoint,
} from './endpoints.js';
import { nodeContext, type NodeContext } from './node.js';
import { externallyAccessible, servicePortInfos, type ServicePortInfo } from './service-port.js';

/** A filter-table verdict written for a service IP that has no (usable) endpoints. */
export interface FilterVerdict {
  target: 'REJECT' | 'DROP';
  /** Comment text without quotes, e.g. "ns1/svc1:p80 has no endpoints". */
  comment: string;
}

/** Everything kube-proxy decides for one service port on one node. */
export interface ServicePortPlan {
  info: ServicePortInfo;
  /** All endpoints of the service port (any condition), sorted. */
  endpoints: ProxyEndpoint[];
  categorized: CategorizedEndpoints;
  /** Any usable endpoint anywhere: false means only filter REJECT rules, no nat rules. */
  hasEndpoints: boolean;
  usesClusterPolicyChain: boolean;
  usesLocalPolicyChain: boolean;
  /** KUBE-SVC or (iTP Local) KUBE-SVL: where ClusterIP traffic goes. */
  internalTrafficChain: string;
  hasInternalEndpoints: boolean;
  /** KUBE-SVC or (eTP Local) KUBE-SVL: where KUBE-EXT finally sends external traffic. */
  externalPolicyChain: string;
  hasExternalEndpoints: boolean;
  /** KUBE-EXT exists: has endpoints and an external entry. */
  usesExternalTrafficChain: boolean;
  /** KUBE-FW exists: endpoints, LB VIPs and source ranges. */
  usesFirewallChain: boolean;
  /** KUBE-FW or KUBE-EXT: target of the LoadBalancer VIP rules. */
  loadBalancerTrafficChain: string;
  internalFilter?: FilterVerdict;
  externalFilter?: FilterVerdict;
}

/** The plan for one node: proxier configuration plus one entry per IPv4 service port. */
export interface NodePlan {
  ctx: NodeContext;
  servicePorts: ServicePortPlan[];
  /** Sum of all endpoints of all service ports (kube-proxy's "large cluster" measure). */
  totalEndpoints: number;
}

export function planServicePort(info: ServicePortInfo, endpoints: ProxyEndpoint[]): ServicePortPlan {
  const categorized = categorizeEndpoints(endpoints, info);
  const { clusterEndpoints, localEndpoints, hasAnyEndpoints } = categorized;
  const hasEndpoints = hasAnyEndpoints;
  const usesClusterPolicyChain = clusterEndpoints.length > 0 && (!info.internalPolicyLocal || externallyAccessible(info));
  const usesLocalPolicyChain =
    localEndpoints.length > 0 && (info.internalPolicyLocal || (info.externalPolicyLocal && externallyAccessible(info)));

  let internalTrafficChain = info.chains.cluster;
  let hasInternalEndpoints = hasEndpoints;
  if (info.internalPolicyLocal) {
    internalTrafficChain = info.chains.local;
    if (localEndpoints.length === 0) hasInternalEndpoints = false;
  }
  let externalPolicyChain = info.chains.cluster;
  let hasExternalEndpoints = hasEndpoints;
  if (info.externalPolicyLocal) {
    externalPolicyChain = info.chains.local;
    if (localEndpoints.length === 0) hasExternalEndpoints = false;
  }
  const usesExternalTrafficChain = hasEndpoints && externallyAccessible(info);
  const usesFirewallChain = hasEndpoints && info.loadBalancerVIPs.length > 0 && info.sourceRanges.length > 0;

  let internalFilter: FilterVerdict | undefined;
  let externalFilter: FilterVerdict | undefined;
  if (!hasEndpoints) {
    internalFilter = { target: 'REJECT', comment: `${info.name} has no endpoints` };
    externalFilter = internalFilter;
  } else {
    if (!hasInternalEndpoints) internalFilter = { target: 'DROP', comment: `${info.name} has no local endpoints` };
    if (!hasExternalEndpoints) externalFilter = { target: 'DROP', comment: `${info.name} has no local endpoints` };
  }

  return {
    info,
    endpoints,
    categorized,
    hasEndpoints,
    usesClusterPolicyChain,
    usesLocalPolicyChain,
    internalTrafficChain,
    hasInternalEndpoints,
    externalPolicyChain,
    hasExternalEndpoints,
    usesExternalTrafficChain,
    usesFirewallChain,
    loadBalancerTrafficChain: usesFirewallChain ? info.chains.firewall : info.chains.external,
    internalFilter,
    externalFilter,
  };
}

/**
 * Plans every IPv4 service port of `state` for `nodeName` (services in state order, ports in spec
 * order). `endpointChainNames: false` leaves `ProxyEndpoint.chain` empty (the nftables renderer
 * shares this plan but names endpoints its own way, and the KUBE-SEP hashes are its main cost).
 */
export function planNode(state: ClusterState, nodeName: string, options: { endpointChainNames?: boolean } = {}): NodePlan {
  const ctx = nodeContext(state, nodeName);
  const slices = indexEndpointSlices(state.endpointSlices);
  const servicePorts: ServicePortPlan[] = [];
  let totalEndpoints = 0;
  for (const svc of state.services) {
    for (const info of servicePortInfos(svc)) {
      const endpoints = endpointsForServicePort(info, slices, nodeName, options.endpointChainNames ?? true);
      totalEndpoints += endpoints.length;
      servicePorts.push(planServicePort(info, endpoints));
    }
  }
  return { ctx, servicePorts, totalEndpoints };
}

/**
 * Every KUBE-SEP chain written on the node, with its endpoint (pod, node, ip:port) and service
 * port, so a packet walk can name the pod behind a DNAT target.
 */
export function endpointChains(plan: NodePlan): Map<string, EndpointChainInfo> {
  const out = new Map<string, EndpointChainInfo>();
  for (const sp of plan.servicePorts) {
    for (const endpoint of sp.categorized.allReachableEndpoints) out.set(endpoint.chain, { servicePort: sp.info, endpoint });
  }
  return out;
}
