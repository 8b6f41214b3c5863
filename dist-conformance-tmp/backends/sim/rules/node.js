import { IPV4_LOOPBACK, cidrContains, formatIPv4, formatIPv4Cidr, parseIPv4, parseIPv4Cidr } from './ipv4.js';
/** Names of all nodes, for error messages. */
export function nodeNames(state) {
    return state.cluster.nodes.map((n) => n.name);
}
/** Builds the proxier configuration for `nodeName`; throws a plain Error naming the known nodes. */
export function nodeContext(state, nodeName) {
    const node = state.cluster.nodes.find((n) => n.name === nodeName);
    if (node === undefined) {
        throw new Error(`unknown node '${nodeName}'; nodes: ${nodeNames(state).join(', ') || '(none)'}`);
    }
    const kp = state.cluster.kubeProxy;
    const nodeAddrs = [];
    for (const a of node.addresses) {
        const v = parseIPv4(a.trim());
        if (v !== undefined)
            nodeAddrs.push(v);
    }
    const interfaceAddresses = [IPV4_LOOPBACK, ...nodeAddrs.filter((a) => a !== IPV4_LOOPBACK)];
    // NewNodePortAddresses: keep this family's CIDRs; none at all (or a /0) means "match all".
    const cidrs = [];
    let matchAll = false;
    for (const text of kp.nodePortAddresses) {
        const cidr = parseIPv4Cidr(text);
        if (cidr === undefined)
            continue;
        if (cidr.bits === 0)
            matchAll = true;
        cidrs.push(cidr);
    }
    if (cidrs.length === 0)
        matchAll = true;
    const containsLoopback = matchAll || cidrs.some((c) => cidrContains(c, IPV4_LOOPBACK));
    let detector = { implemented: false };
    if (kp.detectLocal === 'ClusterCIDR') {
        const cidr = parseIPv4Cidr(state.cluster.clusterCIDR);
        if (cidr !== undefined)
            detector = { implemented: true, cidr: formatIPv4Cidr(cidr) };
    }
    return {
        node,
        nodeIP: nodeAddrs[0],
        interfaceAddresses,
        detector,
        masqueradeAll: kp.masqueradeAll,
        masqueradeMark: '0x' + (2 ** kp.masqueradeBit).toString(16),
        localhostNodePorts: kp.localhostNodePorts && containsLoopback,
        nodePortMatchAll: matchAll,
        nodePortCidrs: matchAll ? [] : cidrs,
    };
}
/**
 * `NodePortAddresses.GetNodeIPs`: interface addresses inside the configured CIDRs, de-duplicated
 * (kube-proxy's order here is a Go map order; svclab uses CIDR order, then interface order).
 */
export function nodePortIPs(ctx) {
    const seen = new Set();
    const out = [];
    for (const cidr of ctx.nodePortCidrs) {
        for (const addr of ctx.interfaceAddresses) {
            if (!seen.has(addr) && cidrContains(cidr, addr)) {
                seen.add(addr);
                out.push(formatIPv4(addr));
            }
        }
    }
    return out;
}
//# sourceMappingURL=node.js.map