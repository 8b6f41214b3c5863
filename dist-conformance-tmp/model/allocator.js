/**
 * Deterministic allocation of cluster IPs and node ports: the lowest value that is free now and was
 * never handed out before in the same scenario (so a deleted Service's port is not silently reused
 * by another one, which would make step results depend on history in surprising ways).
 */
import { cidrSize, nthAddress } from './ip.js';
/** Hands out the lowest never-used value of an ordered candidate list. */
export class Pool {
    candidates;
    everUsed = new Set();
    constructor(candidates) {
        this.candidates = candidates;
    }
    /** Records a value as handed out (a fixed value, or one kept from a previous step). */
    mark(value) {
        this.everUsed.add(value);
    }
    /** The lowest candidate never handed out and not taken now; undefined when exhausted. */
    next(taken) {
        for (const v of this.candidates()) {
            if (!this.everUsed.has(v) && !taken(v)) {
                this.everUsed.add(v);
                return v;
            }
        }
        return undefined;
    }
}
export function nodePortPool(min, max) {
    return new Pool(function* () {
        for (let p = min; p <= max; p++)
            yield p;
    });
}
/** Cluster IPs: from offset 2 of the service CIDR (network address and .1 are never handed out). */
export function clusterIPPool(cidr) {
    return new Pool(function* () {
        const size = cidrSize(cidr);
        const last = cidr.family === 4 && size > 2n ? size - 1n : size; // skip the IPv4 broadcast address
        for (let i = 2n; i < last; i++)
            yield nthAddress(cidr, i);
    });
}
/** Offsets of a cluster IP the allocator never hands out and a fixed clusterIP may not use. */
export function reservedServiceOffset(offset) {
    if (offset === 0n)
        return 'network address';
    if (offset === 1n)
        return 'kubernetes Service address';
    return undefined;
}
//# sourceMappingURL=allocator.js.map