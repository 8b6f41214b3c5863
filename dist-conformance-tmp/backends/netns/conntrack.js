function udpEndpoints(state) {
    const out = new Set();
    for (const slice of state.endpointSlices) {
        if (!slice.ports.some((p) => p.protocol === 'UDP'))
            continue;
        for (const ep of slice.endpoints) {
            // What kube-proxy programs: ready endpoints, or serving-terminating ones as a fallback.
            if (!ep.conditions.ready && !(ep.conditions.serving && ep.conditions.terminating))
                continue;
            for (const a of ep.addresses)
                out.add(a);
        }
    }
    return out;
}
function udpServiceIPs(state) {
    const out = new Set();
    for (const svc of state.services) {
        if (!svc.ports.some((p) => p.protocol === 'UDP'))
            continue;
        if (svc.clusterIP && svc.clusterIP !== 'None')
            out.add(svc.clusterIP);
        for (const ip of svc.externalIPs)
            out.add(ip);
        for (const lb of svc.loadBalancerIngress)
            out.add(lb.ip);
    }
    return out;
}
/** `conntrack` argument lists (without the netns prefix) to run on every node. */
export function staleFlowDeletions(before, after) {
    const commands = [];
    const nowEndpoints = udpEndpoints(after);
    for (const ip of udpEndpoints(before)) {
        if (!nowEndpoints.has(ip))
            commands.push(['conntrack', '-D', '-p', 'udp', '--dst-nat', ip]);
    }
    const nowServices = udpServiceIPs(after);
    for (const ip of udpServiceIPs(before)) {
        if (!nowServices.has(ip))
            commands.push(['conntrack', '-D', '-p', 'udp', '--orig-dst', ip]);
    }
    return commands;
}
//# sourceMappingURL=conntrack.js.map