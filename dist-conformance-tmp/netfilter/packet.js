/**
 * The packet as the netfilter evaluator sees it: numeric addresses, protocol number, ports, the
 * skb mark, interfaces and conntrack state bits. NAT targets rewrite it in place.
 */
export const PROTO = { tcp: 6, udp: 17, sctp: 132, icmp: 1 };
export function protoNumber(name) {
    switch (name.toLowerCase()) {
        case 'tcp':
        case '6':
            return 6;
        case 'udp':
        case '17':
            return 17;
        case 'sctp':
        case '132':
            return 132;
        case 'icmp':
        case '1':
            return 1;
        case 'all':
        case '0':
            return 0;
        default:
            return undefined;
    }
}
export function protoName(num) {
    return num === 17 ? 'udp' : num === 132 ? 'sctp' : 'tcp';
}
/** Conntrack state bits (`-m conntrack --ctstate`); SNAT/DNAT are the virtual states. */
export const CT = {
    NEW: 1,
    ESTABLISHED: 2,
    RELATED: 4,
    INVALID: 8,
    UNTRACKED: 16,
    SNAT: 32,
    DNAT: 64,
};
export function clonePacket(p) {
    return { ...p };
}
//# sourceMappingURL=packet.js.map