/**
 * One machine's netfilter: compiled rules, conntrack, `recent` lists, its local addresses and a
 * routing function. `process` takes a packet through the hooks in kernel order:
 *   arriving:  nat PREROUTING -> routing -> filter INPUT (local) | filter FORWARD -> nat POSTROUTING
 *   generated: nat OUTPUT -> filter OUTPUT -> routing -> nat POSTROUTING [-> filter INPUT if local]
 * The nat table is consulted only for the first packet of a flow (conntrack state NEW).
 */
import { CT_TIMEOUT, Conntrack } from './conntrack.js';
import { CT } from './packet.js';
import { RecentStore } from './recent.js';
export class NetfilterHost {
    config;
    conntrack = new Conntrack();
    recent = new RecentStore();
    env;
    constructor(config) {
        this.config = config;
        this.env = {
            isLocal: config.isLocal,
            chance: () => false,
            recent: this.recent,
            now: 0,
            mutate: false,
            masqueradeAddress: config.ifaceAddress,
        };
    }
    /** Swap in a new ruleset (a sync); conntrack and the `recent` lists still in use are kept. */
    replaceRules(config) {
        this.config = config;
        this.recent.retainOnly(config.rules.recentNames);
    }
    /**
     * Runs one packet through this host. `inIface` is the interface it arrived on, or null when a
     * process on this host sent it. The packet is not modified; the result carries the rewritten copy.
     */
    process(input, inIface, opts) {
        const cfg = this.config;
        const p = {
            src: input.src,
            dst: input.dst,
            proto: input.proto,
            sport: input.sport,
            dport: input.dport,
            mark: inIface === null ? input.mark : 0,
            inIface: inIface ?? '',
            outIface: '',
            ctstate: 0,
        };
        const name = cfg.name;
        // One env object per host, refreshed per packet (no allocation on the hot path).
        const env = this.env;
        env.isLocal = cfg.isLocal;
        env.masqueradeAddress = cfg.ifaceAddress;
        env.chance = opts.chance;
        env.now = opts.now;
        env.mutate = opts.mutate;
        const outer = opts.trace;
        env.trace = outer ? (hop) => outer({ ...hop, node: name }) : undefined;
        const rules = cfg.rules;
        const found = this.conntrack.size === 0 ? undefined : this.conntrack.lookup(p, opts.now);
        const isNew = !found;
        const oSrc = p.src;
        const oSport = p.sport;
        const oDst = p.dst;
        const oDport = p.dport;
        if (found) {
            const { entry, reply } = found;
            p.ctstate = CT.ESTABLISHED | (entry.dnat ? CT.DNAT : 0) | (entry.snat ? CT.SNAT : 0);
            // Destination rewrite happens before routing (DNAT, or un-SNAT of a reply).
            if (reply ? entry.snat : entry.dnat) {
                p.dst = reply ? entry.original.src : entry.reply.src;
                p.dport = reply ? entry.original.sport : entry.reply.sport;
            }
            opts.trace?.({ node: name, table: 'conntrack', chain: '', note: `ESTABLISHED flow (${reply ? 'reply' : 'original'} direction)` });
        }
        else {
            p.ctstate = CT.NEW;
        }
        const hook = (table, chain) => rules.run(table, chain, p, env);
        if (inIface === null) {
            if (isNew)
                hook('nat', 'OUTPUT');
            const v = hook('filter', 'OUTPUT');
            if (v !== 'ACCEPT')
                return { kind: v === 'DROP' ? 'drop' : 'reject', packet: p, hook: 'filter OUTPUT' };
        }
        else if (isNew) {
            hook('nat', 'PREROUTING');
        }
        const route = cfg.route(p.dst);
        if (route.kind === 'local') {
            if (inIface === null) {
                p.outIface = 'lo';
                if (isNew)
                    hook('nat', 'POSTROUTING');
                p.inIface = 'lo';
            }
            const v = hook('filter', 'INPUT');
            if (v !== 'ACCEPT')
                return { kind: v === 'DROP' ? 'drop' : 'reject', packet: p, hook: 'filter INPUT' };
        }
        else {
            p.outIface = route.iface;
            if (inIface !== null) {
                const v = hook('filter', 'FORWARD');
                if (v !== 'ACCEPT')
                    return { kind: v === 'DROP' ? 'drop' : 'reject', packet: p, hook: 'filter FORWARD' };
            }
            if (isNew)
                hook('nat', 'POSTROUTING');
        }
        // Source rewrite happens last (SNAT, or un-DNAT of a reply).
        let entry;
        if (found) {
            entry = found.entry;
            const { reply } = found;
            if (reply ? entry.dnat : entry.snat) {
                p.src = reply ? entry.original.dst : entry.reply.dst;
                p.sport = reply ? entry.original.dport : entry.reply.dport;
            }
            if (opts.mutate && reply && p.proto === 6)
                entry.expires = opts.now + CT_TIMEOUT.tcpTimeWait;
            if (opts.mutate && reply && p.proto !== 6)
                entry.expires = opts.now + CT_TIMEOUT.udpStream;
        }
        else if (opts.mutate || opts.journal) {
            entry = {
                original: { proto: p.proto, src: oSrc, sport: oSport, dst: oDst, dport: oDport },
                reply: { proto: p.proto, src: p.dst, sport: p.dport, dst: p.src, dport: p.sport },
                expires: opts.now + (p.proto === 6 ? CT_TIMEOUT.tcpEstablished : CT_TIMEOUT.udp),
                dnat: (p.ctstate & CT.DNAT) !== 0,
                snat: (p.ctstate & CT.SNAT) !== 0,
            };
            this.conntrack.insert(entry);
            if (!opts.mutate && opts.journal)
                opts.journal.push({ host: this, entry });
        }
        if (route.kind === 'local')
            return { kind: 'local', packet: p, entry };
        return { kind: 'out', iface: route.iface, packet: p, entry };
    }
}
//# sourceMappingURL=host.js.map