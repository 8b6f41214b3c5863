import { endpointChainName } from './hash.js';
import { canonicalIPv4 } from './ipv4.js';
import { usesClusterEndpoints, usesLocalEndpoints } from './service-port.js';
export function indexEndpointSlices(slices) {
    const index = new Map();
    for (const slice of slices) {
        if (slice.addressType !== 'IPv4')
            continue;
        const key = `${slice.namespace}/${slice.serviceName}`;
        const list = index.get(key);
        if (list === undefined)
            index.set(key, [slice]);
        else
            list.push(slice);
    }
    return index;
}
function byEndpointString(a, b) {
    return a.endpoint < b.endpoint ? -1 : a.endpoint > b.endpoint ? 1 : 0;
}
/**
 * All endpoints of one service port (ready or not), de-duplicated and sorted as kube-proxy's
 * endpoints map holds them. When the same "ip:port" appears twice, a local copy wins over a
 * remote one and a non-terminating copy over a terminating one.
 */
export function endpointsForServicePort(info, slices, nodeName) {
    const candidates = slices.get(`${info.namespace}/${info.serviceName}`);
    if (candidates === undefined)
        return [];
    const byKey = new Map();
    for (const slice of candidates) {
        const slicePort = slice.ports.find((p) => p.name === info.portName && p.protocol === info.protocol);
        if (slicePort === undefined)
            continue;
        for (const ep of slice.endpoints) {
            if (ep.addresses.length === 0)
                continue;
            const ip = canonicalIPv4(ep.addresses[0]);
            if (ip === undefined)
                continue;
            const endpoint = `${ip}:${slicePort.port}`;
            const candidate = {
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
            if (existing === undefined ||
                (candidate.isLocal && !existing.isLocal) ||
                (existing.terminating && !candidate.terminating)) {
                byKey.set(endpoint, candidate);
            }
        }
    }
    const list = [...byKey.values()];
    for (const ep of list)
        ep.chain = endpointChainName(info.name, info.proto, ep.endpoint);
    return list.sort(byEndpointString);
}
/** `proxy.CategorizeEndpoints` without topology hints. */
export function categorizeEndpoints(endpoints, info) {
    let clusterEndpoints = [];
    let localEndpoints = [];
    let hasAnyEndpoints = false;
    const usesCluster = usesClusterEndpoints(info);
    if (usesCluster) {
        clusterEndpoints = endpoints.filter((ep) => ep.ready);
        if (clusterEndpoints.length === 0)
            clusterEndpoints = endpoints.filter((ep) => ep.serving && ep.terminating);
        if (clusterEndpoints.length > 0)
            hasAnyEndpoints = true;
    }
    if (!usesLocalEndpoints(info)) {
        return { clusterEndpoints, localEndpoints, allReachableEndpoints: clusterEndpoints, hasAnyEndpoints };
    }
    let hasLocalReady = false;
    let hasLocalServingTerminating = false;
    for (const ep of endpoints) {
        if (ep.ready) {
            hasAnyEndpoints = true;
            if (ep.isLocal)
                hasLocalReady = true;
        }
        else if (ep.serving && ep.terminating) {
            hasAnyEndpoints = true;
            if (ep.isLocal)
                hasLocalServingTerminating = true;
        }
    }
    let useServingTerminating = false;
    if (hasLocalReady) {
        localEndpoints = endpoints.filter((ep) => ep.isLocal && ep.ready);
    }
    else if (hasLocalServingTerminating) {
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
    const merged = new Map();
    for (const ep of clusterEndpoints)
        merged.set(ep.endpoint, ep);
    for (const ep of localEndpoints)
        merged.set(ep.endpoint, ep);
    const allReachableEndpoints = [...merged.values()].sort(byEndpointString);
    return { clusterEndpoints, localEndpoints, allReachableEndpoints, hasAnyEndpoints };
}
//# sourceMappingURL=endpoints.js.map