/**
 * IPv4 addresses as unsigned 32-bit numbers, and CIDR prefixes over them. The evaluator compares
 * numbers, never strings, so matching an address against thousands of rules stays cheap.
 */
/** Parses dotted-quad IPv4; undefined when `text` is not one. */
export function parseIPv4(text) {
    const parts = text.split('.');
    if (parts.length !== 4)
        return undefined;
    let value = 0;
    for (const part of parts) {
        if (!/^\d{1,3}$/.test(part))
            return undefined;
        const octet = Number(part);
        if (octet > 255)
            return undefined;
        value = value * 256 + octet;
    }
    return value >>> 0;
}
export function formatIPv4(value) {
    return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}
/** Parses `a.b.c.d` (a /32) or `a.b.c.d/n`; undefined when malformed. */
export function parseCidr(text) {
    const slash = text.indexOf('/');
    const addr = parseIPv4(slash < 0 ? text : text.slice(0, slash));
    if (addr === undefined)
        return undefined;
    let bits = 32;
    if (slash >= 0) {
        const tail = text.slice(slash + 1);
        if (/^\d{1,2}$/.test(tail)) {
            bits = Number(tail);
            if (bits > 32)
                return undefined;
        }
        else {
            // Dotted masks (iptables prints them for non-contiguous masks).
            const m = parseIPv4(tail);
            if (m === undefined)
                return undefined;
            return { net: (addr & m) >>> 0, mask: m, bits: popcount(m) };
        }
    }
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return { net: (addr & mask) >>> 0, mask, bits };
}
export function cidrContains(cidr, addr) {
    return ((addr & cidr.mask) >>> 0) === cidr.net;
}
/** The first host address of a prefix (a node's pod gateway). */
export function firstHost(cidr) {
    return (cidr.net + 1) >>> 0;
}
function popcount(v) {
    let n = 0;
    for (let x = v >>> 0; x !== 0; x = (x & (x - 1)) >>> 0)
        n++;
    return n;
}
/** "10.0.0.1:80" -> [addr, port]; undefined when malformed. */
export function parseHostPort(text) {
    const colon = text.lastIndexOf(':');
    if (colon < 0)
        return undefined;
    const addr = parseIPv4(text.slice(0, colon));
    const portText = text.slice(colon + 1);
    if (addr === undefined || !/^\d{1,5}$/.test(portText))
        return undefined;
    const port = Number(portText);
    if (port > 65535)
        return undefined;
    return { addr, port };
}
//# sourceMappingURL=ip.js.map