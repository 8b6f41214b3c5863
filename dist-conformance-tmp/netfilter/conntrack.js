/**
 * A node's connection tracking table. The first packet of a flow goes through the nat table and
 * its NAT decisions are stored here; later packets of the flow, and its replies, are rewritten
 * from the entry without consulting the rules, so an established flow keeps its endpoint even
 * when the rules change, and replies are un-NATed.
 */
import { formatIPv4 } from './ip.js';
export function tupleOf(p) {
    return { proto: p.proto, src: p.src, sport: p.sport, dst: p.dst, dport: p.dport };
}
function key(t) {
    return `${t.proto}|${t.src}|${t.sport}|${t.dst}|${t.dport}`;
}
export function formatTuple(t) {
    return `${formatIPv4(t.src)}:${t.sport} -> ${formatIPv4(t.dst)}:${t.dport}`;
}
/** Timeouts (seconds) close to the kernel defaults. */
export const CT_TIMEOUT = { tcpTimeWait: 120, tcpEstablished: 432000, udp: 30, udpStream: 120 };
export class Conntrack {
    byOriginal = new Map();
    byReply = new Map();
    get size() {
        return this.byOriginal.size;
    }
    /** The entry a packet belongs to, and in which direction it travels. */
    lookup(p, now) {
        const k = `${p.proto}|${p.src}|${p.sport}|${p.dst}|${p.dport}`;
        let entry = this.byOriginal.get(k);
        let reply = false;
        if (!entry) {
            entry = this.byReply.get(k);
            reply = true;
        }
        if (!entry)
            return undefined;
        if (entry.expires <= now) {
            this.delete(entry);
            return undefined;
        }
        return { entry, reply };
    }
    insert(entry) {
        this.byOriginal.set(key(entry.original), entry);
        this.byReply.set(key(entry.reply), entry);
    }
    delete(entry) {
        this.byOriginal.delete(key(entry.original));
        this.byReply.delete(key(entry.reply));
    }
    /** Removes expired entries. */
    prune(now) {
        for (const e of [...this.byOriginal.values()])
            if (e.expires <= now)
                this.delete(e);
    }
    /** Removes every entry matching `pred` (kube-proxy's conntrack cleanup); returns how many. */
    deleteWhere(pred) {
        let n = 0;
        for (const e of [...this.byOriginal.values()]) {
            if (pred(e)) {
                this.delete(e);
                n++;
            }
        }
        return n;
    }
    entries() {
        return [...this.byOriginal.values()];
    }
}
//# sourceMappingURL=conntrack.js.map