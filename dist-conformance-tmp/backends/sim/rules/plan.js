import { categorizeEndpoints, endpointsForServicePort, indexEndpointSlices, } from './endpoints.js';
import { nodeContext } from './node.js';
import { externallyAccessible, servicePortInfos } from './service-port.js';
export function planServicePort(info, endpoints) {
    const categorized = categorizeEndpoints(endpoints, info);
    const { clusterEndpoints, localEndpoints, hasAnyEndpoints } = categorized;
    const hasEndpoints = hasAnyEndpoints;
    const usesClusterPolicyChain = clusterEndpoints.length > 0 && (!info.internalPolicyLocal || externallyAccessible(info));
    const usesLocalPolicyChain = localEndpoints.length > 0 && (info.internalPolicyLocal || (info.externalPolicyLocal && externallyAccessible(info)));
    let internalTrafficChain = info.chains.cluster;
    let hasInternalEndpoints = hasEndpoints;
    if (info.internalPolicyLocal) {
        internalTrafficChain = info.chains.local;
        if (localEndpoints.length === 0)
            hasInternalEndpoints = false;
    }
    let externalPolicyChain = info.chains.cluster;
    let hasExternalEndpoints = hasEndpoints;
    if (info.externalPolicyLocal) {
        externalPolicyChain = info.chains.local;
        if (localEndpoints.length === 0)
            hasExternalEndpoints = false;
    }
    const usesExternalTrafficChain = hasEndpoints && externallyAccessible(info);
    const usesFirewallChain = hasEndpoints && info.loadBalancerVIPs.length > 0 && info.sourceRanges.length > 0;
    let internalFilter;
    let externalFilter;
    if (!hasEndpoints) {
        internalFilter = { target: 'REJECT', comment: `${info.name} has no endpoints` };
        externalFilter = internalFilter;
    }
    else {
        if (!hasInternalEndpoints)
            internalFilter = { target: 'DROP', comment: `${info.name} has no local endpoints` };
        if (!hasExternalEndpoints)
            externalFilter = { target: 'DROP', comment: `${info.name} has no local endpoints` };
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
/** Plans every IPv4 service port of `state` for `nodeName` (services in state order, ports in spec order). */
export function planNode(state, nodeName) {
    const ctx = nodeContext(state, nodeName);
    const slices = indexEndpointSlices(state.endpointSlices);
    const servicePorts = [];
    let totalEndpoints = 0;
    for (const svc of state.services) {
        for (const info of servicePortInfos(svc)) {
            const endpoints = endpointsForServicePort(info, slices, nodeName);
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
export function endpointChains(plan) {
    const out = new Map();
    for (const sp of plan.servicePorts) {
        for (const endpoint of sp.categorized.allReachableEndpoints)
            out.set(endpoint.chain, { servicePort: sp.info, endpoint });
    }
    return out;
}
//# sourceMappingURL=plan.js.map