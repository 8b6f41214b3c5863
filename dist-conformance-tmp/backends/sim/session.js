import { Rng } from '../../netfilter/rng.js';
import { parseIPv4 } from '../../netfilter/ip.js';
import { renderNodeRules } from './rules/render.js';
import { SimNetwork } from './network.js';
import { exactRequest } from './exact.js';
export const SECONDS_PER_REQUEST = 0.1;
export const SECONDS_PER_CHANGE = 1;
const EPHEMERAL_FIRST = 32768;
const EPHEMERAL_COUNT = 60999 - 32768 + 1;
export function senderOf(from) {
    switch (from.kind) {
        case 'client':
            return { kind: 'client', name: from.name };
        case 'node':
            return { kind: 'node', name: from.name };
        case 'pod':
            return { kind: 'pod', name: from.name };
    }
}
/** `ip:port/proto` of every endpoint of every slice: what kube-proxy's conntrack cleanup compares. */
function endpointSet(state) {
    const out = new Set();
    for (const slice of state.endpointSlices) {
        for (const ep of slice.endpoints) {
            if (!(ep.conditions.ready || (ep.conditions.serving && ep.conditions.terminating)))
                continue;
            for (const addr of ep.addresses)
                for (const port of slice.ports)
                    out.add(`${addr}:${port.port}/${port.protocol.toLowerCase()}`);
        }
    }
    return out;
}
export class SimSession {
    ctx;
    net;
    rng;
    now = 0;
    requests = 0;
    closed = false;
    constructor(scenario, ctx) {
        this.ctx = ctx;
        this.rng = new Rng(ctx.seed);
        this.net = new SimNetwork(scenario.initial, (state, node) => renderNodeRules(state, node));
    }
    async apply(step) {
        this.now += SECONDS_PER_CHANGE;
        this.net.update(step.state);
        // kube-proxy clears UDP/SCTP conntrack entries that point at endpoints that went away; TCP
        // flows are left alone (they fail on their own).
        const alive = endpointSet(step.state);
        const protoName = (n) => (n === 17 ? 'udp' : n === 132 ? 'sctp' : 'tcp');
        for (const name of this.net.nodeNames()) {
            this.net.host(name).conntrack.deleteWhere((e) => {
                if (!e.dnat || e.original.proto === 6)
                    return false;
                const target = `${fmt(e.reply.src)}:${e.reply.sport}/${protoName(e.original.proto)}`;
                return !alive.has(target);
            });
        }
        return { applied: true };
    }
    async send(step) {
        const t = step.traffic;
        const sender = this.senderFor(t.from);
        const protocol = t.protocol.toLowerCase();
        const exact = exactRequest(this.net, { sender, address: t.to.address, port: t.to.port, protocol, now: this.now + SECONDS_PER_REQUEST, sport: this.peekPort() });
        const observations = [];
        for (let i = 0; i < t.count; i++) {
            if (this.ctx.signal.aborted || this.closed)
                break;
            this.now += SECONDS_PER_REQUEST;
            const sport = this.nextPort();
            const r = this.net.request(sender, t.to.address, t.to.port, protocol, {
                chance: (p) => this.rng.next() < p,
                now: this.now,
                mutate: true,
                sport,
                trace: true,
            });
            const obs = { outcome: r.outcome, trace: r.trace };
            if (r.endpoint !== undefined)
                obs.endpoint = r.endpoint;
            if (r.pod !== undefined)
                obs.pod = r.pod;
            if (r.node !== undefined)
                obs.node = r.node;
            if (r.sourceSeen !== undefined)
                obs.sourceSeen = r.sourceSeen;
            if (r.ingressNode !== undefined)
                obs.ingressNode = r.ingressNode;
            if (r.detail !== undefined)
                obs.detail = r.detail;
            observations.push(obs);
            if (++this.requests % 512 === 0)
                for (const n of this.net.nodeNames())
                    this.net.host(n).conntrack.prune(this.now);
        }
        return { observations, exact: { verdict: exact.verdict, endpoints: exact.endpoints } };
    }
    async close() {
        this.closed = true;
    }
    senderFor(from) {
        if (from.kind === 'pod' && parseIPv4(from.address) !== undefined)
            return { kind: 'address', address: from.address };
        return senderOf(from);
    }
    peekPort() {
        return EPHEMERAL_FIRST + (this.requests % EPHEMERAL_COUNT);
    }
    nextPort() {
        return EPHEMERAL_FIRST + (this.requests % EPHEMERAL_COUNT);
    }
}
function fmt(a) {
    return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}
//# sourceMappingURL=session.js.map