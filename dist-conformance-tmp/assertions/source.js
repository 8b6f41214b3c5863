import { answered, countBy, formatCounts, result } from './context.js';
/** First host address of an IPv4 CIDR ("10.10.1.0/24" -> "10.10.1.1"): the node's gateway for its pods. */
export function firstHostAddress(cidr) {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
    if (m === null)
        return undefined;
    const prefix = Number(m[5]);
    if (prefix > 30)
        return undefined;
    const ip = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    const host = ((ip & mask) + 1) >>> 0;
    return [host >>> 24, (host >>> 16) & 255, (host >>> 8) & 255, host & 255].join('.');
}
/** Every address traffic leaving a node can carry: its node addresses and its pod gateway. */
export function nodeAddresses(state, nodeName) {
    const node = state.cluster.nodes.find((n) => n.name === nodeName);
    if (node === undefined)
        return undefined;
    const gateway = firstHostAddress(node.podCIDR);
    return gateway === undefined ? [...node.addresses] : [...node.addresses, gateway];
}
function describeExpected(e, clientAddress) {
    if (e.seen === 'client')
        return `the client address ${clientAddress}`;
    if (e.seen === 'ingress-node')
        return 'an address of the node the request entered';
    return e.seen.address;
}
export const checkSource = (expectation, observations, context) => {
    const ok = answered(observations);
    const clientAddress = context.traffic.from.address;
    const seen = countBy(ok, (o) => o.sourceSeen ?? 'not reported');
    const details = { n: ok.length, expected: expectation.seen, observed: Object.fromEntries(seen) };
    const want = describeExpected(expectation, clientAddress);
    if (ok.length === 0) {
        return result('sourceSeen', false, `expected pods to see ${want}, but none of ${observations.length} requests was answered`, expectation.loc, context.cwd, details);
    }
    const unreported = ok.filter((o) => o.sourceSeen === undefined).length;
    if (unreported > 0) {
        return result('sourceSeen', false, `backend ${context.backend} did not report the source address for ${unreported} of ${ok.length} answers`, expectation.loc, context.cwd, details);
    }
    const wrong = [];
    const problems = new Set();
    for (const o of ok) {
        if (expectation.seen === 'client') {
            if (o.sourceSeen !== clientAddress)
                wrong.push(o);
        }
        else if (expectation.seen === 'ingress-node') {
            if (o.ingressNode === undefined) {
                problems.add(`backend ${context.backend} did not report the ingress node for some answers`);
                wrong.push(o);
                continue;
            }
            const addresses = nodeAddresses(context.state, o.ingressNode);
            if (addresses === undefined) {
                problems.add(`ingress node ${o.ingressNode} is not in the cluster`);
                wrong.push(o);
            }
            else if (!addresses.includes(o.sourceSeen)) {
                problems.add(`${o.ingressNode} has ${addresses.join(', ')}`);
                wrong.push(o);
            }
        }
        else if (o.sourceSeen !== expectation.seen.address) {
            wrong.push(o);
        }
    }
    if (wrong.length === 0) {
        return result('sourceSeen', true, `pods saw ${want}: ${formatCounts(seen)}`, expectation.loc, context.cwd, details);
    }
    const extra = problems.size > 0 ? ` (${[...problems].join('; ')})` : '';
    return result('sourceSeen', false, `expected pods to see ${want}, but ${wrong.length} of ${ok.length} answers saw another source; seen: ${formatCounts(seen)}${extra}`, expectation.loc, context.cwd, details);
};
//# sourceMappingURL=source.js.map